/**
 * Timestamp checks shared by every scheme that signs a time: unix seconds (Stripe, Slack, generic
 * HMAC), unix milliseconds as text (HubSpot, Contentful) or as a number (WorkOS, Linear, Twitch).
 * Follows the Standard Webhooks reference: a request is rejected when its time is too old or too
 * far in the future.
 */

/** `date` as whole unix seconds, as signers send it. */
export function unixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** Allowed clock skew, in seconds, when a route does not set `toleranceSeconds`. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Largest instant a `Date` can represent (ms since the epoch), so `toISOString()` cannot throw. */
const MAX_DATE_MS = 8.64e15;

const DIGITS = /^[0-9]+$/;

export type TimestampCheck =
  | { readonly ok: true; readonly signedAt: string }
  | {
      readonly ok: false;
      readonly reason: 'malformed_timestamp' | 'timestamp_out_of_tolerance';
      readonly detail: string;
    };

/**
 * Passes when `skew` (now minus the signed time, in `unit`) is within `toleranceSeconds` in either
 * direction. Written as a negated `<=` so NaN (an invalid `now` or tolerance) fails closed.
 */
function checkSkew(
  skew: number,
  unit: 's' | 'ms',
  toleranceSeconds: number,
  signedAtMs: number,
): TimestampCheck {
  const limit = unit === 'ms' ? toleranceSeconds * 1000 : toleranceSeconds;
  if (!(Math.abs(skew) <= limit)) {
    const direction = skew < 0 ? 'far in the future' : 'old';
    return {
      ok: false,
      reason: 'timestamp_out_of_tolerance',
      detail: `timestamp is too ${direction} (${Math.abs(skew)} ${unit}, tolerance ${toleranceSeconds} s)`,
    };
  }
  return { ok: true, signedAt: new Date(signedAtMs).toISOString() };
}

/**
 * Parses `value` as unix seconds (ASCII digits only) and checks that it lies within
 * `toleranceSeconds` of `now`, in either direction. A tolerance that is not a number (NaN)
 * rejects everything rather than accepting everything.
 */
export function checkTimestamp(value: string, now: Date, toleranceSeconds: number): TimestampCheck {
  if (!DIGITS.test(value)) {
    return { ok: false, reason: 'malformed_timestamp', detail: 'timestamp is not unix seconds' };
  }
  const seconds = Number(value);
  if (!Number.isSafeInteger(seconds) || seconds * 1000 > MAX_DATE_MS) {
    return { ok: false, reason: 'malformed_timestamp', detail: 'timestamp is out of range' };
  }
  return checkSkew(unixSeconds(now) - seconds, 's', toleranceSeconds, seconds * 1000);
}

/**
 * Parses `value` as unix milliseconds (ASCII digits only) and checks that it lies within
 * `toleranceSeconds` of `now`, past or future; the skew is reported in milliseconds.
 */
export function checkMillisecondTimestamp(
  value: string,
  now: Date,
  toleranceSeconds: number,
): TimestampCheck {
  const milliseconds = Number(value);
  if (!DIGITS.test(value) || !Number.isSafeInteger(milliseconds) || milliseconds > MAX_DATE_MS) {
    return { ok: false, reason: 'malformed_timestamp', detail: 'timestamp is not unix milliseconds' };
  }
  return checkSkew(now.getTime() - milliseconds, 'ms', toleranceSeconds, milliseconds);
}

/**
 * Checks that an instant already read as `milliseconds` since the epoch (a JSON number, a parsed
 * date) lies within `toleranceSeconds` of `now`, in either direction; the skew is reported in seconds.
 */
export function checkEpochMilliseconds(
  milliseconds: number,
  now: Date,
  toleranceSeconds: number,
): TimestampCheck {
  if (!Number.isSafeInteger(milliseconds) || milliseconds < 0 || milliseconds > MAX_DATE_MS) {
    return { ok: false, reason: 'malformed_timestamp', detail: 'timestamp is out of range' };
  }
  return checkSkew((now.getTime() - milliseconds) / 1000, 's', toleranceSeconds, milliseconds);
}
