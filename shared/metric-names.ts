/**
 * The metrics Hookline emits (CloudWatch embedded metric format, through Powertools Metrics): their
 * names and dimensions are a contract between the functions that emit them and the alarms, the
 * dashboard and `hookline stats` that read them.
 */

/** Every metric is under the stack's namespace (the config's `name`) unless the config sets one. */
export const METRIC_DIMENSIONS = { route: 'Route', eventType: 'EventType', reason: 'Reason' } as const;

/** What the ingress emits, per route. */
export const INGRESS_METRICS = {
  received: 'Received',
  accepted: 'Accepted',
  duplicate: 'Duplicate',
  filtered: 'Filtered',
  /** With the `Reason` dimension: the refusal's code (`invalid_signature`, `body_too_large`, …). */
  rejected: 'Rejected',
  handshakeAnswered: 'HandshakeAnswered',
  /** An answer of 5xx. */
  ingressError: 'IngressError',
  /** Milliseconds from receipt to the 202, for accepted events. */
  acceptLatency: 'AcceptLatency',
} as const;

/** What the handler runtime emits, per route. */
export const RUNTIME_METRICS = {
  delivered: 'Delivered',
  attemptFailed: 'AttemptFailed',
  retried: 'Retried',
  deadLettered: 'DeadLettered',
  permanentFailure: 'PermanentFailure',
  duplicateSkipped: 'DuplicateSkipped',
  /** Milliseconds the user's handler ran. */
  handlerDuration: 'HandlerDuration',
  /** Milliseconds from receipt at the ingress to delivery. */
  endToEndLatency: 'EndToEndLatency',
  /** Milliseconds from enqueueing to the first attempt. */
  queueWait: 'QueueWait',
} as const;

/** What replays and DLQ redrives emit, per route. */
export const OPERATION_METRICS = {
  replayed: 'Replayed',
  redriven: 'Redriven',
} as const;

/** What a route's circuit breaker emits, per route (deployed: the handler that opened it; locally: the poller). */
export const CIRCUIT_METRICS = {
  /** The circuit opened (or a failed probe opened it again): the route's consumer is paused. */
  opened: 'CircuitOpened',
} as const;
