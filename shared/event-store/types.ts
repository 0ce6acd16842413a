/**
 * The event record kept in the event table (docs/architecture.md, "Table layout"): one item per received webhook, updated as
 * it moves through the queue and the handler. Plain data, so it can be logged and shown by the CLI.
 */
import type { BodyReference } from '../envelope.js';

/** Where an event is in its life. Allowed moves between statuses are listed in `transitions.ts`. */
export type EventStatus =
  | 'received'
  | 'queued'
  | 'processing'
  | 'retrying'
  | 'delivered'
  | 'dead_lettered'
  | 'ignored';

/** How the request that created the event was verified at ingress. */
export interface VerificationVerdict {
  /** The route's verification scheme (`github`, `stripe`, … or `none`). */
  scheme: string;
  /** Which secret or key matched, for rotation audits. */
  keyId?: string;
  /** When ingress verified the request (ISO 8601). */
  verifiedAt: string;
  /** When the sender signed the request, for schemes with a timestamp (ISO 8601). */
  signedAt?: string;
}

/** One run of the route's handler for an event. */
export interface AttemptRecord {
  /** 1 for the first attempt. */
  attempt: number;
  /** ISO 8601. */
  startedAt: string;
  durationMs: number;
  outcome: 'delivered' | 'failed' | 'ignored' | 'permanent_failure';
  errorName?: string;
  /** Truncated by the event store to `ERROR_MESSAGE_LIMIT_BYTES` (1 KiB) of UTF-8. */
  errorMessage?: string;
  /** When the message becomes visible again for the next attempt (ISO 8601). */
  nextVisibleAt?: string;
  /**
   * The first attempt after a DLQ redrive (from the CLI, the admin API or the AWS console): the
   * event was `dead_lettered` when this attempt took it.
   */
  redriven?: boolean;
}

export interface EventRecord {
  /** Hookline's own event id (never the SQS messageId). */
  id: string;
  /** The route path, e.g. `/order/status/`. */
  route: string;
  /** The route's queue name (without the stack prefix), e.g. `order_status`. */
  queueName: string;
  /** ISO 8601. */
  receivedAt: string;
  /** ISO 8601; set by the event store on every write. */
  updatedAt: string;
  status: EventStatus;
  method: string;
  path: string;
  /** Raw query string, without `?`. */
  query?: string;
  /** Selected request headers, names lower-cased. */
  headers: Record<string, string>;
  contentType?: string;
  /** The body as text, when it is valid UTF-8. */
  body?: string;
  /** The body as base64, when it is binary. */
  bodyBase64?: string;
  /** Where the body is kept when it was too large to store inline (then neither `body` nor `bodyBase64`). */
  bodyRef?: BodyReference;
  sourceIp?: string;
  /** The de-duplication key the event was claimed under. */
  dedupeKey?: string;
  verification: VerificationVerdict;
  /** Handler attempts, oldest first. */
  attempts: AttemptRecord[];
  /** The id of the event this one re-delivers. */
  replayOf?: string;
  /** Ids of the replays of this event. */
  replays?: string[];
  /**
   * Set while a handler holds the event's idempotency lock (status `processing`): an opaque id of
   * the consumer that took it. Removed when the attempt settles.
   */
  lockOwner?: string;
  /** When the lock lapses if its holder never settles (ISO 8601): the holder's invocation deadline. */
  lockExpiresAt?: string;
  /** Unix seconds after which DynamoDB may delete the record (the route's retention). */
  expiresAt: number;
}

/** What ingress knows when it first writes an event; the store sets the rest. */
export type NewEventRecord = Omit<
  EventRecord,
  'updatedAt' | 'attempts' | 'status' | 'lockOwner' | 'lockExpiresAt'
>;
