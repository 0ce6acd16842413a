import { HooklineError } from '../errors.js';

/** Options of `new HttpError()`. */
export interface HttpErrorOptions {
  /** Extra response headers (`allow` on a 405, say). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Structured detail for the caller; answered only below 500 (see `HttpError.expose`). */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/**
 * An error answered to an HTTP caller (ingress or admin API) as `{ "error": { "code", "message" } }`
 * with `status`. Messages are written for the caller: no secrets, no signatures, and a 5xx message
 * says only what the caller may do (retry later). Like Middy's `createError`, details are exposed
 * only below 500.
 */
export class HttpError<Code extends string = string> extends HooklineError<Code> {
  override name = 'HttpError';
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(status: number, code: Code, message: string, options: HttpErrorOptions = {}) {
    super(code, message, options.cause === undefined ? {} : { cause: options.cause });
    this.status = status;
    this.headers = options.headers ?? {};
    if (options.details !== undefined) this.details = options.details;
  }

  /** Whether `details` may be answered: only for the caller's own mistakes (below 500). */
  get expose(): boolean {
    return this.status < 500;
  }
}
