/** Why a `fetch` call got no answer, in a few words for an error message. */

/**
 * The short reason of a `fetch` rejection: `timed out` for an abort by `AbortSignal.timeout`, the
 * system error code of the cause when there is one (`ECONNREFUSED`, `ENOTFOUND`, ...), else the
 * cause's or the error's message.
 */
export function fetchFailureReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'timed out';
  const cause = error.cause;
  if (cause instanceof Error) return (cause as NodeJS.ErrnoException).code ?? cause.message;
  return error.message;
}
