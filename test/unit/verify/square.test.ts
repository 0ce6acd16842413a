import { createHmac } from 'node:crypto';
import { WebhooksHelper } from 'square';
import { describe, expect, it } from 'vitest';
import type { SchemeConfig } from '../../../shared/verify/scheme.js';
import { signSquare, squareScheme, verifySquare } from '../../../shared/verify/square.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

const SIGNATURE_KEY = 'asdf1234asdf1234asdf12';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const NOTIFICATION_URL = 'https://hooks.example.com/square/payments';
const BODY =
  '{"merchant_id":"MLEFBHHSJGVHD","type":"payment.updated","event_id":"2ea9c5cc-1c6f-4b70-9a5e-9a8a8d3b7d3c","data":{"type":"payment","id":"KkAkhdMsgzn59SM8A89WgKwekxLZY","object":{"payment":{"note":"café"}}}}';
const OPTIONS: SchemeConfig<'square'> = { scheme: 'square', secret: { name: 'SQUARE_SIGNATURE_KEY' } };
const SHA1_OPTIONS: SchemeConfig<'square'> = { ...OPTIONS, allowSha1: true };

/** Square's signature as the SDK's own helper would expect it; checked against the SDK below. */
function squareSignature(
  key: string,
  url: string,
  body: string,
  algorithm: 'sha1' | 'sha256' = 'sha256',
): string {
  return createHmac(algorithm, key)
    .update(url + body, 'utf8')
    .digest('base64');
}

function request(
  url: string | undefined,
  body: string,
  headers: Record<string, string | undefined>,
  secrets: readonly string[] = [SIGNATURE_KEY],
): VerificationInput {
  return { method: 'POST', url, body: new TextEncoder().encode(body), headers, secrets, now: NOW };
}

function signed(key = SIGNATURE_KEY, url = NOTIFICATION_URL, body = BODY): Record<string, string> {
  return { 'x-square-hmacsha256-signature': squareSignature(key, url, body) };
}

describe('verifySquare()', () => {
  it('accepts a signature the Square SDK accepts', async () => {
    // Arrange
    const headers = signed();
    const sdkAccepts = await WebhooksHelper.verifySignature({
      requestBody: BODY,
      signatureHeader: headers['x-square-hmacsha256-signature'] ?? '',
      signatureKey: SIGNATURE_KEY,
      notificationUrl: NOTIFICATION_URL,
    });

    // Act
    const result = verifySquare(request(NOTIFICATION_URL, BODY, headers), OPTIONS);

    // Assert
    expect(sdkAccepts).toBe(true);
    expect(result).toEqual({ ok: true, scheme: 'square', keyId: '0' });
  });

  it('accepts an empty body', () => {
    const result = verifySquare(
      request(NOTIFICATION_URL, '', signed(SIGNATURE_KEY, NOTIFICATION_URL, '')),
      OPTIONS,
    );

    expect(result.ok).toBe(true);
  });

  describe.each([
    ['a tampered body', NOTIFICATION_URL, BODY.replace('payment.updated', 'payment.created')],
    ['another URL', 'https://hooks.example.com/square/other', BODY],
    ['the same URL with a default port', 'https://hooks.example.com:443/square/payments', BODY],
  ])('with %s', (_name, url, body) => {
    it('rejects the request', () => {
      const result = verifySquare(request(url, body, signed()), OPTIONS);

      expect(result).toMatchObject({ ok: false, scheme: 'square', reason: 'signature_mismatch' });
    });
  });

  it('rejects a tampered signature', () => {
    const signature = signed()['x-square-hmacsha256-signature'] ?? '';
    const tampered = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;

    const result = verifySquare(
      request(NOTIFICATION_URL, BODY, { 'x-square-hmacsha256-signature': tampered }),
      OPTIONS,
    );

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature made with another key', () => {
    const result = verifySquare(request(NOTIFICATION_URL, BODY, signed('another-key')), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('reports the index of the rotated secret that matched', () => {
    const input = request(NOTIFICATION_URL, BODY, signed('new-key'), ['old-key', 'new-key']);

    const result = verifySquare(input, OPTIONS);

    expect(result).toEqual({ ok: true, scheme: 'square', keyId: '1' });
  });

  describe.each([
    ['missing_url', 'no URL', undefined, signed()],
    ['missing_signature', 'no signature header', NOTIFICATION_URL, {}],
    [
      'malformed_signature',
      'a truncated signature',
      NOTIFICATION_URL,
      { 'x-square-hmacsha256-signature': (signed()['x-square-hmacsha256-signature'] ?? '').slice(0, 20) },
    ],
    [
      'malformed_signature',
      'a hex signature',
      NOTIFICATION_URL,
      { 'x-square-hmacsha256-signature': 'ab'.repeat(32) },
    ],
  ])('fails with %s given %s', (reason, _name, url, headers) => {
    it('fails closed without throwing', () => {
      const result = verifySquare(request(url, BODY, headers), OPTIONS);

      expect(result).toMatchObject({ ok: false, scheme: 'square', reason });
    });
  });

  it('fails with missing_secret when no secret is configured', () => {
    const result = verifySquare(request(NOTIFICATION_URL, BODY, signed(), []), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_secret' });
  });

  describe('the legacy x-square-signature (HMAC-SHA1)', () => {
    const sha1Headers = {
      'x-square-signature': squareSignature(SIGNATURE_KEY, NOTIFICATION_URL, BODY, 'sha1'),
    };

    it('is refused by default', () => {
      const result = verifySquare(request(NOTIFICATION_URL, BODY, sha1Headers), OPTIONS);

      expect(result).toMatchObject({ ok: false, reason: 'missing_signature' });
    });

    it('is accepted with allowSha1', () => {
      const result = verifySquare(request(NOTIFICATION_URL, BODY, sha1Headers), SHA1_OPTIONS);

      expect(result).toEqual({ ok: true, scheme: 'square', keyId: '0' });
    });

    it('rejects a tampered body with allowSha1', () => {
      const result = verifySquare(request(NOTIFICATION_URL, `${BODY} `, sha1Headers), SHA1_OPTIONS);

      expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    });

    it('is ignored when the sha256 header is present', () => {
      const headers = {
        ...sha1Headers,
        'x-square-hmacsha256-signature': squareSignature('wrong', NOTIFICATION_URL, BODY),
      };

      const result = verifySquare(request(NOTIFICATION_URL, BODY, headers), SHA1_OPTIONS);

      expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    });
  });
});

describe('signSquare()', () => {
  const toSign = {
    method: 'POST',
    url: NOTIFICATION_URL,
    body: BODY,
    secret: SIGNATURE_KEY,
    now: NOW,
    deliveryId: 'ignored',
  };

  it('signs a request that the Square SDK accepts', async () => {
    const { headers } = signSquare(toSign);

    const accepted = await WebhooksHelper.verifySignature({
      requestBody: BODY,
      signatureHeader: headers['x-square-hmacsha256-signature'] ?? '',
      signatureKey: SIGNATURE_KEY,
      notificationUrl: NOTIFICATION_URL,
    });

    expect(accepted).toBe(true);
  });

  it('signs a request that verifySquare accepts', () => {
    const { headers } = signSquare(toSign);

    expect(verifySquare(request(NOTIFICATION_URL, BODY, headers), OPTIONS).ok).toBe(true);
  });

  it('refuses to sign with an empty secret', () => {
    expect(() => signSquare({ ...toSign, secret: '' })).toThrow(/needs a secret/);
  });
});

describe('squareScheme', () => {
  const payload = JSON.parse(BODY) as unknown;

  it('takes the delivery id from the body event_id', () => {
    expect(squareScheme.deliveryId?.({ headers: {}, payload })).toBe('2ea9c5cc-1c6f-4b70-9a5e-9a8a8d3b7d3c');
  });

  it('takes the event type from the body type', () => {
    expect(squareScheme.eventType?.({ headers: {}, payload })).toBe('payment.updated');
  });
});
