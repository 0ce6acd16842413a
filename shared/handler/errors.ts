/**
 * The handler runtime's errors. `PermanentError` is the one handler code throws: the event goes to
 * the route's DLQ at once, without further attempts, and its reason is kept in the history.
 */

import { HooklineError } from '../errors.js';

/** Marks permanent errors across copies of this module (a handler bundled with its own copy). */
const PERMANENT = Symbol.for('hookline.permanentError');

/**
 * Base class of the handler runtime's own errors. Its `code`, the machine-readable reason, is kept
 * in the event's history and on the DLQ message.
 */
export class HandlerError extends HooklineError<string> {
  override name = 'HandlerError';
}

/** Options of `new PermanentError()`. */
export interface PermanentErrorOptions {
  /** Machine-readable reason. @default 'permanent' */
  readonly code?: string;
  readonly cause?: unknown;
}

/**
 * Throw from a handler when retrying cannot help (a malformed or unwanted event): the event is
 * recorded `dead_lettered` with this error's name and message and sent to the DLQ immediately.
 */
export class PermanentError extends HandlerError {
  override name = 'PermanentError';
  readonly [PERMANENT] = true;

  constructor(message: string, options: PermanentErrorOptions = {}) {
    super(options.code ?? 'permanent', message, options.cause === undefined ? {} : { cause: options.cause });
  }
}

/** The payload failed the handler's schema: a permanent error carrying the validation messages. */
export class PayloadValidationError extends PermanentError {
  override name = 'PayloadValidationError';
  /** One line per issue, `path: message` when the issue has a path. */
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super(`payload failed validation: ${issues.join('; ')}`, { code: 'invalid_payload' });
    this.issues = issues;
  }
}

/**
 * The event's body cannot be read from its body store: the object is gone, or no store is
 * configured. Permanent: the event goes to the DLQ with reason `body_unavailable`.
 */
export class BodyUnavailableError extends PermanentError {
  override name = 'BodyUnavailableError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { code: 'body_unavailable', ...options });
  }
}

/** True for `PermanentError` and subclasses, including ones from another copy of this module. */
export function isPermanentError(error: unknown): error is PermanentError {
  return (
    error instanceof PermanentError ||
    (typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[PERMANENT] === true)
  );
}
