/** Errors of the body store (the claim check for bodies too large to travel inline). */

import { HooklineError } from '../errors.js';

/**
 * - `body_missing`: no body exists under the reference (deleted, expired, never written, or a
 *   reference this store cannot hold); retrying cannot help.
 * - `body_store_failed`: the store could not be reached or refused the call; a retry may succeed.
 */
export type BodyStoreErrorCode = 'body_missing' | 'body_store_failed';

/** A body could not be written to or read from its store. */
export class BodyStoreError extends HooklineError<BodyStoreErrorCode> {
  override name = 'BodyStoreError';
}

/** True for a `BodyStoreError` with the given code (any code when omitted). */
export function isBodyStoreError(error: unknown, code?: BodyStoreErrorCode): error is BodyStoreError {
  return error instanceof BodyStoreError && (code === undefined || error.code === code);
}
