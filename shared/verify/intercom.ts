import { type BodySignatureFormat, signBody, verifyBodySignature } from './body-signature.js';
import { stringAt } from './payload.js';
import type { SchemeDefinition } from './scheme.js';
import type { VerificationInput, VerificationResult } from './types.js';

const INTERCOM_SIGNATURE: BodySignatureFormat = {
  header: 'x-hub-signature',
  algorithm: 'sha1',
  encoding: 'hex',
  prefix: 'sha1=',
};

/**
 * Verifies an Intercom webhook notification: `x-hub-signature: sha1=<hex HMAC-SHA1 of the raw body>`
 * keyed with the app's client secret. Intercom signs nothing else (no timestamp).
 */
export function verifyIntercom(input: VerificationInput): VerificationResult {
  return verifyBodySignature('intercom', input, INTERCOM_SIGNATURE);
}

export const intercomScheme: SchemeDefinition<'intercom'> = {
  verify: verifyIntercom,
  sign: ({ body, secret }) => ({ headers: signBody('intercom', INTERCOM_SIGNATURE, secret, body) }),
  // The notification's `notif_…` id, the same when Intercom re-sends it.
  deliveryId: ({ payload }) => stringAt(payload, 'id'),
  eventType: ({ payload }) => stringAt(payload, 'topic'),
};
