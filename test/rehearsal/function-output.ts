/**
 * A rehearsed function's output read as CloudWatch Logs would read it: its structured log lines
 * (Powertools Logger JSON) by message, and its embedded-metric-format lines by metric name.
 */
import type { FunctionProcess } from './function-process.js';

export type OutputLine = Readonly<Record<string, unknown>>;

function parsed(fn: Pick<FunctionProcess, 'lines'>): OutputLine[] {
  return fn.lines().flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as OutputLine];
    } catch {
      return [];
    }
  });
}

/** The log lines whose `message` is `message`, in order. */
export function logLines(fn: Pick<FunctionProcess, 'lines'>, message: string): OutputLine[] {
  return parsed(fn).filter((line) => line.message === message);
}

/** The EMF lines that carry the metric `name`, in order. */
export function metricLines(fn: Pick<FunctionProcess, 'lines'>, name: string): OutputLine[] {
  return parsed(fn).filter((line) => {
    const directives = (line._aws as { CloudWatchMetrics?: { Metrics?: { Name?: string }[] }[] } | undefined)
      ?.CloudWatchMetrics;
    return (
      directives?.some((directive) => directive.Metrics?.some((metric) => metric.Name === name)) === true
    );
  });
}
