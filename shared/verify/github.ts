import type { GithubVerifyConfig, HmacAlgorithm } from '../config/types.js';
import { readHeader } from './headers.js';
import type { SchemeDefinition } from './scheme.js';
import { decodePrefixedDigest, findMatchingSecret, hasUsableSecret, hmac } from './signatures.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';

const SHA256_HEADER = 'x-hub-signature-256';
const SHA1_HEADER = 'x-hub-signature';

const fail = failureOf('github');

/**
 * Verifies a GitHub webhook: `x-hub-signature-256: sha256=<hex>` over the raw body, or the legacy
 * `x-hub-signature: sha1=<hex>` when `allowSha1` is set and no sha256 header was sent.
 */
export function verifyGithub(input: VerificationInput, options: GithubVerifyConfig): VerificationResult {
  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');

  const sha256 = readHeader(input.headers, SHA256_HEADER);
  const sha1 = readHeader(input.headers, SHA1_HEADER);
  let algorithm: HmacAlgorithm;
  let header: string;
  let value: string;
  if (sha256 !== undefined) {
    [algorithm, header, value] = ['sha256', SHA256_HEADER, sha256];
  } else if (sha1 !== undefined && options.allowSha1 === true) {
    [algorithm, header, value] = ['sha1', SHA1_HEADER, sha1];
  } else {
    const detail =
      sha1 === undefined
        ? `${SHA256_HEADER} header absent`
        : `${SHA256_HEADER} header absent and sha1 signatures are not allowed`;
    return fail('missing_signature', detail);
  }

  const prefix = `${algorithm}=`;
  const digest = decodePrefixedDigest(value, prefix, 'hex', algorithm);
  if (digest === undefined) return fail('malformed_signature', `${header} is not ${prefix}<hex>`);

  const keyIndex = findMatchingSecret(input.secrets, algorithm, [digest], [input.body]);
  if (keyIndex === undefined) return fail('signature_mismatch', 'no secret produced this signature');
  return { ok: true, scheme: 'github', keyId: String(keyIndex) };
}

export const githubScheme: SchemeDefinition<'github'> = {
  verify: verifyGithub,
  // GitHub always names the event; `ping` is the first it sends to a new hook.
  sign: (request) => ({
    headers: {
      ...(request.headers?.['x-github-event'] === undefined && { 'x-github-event': 'ping' }),
      'x-github-delivery': request.deliveryId,
      [SHA256_HEADER]: `sha256=${hmac('sha256', request.secret, request.body).toString('hex')}`,
    },
  }),
  deliveryId: ({ headers }) => headers['x-github-delivery'],
  eventType: ({ headers }) => headers['x-github-event'],
};
