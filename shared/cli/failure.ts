/**
 * How a failed command ends: its error's code, message and exit code, printed as
 * `hookline: <message>` or, under `--json`, as one `{"error":{"code","message"}}` object on stderr.
 */
import { errorMessage, HooklineError } from '../errors.js';
import { AdminApiError } from './admin-client.js';
import { CliUsageError } from './command.js';
import { type MaybeTerminal, styleFor } from './style.js';

/** Exit codes: 1 the operation failed, 2 a usage error. */
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** A failure as the CLI reports it. */
export interface CliFailure {
  readonly code: string;
  readonly message: string;
  readonly exitCode: typeof EXIT_FAILED | typeof EXIT_USAGE;
}

/**
 * The code and exit code of anything a command threw. The admin API's 400 answers are about the
 * request's parameters, the same mistakes the CLI catches itself, so they exit 2 like its own.
 */
export function failureOf(error: unknown): CliFailure {
  const message = errorMessage(error);
  if (error instanceof CliUsageError) return { code: error.code, message, exitCode: EXIT_USAGE };
  if (error instanceof AdminApiError && error.status === 400) {
    return { code: error.code, message, exitCode: EXIT_USAGE };
  }
  if (error instanceof HooklineError) return { code: error.code, message, exitCode: EXIT_FAILED };
  return { code: 'operation_failed', message, exitCode: EXIT_FAILED };
}

/** Writes `failure` on `stream`: JSON under `--json`, else `hookline: ` (red on a terminal) and the message. */
export function printFailure(
  failure: Pick<CliFailure, 'code' | 'message'>,
  json: boolean,
  stream: MaybeTerminal & { write(text: string): unknown } = process.stderr,
): void {
  if (json) {
    stream.write(`${JSON.stringify({ error: { code: failure.code, message: failure.message } })}\n`);
    return;
  }
  stream.write(`${styleFor(stream, false).red('hookline:')} ${failure.message}\n`);
}
