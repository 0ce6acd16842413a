import { readHeader } from './headers.js';
import { stringAt } from './payload.js';
import type { SchemeConfig, SchemeDefinition } from './scheme.js';
import { readTimestampedSignatures, type SignatureParameterFormat } from './signature-parameters.js';
import { findMatchingSecret, hasUsableSecret, hexHmacSha256 } from './signatures.js';
import { checkEpochMilliseconds } from './timestamp.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';

/**
 * WorkOS: `WorkOS-Signature: t=<ms>, v1=<hex>`, HMAC-SHA256 of `${t}.${rawBody}` with the endpoint
 * secret, `t` in milliseconds.
 */

const HEADER = 'workos-signature';
const DEFAULT_TOLERANCE_SECONDS = 180;
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
  const check = checkEpochMilliseconds(
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
