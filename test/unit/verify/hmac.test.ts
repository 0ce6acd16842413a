import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HmacAlgorithm, HmacVerifyConfig, SignatureEncoding } from '../../../shared/config/types.js';
import { verifyHmac } from '../../../shared/verify/hmac.js';
import { checkTimestamp } from '../../../shared/verify/timestamp.js';
import { requestBuilder } from '../../helpers/verify-requests.js';

const SECRET = 'generic-hmac-secret';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const TS = String(NOW_SECONDS);
const PAYLOAD = '{"event":"order.paid","amount":4200,"currency":"€"}';
const BINARY = Uint8Array.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0xed, 0xa0, 0x80]);
const BASE: HmacVerifyConfig = { scheme: 'hmac', secret: { name: 'HMAC_SECRET' }, header: 'x-signature' };

/** A MAC computed independently of the code under test. */
function mac(
  algorithm: HmacAlgorithm,
  encoding: SignatureEncoding,
  parts: readonly (string | Uint8Array)[],
  secret = SECRET,
): string {
  const hmac = createHmac(algorithm, secret);
  for (const part of parts) hmac.update(part);
  return hmac.digest(encoding);
}

const request = requestBuilder(NOW, SECRET);

describe('verifyHmac()', () => {
  describe.each([
    ['sha1', 'hex'],
    ['sha1', 'base64'],
    ['sha256', 'hex'],
    ['sha256', 'base64'],
    ['sha512', 'hex'],
    ['sha512', 'base64'],
  ] as const)('with %s and %s', (algorithm, encoding) => {
    const options: HmacVerifyConfig = { ...BASE, algorithm, encoding };

    it('accepts a signed body', () => {
      // Arrange
      const input = request(PAYLOAD, { 'x-signature': mac(algorithm, encoding, [PAYLOAD]) });

      // Act
      const result = verifyHmac(input, options);

      // Assert
      expect(result).toEqual({ ok: true, scheme: 'hmac', keyId: '0' });
    });

    it('accepts an empty body', () => {
      const result = verifyHmac(request('', { 'x-signature': mac(algorithm, encoding, ['']) }), options);

      expect(result.ok).toBe(true);
    });

    it('accepts a binary (non-UTF-8) body byte for byte', () => {
      const result = verifyHmac(
        request(BINARY, { 'x-signature': mac(algorithm, encoding, [BINARY]) }),
        options,
      );

      expect(result.ok).toBe(true);
    });

    it('rejects a tampered body', () => {
      const input = request(`${PAYLOAD} `, { 'x-signature': mac(algorithm, encoding, [PAYLOAD]) });

      const result = verifyHmac(input, options);

      expect(result).toMatchObject({ ok: false, scheme: 'hmac', reason: 'signature_mismatch' });
    });

    it('rejects a signature made with another secret', () => {
      const input = request(PAYLOAD, { 'x-signature': mac(algorithm, encoding, [PAYLOAD], 'other') });

      const result = verifyHmac(input, options);

      expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    });

    it('rejects a digest of another algorithm as malformed', () => {
      const other = algorithm === 'sha256' ? 'sha512' : 'sha256';
      const input = request(PAYLOAD, { 'x-signature': mac(other, encoding, [PAYLOAD]) });

      const result = verifyHmac(input, options);

      expect(result).toMatchObject({ ok: false, reason: 'malformed_signature' });
    });

    it('rejects a truncated signature as malformed', () => {
      const input = request(PAYLOAD, { 'x-signature': mac(algorithm, encoding, [PAYLOAD]).slice(0, -4) });

      const result = verifyHmac(input, options);

      expect(result).toMatchObject({ ok: false, reason: 'malformed_signature' });
    });
  });

  it('defaults to sha256 in hex', () => {
    const result = verifyHmac(request(PAYLOAD, { 'x-signature': mac('sha256', 'hex', [PAYLOAD]) }), BASE);

    expect(result.ok).toBe(true);
  });

  it('accepts hex in upper case', () => {
    const signature = mac('sha256', 'hex', [PAYLOAD]).toUpperCase();

    const result = verifyHmac(request(PAYLOAD, { 'x-signature': signature }), BASE);

    expect(result.ok).toBe(true);
  });

  it('reads the configured header case-insensitively', () => {
    const input = request(PAYLOAD, { 'x-webhook-signature': mac('sha256', 'hex', [PAYLOAD]) });

    const result = verifyHmac(input, { ...BASE, header: 'X-Webhook-Signature' });

    expect(result.ok).toBe(true);
  });

  it('reports the index of the rotated secret that matched', () => {
    const input = request(PAYLOAD, { 'x-signature': mac('sha256', 'hex', [PAYLOAD], 'new') }, ['old', 'new']);

    const result = verifyHmac(input, BASE);

    expect(result).toEqual({ ok: true, scheme: 'hmac', keyId: '1' });
  });

  it('rejects a request without the signature header', () => {
    const result = verifyHmac(request(PAYLOAD, {}), BASE);

    expect(result).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it.each([[[]], [['']]])('rejects every request when the secrets are %j', (secrets) => {
    const input = request(PAYLOAD, { 'x-signature': mac('sha256', 'hex', [PAYLOAD], '') }, secrets);

    const result = verifyHmac(input, BASE);

    expect(result).toMatchObject({ ok: false, reason: 'missing_secret' });
  });

  describe.each([
    ['with an odd number of hex digits', 'hex', mac('sha256', 'hex', [PAYLOAD]).slice(1)],
    ['with non-hex characters', 'hex', `${mac('sha256', 'hex', [PAYLOAD]).slice(2)}zz`],
    ['in base64 when hex is expected', 'hex', mac('sha256', 'base64', [PAYLOAD])],
    ['in hex when base64 is expected', 'base64', mac('sha256', 'hex', [PAYLOAD])],
    ['with invalid base64 characters', 'base64', `*${mac('sha256', 'base64', [PAYLOAD]).slice(1)}`],
    ['in base64 without padding', 'base64', mac('sha256', 'base64', [PAYLOAD]).replace(/=+$/, '')],
  ] as const)('a signature %s', (_case, encoding, signature) => {
    it('rejects it as malformed', () => {
      const result = verifyHmac(request(PAYLOAD, { 'x-signature': signature }), { ...BASE, encoding });

      expect(result).toMatchObject({ ok: false, reason: 'malformed_signature' });
    });
  });

  describe('with a prefix', () => {
    const options: HmacVerifyConfig = { ...BASE, prefix: 'sha256=' };

    it('accepts a signature carrying the prefix', () => {
      const input = request(PAYLOAD, { 'x-signature': `sha256=${mac('sha256', 'hex', [PAYLOAD])}` });

      const result = verifyHmac(input, options);

      expect(result.ok).toBe(true);
    });

    it('rejects a signature without the prefix', () => {
      const input = request(PAYLOAD, { 'x-signature': mac('sha256', 'hex', [PAYLOAD]) });

      const result = verifyHmac(input, options);

      expect(result).toMatchObject({ ok: false, reason: 'malformed_signature' });
    });
  });

  describe('with a timestamp header', () => {
    const options: HmacVerifyConfig = { ...BASE, timestampHeader: 'X-Timestamp' };

    function signed(
      body: string | Uint8Array,
      timestamp = TS,
      template: (t: string) => string[] = (t) => [`${t}.`],
    ) {
      return {
        'x-signature': mac('sha256', 'hex', [...template(timestamp), body]),
        'x-timestamp': timestamp,
      };
    }

    it('signs {timestamp}.{body} by default and returns signedAt', () => {
      const result = verifyHmac(request(PAYLOAD, signed(PAYLOAD)), options);

      expect(result).toEqual({ ok: true, scheme: 'hmac', keyId: '0', signedAt: NOW.toISOString() });
    });

    it('accepts a binary body inside the template', () => {
      const result = verifyHmac(request(BINARY, signed(BINARY)), options);

      expect(result.ok).toBe(true);
    });

    it('accepts an empty body inside the template', () => {
      const result = verifyHmac(request('', signed('')), options);

      expect(result.ok).toBe(true);
    });

    it('uses a custom {timestamp}:{body} template', () => {
      const headers = signed(PAYLOAD, TS, (t) => [`${t}:`]);

      const custom = verifyHmac(request(PAYLOAD, headers), {
        ...options,
        signedContent: '{timestamp}:{body}',
      });
      const defaulted = verifyHmac(request(PAYLOAD, headers), options);

      expect(custom.ok).toBe(true);
      expect(defaulted).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    });

    it('uses a template with literal text around both placeholders', () => {
      const headers = signed(PAYLOAD, TS, (t) => [`v1:${t}:`]);

      const result = verifyHmac(request(PAYLOAD, headers), {
        ...options,
        signedContent: 'v1:{timestamp}:{body}',
      });

      expect(result.ok).toBe(true);
    });

    it('does not substitute placeholders that appear inside the body', () => {
      const body = '{"text":"{timestamp} and {body}"}';

      const result = verifyHmac(request(body, signed(body)), options);

      expect(result.ok).toBe(true);
    });

    it('checks the timestamp even when the template signs only the body', () => {
      const headers = {
        'x-signature': mac('sha256', 'hex', [PAYLOAD]),
        'x-timestamp': String(NOW_SECONDS - 900),
      };

      const result = verifyHmac(request(PAYLOAD, headers), { ...options, signedContent: '{body}' });

      expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
    });

    it('rejects a timestamp changed after signing', () => {
      const headers = { ...signed(PAYLOAD, String(NOW_SECONDS - 1)), 'x-timestamp': TS };

      const result = verifyHmac(request(PAYLOAD, headers), options);

      expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    });

    it('rejects a request without the timestamp header', () => {
      const result = verifyHmac(request(PAYLOAD, { 'x-signature': signed(PAYLOAD)['x-signature'] }), options);

      expect(result).toMatchObject({ ok: false, reason: 'missing_timestamp' });
    });

    it.each(['later', '1.5', '-5', `${TS}Z`, ''.padEnd(20, '9')])(
      'rejects the malformed timestamp %j',
      (timestamp) => {
        const result = verifyHmac(request(PAYLOAD, signed(PAYLOAD, timestamp)), options);

        expect(result).toMatchObject({ ok: false, reason: 'malformed_timestamp' });
      },
    );

    it.each([
      ['older than', -301],
      ['further in the future than', 301],
    ])('rejects a timestamp %s the default tolerance', (_case, offset) => {
      const result = verifyHmac(request(PAYLOAD, signed(PAYLOAD, String(NOW_SECONDS + offset))), options);

      expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
    });

    it('honours a custom tolerance', () => {
      const input = request(PAYLOAD, signed(PAYLOAD, String(NOW_SECONDS - 45)));

      const strict = verifyHmac(input, { ...options, toleranceSeconds: 30 });
      const lenient = verifyHmac(input, { ...options, toleranceSeconds: 60 });

      expect(strict).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
      expect(lenient.ok).toBe(true);
    });
  });

  it('rejects a template that needs a timestamp when no timestamp header is configured', () => {
    const input = request(PAYLOAD, {
      'x-signature': mac('sha256', 'hex', [`${TS}.`, PAYLOAD]),
      'x-timestamp': TS,
    });

    const result = verifyHmac(input, { ...BASE, signedContent: '{timestamp}.{body}' });

    expect(result).toMatchObject({ ok: false, reason: 'missing_timestamp' });
  });

  it('never puts the secret or the expected signature in the failure detail', () => {
    const expected = mac('sha256', 'hex', [PAYLOAD]);
    const input = request(PAYLOAD, { 'x-signature': mac('sha256', 'hex', [PAYLOAD], 'wrong') });

    const result = verifyHmac(input, BASE);

    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(JSON.stringify(result)).not.toContain(expected);
  });
});

describe('checkTimestamp()', () => {
  it('returns the signing time as ISO 8601', () => {
    const result = checkTimestamp(TS, NOW, 300);

    expect(result).toEqual({ ok: true, signedAt: '2026-01-15T12:00:00.000Z' });
  });

  it.each([
    [300, true],
    [-300, true],
    [301, false],
    [-301, false],
  ])('treats an offset of %i s against a 300 s tolerance as ok=%s', (offset, ok) => {
    const result = checkTimestamp(String(NOW_SECONDS + offset), NOW, 300);

    expect(result.ok).toBe(ok);
  });

  it('rejects everything when now is an invalid date', () => {
    const result = checkTimestamp(TS, new Date(Number.NaN), 300);

    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  it('rejects everything when the tolerance is NaN', () => {
    const result = checkTimestamp(TS, NOW, Number.NaN);

    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  it.each(['', ' ', '１２３', '12 34', '1e9', `${'9'.repeat(16)}`])(
    'rejects the malformed timestamp %j',
    (value) => {
      const result = checkTimestamp(value, NOW, Number.POSITIVE_INFINITY);

      expect(result).toMatchObject({ ok: false, reason: 'malformed_timestamp' });
    },
  );
});
