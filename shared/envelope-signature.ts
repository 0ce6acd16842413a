/**
 * The ingress's signature over the envelope (v2 on): trust between stages. Anyone who may call
 * `sqs:SendMessage` on a route's queue can put a well-formed envelope there; only the ingress and a
 * replay hold the stack's envelope key, so the handler runtime runs only what they signed.
 *
 * The signature covers the envelope as the runtime reads it: the HMAC of `JSON.stringify` of the
 * parsed envelope without `sig`. Any change to a field the runtime acts on, a duplicated key that
 * JSON.parse resolves differently included, changes that text.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Envelope, SignedEnvelope } from './envelope.js';

const SIGNATURE_PREFIX = 'hmac-sha256:';

/** `valid`: signed with one of the keys; `unsigned`: no signature (or a v1 envelope); `forged`: any other. */
export type EnvelopeSignatureCheck = 'valid' | 'unsigned' | 'forged';

/**
 * The envelope signed with the first of `keys` (the current one during a rotation), replacing any
 * signature it carried.
 * @throws RangeError when there is no key.
 */
export function signEnvelope<E extends SignedEnvelope>(envelope: E, keys: readonly string[]): E {
  const [key] = keys;
  if (key === undefined || key === '') throw new RangeError('no envelope key to sign with');
  const { sig: _previous, ...unsigned } = envelope;
  return { ...unsigned, sig: signatureOf(unsigned, key) } as E;
}

/** Whether `envelope` carries a signature made with any of `keys`, compared in constant time. */
export function checkEnvelopeSignature(envelope: Envelope, keys: readonly string[]): EnvelopeSignatureCheck {
  if (envelope.v === 1 || envelope.sig === undefined) return 'unsigned';
  const { sig, ...unsigned } = envelope;
  const presented = Buffer.from(sig, 'utf8');
  let matched = false;
  // Every key is tried, so the time taken does not tell which one matched.
  for (const key of keys) {
    if (key === '') continue;
    const expected = Buffer.from(signatureOf(unsigned, key), 'utf8');
    if (expected.length === presented.length && timingSafeEqual(expected, presented)) matched = true;
  }
  return matched ? 'valid' : 'forged';
}

function signatureOf(unsigned: Omit<SignedEnvelope, 'sig'>, key: string): string {
  const mac = createHmac('sha256', key).update(JSON.stringify(unsigned), 'utf8').digest('base64');
  return `${SIGNATURE_PREFIX}${mac}`;
}
