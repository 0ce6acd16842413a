import { type BodySignatureFormat, signBody, verifyBodySignature } from './body-signature.js';
import { stringAt } from './payload.js';
import type { SchemeDefinition } from './scheme.js';
import type { VerificationInput, VerificationResult } from './types.js';

/** Vercel sends the bare hex digest, with no `sha1=` in front. */
const VERCEL_SIGNATURE: BodySignatureFormat = {
  header: 'x-vercel-signature',
  algorithm: 'sha1',
  encoding: 'hex',
  prefix: '',
};

/** Verifies a Vercel webhook: `x-vercel-signature: <hex HMAC-SHA1 of the raw body>`, no timestamp. */
export function verifyVercel(input: VerificationInput): VerificationResult {
  return verifyBodySignature('vercel', input, VERCEL_SIGNATURE);
}

export const vercelScheme: SchemeDefinition<'vercel'> = {
  verify: verifyVercel,
  sign: ({ body, secret }) => ({ headers: signBody('vercel', VERCEL_SIGNATURE, secret, body) }),
  deliveryId: ({ payload }) => stringAt(payload, 'id'),
  eventType: ({ payload }) => stringAt(payload, 'type'),
};
