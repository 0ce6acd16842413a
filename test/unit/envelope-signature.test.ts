import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type EnvelopeV2, parseEnvelope, serializeEnvelope } from '../../shared/envelope.js';
import { checkEnvelopeSignature, signEnvelope } from '../../shared/envelope-signature.js';

const ENVELOPE: EnvelopeV2 = {
  v: 2,
  id: 'evt_01JHC8Z0000000000000000000',
  route: '/order/status/',
  receivedAt: '2026-01-15T12:00:00.000Z',
  method: 'POST',
  path: '/order/status/',
  query: '',
  headers: { 'content-type': 'application/json', '123': 'an integer-like header name' },
  contentType: 'application/json',
  body: '{"status":"paid","note":"Ünïcødé ✓ \\u2028"}',
  verification: { scheme: 'github', keyId: '0', verifiedAt: '2026-01-15T12:00:00.000Z' },
};

/** The envelope as the runtime reads it off the queue. */
const throughQueue = (envelope: EnvelopeV2) => parseEnvelope(serializeEnvelope(envelope));

describe('signEnvelope() / checkEnvelopeSignature()', () => {
  it('signs with the first key, and the signature survives the trip through the queue', () => {
    const signed = signEnvelope(ENVELOPE, ['current', 'previous']);

    expect(signed.sig).toMatch(/^hmac-sha256:[A-Za-z0-9+/]{43}=$/);
    expect(checkEnvelopeSignature(throughQueue(signed), ['current'])).toBe('valid');
    expect(checkEnvelopeSignature(throughQueue(signed), ['previous'])).toBe('forged');
  });

  it('accepts a signature made with any of the keys, in any order', () => {
    const signed = throughQueue(signEnvelope(ENVELOPE, ['old']));

    expect(checkEnvelopeSignature(signed, ['new', 'old'])).toBe('valid');
    expect(checkEnvelopeSignature(signed, ['old', 'new'])).toBe('valid');
  });

  it('reports an envelope without a signature, and any v1 envelope, as unsigned', () => {
    expect(checkEnvelopeSignature(ENVELOPE, ['key'])).toBe('unsigned');
    expect(checkEnvelopeSignature({ ...ENVELOPE, v: 1 }, ['key'])).toBe('unsigned');
  });

  it('reports a signature no key makes as forged, with no keys or only empty ones too', () => {
    const signed = signEnvelope(ENVELOPE, ['key']);

    expect(checkEnvelopeSignature(signed, [])).toBe('forged');
    expect(checkEnvelopeSignature(signed, [''])).toBe('forged');
    expect(checkEnvelopeSignature({ ...signed, sig: 'hmac-sha256:' }, ['key'])).toBe('forged');
  });

  it('replaces the signature an envelope carried', () => {
    const resigned = signEnvelope(signEnvelope(ENVELOPE, ['old']), ['new']);

    expect(checkEnvelopeSignature(resigned, ['new'])).toBe('valid');
    expect(checkEnvelopeSignature(resigned, ['old'])).toBe('forged');
  });

  it('refuses to sign without a key', () => {
    expect(() => signEnvelope(ENVELOPE, [])).toThrow(RangeError);
    expect(() => signEnvelope(ENVELOPE, [''])).toThrow('no envelope key to sign with');
  });

  it('detects a change to any field, however small', () => {
    const signed = signEnvelope(ENVELOPE, ['key']);
    fc.assert(
      fc.property(
        fc.constantFrom('id', 'route', 'receivedAt', 'method', 'path', 'query', 'body', 'contentType'),
        fc.string({ minLength: 1, maxLength: 8 }),
        (field, suffix) => {
          const changed = { ...signed, [field]: `${signed[field] ?? ''}${suffix}` };
          expect(checkEnvelopeSignature(changed, ['key'])).toBe('forged');
        },
      ),
    );
  });

  it('verifies what it signed for arbitrary headers and bodies', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.string()), fc.string(), (headers, body) => {
        const signed = signEnvelope({ ...ENVELOPE, headers, body }, ['key']);
        expect(checkEnvelopeSignature(throughQueue(signed), ['key'])).toBe('valid');
      }),
    );
  });
});
