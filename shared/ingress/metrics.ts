/**
 * What the ingress reports per request (docs/architecture.md, "Metrics"), from its outcome alone:
 * the pipeline tells `ingressMetrics` how each request ended, and no step emits anything itself.
 */
import { INGRESS_METRICS } from '../metric-names.js';
import {
  count,
  eventDimensions,
  type MetricDimensions,
  type MetricValue,
  milliseconds,
} from '../metrics/metrics.js';
import { schemeOf } from '../verify/registry.js';
import type { Parsed, Received, Routed } from './context.js';
import type { RequestOutcome } from './pipeline.js';

type Reached = Partial<Received & Routed & Parsed>;

/**
 * The metrics of one request. Nothing for a request that matched no route (its path is not a
 * bounded dimension); otherwise `Received`, and by how it ended: `Accepted` and `AcceptLatency`
 * (202 queued), `Duplicate` (200), `Filtered`, `HandshakeAnswered`, `Rejected` with the refusal's
 * code as `Reason` (4xx), `IngressError` (5xx, with its code as `Reason` too).
 */
export function ingressMetrics(outcome: RequestOutcome): MetricValue[] {
  const { target, request } = outcome.context as Reached;
  if (target === undefined) return [];
  const { route } = target;
  const dimensions =
    'payload' in outcome.context && request !== undefined
      ? eventDimensions(
          route,
          eventTypeOf(route.verify, request.headers, (outcome.context as Parsed).payload),
        )
      : { route: route.path };
  const values = [count(INGRESS_METRICS.received, dimensions)];
  switch (outcome.kind) {
    case 'queued':
      values.push(
        count(INGRESS_METRICS.accepted, dimensions),
        milliseconds(INGRESS_METRICS.acceptLatency, dimensions, outcome.durationMs),
      );
      return values;
    case 'duplicate':
      values.push(count(INGRESS_METRICS.duplicate, dimensions));
      return values;
    case 'filtered':
      values.push(count(INGRESS_METRICS.filtered, dimensions));
      return values;
    case 'handshake':
      values.push(count(INGRESS_METRICS.handshakeAnswered, dimensions));
      return values;
    case undefined:
      return [...values, ...refusal(outcome, dimensions)];
  }
}

function refusal({ result, errorCode }: RequestOutcome, dimensions: MetricDimensions): MetricValue[] {
  const status = result.statusCode ?? 500;
  if (errorCode === undefined) return [];
  // A refusal's own values carry its reason; `Received` above stays in the request's sets.
  const withReason = { ...dimensions, reason: errorCode };
  if (status >= 500) return [count(INGRESS_METRICS.ingressError, withReason)];
  if (status >= 400) return [count(INGRESS_METRICS.rejected, withReason)];
  return [];
}

/** The provider's event type as the route's scheme reads it from the verified request. */
function eventTypeOf(
  verify: Routed['target']['route']['verify'],
  headers: Readonly<Record<string, string>>,
  payload: unknown,
): string | undefined {
  try {
    return schemeOf(verify).eventType?.({ headers, payload });
  } catch {
    return undefined;
  }
}
