import type { HmacAlgorithm } from '../config/types.js';
import { readHeader } from './headers.js';
import { stringAt } from './payload.js';
import type { RequestToSign, SchemeConfig, SchemeDefinition, SignedRequest } from './scheme.js';
import {
  decodeDigest,
  findMatchingSecret,
  hasUsableSecret,
  hmac,
  requireSigningSecret,
} from './signatures.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';

const SHA256_HEADER = 'x-square-hmacsha256-signature';
const SHA1_HEADER = 'x-square-signature';

const fail = failureOf('square');

/** The signature header to check and how it is made. */
interface SquareSignature {
  readonly header: string;
  readonly algorithm: HmacAlgorithm;
  readonly value: string;
}

/** The sha256 header, else the legacy sha1 one when `allowSha1` is set; undefined when neither applies. */
function pickSignature(input: VerificationInput, allowSha1: boolean): SquareSignature | undefined {
  const sha256 = readHeader(input.headers, SHA256_HEADER);
  if (sha256 !== undefined) return { header: SHA256_HEADER, algorithm: 'sha256', value: sha256 };
  const sha1 = allowSha1 ? readHeader(input.headers, SHA1_HEADER) : undefined;
  return sha1 === undefined ? undefined : { header: SHA1_HEADER, algorithm: 'sha1', value: sha1 };
}

/**
 * Verifies a Square notification: `x-square-hmacsha256-signature` is the base64 HMAC-SHA256,
 * keyed with the subscription's Signature Key, of the notification URL followed by the raw body.
 * The URL must be the one the subscription names, byte for byte (set the route's `publicUrl` behind
 * a custom domain). With `allowSha1`, the legacy `x-square-signature` (HMAC-SHA1, same content) is
 * accepted when the sha256 header is absent. Compared in constant time (the SDK uses `===`).
 */
export function verifySquare(input: VerificationInput, options: SchemeConfig<'square'>): VerificationResult {
  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');
  if (input.url === undefined || input.url === '') {
    return fail('missing_url', 'the public URL of the request is unknown');
  }
  const signature = pickSignature(input, options.allowSha1 === true);
  if (signature === undefined) return fail('missing_signature', `${SHA256_HEADER} header absent`);
  const digest = decodeDigest(signature.value, 'base64', signature.algorithm);
  if (digest === undefined) {
    return fail('malformed_signature', `${signature.header} is not a base64 ${signature.algorithm} digest`);
  }

  const keyIndex = findMatchingSecret(input.secrets, signature.algorithm, [digest], [input.url, input.body]);
  if (keyIndex === undefined) return fail('signature_mismatch', 'no secret produced this signature');
  return { ok: true, scheme: 'square', keyId: String(keyIndex) };
}

/**
 * Signs as Square does today: the sha256 header only.
 * @throws CannotSignError when the secret is empty (an HMAC key is never empty).
 */
export function signSquare(request: RequestToSign): SignedRequest {
  requireSigningSecret('square', request.secret);
  const signature = hmac('sha256', request.secret, request.url, request.body);
  return { headers: { [SHA256_HEADER]: signature.toString('base64') } };
}

export const squareScheme: SchemeDefinition<'square'> = {
  verify: verifySquare,
  sign: signSquare,
  // Square documents `event_id` as the idempotency value to drop repeated notifications.
  deliveryId: ({ payload }) => stringAt(payload, 'event_id'),
  eventType: ({ payload }) => stringAt(payload, 'type'),
};
