/**
 * The metrics port on Powertools Metrics: CloudWatch embedded metric format (EMF) lines, one per set
 * of dimension values in a request or batch, which CloudWatch Logs turns into metrics (no
 * PutMetricData call). The Lambda functions, the local stack and `hookline worker` all write through
 * this, so the lines seen locally are the lines CloudWatch reads.
 *
 * Powertools serialises and checks each line (`serializeMetrics`); the line is written here rather
 * than by `publishStoredMetrics`, which prints through its own console and is switched off by
 * `POWERTOOLS_DEV`: locally the same lines must print. `POWERTOOLS_METRICS_DISABLED=true` still
 * turns them off.
 */
import { MetricUnit, Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { type Log, silentLog } from '../logger.js';
import { METRIC_DIMENSIONS } from '../metric-names.js';
import type { MetricDimensions, Metrics, MetricValue } from './metrics.js';

/** Powertools flushes a metric on its own at 100 values: a line holds fewer. */
const MAX_VALUES_PER_LINE = 99;

export interface EmfMetricsOptions {
  /** The CloudWatch namespace: the config's `metrics.namespace`, else its `name`. */
  readonly namespace: string;
  /** Written on each line as `service` (not a dimension), e.g. `hookline-ingress`. */
  readonly service: string;
  /** Receives each line without its newline. @default writes to stdout */
  readonly write?: (line: string) => void;
  /** Where Powertools' warnings and write failures go. @default silent */
  readonly log?: Log;
  /** Read for `POWERTOOLS_METRICS_DISABLED`. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

export function emfMetrics(options: EmfMetricsOptions): Metrics {
  const log = options.log ?? silentLog;
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  if (isDisabled(options.env ?? process.env)) return { publish: () => {} };
  const powertools = new PowertoolsMetrics({
    namespace: options.namespace,
    serviceName: options.service,
    logger: {
      debug: () => {},
      info: () => {},
      warn: (...content: unknown[]) => log.warn('metrics warning', { detail: content.map(String).join(' ') }),
      error: (...content: unknown[]) => log.error('metrics error', { detail: content.map(String).join(' ') }),
    },
  });
  // Dimensions are Route (and EventType or Reason) only: the alarms and the dashboard match them exactly.
  powertools.clearDefaultDimensions();
  const line = (dimensions: MetricDimensions, values: readonly MetricValue[]): string => {
    try {
      powertools.setDefaultDimensions({ [METRIC_DIMENSIONS.route]: dimensions.route });
      if (dimensions.eventType !== undefined || dimensions.reason !== undefined) {
        powertools.addDimensions({}); // the `[Route]` set, beside the others
        if (dimensions.eventType !== undefined) {
          powertools.addDimensions({ [METRIC_DIMENSIONS.eventType]: dimensions.eventType });
        }
        if (dimensions.reason !== undefined) {
          powertools.addDimensions({ [METRIC_DIMENSIONS.reason]: dimensions.reason });
        }
      }
      powertools.addMetadata('service', options.service);
      for (const { name, unit, value } of values) powertools.addMetric(name, MetricUnit[unit], value);
      return JSON.stringify(powertools.serializeMetrics());
    } finally {
      powertools.clearMetrics();
      powertools.clearDimensions();
      powertools.clearMetadata();
      powertools.clearDefaultDimensions();
    }
  };
  return {
    publish(values) {
      try {
        for (const [dimensions, group] of groupByDimensions(values)) {
          for (const chunk of lines(group)) write(line(dimensions, chunk));
        }
      } catch (error: unknown) {
        log.warn('metrics not written', { error: error instanceof Error ? error.message : String(error) });
      }
    },
  };
}

function isDisabled(env: NodeJS.ProcessEnv): boolean {
  const value = env.POWERTOOLS_METRICS_DISABLED?.trim().toLowerCase();
  return value === 'true' || value === '1' || value === 'yes' || value === 'on';
}

/** The values by their dimension values, in first-seen order. */
function groupByDimensions(values: readonly MetricValue[]): Map<MetricDimensions, MetricValue[]> {
  const byKey = new Map<string, { dimensions: MetricDimensions; values: MetricValue[] }>();
  for (const value of values) {
    const { route, eventType, reason } = value.dimensions;
    const key = JSON.stringify([route, eventType ?? null, reason ?? null]);
    const group = byKey.get(key) ?? { dimensions: value.dimensions, values: [] };
    group.values.push(value);
    byKey.set(key, group);
  }
  return new Map([...byKey.values()].map((group) => [group.dimensions, group.values]));
}

/**
 * One group's values as lines: counts of a name summed into one value, durations kept one by one
 * (CloudWatch computes their percentiles) and split across lines past `MAX_VALUES_PER_LINE`.
 */
function lines(values: readonly MetricValue[]): MetricValue[][] {
  const counts = new Map<string, MetricValue>();
  const durations = new Map<string, MetricValue[]>();
  for (const value of values) {
    if (value.unit === 'Count') {
      const sum = counts.get(value.name);
      counts.set(value.name, sum === undefined ? value : { ...sum, value: sum.value + value.value });
    } else {
      durations.set(value.name, [...(durations.get(value.name) ?? []), value]);
    }
  }
  const result: MetricValue[][] = [[...counts.values()]];
  for (const series of durations.values()) {
    for (let start = 0; start < series.length; start += MAX_VALUES_PER_LINE) {
      const slice = series.slice(start, start + MAX_VALUES_PER_LINE);
      const last = result.at(-1) ?? [];
      const room = !last.some((value) => value.name === slice[0]?.name);
      if (room) last.push(...slice);
      else result.push(slice);
    }
  }
  return result.filter((line) => line.length > 0);
}
