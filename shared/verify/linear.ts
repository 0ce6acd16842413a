import { readHeader } from './headers.js';
import { isJsonObject, parseJson, stringAt } from './payload.js';
import type { RequestToSign, SchemeConfig, SchemeDefinition, SignedRequest } from './scheme.js';
import { decodeDigest, findMatchingSecret, hasUsableSecret, hexHmacSha256 } from './signatures.js';
import { checkEpochMilliseconds } from './timestamp.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';

/**
 * Linear: `Linear-Signature: <hex>`, HMAC-SHA256 of the raw body with the webhook's signing secret.
 * The body's `webhookTimestamp` (unix milliseconds) is the only signed time.
 */

const SIGNATURE_HEADER = 'linear-signature';
const DELIVERY_HEADER = 'linear-delivery';
const EVENT_HEADER = 'linear-event';
/** Unsigned, so never trusted for the time check; sent by the signer as Linear does. */
const TIMESTAMP_HEADER = 'linear-timestamp';
const TIMESTAMP_FIELD = 'webhookTimestamp';
const DEFAULT_TOLERANCE_SECONDS = 60;
const fail = failureOf('linear');

/** The parsed JSON object of `body`, or undefined when it is not one. */
function jsonObject(body: Uint8Array | string): Record<string, unknown> | undefined {
  const value = parseJson(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
  return isJsonObject(value) ? value : undefined;
}

/**
 * Verifies a Linear webhook: the signature first (as the SDK does, so an unsigned body is never
 * parsed further), then the body's `webhookTimestamp` within `toleranceSeconds` of now, in either
 * direction. Like `@linear/sdk` 98 this ignores the unsigned `linear-timestamp` header: a window
 * anyone can move protects nothing. A body without `webhookTimestamp` therefore fails.
 */
export function verifyLinear(input: VerificationInput, options: SchemeConfig<'linear'>): VerificationResult {
  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');
  const signature = readHeader(input.headers, SIGNATURE_HEADER);
  if (signature === undefined) return fail('missing_signature', `${SIGNATURE_HEADER} header absent`);
  const digest = decodeDigest(signature, 'hex', 'sha256');
  if (digest === undefined)
    return fail('malformed_signature', `${SIGNATURE_HEADER} is not a hex sha256 digest`);
  const keyIndex = findMatchingSecret(input.secrets, 'sha256', [digest], [input.body]);
  if (keyIndex === undefined) return fail('signature_mismatch', 'no secret produced this signature');

  const timestamp = jsonObject(input.body)?.[TIMESTAMP_FIELD];
  if (timestamp === undefined || timestamp === null) {
    return fail('missing_timestamp', `body has no ${TIMESTAMP_FIELD}`);
  }
  if (typeof timestamp !== 'number') return fail('malformed_timestamp', `${TIMESTAMP_FIELD} is not a number`);
  const check = checkEpochMilliseconds(
    timestamp,
    input.now,
    options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
  );
  if (!check.ok) return fail(check.reason, check.detail);
  return { ok: true, scheme: 'linear', keyId: String(keyIndex), signedAt: check.signedAt };
}

/**
 * Signs as Linear sends: a JSON object body gets `webhookTimestamp` set to now (so a stored fixture
 * can be re-sent), then the body is signed whole. Any other body is signed as it is.
 */
function signLinear({ body, secret, now, deliveryId }: RequestToSign): SignedRequest {
  const payload = jsonObject(body);
  const sent =
    payload === undefined ? body : JSON.stringify({ ...payload, [TIMESTAMP_FIELD]: now.getTime() });
  const type = payload === undefined ? undefined : stringAt(payload, 'type');
  return {
    headers: {
      [SIGNATURE_HEADER]: hexHmacSha256(secret, sent),
      [DELIVERY_HEADER]: deliveryId,
      [TIMESTAMP_HEADER]: String(now.getTime()),
      ...(type === undefined ? {} : { [EVENT_HEADER]: type }),
    },
    ...(sent === body ? {} : { body: sent }),
  };
}

/** Linear webhooks: verifier, signer, `linear-delivery` dedupe, `linear-event` (else body `type`). */
export const linearScheme: SchemeDefinition<'linear'> = {
  verify: verifyLinear,
  sign: signLinear,
  deliveryId: ({ headers }) => readHeader(headers, DELIVERY_HEADER),
  eventType: ({ headers, payload }) => readHeader(headers, EVENT_HEADER) ?? stringAt(payload, 'type'),
};
