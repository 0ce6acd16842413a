/** The envelope key the tests' ingresses, replayers and runtimes share. */
import type { SignedEnvelope } from '../../shared/envelope.js';
import { signEnvelope } from '../../shared/envelope-signature.js';
import type { EnvelopeKeys } from '../../shared/secrets/envelope-keys.js';

export const TEST_ENVELOPE_KEY = 'test-envelope-key';

export const testEnvelopeKeys: EnvelopeKeys = async () => [TEST_ENVELOPE_KEY];

/** `envelope` signed as the ingress signs it. */
export function signedForTests<E extends SignedEnvelope>(envelope: E): E {
  return signEnvelope(envelope, [TEST_ENVELOPE_KEY]);
}
