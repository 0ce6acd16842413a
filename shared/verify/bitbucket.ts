import { type BodySignatureFormat, signBody, verifyBodySignature } from './body-signature.js';
import type { SchemeDefinition } from './scheme.js';
import type { VerificationInput, VerificationResult } from './types.js';

/** Bitbucket Cloud keeps GitHub's legacy header name but sends SHA-256 in it. */
const BITBUCKET_SIGNATURE: BodySignatureFormat = {
  header: 'x-hub-signature',
  algorithm: 'sha256',
  encoding: 'hex',
  prefix: 'sha256=',
};
const DELIVERY_HEADER = 'x-request-uuid';

/**
 * Verifies a Bitbucket Cloud webhook: `x-hub-signature: sha256=<hex HMAC-SHA256 of the raw body>`.
 * Nothing is timestamped, so a captured request can be replayed; dedupe on `x-request-uuid` limits that.
 */
export function verifyBitbucket(input: VerificationInput): VerificationResult {
  return verifyBodySignature('bitbucket', input, BITBUCKET_SIGNATURE);
}

export const bitbucketScheme: SchemeDefinition<'bitbucket'> = {
  verify: verifyBitbucket,
  sign: ({ body, secret, deliveryId }) => ({
    headers: { ...signBody('bitbucket', BITBUCKET_SIGNATURE, secret, body), [DELIVERY_HEADER]: deliveryId },
  }),
  // The same on every retry of one delivery (retries add `x-attempt-number`).
  deliveryId: ({ headers }) => headers[DELIVERY_HEADER],
  eventType: ({ headers }) => headers['x-event-key'],
};
