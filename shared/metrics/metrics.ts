/**
 * The metrics port (docs/architecture.md, "Metrics"): what the ingress, the handler runtime, replays
 * and DLQ redrives report, as plain values. `emf.ts` writes them as CloudWatch embedded metric format
 * lines (Powertools Metrics); `silentMetrics` drops them. Names and dimensions: `../metric-names.ts`.
 */

/** The units Hookline's metrics use. */
export type MetricUnitName = 'Count' | 'Milliseconds';

/**
 * Where one value belongs: always its route (the dimension set `[Route]`); an `eventType` also puts
 * it in `[Route, EventType]`, a `reason` in `[Route, Reason]`.
 */
export interface MetricDimensions {
  readonly route: string;
  readonly eventType?: string;
  readonly reason?: string;
}

export interface MetricValue {
  readonly name: string;
  readonly unit: MetricUnitName;
  readonly value: number;
  readonly dimensions: MetricDimensions;
}

/** Where metrics go. */
export interface Metrics {
  /**
   * Writes the values of one request or one batch at once (one line per set of dimension values).
   * Never throws: a metric must not fail the work it measures.
   */
  publish(values: readonly MetricValue[]): void;
}

/** Drops every value: the default where no metrics are wanted (tests, library callers). */
export const silentMetrics: Metrics = { publish: () => {} };

export function count(name: string, dimensions: MetricDimensions, value = 1): MetricValue {
  return { name, unit: 'Count', value, dimensions };
}

export function milliseconds(name: string, dimensions: MetricDimensions, value: number): MetricValue {
  return { name, unit: 'Milliseconds', value: Math.max(0, Math.round(value)), dimensions };
}

/** The `EventType` value of the types a route does not list. */
export const OTHER_EVENT_TYPE = 'other';

/**
 * The route's dimensions for an event of `type`: `EventType` only when the route lists its event
 * types (`metrics.eventTypes`), the listed ones as they are and any other (or none) as `other`, so
 * the dimension's values stay a bounded set.
 */
export function eventDimensions(
  route: { readonly path: string; readonly metrics?: { readonly eventTypes?: readonly string[] } },
  type: string | undefined,
): MetricDimensions {
  const listed = route.metrics?.eventTypes;
  if (listed === undefined) return { route: route.path };
  return {
    route: route.path,
    eventType: type !== undefined && listed.includes(type) ? type : OTHER_EVENT_TYPE,
  };
}
