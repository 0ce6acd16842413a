/**
 * The one-header body signature several providers share: `<header>: <prefix><digest>`, where the
 * digest is an HMAC of the raw body alone (no timestamp, no id) in hex or base64 — GitHub's
 * `X-Hub-Signature` shape, used by Bitbucket, Meta, Intercom, Typeform, X and Vercel.
 */
import { createHash } from 'node:crypto';
import type { HmacAlgorithm, SignatureEncoding, VerifyScheme } from '../config/types.js';
import { bytesEqual, hmac } from './constant-time.js';
import { decodeDigest, findMatchingSecret, hasUsableSecret, readHeader } from './hmac.js';
import { CannotSignError } from './scheme.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';

/** How a provider writes its body signature. */
export interface BodySignatureFormat {
  /** Lower-cased header name. */
  readonly header: string;
  readonly algorithm: HmacAlgorithm;
  readonly encoding: SignatureEncoding;
  /** Text before the digest, e.g. `sha256=`; empty when there is none. */
  readonly prefix: string;
}

/**
 * Verifies `format`'s header against an HMAC of the raw body under each secret. The header holds
 * exactly one signature: none of these providers sends several, so a value joined from repeated
 * headers (`a,b`) is malformed rather than a list.
 */
export function verifyBodySignature(
  scheme: VerifyScheme,
  input: VerificationInput,
  format: BodySignatureFormat,
): VerificationResult {
  const fail = failureOf(scheme);
  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');
  const value = readHeader(input.headers, format.header);
  if (value === undefined) return fail('missing_signature', `${format.header} header absent`);

  const digest = value.startsWith(format.prefix)
    ? decodeDigest(value.slice(format.prefix.length), format.encoding, format.algorithm)
    : undefined;
  if (digest === undefined) {
    return fail(
      'malformed_signature',
      `${format.header} is not ${format.prefix}<${format.encoding} ${format.algorithm} digest>`,
    );
  }

  const keyIndex = findMatchingSecret(input.secrets, format.algorithm, [digest], [input.body]);
  if (keyIndex === undefined) return fail('signature_mismatch', 'no secret produced this signature');
  return { ok: true, scheme, keyId: String(keyIndex) };
}

/** The header value `format` gives `content` under `secret` (`sha256=<digest>`). */
export function bodySignature(
  format: BodySignatureFormat,
  secret: string,
  content: string | Uint8Array,
): string {
  return `${format.prefix}${hmac(format.algorithm, secret, content).toString(format.encoding)}`;
}

/**
 * The header `format` carries for `body`, signed as the provider signs it.
 * @throws CannotSignError when the secret is empty (an HMAC key is never empty).
 */
export function signBody(
  scheme: VerifyScheme,
  format: BodySignatureFormat,
  secret: string,
  body: string,
): Record<string, string> {
  if (secret === '') throw new CannotSignError(`scheme ${scheme} needs a secret to sign with`);
  return { [format.header]: bodySignature(format, secret, body) };
}

/**
 * Index in `expected` of the first non-empty value equal to `token`, compared in constant time.
 * Both sides are hashed first so neither the values nor their lengths leak through timing.
 */
export function findMatchingToken(expected: readonly string[], token: string): number | undefined {
  const received = sha256(token);
  let found: number | undefined;
  for (const [index, value] of expected.entries()) {
    // Every value is compared, even after a match, so the time does not tell which one matched.
    if (value !== '' && bytesEqual(sha256(value), received) && found === undefined) found = index;
  }
  return found;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
