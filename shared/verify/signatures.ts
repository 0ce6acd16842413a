/**
 * HMAC signatures as the schemes check and make them: computing a MAC, decoding a received digest
 * strictly, and finding the secret (of several, during a rotation) that produced it.
 */
import { createHmac } from 'node:crypto';
import type { HmacAlgorithm, SignatureEncoding, VerifyScheme } from '../config/types.js';
import { bytesEqual } from './constant-time.js';
import { decodeHex, decodeStrictBase64 } from './encoding.js';
import { CannotSignError } from './scheme.js';

const DIGEST_BYTES: Readonly<Record<HmacAlgorithm, number>> = { sha1: 20, sha256: 32, sha512: 64 };

/** The HMAC of the concatenated `parts` under `key`. */
export function hmac(
  algorithm: 'sha1' | 'sha256' | 'sha512',
  key: string | Uint8Array,
  ...parts: (string | Uint8Array)[]
): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/**
 * Decodes a signature strictly: hex in either case, or canonical padded base64, of exactly the
 * digest length of `algorithm`. Anything else is `undefined`.
 */
export function decodeDigest(
  text: string,
  encoding: SignatureEncoding,
  algorithm: HmacAlgorithm,
): Uint8Array | undefined {
  const size = DIGEST_BYTES[algorithm];
  if (encoding === 'hex') return decodeHex(text, size);
  const bytes = decodeStrictBase64(text);
  return bytes?.length === size ? bytes : undefined;
}

/** Like `decodeDigest`, for a value that must start with `prefix` (`sha256=`); undefined when it does not. */
export function decodePrefixedDigest(
  value: string,
  prefix: string,
  encoding: SignatureEncoding,
  algorithm: HmacAlgorithm,
): Uint8Array | undefined {
  return value.startsWith(prefix) ? decodeDigest(value.slice(prefix.length), encoding, algorithm) : undefined;
}

/**
 * The well-formed digests among `signatures`, malformed ones skipped, so one bad entry during a
 * rotation does not hide a good one.
 */
export function decodeDigests(
  signatures: readonly string[],
  encoding: SignatureEncoding,
  algorithm: HmacAlgorithm,
): Uint8Array[] {
  return signatures
    .map((signature) => decodeDigest(signature, encoding, algorithm))
    .filter((digest): digest is Uint8Array => digest !== undefined);
}

/** Whether at least one usable (non-empty) secret is configured; an empty HMAC key is never used. */
export function hasUsableSecret(secrets: readonly string[]): boolean {
  return secrets.some((secret) => secret !== '');
}

/**
 * Index in `secrets` of the first secret whose MAC over `content` equals one of `signatures`
 * (compared in constant time), or `undefined` when none does.
 */
export function findMatchingSecret(
  secrets: readonly string[],
  algorithm: HmacAlgorithm,
  signatures: readonly Uint8Array[],
  content: readonly (string | Uint8Array)[],
): number | undefined {
  for (const [index, secret] of secrets.entries()) {
    if (secret === '') continue;
    const expected = hmac(algorithm, secret, ...content);
    if (signatures.some((signature) => bytesEqual(signature, expected))) return index;
  }
  return undefined;
}

/**
 * Throws when a scheme is asked to sign with an empty secret: no verifier accepts an empty HMAC key.
 * @throws CannotSignError
 */
export function requireSigningSecret(scheme: VerifyScheme, secret: string): void {
  if (secret === '') throw new CannotSignError(`scheme ${scheme} needs a secret to sign with`);
}

/**
 * Hex HMAC-SHA256 of `content` for a signer.
 * @throws CannotSignError when the secret is empty (no verifier accepts it).
 */
export function hexHmacSha256(secret: string, ...content: readonly (string | Uint8Array)[]): string {
  if (secret === '') throw new CannotSignError('an empty secret cannot sign');
  return hmac('sha256', secret, ...content).toString('hex');
}
