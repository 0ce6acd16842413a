/**
 * The base of Hookline's own errors and the one way to print any thrown value. Each area keeps its
 * errors in its own `errors.ts`, under one base class there that extends `HooklineError`.
 */

/**
 * An error Hookline raised on purpose: `code` is the machine-readable reason callers branch on,
 * `name` the class name printed in logs and kept in the event history.
 *
 * Each subclass declares its `name` as a string field (`override name = 'ConfigError'`) rather than
 * the base deriving it from the constructor: the Lambda bundles are minified, which renames classes.
 */
export abstract class HooklineError<Code extends string = string> extends Error {
  abstract override name: string;
  readonly code: Code;

  constructor(code: Code, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** `Name: message` for an `Error`, `String(value)` for anything else thrown: for logs and wrapped causes. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** The message alone (`String(value)` for a non-`Error`), where the answer or output shows no class name. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
