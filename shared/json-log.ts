/**
 * Structured logs for the local stack and the CLI workers: one JSON object per line (the shape Powertools' Logger writes:
 * `level`, `message`, `timestamp`, `service`, then the attributes), so every event state change is
 * one greppable line: `{"level":"INFO","message":"event state","eventId":"…","route":"/github/","traceId":"…","status":"delivered",…}`.
 */
import type { Log } from './logger.js';

export interface JsonLogOptions {
  /** @default 'hookline-dev' */
  readonly service?: string;
  /** Receives each line without its newline. @default writes to stdout */
  readonly write?: (line: string) => void;
  /** Attributes on every line. */
  readonly base?: Record<string, unknown>;
  readonly now?: () => Date;
}

export function createJsonLog(options: JsonLogOptions = {}): Log {
  const service = options.service ?? 'hookline-dev';
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const emit =
    (level: string) =>
    (message: string, ...attributes: Record<string, unknown>[]) => {
      const entry = Object.assign(
        { level, message, timestamp: now().toISOString(), service, ...options.base },
        ...attributes,
      ) as Record<string, unknown>;
      write(JSON.stringify(entry, replacer));
    };
  return { info: emit('INFO'), warn: emit('WARN'), error: emit('ERROR') };
}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (typeof value === 'bigint') return value.toString();
  return value;
}
