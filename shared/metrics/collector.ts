/**
 * The local stack's statistics: a `Metrics` that keeps the values it is given in memory, with the
 * time it got them, and answers `StatsSource` queries from them exactly. The local stack tees its
 * metrics into it (`teeMetrics`), so the statistics are computed from the very values printed as
 * EMF lines, the ones CloudWatch reads deployed.
 *
 * It keeps only what the statistics read (`Received`, `Delivered`, `DeadLettered`,
 * `HandlerDuration`, `EndToEndLatency`), at most `maxValues` of them: past that the oldest go, and
 * a window reaching back to them counts less than happened.
 */
import { INGRESS_METRICS, RUNTIME_METRICS } from '../metric-names.js';
import type { Metrics, MetricValue } from './metrics.js';
import {
  type EventTypeStats,
  eventTypeKeys,
  type RouteStats,
  type StatsQuery,
  type StatsReport,
  type StatsRouteQuery,
  type StatsSource,
  successRate,
  summarize,
} from './stats.js';

/** The metrics the statistics are made of. */
export const STATS_METRICS = {
  received: INGRESS_METRICS.received,
  processed: RUNTIME_METRICS.delivered,
  failed: RUNTIME_METRICS.deadLettered,
  processingMs: RUNTIME_METRICS.handlerDuration,
  endToEndMs: RUNTIME_METRICS.endToEndLatency,
} as const;

const KEPT: ReadonlySet<string> = new Set(Object.values(STATS_METRICS));

/** @default 100,000 values */
const DEFAULT_MAX_VALUES = 100_000;

export interface MetricsCollectorOptions {
  /** How many values are kept; the oldest go first. @default 100000 */
  readonly maxValues?: number;
  /** The clock values are stamped with, in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** A `Metrics` that keeps what it publishes, and the statistics of it. */
export interface MetricsCollector extends Metrics, StatsSource {
  /** How many values are kept now. */
  readonly size: number;
}

interface Kept {
  readonly at: number;
  readonly name: string;
  readonly route: string;
  readonly eventType: string | undefined;
  readonly value: number;
}

export function metricsCollector(options: MetricsCollectorOptions = {}): MetricsCollector {
  const maxValues = options.maxValues ?? DEFAULT_MAX_VALUES;
  if (!Number.isInteger(maxValues) || maxValues < 1) {
    throw new RangeError(`maxValues must be a positive integer, got ${maxValues}`);
  }
  const now = options.now ?? Date.now;
  let kept: Kept[] = [];
  let first = 0; // kept[first..] are the live values, oldest first

  return {
    get size() {
      return kept.length - first;
    },
    publish(values: readonly MetricValue[]) {
      const at = now();
      for (const { name, value, dimensions } of values) {
        if (!KEPT.has(name)) continue;
        kept.push({ at, name, route: dimensions.route, eventType: dimensions.eventType, value });
        if (kept.length - first > maxValues) first += 1;
      }
      if (first >= maxValues) {
        kept = kept.slice(first);
        first = 0;
      }
    },
    async stats(query: StatsQuery): Promise<StatsReport> {
      const since = query.since.getTime();
      const until = query.until.getTime();
      const inWindow: Kept[] = [];
      for (let index = first; index < kept.length; index += 1) {
        const value = kept[index];
        if (value !== undefined && value.at >= since && value.at < until) inWindow.push(value);
      }
      return {
        since: query.since.toISOString(),
        until: query.until.toISOString(),
        routes: query.routes.map((route) =>
          routeStats(
            route,
            inWindow.filter((value) => value.route === route.path),
            query.byEventType,
          ),
        ),
      };
    },
  };
}

/** Publishes every value to each of `metrics`, in order. */
export function teeMetrics(...metrics: readonly Metrics[]): Metrics {
  return {
    publish(values) {
      for (const target of metrics) target.publish(values);
    },
  };
}

function routeStats(route: StatsRouteQuery, values: readonly Kept[], byEventType: boolean): RouteStats {
  const counts = countsOf(values);
  const samples = (name: string) => values.filter((value) => value.name === name).map(({ value }) => value);
  return {
    route: route.path,
    ...counts,
    successRate: successRate(counts.processed, counts.failed),
    processingMs: summarize(samples(STATS_METRICS.processingMs)),
    endToEndMs: summarize(samples(STATS_METRICS.endToEndMs)),
    ...(byEventType && {
      byEventType: Object.fromEntries(
        eventTypeKeys(route).map((type) => [
          type,
          countsOf(values.filter((value) => value.eventType === type)),
        ]),
      ),
    }),
  };
}

function countsOf(values: readonly Kept[]): EventTypeStats {
  const sum = (name: string) =>
    values.reduce((total, value) => (value.name === name ? total + value.value : total), 0);
  return {
    received: sum(STATS_METRICS.received),
    processed: sum(STATS_METRICS.processed),
    failed: sum(STATS_METRICS.failed),
  };
}
