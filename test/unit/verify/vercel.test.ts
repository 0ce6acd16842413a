import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CannotSignError, type RequestToSign } from '../../../shared/verify/scheme.js';
import type { VerificationInput } from '../../../shared/verify/types.js';
import { vercelScheme, verifyVercel } from '../../../shared/verify/vercel.js';

// Oracle: Vercel publishes no SDK verifier and no test vector, so the expected signature is
// computed here with node:crypto following the documented rule: `x-vercel-signature: <hex HMAC-SHA1(webhook secret, raw body)>`, no prefix.
const SECRET = 'vercel webhook secret';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const PAYLOAD =
  '{"id":"evt_2qM5vq5b9Yk","type":"deployment.succeeded","createdAt":1768478400000,"payload":{"name":"café"}}';
const HEADER = 'x-vercel-signature';
const PREFIX = '';
const OPTIONS = { scheme: 'vercel', secret: { name: 'WEBHOOK_SECRET' } } as const;

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

describe('verifyVercel()', () => {
  it('accepts a request signed by the documented rule', () => {
    // Arrange
    const input = request(PAYLOAD, signed(PAYLOAD));

    // Act
    const result = verifyVercel(input);

    // Assert
    expect(result).toEqual({ ok: true, scheme: 'vercel', keyId: '0' });
  });

  it('accepts an empty body', () => {
    expect(verifyVercel(request('', signed(''))).ok).toBe(true);
  });

  it('accepts a binary (non-UTF-8) body byte for byte', () => {
    const body = Uint8Array.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28]);

    expect(verifyVercel(request(body, signed(body))).ok).toBe(true);
  });

  it('accepts a signature written in upper-case hex', () => {
    const input = request(PAYLOAD, { [HEADER]: providerSignature(SECRET, PAYLOAD).toUpperCase() });

    expect(verifyVercel(input).ok).toBe(true);
  });

  it('reports the index of the rotated secret that matched', () => {
    const input = request(PAYLOAD, signed(PAYLOAD, 'new secret'), ['old secret', 'new secret']);

    expect(verifyVercel(input)).toEqual({ ok: true, scheme: 'vercel', keyId: '1' });
  });

  it('rejects a tampered body', () => {
    expect(verifyVercel(request(`${PAYLOAD} `, signed(PAYLOAD)))).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a tampered signature', () => {
    const input = request(PAYLOAD, { [HEADER]: tamper(providerSignature(SECRET, PAYLOAD)) });

    expect(verifyVercel(input)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature made with another secret', () => {
    expect(verifyVercel(request(PAYLOAD, signed(PAYLOAD, 'not the secret')))).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a request without a signature header', () => {
    expect(verifyVercel(request(PAYLOAD, {}))).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it.each([[[]], [['']]])('rejects every request when the secrets are %j', (secrets) => {
    expect(verifyVercel(request(PAYLOAD, signed(PAYLOAD), secrets))).toMatchObject({
      ok: false,
      reason: 'missing_secret',
    });
  });

  describe.each([
    ['with a sha1= prefix', (s: string) => `sha1=${s}`],
    ['with a sha256-length digest', (s: string) => `${s}${s.slice(0, 24)}`],
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

      expect(verifyVercel(input)).toMatchObject({ ok: false, reason: 'malformed_signature' });
    });
  });

  it('never puts the secret or the expected signature in the failure detail', () => {
    const expected = providerSignature(SECRET, PAYLOAD).slice(PREFIX.length);

    const text = JSON.stringify(verifyVercel(request(PAYLOAD, signed(PAYLOAD, 'wrong'))));

    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(expected);
  });
});

describe('vercelScheme.sign()', () => {
  it('signs as the provider does, and verifyVercel() accepts it', async () => {
    // Act
    const signed = await vercelScheme.sign?.(toSign(PAYLOAD), OPTIONS);

    // Assert
    expect(signed?.headers[HEADER]).toBe(providerSignature(SECRET, PAYLOAD));
    expect(verifyVercel(request(PAYLOAD, signed?.headers ?? {}))).toMatchObject({ ok: true });
  });

  it('cannot sign without a secret', () => {
    expect(() => vercelScheme.sign?.(toSign(PAYLOAD, ''), OPTIONS)).toThrow(CannotSignError);
  });
});

describe('vercelScheme ids', () => {
  it('takes the delivery id from `id` and the event type from `type`', () => {
    const delivery = { headers: {}, payload: JSON.parse(PAYLOAD) as unknown };

    expect(vercelScheme.deliveryId?.(delivery)).toBe('evt_2qM5vq5b9Yk');
    expect(vercelScheme.eventType?.(delivery)).toBe('deployment.succeeded');
  });

  it('has neither when the payload lacks them', () => {
    const delivery = { headers: {}, payload: { data: {} } };

    expect(vercelScheme.deliveryId?.(delivery)).toBeUndefined();
    expect(vercelScheme.eventType?.(delivery)).toBeUndefined();
  });
});
