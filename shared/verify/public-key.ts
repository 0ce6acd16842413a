/**
 * Signatures made with a provider's private key and checked against public keys among the route's
 * secrets: Discord (Ed25519) and SendGrid (ECDSA P-256) over `${timestamp}${raw body}`, plus the
 * key and verification helpers SNS and Standard Webhooks (`whpk_`) share.
 */
import { createPublicKey, type KeyObject, verify as verifySignature } from 'node:crypto';
import { readSignedHeaders, type SignedHeaderNames } from './signed-headers.js';
import { checkTimestamp } from './timestamp.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';

/**
 * How a provider signs `${timestamp header}${raw body}` with a private key, verified against the
 * public keys among the route's secrets. Discord and SendGrid differ only in these parts.
 */
export interface TimestampedPublicKeyRule extends SignedHeaderNames {
  /** The signature's bytes when the header value is well formed, else undefined. */
  readonly decodeSignature: (value: string) => Buffer | undefined;
  /** Describes the expected signature format in failure details. */
  readonly signatureFormat: string;
  /** The public key a secret holds, or undefined when it holds none of the expected kind. */
  readonly parseKey: (secret: string) => KeyObject | undefined;
  /** Describes the expected key format in failure details. */
  readonly keyFormat: string;
  /** Digest for `crypto.verify`: `null` for Ed25519, which hashes internally. */
  readonly digest: 'sha256' | null;
}

/**
 * Whether `signature` verifies `content` under `key`. A signature that is not even a valid
 * encoding for the key type (say, bad DER) is a mismatch, not an error.
 */
export function signatureVerifies(
  digest: 'sha1' | 'sha256' | null,
  content: Uint8Array,
  key: KeyObject,
  signature: Uint8Array,
): boolean {
  try {
    return verifySignature(digest, content, key, signature);
  } catch {
    return false;
  }
}

/** The Ed25519 public key of 32 raw bytes, or undefined when they are not one. */
export function ed25519PublicKey(raw: Uint8Array): KeyObject | undefined {
  try {
    return createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') },
      format: 'jwk',
    });
  } catch {
    return undefined;
  }
}

/**
 * Verifies a signature over `${timestamp}${raw body}` against every public key among the secrets;
 * `keyId` is the index of the key that verified. The timestamp is unix seconds, checked past and
 * future against `toleranceSeconds`.
 */
export function verifyTimestampedPublicKey(
  input: VerificationInput,
  rule: TimestampedPublicKeyRule,
  toleranceSeconds: number,
): VerificationResult {
  const fail = failureOf(rule.scheme);
  if (!input.secrets.some((secret) => secret.trim() !== '')) {
    return fail('missing_secret', 'no public key configured');
  }
  const signed = readSignedHeaders(input, rule, (timestamp) =>
    checkTimestamp(timestamp, input.now, toleranceSeconds),
  );
  if ('ok' in signed) return signed;
  const { signature, timestamp } = signed;

  const signatureBytes = rule.decodeSignature(signature);
  if (signatureBytes === undefined) {
    return fail('malformed_signature', `${rule.signatureHeader} is not ${rule.signatureFormat}`);
  }
  const keys = input.secrets.map((secret) => rule.parseKey(secret.trim()));
  if (keys.every((key) => key === undefined)) {
    return fail('malformed_secret', `no configured secret is ${rule.keyFormat}`);
  }

  const content = Buffer.concat([Buffer.from(timestamp, 'utf8'), input.body]);
  const index = keys.findIndex(
    (key) => key !== undefined && signatureVerifies(rule.digest, content, key, signatureBytes),
  );
  if (index < 0) {
    return fail('signature_mismatch', `signature checked against ${keys.filter(Boolean).length} key(s)`);
  }
  return { ok: true, scheme: rule.scheme, keyId: String(index), signedAt: signed.signedAt };
}
