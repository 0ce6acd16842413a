import { createHmac, generateKeyPairSync, sign as signWithKey } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { StandardWebhooksVerifyConfig } from '../../../shared/config/types.js';
import { verifyStandardWebhooks } from '../../../shared/verify/standard-webhooks.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

const BASE64_SECRET = 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SECRET = `whsec_${BASE64_SECRET}`;
const OTHER_SECRET = `whsec_${Buffer.from('another secret entirely').toString('base64')}`;
const NOW = new Date('2025-06-01T12:00:00.000Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const MSG_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const PAYLOAD = '{"test": 2432232314}';
const CONFIG: StandardWebhooksVerifyConfig = { scheme: 'standardWebhooks', secret: { name: 'SW_SECRET' } };

function signedHeaders(
  options: { secret?: string; id?: string; at?: Date; payload?: string } = {},
): Record<string, string> {
  const at = options.at ?? NOW;
  const id = options.id ?? MSG_ID;
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(options.secret ?? SECRET).sign(id, at, options.payload ?? PAYLOAD),
  };
}

function request(
  headers: Record<string, string | undefined>,
  overrides: Partial<VerificationInput> = {},
): VerificationInput {
  return {
    body: Buffer.from(PAYLOAD, 'utf8'),
    headers,
    secrets: [SECRET],
    now: NOW,
    ...overrides,
  };
}

describe('verifyStandardWebhooks()', () => {
  it('accepts a request signed by the reference library', () => {
    const result = verifyStandardWebhooks(request(signedHeaders()), CONFIG);

    expect(result).toEqual({
      ok: true,
      scheme: 'standardWebhooks',
      keyId: '0',
      signedAt: NOW.toISOString(),
    });
  });

  it.each(['webhook-id', 'webhook-signature'])('rejects a request without %s', (name) => {
    const headers: Record<string, string> = signedHeaders();
    delete headers[name];

    const result = verifyStandardWebhooks(request(headers), CONFIG);

    expect(result).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it('rejects a request without webhook-timestamp', () => {
    const headers: Record<string, string> = signedHeaders();
    delete headers['webhook-timestamp'];

    const result = verifyStandardWebhooks(request(headers), CONFIG);

    expect(result).toMatchObject({ ok: false, reason: 'missing_timestamp' });
  });

  it('treats empty headers as missing', () => {
    const result = verifyStandardWebhooks(request({ ...signedHeaders(), 'webhook-id': '' }), CONFIG);

    expect(result).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it.each(['abc', '1.5', '-12', '17e8', ' 1748779200', '1748779200abc', '99999999999999999999'])(
    'rejects the non-integer timestamp %j',
    (timestamp) => {
      const result = verifyStandardWebhooks(
        request({ ...signedHeaders(), 'webhook-timestamp': timestamp }),
        CONFIG,
      );

      expect(result).toMatchObject({ ok: false, reason: 'malformed_timestamp' });
    },
  );

  it('rejects a partial signature', () => {
    const headers = signedHeaders();
    const signature = headers['webhook-signature'] ?? '';
    const partial = signature.slice(0, signature.length - 10);

    const result = verifyStandardWebhooks(request({ ...headers, 'webhook-signature': partial }), CONFIG);

    expect(result).toMatchObject({ ok: false, reason: 'malformed_signature' });
  });

  it.each([
    ['just a version', 'v1,'],
    ['no version', 'g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE='],
    ['not base64', 'v1,!!!not-base64!!!'],
    ['an unknown version only', `v2,${Buffer.alloc(32).toString('base64')}`],
    ['garbage', 'asdf qwer ,,,'],
  ])('rejects a signature header with %s as malformed', (_label, value) => {
    const result = verifyStandardWebhooks(
      request({ ...signedHeaders(), 'webhook-signature': value }),
      CONFIG,
    );

    expect(result).toMatchObject({ ok: false, reason: 'malformed_signature' });
  });

  it('rejects a well-formed signature that does not match', () => {
    const wrong = `v1,${Buffer.alloc(32, 7).toString('base64')}`;

    const result = verifyStandardWebhooks(
      request({ ...signedHeaders(), 'webhook-signature': wrong }),
      CONFIG,
    );

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a timestamp older than the tolerance', () => {
    const at = new Date(NOW.getTime() - 301_000);

    const result = verifyStandardWebhooks(request(signedHeaders({ at })), CONFIG);

    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  it('rejects a timestamp newer than the tolerance', () => {
    const at = new Date(NOW.getTime() + 301_000);

    const result = verifyStandardWebhooks(request(signedHeaders({ at })), CONFIG);

    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  it('accepts timestamps exactly at the tolerance in both directions', () => {
    for (const offset of [-300_000, 300_000]) {
      const at = new Date(NOW.getTime() + offset);

      const result = verifyStandardWebhooks(request(signedHeaders({ at })), CONFIG);

      expect(result.ok).toBe(true);
    }
  });

  it('honours a configured tolerance', () => {
    const at = new Date(NOW.getTime() - 61_000);

    const result = verifyStandardWebhooks(request(signedHeaders({ at })), {
      ...CONFIG,
      toleranceSeconds: 60,
    });

    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  it('accepts a header with several signatures when one is valid', () => {
    const headers = signedHeaders();
    const valid = headers['webhook-signature'] ?? '';
    const wrong = `v1,${Buffer.alloc(32, 1).toString('base64')}`;
    const future = `v2,${Buffer.alloc(32, 2).toString('base64')}`;
    const value = `${wrong} ${future} v1,broken ${valid} v1a,${Buffer.alloc(64).toString('base64')}`;

    const result = verifyStandardWebhooks(request({ ...headers, 'webhook-signature': value }), CONFIG);

    expect(result).toMatchObject({ ok: true, keyId: '0' });
  });

  it('accepts a secret without the whsec_ prefix, like the reference library', () => {
    const headers = signedHeaders({ secret: BASE64_SECRET });

    const result = verifyStandardWebhooks(request(headers, { secrets: [BASE64_SECRET] }), CONFIG);

    expect(result.ok).toBe(true);
  });

  it('treats prefixed and bare forms of a secret as the same key', () => {
    const result = verifyStandardWebhooks(request(signedHeaders({ secret: BASE64_SECRET })), CONFIG);

    expect(result.ok).toBe(true);
  });

  it('accepts an empty payload', () => {
    const headers = signedHeaders({ payload: '' });

    const result = verifyStandardWebhooks(request(headers, { body: new Uint8Array() }), CONFIG);

    expect(result.ok).toBe(true);
  });

  it('falls back to svix-* headers', () => {
    const headers = signedHeaders();

    const result = verifyStandardWebhooks(
      request({
        'svix-id': headers['webhook-id'],
        'svix-timestamp': headers['webhook-timestamp'],
        'svix-signature': headers['webhook-signature'],
      }),
      CONFIG,
    );

    expect(result).toMatchObject({ ok: true, keyId: '0' });
  });

  it('reports the index of the rotated secret that matched', () => {
    const result = verifyStandardWebhooks(
      request(signedHeaders(), { secrets: [OTHER_SECRET, SECRET] }),
      CONFIG,
    );

    expect(result).toMatchObject({ ok: true, keyId: '1' });
  });

  it('rejects a tampered body', () => {
    const result = verifyStandardWebhooks(
      request(signedHeaders(), { body: Buffer.from('{"test": 2432232315}', 'utf8') }),
      CONFIG,
    );

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a tampered id or timestamp', () => {
    const headers = signedHeaders();
    const otherId = verifyStandardWebhooks(request({ ...headers, 'webhook-id': 'msg_other' }), CONFIG);
    const otherTime = verifyStandardWebhooks(
      request({ ...headers, 'webhook-timestamp': String(NOW_SECONDS - 1) }),
      CONFIG,
    );

    expect(otherId).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    expect(otherTime).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('signs the raw body bytes, not a text decoding of them', () => {
    const body = Buffer.from([0xff, 0xfe, 0x00, 0x41]);
    const key = Buffer.from(BASE64_SECRET, 'base64');
    const mac = createHmac('sha256', key).update(`${MSG_ID}.${NOW_SECONDS}.`).update(body).digest('base64');
    const headers = {
      'webhook-id': MSG_ID,
      'webhook-timestamp': String(NOW_SECONDS),
      'webhook-signature': `v1,${mac}`,
    };

    const result = verifyStandardWebhooks(request(headers, { body }), CONFIG);

    expect(result.ok).toBe(true);
  });

  it('fails with missing_secret when no secret is configured', () => {
    const result = verifyStandardWebhooks(request(signedHeaders(), { secrets: [] }), CONFIG);

    expect(result).toMatchObject({ ok: false, reason: 'missing_secret' });
  });

  it.each([
    ['not base64', 'whsec_***'],
    ['empty', 'whsec_'],
    ['a short public key', `whpk_${Buffer.alloc(16).toString('base64')}`],
  ])('fails with malformed_secret when the only secret is %s', (_label, secret) => {
    const result = verifyStandardWebhooks(request(signedHeaders(), { secrets: [secret] }), CONFIG);

    expect(result).toMatchObject({ ok: false, reason: 'malformed_secret' });
  });

  it('skips a malformed secret when another one matches', () => {
    const result = verifyStandardWebhooks(
      request(signedHeaders(), { secrets: ['whsec_***', SECRET] }),
      CONFIG,
    );

    expect(result).toMatchObject({ ok: true, keyId: '1' });
  });

  it('never puts secrets or signatures in the failure detail', () => {
    const headers = signedHeaders();
    const signature = (headers['webhook-signature'] ?? '').slice(3);

    const result = verifyStandardWebhooks(request(headers, { body: Buffer.from('tampered') }), CONFIG);

    expect(result.ok).toBe(false);
    const detail = result.ok ? '' : (result.detail ?? '');
    expect(detail).not.toContain(BASE64_SECRET);
    expect(detail).not.toContain(signature);
  });

  describe('v1a (ed25519)', () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const rawPublicKey = Buffer.from(publicKey.export({ format: 'jwk' }).x ?? '', 'base64url');
    const PUBLIC_KEY = `whpk_${rawPublicKey.toString('base64')}`;

    function v1aHeaders(body: string, at = NOW): Record<string, string> {
      const timestamp = String(Math.floor(at.getTime() / 1000));
      const signature = signWithKey(null, Buffer.from(`${MSG_ID}.${timestamp}.${body}`), privateKey);
      return {
        'webhook-id': MSG_ID,
        'webhook-timestamp': timestamp,
        'webhook-signature': `v1a,${signature.toString('base64')}`,
      };
    }

    it('accepts an ed25519 signature with the whpk_ public key', () => {
      const result = verifyStandardWebhooks(request(v1aHeaders(PAYLOAD), { secrets: [PUBLIC_KEY] }), CONFIG);

      expect(result).toMatchObject({ ok: true, keyId: '0', signedAt: NOW.toISOString() });
    });

    it('accepts it alongside symmetric secrets and reports the key index', () => {
      const result = verifyStandardWebhooks(
        request(v1aHeaders(PAYLOAD), { secrets: [SECRET, PUBLIC_KEY] }),
        CONFIG,
      );

      expect(result).toMatchObject({ ok: true, keyId: '1' });
    });

    it('rejects an ed25519 signature over a tampered body', () => {
      const result = verifyStandardWebhooks(
        request(v1aHeaders(PAYLOAD), { secrets: [PUBLIC_KEY], body: Buffer.from('{}') }),
        CONFIG,
      );

      expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    });

    it('rejects an ed25519 signature from another key pair', () => {
      const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x ?? '';
      const otherKey = `whpk_${Buffer.from(other, 'base64url').toString('base64')}`;

      const result = verifyStandardWebhooks(request(v1aHeaders(PAYLOAD), { secrets: [otherKey] }), CONFIG);

      expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    });

    it('does not check a v1 signature against a public key', () => {
      const result = verifyStandardWebhooks(request(signedHeaders(), { secrets: [PUBLIC_KEY] }), CONFIG);

      expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    });
  });
});

describe('verifyStandardWebhooks() properties', () => {
  it('accepts reference-signed random payloads and rejects any one-bit tampering', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.stringMatching(/^msg_[A-Za-z0-9]{1,30}$/),
        fc.nat({ max: 199 }),
        (payload, id, flipAt) => {
          const headers = signedHeaders({ id, payload });
          const body = Buffer.from(payload, 'utf8');
          expect(verifyStandardWebhooks(request(headers, { body }), CONFIG).ok).toBe(true);

          if (body.length === 0) return;
          const tampered = Buffer.from(body);
          const index = flipAt % tampered.length;
          tampered[index] = (tampered[index] ?? 0) ^ 0x01;
          expect(verifyStandardWebhooks(request(headers, { body: tampered }), CONFIG).ok).toBe(false);
        },
      ),
    );
  });

  it('never throws and never passes on arbitrary headers', () => {
    fc.assert(
      fc.property(
        fc.record({
          'webhook-id': fc.option(fc.string(), { nil: undefined }),
          'webhook-timestamp': fc.option(fc.oneof(fc.string(), fc.constant(String(NOW_SECONDS))), {
            nil: undefined,
          }),
          'webhook-signature': fc.option(fc.string(), { nil: undefined }),
        }),
        fc.array(fc.string(), { maxLength: 3 }),
        (headers, secrets) => {
          const result = verifyStandardWebhooks(request(headers, { secrets }), CONFIG);
          expect(result.ok).toBe(false);
        },
      ),
    );
  });
});
