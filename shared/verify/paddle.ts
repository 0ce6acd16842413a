import { readHeader } from './headers.js';
import { stringAt } from './payload.js';
import type { SchemeConfig, SchemeDefinition } from './scheme.js';
import { readTimestampedSignatures, type SignatureParameterFormat } from './signature-parameters.js';
import { findMatchingSecret, hasUsableSecret, hexHmacSha256 } from './signatures.js';
import { checkTimestamp, unixSeconds } from './timestamp.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';

/**
 * Paddle Billing: `Paddle-Signature: ts=<unix>;h1=<hex>`, HMAC-SHA256 of `${ts}:${rawBody}` with the
 * notification destination's secret key.
 */

const HEADER = 'paddle-signature';
const fail = failureOf('paddle');

/** @see the `toleranceSeconds` option for why this is wider than the SDK's 5 s. */
export const PADDLE_DEFAULT_TOLERANCE_SECONDS = 60;

const PADDLE_FORMAT: SignatureParameterFormat = {
  scheme: 'paddle',
  header: HEADER,
  separator: ';',
  timestampKey: 'ts',
  signatureKey: 'h1',
};

/**
 * Verifies a Paddle Billing notification. Any `h1` matching any secret passes (the SDK compares
 * only the last `h1` it parses, and with `===`); `ts` must be within `toleranceSeconds` of now in
 * either direction (the SDK rejects only timestamps more than 5 s old).
 */
export function verifyPaddle(input: VerificationInput, options: SchemeConfig<'paddle'>): VerificationResult {
  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');
  const value = readHeader(input.headers, HEADER);
  if (value === undefined) return fail('missing_signature', `${HEADER} header absent`);
  const parsed = readTimestampedSignatures(value, PADDLE_FORMAT);
  if ('ok' in parsed) return parsed;
  const { timestamp, digests } = parsed;
  const check = checkTimestamp(
    timestamp,
    input.now,
    options.toleranceSeconds ?? PADDLE_DEFAULT_TOLERANCE_SECONDS,
  );
  if (!check.ok) return fail(check.reason, check.detail);

  const keyIndex = findMatchingSecret(input.secrets, 'sha256', digests, [`${timestamp}:`, input.body]);
  if (keyIndex === undefined) return fail('signature_mismatch', 'no secret produced any h1 signature');
  return { ok: true, scheme: 'paddle', keyId: String(keyIndex), signedAt: check.signedAt };
}

/** Paddle Billing notifications: verifier, signer, `event_id` dedupe, `event_type`. */
export const paddleScheme: SchemeDefinition<'paddle'> = {
  verify: verifyPaddle,
  sign: ({ body, secret, now }) => {
    const timestamp = String(unixSeconds(now));
    return { headers: { [HEADER]: `ts=${timestamp};h1=${hexHmacSha256(secret, `${timestamp}:`, body)}` } };
  },
  // `event_id` names the event across retries; `notification_id` only one destination's delivery.
  deliveryId: ({ payload }) => stringAt(payload, 'event_id') ?? stringAt(payload, 'notification_id'),
  eventType: ({ payload }) => stringAt(payload, 'event_type'),
};
