import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ShopifyVerifyConfig } from '../../../shared/config/types.js';
import { verifyShopify } from '../../../shared/verify/shopify.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

const SECRET = 'shpss_0123456789abcdef0123456789abcdef';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const OPTIONS: ShopifyVerifyConfig = { scheme: 'shopify', secret: { name: 'SHOPIFY_WEBHOOK_SECRET' } };
const PAYLOAD = '{"id":820982911946154508,"email":"jon@example.com","note":"crème brûlée"}';

/** Shopify's signature, computed independently of the code under test. */
function shopifySignature(secret: string, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(body).digest('base64');
}

function request(
  body: string | Uint8Array,
  signature: string | undefined,
  secrets: readonly string[] = [SECRET],
): VerificationInput {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return { body: bytes, headers: { 'x-shopify-hmac-sha256': signature }, secrets, now: NOW };
}

describe('verifyShopify()', () => {
  it('accepts a signed request', () => {
    // Arrange
    const input = request(PAYLOAD, shopifySignature(SECRET, PAYLOAD));

    // Act
    const result = verifyShopify(input, OPTIONS);

    // Assert
    expect(result).toEqual({ ok: true, scheme: 'shopify', keyId: '0' });
  });

  it('accepts an empty body', () => {
    const result = verifyShopify(request('', shopifySignature(SECRET, '')), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('accepts a binary (non-UTF-8) body byte for byte', () => {
    const body = Uint8Array.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28]);

    const result = verifyShopify(request(body, shopifySignature(SECRET, body)), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('reports the index of the rotated secret that matched', () => {
    const input = request(PAYLOAD, shopifySignature('new', PAYLOAD), ['old', 'new']);

    const result = verifyShopify(input, OPTIONS);

    expect(result).toMatchObject({ ok: true, keyId: '1' });
  });

  it('rejects a tampered body', () => {
    const input = request(PAYLOAD.replace('jon', 'eve'), shopifySignature(SECRET, PAYLOAD));

    const result = verifyShopify(input, OPTIONS);

    expect(result).toMatchObject({ ok: false, scheme: 'shopify', reason: 'signature_mismatch' });
  });

  it('rejects a signature made with another secret', () => {
    const result = verifyShopify(request(PAYLOAD, shopifySignature('other', PAYLOAD)), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a request without a signature header', () => {
    const result = verifyShopify(request(PAYLOAD, undefined), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it('rejects every request when no secret is configured', () => {
    const result = verifyShopify(request(PAYLOAD, shopifySignature(SECRET, PAYLOAD), []), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_secret' });
  });

  const valid = shopifySignature(SECRET, PAYLOAD);
  const hex = createHmac('sha256', SECRET).update(PAYLOAD).digest('hex');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const lastIndex = alphabet.indexOf(valid.at(-2) ?? 'A');
  // Flip an unused low bit of the last data character: same bytes, but not the canonical spelling.
  const nonCanonical = `${valid.slice(0, -2)}${alphabet[lastIndex ^ 1]}=`;
  describe.each([
    ['hex instead of base64', hex],
    ['without padding', valid.replace(/=+$/, '')],
    ['with base64url characters', `-_${valid.slice(2)}`],
    ['with invalid characters', `${valid.slice(0, -3)}!!=`],
    ['that is truncated', valid.slice(0, 20)],
    ['of a sha512 digest', createHmac('sha512', SECRET).update(PAYLOAD).digest('base64')],
    ['with trailing garbage', `${valid}AAAA`],
    ['with unused bits set', nonCanonical],
  ])('a signature %s', (_case, signature) => {
    it('rejects it as malformed', () => {
      const result = verifyShopify(request(PAYLOAD, signature), OPTIONS);

      expect(result).toMatchObject({ ok: false, reason: 'malformed_signature' });
    });
  });

  it('never puts the secret or the expected signature in the failure detail', () => {
    const result = verifyShopify(request(PAYLOAD, shopifySignature('wrong', PAYLOAD)), OPTIONS);

    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(JSON.stringify(result)).not.toContain(valid);
  });
});
