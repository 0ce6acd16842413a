/** The envelope key the tests' ingresses, replayers and runtimes share. */
import type { EnvelopeV2 } from '../../shared/envelope.js';
import { signEnvelope } from '../../shared/envelope-signature.js';
import type { EnvelopeKeys } from '../../shared/secrets/envelope-keys.js';

export const TEST_ENVELOPE_KEY = 'test-envelope-key';

export const testEnvelopeKeys: EnvelopeKeys = async () => [TEST_ENVELOPE_KEY];

/** `envelope` signed as the ingress signs it. */
export function signedForTests(envelope: EnvelopeV2): EnvelopeV2 {
  return signEnvelope(envelope, [TEST_ENVELOPE_KEY]);
}
