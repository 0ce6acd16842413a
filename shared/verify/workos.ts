import { findMatchingSecret, hasUsableSecret, readHeader } from './hmac.js';
import { hexHmacSha256, readTimestampedSignatures, type SignatureParameterFormat } from './paddle.js';
import { type SchemeConfig, type SchemeDefinition, stringAt } from './scheme.js';
import type { TimestampCheck } from './timestamp.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';

/**
 * WorkOS: `WorkOS-Signature: t=<ms>, v1=<hex>`, HMAC-SHA256 of `${t}.${rawBody}` with the endpoint
 * secret, `t` in milliseconds.
 *
 * Also home of the millisecond timestamp check the schemes that sign one (Linear, Twitch) share.
 */

const HEADER = 'workos-signature';
const DEFAULT_TOLERANCE_SECONDS = 180;
/** Largest instant a `Date` can represent, so `toISOString()` cannot throw. */
const MAX_DATE_MS = 8.64e15;
const DIGITS = /^[0-9]+$/;
const fail = failureOf('workos');

const WORKOS_FORMAT: SignatureParameterFormat = {
  scheme: 'workos',
  header: HEADER,
  separator: ',',
  timestampKey: 't',
  signatureKey: 'v1',
};

/**
 * Checks that `milliseconds` since the epoch lies within `toleranceSeconds` of `now`, in either
 * direction, like `checkTimestamp` does for unix seconds. NaN anywhere fails closed.
 */
export function checkMillisecondTimestamp(
  milliseconds: number,
  now: Date,
  toleranceSeconds: number,
): TimestampCheck {
  if (!Number.isSafeInteger(milliseconds) || milliseconds < 0 || milliseconds > MAX_DATE_MS) {
    return { ok: false, reason: 'malformed_timestamp', detail: 'timestamp is out of range' };
  }
  const skew = (now.getTime() - milliseconds) / 1000;
  if (!(Math.abs(skew) <= toleranceSeconds)) {
    const direction = skew < 0 ? 'far in the future' : 'old';
    return {
      ok: false,
      reason: 'timestamp_out_of_tolerance',
      detail: `timestamp is too ${direction} (${Math.abs(skew)} s, tolerance ${toleranceSeconds} s)`,
    };
  }
  return { ok: true, signedAt: new Date(milliseconds).toISOString() };
}

/**
 * Verifies a WorkOS webhook. Any `v1` matching any secret passes; `t` must be within
 * `toleranceSeconds` of now in either direction (the SDK's `constructEvent` rejects only timestamps
 * more than 180 s old, and accepts nothing but exactly one `t` and one `v1`).
 */
export function verifyWorkos(input: VerificationInput, options: SchemeConfig<'workos'>): VerificationResult {
  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');
  const value = readHeader(input.headers, HEADER);
  if (value === undefined) return fail('missing_signature', `${HEADER} header absent`);
  const parsed = readTimestampedSignatures(value, WORKOS_FORMAT);
  if ('ok' in parsed) return parsed;
  const { timestamp, digests } = parsed;
  if (!DIGITS.test(timestamp)) return fail('malformed_timestamp', 'timestamp is not unix milliseconds');
  const check = checkMillisecondTimestamp(
    Number(timestamp),
    input.now,
    options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
  );
  if (!check.ok) return fail(check.reason, check.detail);

  const keyIndex = findMatchingSecret(input.secrets, 'sha256', digests, [`${timestamp}.`, input.body]);
  if (keyIndex === undefined) return fail('signature_mismatch', 'no secret produced any v1 signature');
  return { ok: true, scheme: 'workos', keyId: String(keyIndex), signedAt: check.signedAt };
}

/** WorkOS webhooks: verifier, signer, body `id` dedupe, body `event`. */
export const workosScheme: SchemeDefinition<'workos'> = {
  verify: verifyWorkos,
  sign: ({ body, secret, now }) => {
    const timestamp = String(now.getTime());
    return { headers: { [HEADER]: `t=${timestamp}, v1=${hexHmacSha256(secret, `${timestamp}.`, body)}` } };
  },
  deliveryId: ({ payload }) => stringAt(payload, 'id'),
  eventType: ({ payload }) => stringAt(payload, 'event'),
};
