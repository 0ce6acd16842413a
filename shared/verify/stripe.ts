import type { StripeVerifyConfig } from '../config/types.js';
import { hmac } from './constant-time.js';
import { decodeDigest, findMatchingSecret, hasUsableSecret, readHeader } from './hmac.js';
import { type SchemeDefinition, stringAt } from './scheme.js';
import { checkTimestamp, DEFAULT_TOLERANCE_SECONDS, unixSeconds } from './timestamp.js';
import type {
  VerificationFailure,
  VerificationFailureReason,
  VerificationInput,
  VerificationResult,
} from './types.js';

const HEADER = 'stripe-signature';

interface StripeSignatureHeader {
  readonly timestamps: readonly string[];
  readonly signatures: readonly string[];
}

function fail(reason: VerificationFailureReason, detail: string): VerificationFailure {
  return { ok: false, scheme: 'stripe', reason, detail };
}

/** Splits `t=<unix>,v1=<hex>,...` into its `t` and `v1` values; `undefined` if it is not key=value pairs. */
function parseHeader(value: string): StripeSignatureHeader | undefined {
  const timestamps: string[] = [];
  const signatures: string[] = [];
  for (const item of value.split(',')) {
    const entry = item.trim();
    if (entry === '') continue;
    const equals = entry.indexOf('=');
    if (equals <= 0) return undefined;
    const key = entry.slice(0, equals);
    if (key === 't') timestamps.push(entry.slice(equals + 1));
    // Other schemes (v0 test-mode signatures, future versions) are ignored.
    if (key === 'v1') signatures.push(entry.slice(equals + 1));
  }
  return { timestamps, signatures };
}

/**
 * Verifies a Stripe webhook: HMAC-SHA256 of `${t}.${rawBody}` with the endpoint secret used
 * verbatim (`whsec_...` included). Any `v1` entry matching any secret passes; the timestamp must be
 * within `toleranceSeconds` of now in either direction.
 */
export function verifyStripe(input: VerificationInput, options: StripeVerifyConfig): VerificationResult {
  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');
  const value = readHeader(input.headers, HEADER);
  if (value === undefined) return fail('missing_signature', `${HEADER} header absent`);
  const parsed = parseHeader(value);
  if (parsed === undefined) return fail('malformed_signature', `${HEADER} is not a list of key=value pairs`);

  const [timestamp, ...extraTimestamps] = parsed.timestamps;
  if (timestamp === undefined) return fail('missing_timestamp', `${HEADER} has no t= entry`);
  if (extraTimestamps.length > 0) return fail('malformed_timestamp', `${HEADER} has several t= entries`);
  const check = checkTimestamp(timestamp, input.now, options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
  if (!check.ok) return fail(check.reason, check.detail);

  if (parsed.signatures.length === 0) return fail('malformed_signature', `${HEADER} has no v1= entry`);
  const digests = parsed.signatures
    .map((signature) => decodeDigest(signature, 'hex', 'sha256'))
    .filter((digest): digest is Uint8Array => digest !== undefined);
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
        ...request.headers,
        [HEADER]: `t=${t},v1=${hmac('sha256', request.secret, `${t}.`, request.body).toString('hex')}`,
      },
    };
  },
  deliveryId: ({ payload }) => stringAt(payload, 'id'),
  eventType: ({ payload }) => stringAt(payload, 'type'),
};
