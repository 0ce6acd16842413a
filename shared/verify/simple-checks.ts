/**
 * Building blocks of the schemes whose check is simple: a shared token that must equal one of the
 * secrets (Okta, Telegram, Postmark, Microsoft Graph), a hex HMAC-SHA256 of the raw body in one
 * header (Dropbox, Asana, Sentry, PagerDuty), and the `text/plain` echo some challenges answer with.
 */
import { createHash } from 'node:crypto';
import type { VerifyScheme } from '../config/types.js';
import { bytesEqual, hmac } from './constant-time.js';
import { decodeDigest, findMatchingSecret, hasUsableSecret, readHeader } from './hmac.js';
import type { HandshakeAnswer } from './scheme.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';

const STRICT_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Index in `secrets` of the first non-empty secret equal to `presented`, or `undefined`. Both sides
 * are hashed first so the comparison is constant-time and reveals neither content nor length; every
 * secret is compared, whatever matched before.
 */
export function findEqualSecret(secrets: readonly string[], presented: string): number | undefined {
  const presentedDigest = sha256(presented);
  let found: number | undefined;
  for (const [index, secret] of secrets.entries()) {
    if (secret === '') continue;
    if (bytesEqual(sha256(secret), presentedDigest) && found === undefined) found = index;
  }
  return found;
}

/** What a shared-token header must look like, beyond being present. */
export interface TokenHeaderRule {
  /** The header carrying the token (lower-cased). */
  readonly header: string;
  /** The token's documented shape; a value outside it is `malformed_token`. */
  readonly format?: RegExp;
}

/**
 * Verifies a request whose only credential is a header equal to one of the secrets. It proves who
 * knows the token, not what the body says: the body is not covered.
 */
export function verifyTokenHeader(
  scheme: VerifyScheme,
  input: VerificationInput,
  rule: TokenHeaderRule,
): VerificationResult {
  const fail = failureOf(scheme);
  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');
  const token = readHeader(input.headers, rule.header);
  if (token === undefined) return fail('missing_token', `${rule.header} header absent`);
  if (rule.format !== undefined && !rule.format.test(token)) {
    return fail('malformed_token', `${rule.header} is not in the provider's token format`);
  }
  const keyIndex = findEqualSecret(input.secrets, token);
  if (keyIndex === undefined) return fail('signature_mismatch', `${rule.header} equals no secret`);
  return { ok: true, scheme, keyId: String(keyIndex) };
}

/** Where a hex HMAC-SHA256 of the raw body is found, and how the header lists it. */
export interface BodyHmacRule {
  /** The header carrying the signature (lower-cased). */
  readonly header: string;
  /** The hex signatures the header value holds. @default the whole value */
  readonly signaturesIn?: (value: string) => readonly string[];
  /** How the header reads, for the failure detail. @default '<hex>' */
  readonly shape?: string;
}

/**
 * Verifies a lowercase-or-uppercase hex HMAC-SHA256 of the raw body, any listed signature matching
 * any secret. Signatures of the wrong length or alphabet are ignored; none left is malformed.
 */
export function verifyBodyHmac(
  scheme: VerifyScheme,
  input: VerificationInput,
  rule: BodyHmacRule,
): VerificationResult {
  const fail = failureOf(scheme);
  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');
  const value = readHeader(input.headers, rule.header);
  if (value === undefined) return fail('missing_signature', `${rule.header} header absent`);
  const listed = rule.signaturesIn === undefined ? [value] : rule.signaturesIn(value);
  const digests = listed
    .map((signature) => decodeDigest(signature, 'hex', 'sha256'))
    .filter((digest): digest is Uint8Array => digest !== undefined);
  if (digests.length === 0) {
    return fail('malformed_signature', `${rule.header} is not ${rule.shape ?? '<hex>'} of a SHA-256 HMAC`);
  }
  const keyIndex = findMatchingSecret(input.secrets, 'sha256', digests, [input.body]);
  if (keyIndex === undefined) return fail('signature_mismatch', 'no secret produced this signature');
  return { ok: true, scheme, keyId: String(keyIndex) };
}

/** The lowercase hex HMAC-SHA256 of `content` under `secret`, as these providers send it. */
export function hmacSha256Hex(secret: string, content: string): string {
  return hmac('sha256', secret, content).toString('hex');
}

/**
 * A challenge answered by echoing `text` as plain text. `nosniff` keeps a browser from reading the
 * reflected value as HTML (Dropbox requires it; it does no harm elsewhere).
 */
export function plainTextEcho(kind: string, text: string): HandshakeAnswer {
  return {
    kind,
    statusCode: 200,
    headers: { 'content-type': 'text/plain', 'x-content-type-options': 'nosniff' },
    body: text,
  };
}

/** Strict base64 (canonical, padded) decoded to bytes, or `undefined`. */
export function decodeStrictBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !STRICT_BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** The array at `path` in a parsed JSON payload, or undefined when a step is missing. */
export function arrayAt(value: unknown, ...path: readonly string[]): readonly unknown[] | undefined {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return Array.isArray(current) ? current : undefined;
}

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `text` parsed as JSON, or `undefined` when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
