import { type BodySignatureFormat, signBody, verifyBodySignature } from './body-signature.js';
import { stringAt } from './payload.js';
import type { SchemeDefinition } from './scheme.js';
import type { VerificationInput, VerificationResult } from './types.js';

/** Typeform writes the digest in base64, not hex, behind the `sha256=` prefix. */
const TYPEFORM_SIGNATURE: BodySignatureFormat = {
  header: 'typeform-signature',
  algorithm: 'sha256',
  encoding: 'base64',
  prefix: 'sha256=',
};

/**
 * Verifies a Typeform webhook: `typeform-signature: sha256=<base64 HMAC-SHA256 of the raw body>`
 * keyed with the webhook's secret. Nothing is timestamped.
 */
export function verifyTypeform(input: VerificationInput): VerificationResult {
  return verifyBodySignature('typeform', input, TYPEFORM_SIGNATURE);
}

export const typeformScheme: SchemeDefinition<'typeform'> = {
  verify: verifyTypeform,
  sign: ({ body, secret }) => ({ headers: signBody('typeform', TYPEFORM_SIGNATURE, secret, body) }),
  deliveryId: ({ payload }) => stringAt(payload, 'event_id'),
  eventType: ({ payload }) => stringAt(payload, 'event_type'),
};
