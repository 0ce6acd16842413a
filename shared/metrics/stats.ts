/**
 * The statistics `GET /_hookline/stats` and `hookline stats` answer (docs/architecture.md,
 * "Statistics"): per route, over a time window, what was received, processed and failed and how
 * long processing took, read back from the metrics Hookline emits. The JSON shape is a contract, the
 * same whatever the source: CloudWatch deployed (`shared/admin/cloudwatch-stats.ts`), the local
 * stack's in-memory collector (`collector.ts`) locally.
 */
import { OTHER_EVENT_TYPE } from './metrics.js';

/** Average and percentiles of a duration, in milliseconds (to 0.1 ms); each `null` when no value was measured. */
export interface LatencyStats {
  readonly avg: number | null;
  readonly p50: number | null;
  readonly p99: number | null;
}

/** The counts of one event type of a route. */
export interface EventTypeStats {
  /** `Received` with this `EventType` (a request refused before its payload was read has none). */
  readonly received: number;
  /** `Delivered` with this `EventType`. */
  readonly processed: number;
  /** `DeadLettered` with this `EventType`. */
  readonly failed: number;
}

/** One route's statistics over the window. */
export interface RouteStats {
  /** The route's path, e.g. `/order/status/`. */
  readonly route: string;
  /** `Received`: every request that matched the route (accepted, duplicate, filtered, refused). */
  readonly received: number;
  /** `Delivered`: events the handler delivered. */
  readonly processed: number;
  /** `DeadLettered`: events sent to the DLQ (after their last attempt, or without one). */
  readonly failed: number;
  /** `processed / (processed + failed)`, a fraction from 0 to 1; `null` when nothing settled in the window. */
  readonly successRate: number | null;
  /** `HandlerDuration`: how long each attempt of the handler ran. */
  readonly processingMs: LatencyStats;
  /** `EndToEndLatency`: from receipt at the ingress to delivery, per delivered event. */
  readonly endToEndMs: LatencyStats;
  /**
   * With `by=eventType` only: per `EventType` value (the route's `metrics.eventTypes` and `other`),
   * every one present, zeros included; `{}` for a route without `metrics.eventTypes`.
   */
  readonly byEventType?: Readonly<Record<string, EventTypeStats>>;
}

/** The answer: the window measured (ISO 8601) and one entry per route asked, in the order asked. */
export interface StatsReport {
  readonly since: string;
  readonly until: string;
  readonly routes: readonly RouteStats[];
}

/** A route to report on: its path (the `Route` dimension) and its listed event types. */
export interface StatsRouteQuery {
  readonly path: string;
  /** The route's `metrics.eventTypes`: without it the route's metrics have no `EventType`. */
  readonly eventTypes?: readonly string[];
}

export interface StatsQuery {
  /** Inclusive. */
  readonly since: Date;
  /** Exclusive. */
  readonly until: Date;
  readonly routes: readonly StatsRouteQuery[];
  /** Adds `byEventType` to every route. */
  readonly byEventType: boolean;
}

/** Where the statistics come from. */
export interface StatsSource {
  stats(query: StatsQuery): Promise<StatsReport>;
}

/** The `EventType` values a route's metrics carry: its listed types and `other`; none without a list. */
export function eventTypeKeys(route: StatsRouteQuery): string[] {
  return route.eventTypes === undefined ? [] : [...route.eventTypes, OTHER_EVENT_TYPE];
}

/** `processed / (processed + failed)`; `null` when both are 0. */
export function successRate(processed: number, failed: number): number | null {
  const settled = processed + failed;
  return settled === 0 ? null : processed / settled;
}

/** Milliseconds as reported: to 0.1 ms. */
export function roundMs(value: number): number {
  return Math.round(value * 10) / 10;
}

/** No value measured. */
export const NO_LATENCY: LatencyStats = { avg: null, p50: null, p99: null };

/**
 * The average and the nearest-rank 50th and 99th percentiles of `values` (the smallest value with
 * at least that share of the values at or below it): values that were measured, never interpolated.
 */
export function summarize(values: readonly number[]): LatencyStats {
  if (values.length === 0) return NO_LATENCY;
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    avg: roundMs(sum / sorted.length),
    p50: roundMs(nearestRank(sorted, 50)),
    p99: roundMs(nearestRank(sorted, 99)),
  };
}

function nearestRank(sorted: readonly number[], percentile: number): number {
  const rank = Math.max(1, Math.ceil((percentile / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}
