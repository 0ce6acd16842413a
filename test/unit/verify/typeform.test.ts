import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CannotSignError, type RequestToSign } from '../../../shared/verify/scheme.js';
import { typeformScheme, verifyTypeform } from '../../../shared/verify/typeform.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

// Oracle: Typeform publishes no SDK verifier and no test vector, so the expected signature is
// computed here with node:crypto following the documented rule: `Typeform-Signature: sha256=<base64 HMAC-SHA256(webhook secret, raw body)>`.
const SECRET = 'typeform webhook secret';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const PAYLOAD =
  '{"event_id":"01HZX5V8K9Q2","event_type":"form_response","form_response":{"answers":[{"text":"Zoë 🚀"}]}}';
const HEADER = 'typeform-signature';
const PREFIX = 'sha256=';
const OPTIONS = { scheme: 'typeform', secret: { name: 'WEBHOOK_SECRET' } } as const;

/** The provider's signature, computed independently of the code under test. */
function providerSignature(secret: string, body: string | Uint8Array): string {
  return `${PREFIX}${createHmac('sha256', secret).update(body).digest('base64')}`;
}

function request(
  body: string | Uint8Array,
  headers: Record<string, string | undefined>,
  secrets: readonly string[] = [SECRET],
): VerificationInput {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return { body: bytes, headers, secrets, now: NOW };
}

function signed(body: string | Uint8Array, secret = SECRET): Record<string, string> {
  return { [HEADER]: providerSignature(secret, body) };
}

function toSign(body: string, secret = SECRET): RequestToSign {
  return { method: 'POST', url: 'https://hooks.example.com/in', body, secret, now: NOW, deliveryId: 'd-1' };
}

/** The signature with one digest character changed to another valid one. */
function tamper(signature: string): string {
  const at = PREFIX.length + 5;
  return `${signature.slice(0, at)}${signature[at] === '0' ? '1' : '0'}${signature.slice(at + 1)}`;
}

describe('verifyTypeform()', () => {
  it('accepts a request signed by the documented rule', () => {
    // Arrange
    const input = request(PAYLOAD, signed(PAYLOAD));

    // Act
    const result = verifyTypeform(input);

    // Assert
    expect(result).toEqual({ ok: true, scheme: 'typeform', keyId: '0' });
  });

  it('accepts an empty body', () => {
    expect(verifyTypeform(request('', signed(''))).ok).toBe(true);
  });

  it('accepts a binary (non-UTF-8) body byte for byte', () => {
    const body = Uint8Array.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28]);

    expect(verifyTypeform(request(body, signed(body))).ok).toBe(true);
  });

  it('reports the index of the rotated secret that matched', () => {
    const input = request(PAYLOAD, signed(PAYLOAD, 'new secret'), ['old secret', 'new secret']);

    expect(verifyTypeform(input)).toEqual({ ok: true, scheme: 'typeform', keyId: '1' });
  });

  it('rejects a tampered body', () => {
    expect(verifyTypeform(request(`${PAYLOAD} `, signed(PAYLOAD)))).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a tampered signature', () => {
    const input = request(PAYLOAD, { [HEADER]: tamper(providerSignature(SECRET, PAYLOAD)) });

    expect(verifyTypeform(input)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature made with another secret', () => {
    expect(verifyTypeform(request(PAYLOAD, signed(PAYLOAD, 'not the secret')))).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a request without a signature header', () => {
    expect(verifyTypeform(request(PAYLOAD, {}))).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it.each([[[]], [['']]])('rejects every request when the secrets are %j', (secrets) => {
    expect(verifyTypeform(request(PAYLOAD, signed(PAYLOAD), secrets))).toMatchObject({
      ok: false,
      reason: 'missing_secret',
    });
  });

  describe.each([
    ['without the sha256= prefix', (s: string) => s.slice(PREFIX.length)],
    ['that is empty after the prefix', () => PREFIX],
    ['with a sha1= prefix', (s: string) => s.replace(PREFIX, 'sha1=')],
    [
      'in hex instead of base64',
      (s: string) => `${PREFIX}${Buffer.from(s.slice(PREFIX.length), 'base64').toString('hex')}`,
    ],
    [
      'in base64url instead of base64',
      (s: string) => `${PREFIX}${Buffer.from(s.slice(PREFIX.length), 'base64').toString('base64url')}`,
    ],
    ['without its base64 padding', (s: string) => s.replace(/=+$/, '')],
    ['that is truncated (partial)', (s: string) => s.slice(0, -4)],
    ['that is too long', (s: string) => `${s}AAAA`],
    ['sent twice (two headers joined with a comma)', (s: string) => `${s},${s}`],
    ['with surrounding spaces', (s: string) => ` ${s}`],
  ])('a signature %s', (_case, mangle) => {
    it('rejects it as malformed', () => {
      const input = request(PAYLOAD, { [HEADER]: mangle(providerSignature(SECRET, PAYLOAD)) });

      expect(verifyTypeform(input)).toMatchObject({ ok: false, reason: 'malformed_signature' });
    });
  });

  it('never puts the secret or the expected signature in the failure detail', () => {
    const expected = providerSignature(SECRET, PAYLOAD).slice(PREFIX.length);

    const text = JSON.stringify(verifyTypeform(request(PAYLOAD, signed(PAYLOAD, 'wrong'))));

    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(expected);
  });
});

describe('typeformScheme.sign()', () => {
  it('signs as the provider does, and verifyTypeform() accepts it', async () => {
    // Act
    const signed = await typeformScheme.sign?.(toSign(PAYLOAD), OPTIONS);

    // Assert
    expect(signed?.headers[HEADER]).toBe(providerSignature(SECRET, PAYLOAD));
    expect(verifyTypeform(request(PAYLOAD, signed?.headers ?? {}))).toMatchObject({ ok: true });
  });

  it('cannot sign without a secret', () => {
    expect(() => typeformScheme.sign?.(toSign(PAYLOAD, ''), OPTIONS)).toThrow(CannotSignError);
  });
});

describe('typeformScheme ids', () => {
  it('takes the delivery id from `event_id` and the event type from `event_type`', () => {
    const delivery = { headers: {}, payload: JSON.parse(PAYLOAD) as unknown };

    expect(typeformScheme.deliveryId?.(delivery)).toBe('01HZX5V8K9Q2');
    expect(typeformScheme.eventType?.(delivery)).toBe('form_response');
  });

  it('has neither when the payload lacks them', () => {
    const delivery = { headers: {}, payload: { data: {} } };

    expect(typeformScheme.deliveryId?.(delivery)).toBeUndefined();
    expect(typeformScheme.eventType?.(delivery)).toBeUndefined();
  });
});
