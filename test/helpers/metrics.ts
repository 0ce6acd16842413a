/** Metric lines as tests read them: EMF lines captured from `emfMetrics`, parsed back. */
import { emfMetrics } from '../../shared/metrics/emf.js';
import type { Metrics, MetricValue } from '../../shared/metrics/metrics.js';

export interface EmfLine {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string; readonly Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

/** `emfMetrics` writing into `lines` (each parsed as JSON, as CloudWatch Logs would). */
export function capturedEmf(namespace = 'test-ns'): { metrics: Metrics; lines: EmfLine[]; raw: string[] } {
  const raw: string[] = [];
  const lines: EmfLine[] = [];
  const metrics = emfMetrics({
    namespace,
    service: 'hookline-test',
    env: {},
    write: (line) => {
      raw.push(line);
      lines.push(JSON.parse(line) as EmfLine);
    },
  });
  return { metrics, lines, raw };
}

/** What a line says of metric `name`: its values (one per datum), or none when it does not declare it. */
function valuesIn(line: EmfLine, name: string): number[] {
  const declared = line._aws.CloudWatchMetrics.some((set) =>
    set.Metrics.some((metric) => metric.Name === name),
  );
  if (!declared) return [];
  const value = line[name];
  return Array.isArray(value) ? (value as number[]) : [value as number];
}

/**
 * The sum of a count metric over the lines whose dimension values match `where` (e.g.
 * `{ Route: '/a/', Reason: 'invalid_signature' }`); `Reason`/`EventType` left out match any line.
 */
export function emfTotal(
  lines: readonly EmfLine[],
  name: string,
  where: Record<string, string> = {},
): number {
  return matching(lines, where).reduce(
    (sum, line) => sum + valuesIn(line, name).reduce((a, b) => a + b, 0),
    0,
  );
}

/** The data points of a metric (e.g. durations) over the matching lines. */
export function emfSamples(
  lines: readonly EmfLine[],
  name: string,
  where: Record<string, string> = {},
): number[] {
  return matching(lines, where).flatMap((line) => valuesIn(line, name));
}

function matching(lines: readonly EmfLine[], where: Record<string, string>): EmfLine[] {
  return lines.filter((line) => Object.entries(where).every(([key, value]) => line[key] === value));
}

/** A test double that records every published value. */
export function recordingMetrics(): Metrics & { readonly values: MetricValue[]; readonly batches: number } {
  const values: MetricValue[] = [];
  let batches = 0;
  return {
    values,
    get batches() {
      return batches;
    },
    publish(published) {
      batches += 1;
      values.push(...published);
    },
  };
}

/** The sum of the recorded values of `name` whose dimensions include `where`. */
export function recordedTotal(
  values: readonly MetricValue[],
  name: string,
  where: Partial<MetricValue['dimensions']> = {},
): number {
  return values
    .filter(
      (value) =>
        value.name === name &&
        Object.entries(where).every(
          ([key, expected]) => value.dimensions[key as keyof typeof where] === expected,
        ),
    )
    .reduce((sum, value) => sum + value.value, 0);
}
