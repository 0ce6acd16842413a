import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { intercomScheme, verifyIntercom } from '../../../shared/verify/intercom.js';
import { CannotSignError, type RequestToSign } from '../../../shared/verify/scheme.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

// Oracle: Intercom publishes no SDK verifier and no test vector, so the expected signature is
// computed here with node:crypto following the documented rule: `X-Hub-Signature: sha1=<hex HMAC-SHA1(client secret, raw body)>`.
const SECRET = 'intercom client secret';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const PAYLOAD =
  '{"type":"notification_event","id":"notif_ccd8a4d2-3f3a-4c3c","topic":"conversation.user.created","data":{"item":{"body":"Hé 🚀"}}}';
const HEADER = 'x-hub-signature';
const PREFIX = 'sha1=';
const OPTIONS = { scheme: 'intercom', secret: { name: 'WEBHOOK_SECRET' } } as const;

/** The provider's signature, computed independently of the code under test. */
function providerSignature(secret: string, body: string | Uint8Array): string {
  return `${PREFIX}${createHmac('sha1', secret).update(body).digest('hex')}`;
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

describe('verifyIntercom()', () => {
  it('accepts a request signed by the documented rule', () => {
    // Arrange
    const input = request(PAYLOAD, signed(PAYLOAD));

    // Act
    const result = verifyIntercom(input);

    // Assert
    expect(result).toEqual({ ok: true, scheme: 'intercom', keyId: '0' });
  });

  it('accepts an empty body', () => {
    expect(verifyIntercom(request('', signed(''))).ok).toBe(true);
  });

  it('accepts a binary (non-UTF-8) body byte for byte', () => {
    const body = Uint8Array.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28]);

    expect(verifyIntercom(request(body, signed(body))).ok).toBe(true);
  });

  it('accepts a signature written in upper-case hex', () => {
    const signature = providerSignature(SECRET, PAYLOAD);
    const input = request(PAYLOAD, { [HEADER]: `${PREFIX}${signature.slice(PREFIX.length).toUpperCase()}` });

    expect(verifyIntercom(input).ok).toBe(true);
  });

  it('reports the index of the rotated secret that matched', () => {
    const input = request(PAYLOAD, signed(PAYLOAD, 'new secret'), ['old secret', 'new secret']);

    expect(verifyIntercom(input)).toEqual({ ok: true, scheme: 'intercom', keyId: '1' });
  });

  it('rejects a tampered body', () => {
    expect(verifyIntercom(request(`${PAYLOAD} `, signed(PAYLOAD)))).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a tampered signature', () => {
    const input = request(PAYLOAD, { [HEADER]: tamper(providerSignature(SECRET, PAYLOAD)) });

    expect(verifyIntercom(input)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature made with another secret', () => {
    expect(verifyIntercom(request(PAYLOAD, signed(PAYLOAD, 'not the secret')))).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a request without a signature header', () => {
    expect(verifyIntercom(request(PAYLOAD, {}))).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it.each([[[]], [['']]])('rejects every request when the secrets are %j', (secrets) => {
    expect(verifyIntercom(request(PAYLOAD, signed(PAYLOAD), secrets))).toMatchObject({
      ok: false,
      reason: 'missing_secret',
    });
  });

  describe.each([
    ['without the sha1= prefix', (s: string) => s.slice(PREFIX.length)],
    ['that is empty after the prefix', () => PREFIX],
    ['with a sha256= prefix', (s: string) => s.replace(PREFIX, 'sha256=')],
    ['with a sha256-length digest', (s: string) => `${s}${s.slice(PREFIX.length, PREFIX.length + 24)}`],
    ['with non-hex characters', (s: string) => `${s.slice(0, -1)}g`],
    [
      'in base64 instead of hex',
      (s: string) => `${PREFIX}${Buffer.from(s.slice(PREFIX.length), 'hex').toString('base64')}`,
    ],
    ['that is truncated (partial)', (s: string) => s.slice(0, -4)],
    ['that is too long', (s: string) => `${s}AAAA`],
    ['sent twice (two headers joined with a comma)', (s: string) => `${s},${s}`],
    ['with surrounding spaces', (s: string) => ` ${s}`],
  ])('a signature %s', (_case, mangle) => {
    it('rejects it as malformed', () => {
      const input = request(PAYLOAD, { [HEADER]: mangle(providerSignature(SECRET, PAYLOAD)) });

      expect(verifyIntercom(input)).toMatchObject({ ok: false, reason: 'malformed_signature' });
    });
  });

  it('never puts the secret or the expected signature in the failure detail', () => {
    const expected = providerSignature(SECRET, PAYLOAD).slice(PREFIX.length);

    const text = JSON.stringify(verifyIntercom(request(PAYLOAD, signed(PAYLOAD, 'wrong'))));

    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(expected);
  });
});

describe('intercomScheme.sign()', () => {
  it('signs as the provider does, and verifyIntercom() accepts it', async () => {
    // Act
    const signed = await intercomScheme.sign?.(toSign(PAYLOAD), OPTIONS);

    // Assert
    expect(signed?.headers[HEADER]).toBe(providerSignature(SECRET, PAYLOAD));
    expect(verifyIntercom(request(PAYLOAD, signed?.headers ?? {}))).toMatchObject({ ok: true });
  });

  it('cannot sign without a secret', () => {
    expect(() => intercomScheme.sign?.(toSign(PAYLOAD, ''), OPTIONS)).toThrow(CannotSignError);
  });
});

describe('intercomScheme ids', () => {
  it('takes the delivery id from `id` and the event type from `topic`', () => {
    const delivery = { headers: {}, payload: JSON.parse(PAYLOAD) as unknown };

    expect(intercomScheme.deliveryId?.(delivery)).toBe('notif_ccd8a4d2-3f3a-4c3c');
    expect(intercomScheme.eventType?.(delivery)).toBe('conversation.user.created');
  });

  it('has neither when the payload lacks them', () => {
    const delivery = { headers: {}, payload: { data: {} } };

    expect(intercomScheme.deliveryId?.(delivery)).toBeUndefined();
    expect(intercomScheme.eventType?.(delivery)).toBeUndefined();
  });
});
