/**
 * The `v0=` signature Slack defined and Zoom reuses under other header names:
 * `signatureHeader: v0=<hex>` is HMAC-SHA256 of `v0:${timestamp}:${rawBody}`, the unix-seconds
 * timestamp in `timestampHeader`.
 */
import type { RequestToSign, SignedRequest } from './scheme.js';
import { decodePrefixedDigest, findMatchingSecret, hasUsableSecret, hexHmacSha256 } from './signatures.js';
import { readSignedHeaders, type SignedHeaderNames } from './signed-headers.js';
import { checkTimestamp, unixSeconds } from './timestamp.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';

const PREFIX = 'v0=';

/** Where a scheme's `v0=` signature and its timestamp travel. */
export type V0SignatureFormat = SignedHeaderNames;

/** Verifies a `v0=` signature, its timestamp within `toleranceSeconds` of now in either direction. */
export function verifyV0Signature(
  input: VerificationInput,
  format: V0SignatureFormat,
  toleranceSeconds: number,
): VerificationResult {
  const { scheme, signatureHeader } = format;
  const fail = failureOf(scheme);
  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');
  const signed = readSignedHeaders(input, format, (timestamp) =>
    checkTimestamp(timestamp, input.now, toleranceSeconds),
  );
  if ('ok' in signed) return signed;
  const { signature, timestamp, signedAt } = signed;

  const digest = decodePrefixedDigest(signature, PREFIX, 'hex', 'sha256');
  if (digest === undefined) return fail('malformed_signature', `${signatureHeader} is not ${PREFIX}<hex>`);

  const keyIndex = findMatchingSecret(input.secrets, 'sha256', [digest], [`v0:${timestamp}:`, input.body]);
  if (keyIndex === undefined) return fail('signature_mismatch', 'no secret produced this signature');
  return { ok: true, scheme, keyId: String(keyIndex), signedAt };
}

/** The two `v0=` headers for `request`, timestamped now. */
export function signV0({ body, secret, now }: RequestToSign, format: V0SignatureFormat): SignedRequest {
  const timestamp = String(unixSeconds(now));
  return {
    headers: {
      [format.signatureHeader]: `${PREFIX}${hexHmacSha256(secret, `v0:${timestamp}:`, body)}`,
      [format.timestampHeader]: timestamp,
    },
  };
}
