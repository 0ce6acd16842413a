/**
 * The one-header body signature many providers share: `<header>: <prefix><digest>`, where the
 * digest is an HMAC of the raw body alone (no timestamp, no id) in hex or base64 — GitHub's
 * `X-Hub-Signature` shape, used by Bitbucket, Meta, Intercom, Typeform, X, Vercel, Dropbox, Asana,
 * Sentry and PagerDuty.
 */
import type { HmacAlgorithm, SignatureEncoding, VerifyScheme } from '../config/types.js';
import { readHeader } from './headers.js';
import {
  decodePrefixedDigest,
  findMatchingSecret,
  hasUsableSecret,
  hmac,
  requireSigningSecret,
} from './signatures.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';

/** How a provider writes its body signature. */
export interface BodySignatureFormat {
  /** Lower-cased header name. */
  readonly header: string;
  readonly algorithm: HmacAlgorithm;
  readonly encoding: SignatureEncoding;
  /** Text before the digest, e.g. `sha256=`; empty when there is none. */
  readonly prefix: string;
  /**
   * The signatures the header value lists (PagerDuty sends one per active secret). By default the
   * value is exactly one signature: a value joined from repeated headers (`a,b`) is malformed.
   */
  readonly signaturesIn?: (value: string) => readonly string[];
  /** How the header should read, for the failure detail. @default `<prefix><<encoding> <algorithm> digest>` */
  readonly shape?: string;
}

/**
 * The format of a hex HMAC-SHA256 of the raw body, alone in `header` (Dropbox, Asana, Sentry).
 * `shape` describes the header in failure details.
 */
export function hexSha256BodyFormat(header: string, shape = '<hex>'): BodySignatureFormat {
  return { header, algorithm: 'sha256', encoding: 'hex', prefix: '', shape: `${shape} of a SHA-256 HMAC` };
}

/**
 * Verifies `format`'s header against an HMAC of the raw body under each secret; any listed
 * signature matching any secret passes. Signatures of the wrong length or alphabet are ignored;
 * none left is malformed.
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

  const listed = format.signaturesIn === undefined ? [value] : format.signaturesIn(value);
  const digests = listed
    .map((signature) => decodePrefixedDigest(signature, format.prefix, format.encoding, format.algorithm))
    .filter((digest): digest is Uint8Array => digest !== undefined);
  if (digests.length === 0) {
    const shape = format.shape ?? `${format.prefix}<${format.encoding} ${format.algorithm} digest>`;
    return fail('malformed_signature', `${format.header} is not ${shape}`);
  }

  const keyIndex = findMatchingSecret(input.secrets, format.algorithm, digests, [input.body]);
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
  requireSigningSecret(scheme, secret);
  return { [format.header]: bodySignature(format, secret, body) };
}
