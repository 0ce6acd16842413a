import { describeError } from '../errors.js';
import { HttpError } from '../http/errors.js';
import type { Log } from '../logger.js';
import type { IngressErrorCode } from './http.js';

/** Runs an event store call; a failure is logged and refused with 503 `store_unavailable`. */
export async function storeCall<T>(log: Log, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error: unknown) {
    log.error('event store failed', { error: describeError(error) });
    throw new HttpError<IngressErrorCode>(
      503,
      'store_unavailable',
      'the event could not be recorded; retry later',
    );
  }
}
