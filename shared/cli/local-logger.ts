/**
 * The Powertools Logger of a Hookline process outside Lambda (`hookline dev`, `worker`, `process`):
 * the JSON lines the functions write (`level`, `message`, `timestamp`, `service`, then the
 * attributes; an `Error` as its name, message and stack), one per line, every level on one
 * destination. The level is Lambda's: `POWERTOOLS_LOG_LEVEL` (or `LOG_LEVEL`), else INFO.
 */
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions, LogAttributes } from '@aws-lambda-powertools/logger/types';
import { HooklineLogFormatter } from '../log-format.js';

/** Receives each log line, newline included: `process.stdout`, `process.stderr` or a test's sink. */
export interface LogDestination {
  write(line: string): unknown;
}

export interface LocalLoggerOptions {
  /** The `service` key of every line, e.g. `hookline-worker`. */
  readonly serviceName: string;
  /** Where every line goes, whatever its level. */
  readonly destination: LogDestination;
  /** Keys on every line. */
  readonly persistentKeys?: LogAttributes;
}

export function createLocalLogger(options: LocalLoggerOptions): Logger {
  const { destination } = options;
  // Powertools prints through a private Console (stdout, warnings and errors on stderr) that no
  // option replaces, and indents under POWERTOOLS_DEV; `printLog` is its protected seam. The
  // destination is closed over rather than kept in a field: the base constructor can already print
  // (the sampling notice) before a subclass's fields exist.
  class LocalLogger extends Logger {
    protected override printLog(_logLevel: number, log: LogItem): void {
      log.prepareForPrint();
      destination.write(`${JSON.stringify(log.getAttributes(), this.getJsonReplacer())}\n`);
    }

    protected override createLogger(childOptions?: ConstructorOptions): Logger {
      return new LocalLogger(childOptions);
    }
  }
  return new LocalLogger({
    serviceName: options.serviceName,
    persistentKeys: options.persistentKeys,
    logFormatter: new HooklineLogFormatter(),
  });
}
