import type { ShopifyVerifyConfig } from '../config/types.js';
import { readHeader } from './headers.js';
import type { SchemeDefinition } from './scheme.js';
import { decodeDigest, findMatchingSecret, hasUsableSecret, hmac } from './signatures.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';

const HEADER = 'x-shopify-hmac-sha256';

const fail = failureOf('shopify');

/** Verifies a Shopify webhook: `x-shopify-hmac-sha256` is base64 HMAC-SHA256 of the raw body. */
export function verifyShopify(input: VerificationInput, _options: ShopifyVerifyConfig): VerificationResult {
  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');
  const signature = readHeader(input.headers, HEADER);
  if (signature === undefined) return fail('missing_signature', `${HEADER} header absent`);
  const digest = decodeDigest(signature, 'base64', 'sha256');
  if (digest === undefined) return fail('malformed_signature', `${HEADER} is not a base64 sha256 digest`);

  const keyIndex = findMatchingSecret(input.secrets, 'sha256', [digest], [input.body]);
  if (keyIndex === undefined) return fail('signature_mismatch', 'no secret produced this signature');
  return { ok: true, scheme: 'shopify', keyId: String(keyIndex) };
}

export const shopifyScheme: SchemeDefinition<'shopify'> = {
  verify: verifyShopify,
  sign: (request) => ({
    headers: {
      'x-shopify-webhook-id': request.deliveryId,
      [HEADER]: hmac('sha256', request.secret, request.body).toString('base64'),
    },
  }),
  deliveryId: ({ headers }) => headers['x-shopify-webhook-id'],
  eventType: ({ headers }) => headers['x-shopify-topic'],
};
