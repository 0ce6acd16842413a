/**
 * Shared-token checks: a credential that must equal one of the secrets (Okta, Telegram, GitLab's
 * token, Microsoft Graph's clientState, Postmark's Basic credentials, Meta's verify token).
 */
import { createHash } from 'node:crypto';
import type { VerifyScheme } from '../config/types.js';
import { bytesEqual } from './constant-time.js';
import { readHeader } from './headers.js';
import { hasUsableSecret } from './signatures.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Index in `expected` of the first non-empty value equal to `token`, or `undefined`. Both sides are
 * hashed first so the comparison is constant-time and reveals neither content nor length.
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
  const keyIndex = findMatchingToken(input.secrets, token);
  if (keyIndex === undefined) return fail('signature_mismatch', `${rule.header} equals no secret`);
  return { ok: true, scheme, keyId: String(keyIndex) };
}
