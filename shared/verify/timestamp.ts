/**
 * Timestamp checks shared by the schemes that sign a unix timestamp (Stripe, Slack, generic HMAC).
 * Follows the Standard Webhooks reference: the timestamp is whole seconds, and a request is
 * rejected when it is too old or too far in the future.
 */

/** `date` as whole unix seconds, as signers send it. */
export function unixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** Allowed clock skew, in seconds, when a route does not set `toleranceSeconds`. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Largest instant a `Date` can represent (ms since the epoch), so `toISOString()` cannot throw. */
const MAX_DATE_MS = 8.64e15;

const UNIX_SECONDS = /^[0-9]+$/;

export type TimestampCheck =
  | { readonly ok: true; readonly signedAt: string }
  | {
      readonly ok: false;
      readonly reason: 'malformed_timestamp' | 'timestamp_out_of_tolerance';
      readonly detail: string;
    };

/**
 * Parses `value` as unix seconds (ASCII digits only) and checks that it lies within
 * `toleranceSeconds` of `now`, in either direction. A tolerance that is not a number (NaN)
 * rejects everything rather than accepting everything.
 */
export function checkTimestamp(value: string, now: Date, toleranceSeconds: number): TimestampCheck {
  if (!UNIX_SECONDS.test(value)) {
    return { ok: false, reason: 'malformed_timestamp', detail: 'timestamp is not unix seconds' };
  }
  const seconds = Number(value);
  if (!Number.isSafeInteger(seconds) || seconds * 1000 > MAX_DATE_MS) {
    return { ok: false, reason: 'malformed_timestamp', detail: 'timestamp is out of range' };
  }
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const skew = nowSeconds - seconds;
  // Written as a negated `<=` so NaN (an invalid `now` or tolerance) fails closed.
  if (!(Math.abs(skew) <= toleranceSeconds)) {
    const direction = skew < 0 ? 'far in the future' : 'old';
    return {
      ok: false,
      reason: 'timestamp_out_of_tolerance',
      detail: `timestamp is too ${direction} (${Math.abs(skew)} s, tolerance ${toleranceSeconds} s)`,
    };
  }
  return { ok: true, signedAt: new Date(seconds * 1000).toISOString() };
}
