/**
 * The deployed statistics (docs/architecture.md, "Statistics"): GetMetricData over the metrics the
 * routes' functions emit under the stack's namespace, for the window asked, widened to whole
 * periods. Counts are the `Sum` of `Received`, `Delivered` and `DeadLettered`; durations the
 * `Average`, `p50` and `p99` of `HandlerDuration` and `EndToEndLatency` (with their `SampleCount`),
 * in the `[Route]` dimension set, and the counts again in `[Route, EventType]` per listed type.
 *
 * The period is the whole window, so every query has one datapoint and CloudWatch's own percentiles
 * over the window are reported as they are. Should a query still come back in several datapoints,
 * sums are added, averages and medians weighted by their sample counts, and the p99 is the largest
 * (a bound, not CloudWatch's figure).
 *
 * Needs `cloudwatch:GetMetricData` (Resource `"*"`, its only form).
 */
import {
  GetMetricDataCommand,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { METRIC_DIMENSIONS } from '../metric-names.js';
import { STATS_METRICS } from '../metrics/collector.js';
import {
  eventTypeKeys,
  type LatencyStats,
  NO_LATENCY,
  type RouteStats,
  roundMs,
  type StatsQuery,
  type StatsReport,
  type StatsRouteQuery,
  type StatsSource,
  successRate,
} from '../metrics/stats.js';
import type { MetricDataClient } from './queue-age.js';

export interface CloudWatchStatsOptions {
  readonly client: MetricDataClient;
  /** The routes' metrics namespace (`HOOKLINE_METRICS_NAMESPACE`). */
  readonly namespace: string;
  /** Decides how far back the window starts, hence CloudWatch's resolution. @default new Date() */
  readonly now?: () => Date;
}

/** GetMetricData takes at most 500 queries a call. */
const MAX_QUERIES_PER_CALL = 500;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

type Count = 'received' | 'processed' | 'failed';
type Latency = 'processingMs' | 'endToEndMs';
type LatencyStat = 'avg' | 'p50' | 'p99' | 'n';

const COUNTS: readonly Count[] = ['received', 'processed', 'failed'];
const LATENCIES: readonly Latency[] = ['processingMs', 'endToEndMs'];
/** CloudWatch's name of each statistic of a duration. */
const LATENCY_STATS: Readonly<Record<LatencyStat, string>> = {
  avg: 'Average',
  p50: 'p50',
  p99: 'p99',
  n: 'SampleCount',
};

/** What one query asks, to map its result back. */
type QueryTarget =
  | { readonly kind: 'count'; readonly route: number; readonly count: Count; readonly eventType?: string }
  | {
      readonly kind: 'latency';
      readonly route: number;
      readonly latency: Latency;
      readonly stat: LatencyStat;
    };

export class CloudWatchStats implements StatsSource {
  readonly #client: MetricDataClient;
  readonly #namespace: string;
  readonly #now: () => Date;

  constructor(options: CloudWatchStatsOptions) {
    this.#client = options.client;
    this.#namespace = options.namespace;
    this.#now = options.now ?? (() => new Date());
  }

  async stats(query: StatsQuery): Promise<StatsReport> {
    const window = alignedWindow(query.since, query.until, this.#now());
    const planned = planQueries(query, this.#namespace, window.periodSeconds);
    const results = new Map<string, number[]>();
    for (let start = 0; start < planned.length; start += MAX_QUERIES_PER_CALL) {
      const batch = planned.slice(start, start + MAX_QUERIES_PER_CALL);
      let nextToken: string | undefined;
      do {
        const output = await this.#client.send(
          new GetMetricDataCommand({
            StartTime: window.start,
            EndTime: window.end,
            MetricDataQueries: batch.map(({ query }) => query),
            ...(nextToken !== undefined && { NextToken: nextToken }),
          }),
        );
        for (const result of output.MetricDataResults ?? []) collect(results, result);
        nextToken = output.NextToken;
      } while (nextToken !== undefined);
    }
    return {
      since: window.start.toISOString(),
      until: window.end.toISOString(),
      routes: query.routes.map((route, index) =>
        routeStats(route, index, planned, results, query.byEventType),
      ),
    };
  }
}

/**
 * The window in CloudWatch's resolution: whole minutes for data up to 15 days old, 5 minutes up to
 * 63 days, hours beyond (what CloudWatch keeps, and how it rounds `StartTime`), `since` rounded down
 * and `until` up; the period spans it all.
 */
export function alignedWindow(
  since: Date,
  until: Date,
  now: Date,
): { start: Date; end: Date; periodSeconds: number } {
  const age = now.getTime() - since.getTime();
  const unit = age > 63 * DAY_MS ? 60 * MINUTE_MS : age > 15 * DAY_MS ? 5 * MINUTE_MS : MINUTE_MS;
  const start = Math.floor(since.getTime() / unit) * unit;
  const end = Math.max(Math.ceil(until.getTime() / unit) * unit, start + unit);
  return { start: new Date(start), end: new Date(end), periodSeconds: (end - start) / 1000 };
}

/**
 * Every query of the report, ids by position (`r0_received`, `r0_processingMs_p50`,
 * `r0_t1_failed`): ids must start with a lower-case letter and hold only letters, digits and `_`,
 * which paths and event types need not.
 */
function planQueries(
  query: StatsQuery,
  namespace: string,
  period: number,
): { readonly query: MetricDataQuery; readonly target: QueryTarget }[] {
  const metric = (
    name: string,
    dimensions: Record<string, string>,
    stat: string,
    id: string,
    label: string,
  ) => ({
    Id: id,
    Label: label,
    MetricStat: {
      Metric: {
        Namespace: namespace,
        MetricName: name,
        Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: period,
      Stat: stat,
    },
    ReturnData: true,
  });
  return query.routes.flatMap((route, index) => {
    const dimensions = { [METRIC_DIMENSIONS.route]: route.path };
    const counts = COUNTS.map((count) => ({
      query: metric(STATS_METRICS[count], dimensions, 'Sum', `r${index}_${count}`, `${route.path} ${count}`),
      target: { kind: 'count', route: index, count } as const,
    }));
    const latencies = LATENCIES.flatMap((latency) =>
      (Object.keys(LATENCY_STATS) as LatencyStat[]).map((stat) => ({
        query: metric(
          STATS_METRICS[latency],
          dimensions,
          LATENCY_STATS[stat],
          `r${index}_${latency}_${stat}`,
          `${route.path} ${latency} ${stat}`,
        ),
        target: { kind: 'latency', route: index, latency, stat } as const,
      })),
    );
    const eventTypes = query.byEventType
      ? eventTypeKeys(route).flatMap((eventType, typeIndex) =>
          COUNTS.map((count) => ({
            query: metric(
              STATS_METRICS[count],
              { ...dimensions, [METRIC_DIMENSIONS.eventType]: eventType },
              'Sum',
              `r${index}_t${typeIndex}_${count}`,
              `${route.path} ${eventType} ${count}`,
            ),
            target: { kind: 'count', route: index, count, eventType } as const,
          })),
        )
      : [];
    return [...counts, ...latencies, ...eventTypes];
  });
}

/** Adds a result's values under its id (a paged result comes in parts). */
function collect(results: Map<string, number[]>, result: MetricDataResult): void {
  if (result.Id === undefined) return;
  const values = (result.Values ?? []).filter((value) => Number.isFinite(value));
  results.set(result.Id, [...(results.get(result.Id) ?? []), ...values]);
}

function routeStats(
  route: StatsRouteQuery,
  index: number,
  planned: readonly { readonly query: MetricDataQuery; readonly target: QueryTarget }[],
  results: ReadonlyMap<string, number[]>,
  byEventType: boolean,
): RouteStats {
  const valuesOf = (match: (target: QueryTarget) => boolean): number[] => {
    const found = planned.find(({ target }) => target.route === index && match(target));
    return results.get(found?.query.Id ?? '') ?? [];
  };
  const count = (count: Count, eventType?: string) =>
    Math.round(
      sum(
        valuesOf(
          (target) => target.kind === 'count' && target.count === count && target.eventType === eventType,
        ),
      ),
    );
  const latency = (latency: Latency): LatencyStats =>
    combineLatency((stat) =>
      valuesOf((target) => target.kind === 'latency' && target.latency === latency && target.stat === stat),
    );
  const processed = count('processed');
  const failed = count('failed');
  return {
    route: route.path,
    received: count('received'),
    processed,
    failed,
    successRate: successRate(processed, failed),
    processingMs: latency('processingMs'),
    endToEndMs: latency('endToEndMs'),
    ...(byEventType && {
      byEventType: Object.fromEntries(
        eventTypeKeys(route).map((type) => [
          type,
          {
            received: count('received', type),
            processed: count('processed', type),
            failed: count('failed', type),
          },
        ]),
      ),
    }),
  };
}

/**
 * One datapoint per statistic (the period spans the window): reported as it is. Several: averages
 * and medians weighted by the datapoints' sample counts, the p99 the largest.
 */
function combineLatency(values: (stat: LatencyStat) => number[]): LatencyStats {
  const avg = values('avg');
  if (avg.length === 0) return NO_LATENCY;
  const p50 = values('p50');
  const p99 = values('p99');
  const n = values('n');
  const weighted = (points: readonly number[]): number | null => {
    if (points.length === 0) return null;
    if (points.length === 1 || n.length !== points.length) return sum(points) / points.length;
    const total = sum(n);
    return total === 0 ? null : points.reduce((acc, value, at) => acc + value * (n[at] ?? 0), 0) / total;
  };
  const round = (value: number | null) => (value === null ? null : roundMs(value));
  return {
    avg: round(weighted(avg)),
    p50: round(weighted(p50)),
    p99: p99.length === 0 ? null : roundMs(Math.max(...p99)),
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
