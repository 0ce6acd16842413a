/** Flags shared by `hookline process` and `hookline worker`: where the queues are, integer parsing. */
import type { ResolvedConfig } from '../../config/types.js';
import type { Log } from '../../logger.js';
import { emfMetrics } from '../../metrics/emf.js';
import type { Metrics } from '../../metrics/metrics.js';
import { configMetricsNamespace } from '../../metrics/namespace.js';
import type { ResolveEndpointsOptions } from '../../worker/endpoints.js';
import { CliUsageError, type CommandModule } from '../command.js';
import type { OptionHelp } from '../help.js';

/** The flags that say where `process` and `worker` find the queues and the table. */
export const endpointOptions = {
  /** Event table name (deployed: the stack output `EventTableName`); else HOOKLINE_TABLE_NAME. */
  table: { type: 'string' },
  /** Ignore a running local stack's `.hookline/local.json`: use the AWS SDK's configuration. */
  aws: { type: 'boolean', default: false },
} as const satisfies CommandModule['options'];

/** The help lines of `endpointOptions`. */
export const endpointHelp = {
  table: {
    value: 'NAME',
    text: 'the event table (deployed: the stack output EventTableName; else HOOKLINE_TABLE_NAME)',
  },
  aws: { text: "ignore a running local stack: use the AWS SDK's configuration" },
} as const satisfies Record<keyof typeof endpointOptions, OptionHelp>;

/** Where `process` and `worker` find the queues and the table, from their flags. */
export function endpointsFrom(
  values: Record<string, unknown>,
  config: ResolvedConfig,
  configFile: string,
): ResolveEndpointsOptions {
  return {
    config,
    configFile,
    mode: values.aws === true ? 'aws' : 'auto',
    ...(typeof values.table === 'string' && values.table !== '' && { tableName: values.table }),
  };
}

/** A whole-number flag within bounds, or the default when absent; CliUsageError otherwise. */
export function integerOption(
  value: unknown,
  flag: string,
  bounds: { min: number; max?: number; default: number },
): number {
  if (value === undefined) return bounds.default;
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  const { min, max } = bounds;
  if (!Number.isSafeInteger(number) || number < min || (max !== undefined && number > max)) {
    const range = max === undefined ? `>= ${min}` : `${min}–${max}`;
    throw new CliUsageError(`${flag} must be a whole number ${range} (got "${String(value)}")`);
  }
  return number;
}

/**
 * The EMF metric lines a consumer outside Lambda writes, as the handler function would: on stderr
 * (or `write`, which `worker` points above its progress line), beside its log lines, since stdout
 * is the command's own output.
 */
export function stderrMetrics(
  config: ResolvedConfig,
  service: string,
  log: Log,
  write: (text: string) => unknown = (text) => process.stderr.write(text),
): Metrics {
  return emfMetrics({
    namespace: configMetricsNamespace(config),
    service,
    write: (line) => write(`${line}\n`),
    log,
  });
}
