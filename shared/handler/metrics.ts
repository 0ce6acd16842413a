/**
 * What the handler runtime reports (docs/architecture.md, "Metrics"): per settled attempt, per
 * message sent to the DLQ without an attempt, per copy skipped. `processBatch` collects them and
 * publishes them once per batch.
 */
import type { ResolvedRoute } from '../config/types.js';
import { RUNTIME_METRICS } from '../metric-names.js';
import { count, eventDimensions, type MetricValue, milliseconds } from '../metrics/metrics.js';
import type { HandlerResult } from './run-handler.js';

export interface SettledAttempt {
  readonly route: ResolvedRoute;
  /** The event's type, when the event was built (undefined: unknown or none). */
  readonly eventType: string | undefined;
  readonly result: HandlerResult['kind'];
  /** True when the message is done with: a failed attempt was the last one (the DLQ). */
  readonly done: boolean;
  readonly attempt: number;
  readonly durationMs: number;
  /** When the attempt started, in epoch milliseconds. */
  readonly startedAtMs: number;
  /** When it settled, in epoch milliseconds. */
  readonly settledAtMs: number;
  /** The event's `receivedAt` at the ingress (or the replay's). */
  readonly receivedAt: string;
  /** The SQS message's `SentTimestamp` (epoch milliseconds), when known. */
  readonly sentAtMs: number | undefined;
}

/**
 * `HandlerDuration`; `QueueWait` on the first attempt; then `Delivered` and `EndToEndLatency`, or
 * `AttemptFailed` with `Retried` or `DeadLettered`, or for a permanent failure `AttemptFailed`,
 * `PermanentFailure` and `DeadLettered`. An ignored event (the handler returned `IGNORED`) only has
 * its duration.
 */
export function attemptMetrics(settled: SettledAttempt): MetricValue[] {
  const dimensions = eventDimensions(settled.route, settled.eventType);
  const values = [milliseconds(RUNTIME_METRICS.handlerDuration, dimensions, settled.durationMs)];
  if (settled.attempt === 1 && settled.sentAtMs !== undefined) {
    values.push(milliseconds(RUNTIME_METRICS.queueWait, dimensions, settled.startedAtMs - settled.sentAtMs));
  }
  switch (settled.result) {
    case 'delivered': {
      const receivedAtMs = Date.parse(settled.receivedAt);
      values.push(count(RUNTIME_METRICS.delivered, dimensions));
      if (Number.isFinite(receivedAtMs)) {
        values.push(
          milliseconds(RUNTIME_METRICS.endToEndLatency, dimensions, settled.settledAtMs - receivedAtMs),
        );
      }
      return values;
    }
    case 'ignored':
      return values;
    case 'permanent':
      values.push(
        count(RUNTIME_METRICS.attemptFailed, dimensions),
        count(RUNTIME_METRICS.permanentFailure, dimensions),
        count(RUNTIME_METRICS.deadLettered, dimensions),
      );
      return values;
    case 'failed':
      values.push(
        count(RUNTIME_METRICS.attemptFailed, dimensions),
        count(settled.done ? RUNTIME_METRICS.deadLettered : RUNTIME_METRICS.retried, dimensions),
      );
      return values;
  }
}

/** A message sent to the DLQ without an attempt (unreadable, not the route's, attempts used up). */
export function deadLetteredWithoutAttempt(route: ResolvedRoute): MetricValue {
  return count(RUNTIME_METRICS.deadLettered, { route: route.path });
}

/** A copy of an event skipped: delivered (settled) already, or a second copy in the same batch. */
export function duplicateSkipped(route: ResolvedRoute): MetricValue {
  return count(RUNTIME_METRICS.duplicateSkipped, { route: route.path });
}

/** The SQS record's `SentTimestamp`, when it has one. */
export function sentAtMs(attributes: { readonly SentTimestamp?: string } | undefined): number | undefined {
  const value = Number(attributes?.SentTimestamp);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}
