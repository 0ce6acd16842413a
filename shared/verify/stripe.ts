import type { StripeVerifyConfig } from '../config/types.js';
import { readHeader } from './headers.js';
import { stringAt } from './payload.js';
import type { SchemeDefinition } from './scheme.js';
import { parseSignatureParameters } from './signature-parameters.js';
import { decodeDigests, findMatchingSecret, hasUsableSecret, hmac } from './signatures.js';
import { checkTimestamp, DEFAULT_TOLERANCE_SECONDS, unixSeconds } from './timestamp.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';

const HEADER = 'stripe-signature';

const fail = failureOf('stripe');

/**
 * Verifies a Stripe webhook: HMAC-SHA256 of `${t}.${rawBody}` with the endpoint secret used
 * verbatim (`whsec_...` included). Any `v1` entry matching any secret passes; the timestamp must be
 * within `toleranceSeconds` of now in either direction.
 */
export function verifyStripe(input: VerificationInput, options: StripeVerifyConfig): VerificationResult {
  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');
  const value = readHeader(input.headers, HEADER);
  if (value === undefined) return fail('missing_signature', `${HEADER} header absent`);
  const parameters = parseSignatureParameters(value, ',');
  if (parameters === undefined) {
    return fail('malformed_signature', `${HEADER} is not a list of key=value pairs`);
  }

  const [timestamp, ...extraTimestamps] = parameters.get('t') ?? [];
  if (timestamp === undefined) return fail('missing_timestamp', `${HEADER} has no t= entry`);
  if (extraTimestamps.length > 0) return fail('malformed_timestamp', `${HEADER} has several t= entries`);
  const check = checkTimestamp(timestamp, input.now, options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
  if (!check.ok) return fail(check.reason, check.detail);

  // Other schemes (v0 test-mode signatures, future versions) are ignored.
  const signatures = parameters.get('v1') ?? [];
  if (signatures.length === 0) return fail('malformed_signature', `${HEADER} has no v1= entry`);
  const digests = decodeDigests(signatures, 'hex', 'sha256');
  if (digests.length === 0) return fail('malformed_signature', `${HEADER} has no well-formed v1 signature`);

  const keyIndex = findMatchingSecret(input.secrets, 'sha256', digests, [`${timestamp}.`, input.body]);
  if (keyIndex === undefined) return fail('signature_mismatch', 'no secret produced any v1 signature');
  return { ok: true, scheme: 'stripe', keyId: String(keyIndex), signedAt: check.signedAt };
}

export const stripeScheme: SchemeDefinition<'stripe'> = {
  verify: verifyStripe,
  sign: (request) => {
    const t = unixSeconds(request.now);
    return {
      headers: {
        [HEADER]: `t=${t},v1=${hmac('sha256', request.secret, `${t}.`, request.body).toString('hex')}`,
      },
    };
  },
  deliveryId: ({ payload }) => stringAt(payload, 'id'),
  eventType: ({ payload }) => stringAt(payload, 'type'),
};
