import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { EventWebhook, EventWebhookHeader } from '@sendgrid/eventwebhook';
import { describe, expect, it } from 'vitest';
import { CannotSignError, type SchemeConfig } from '../../../shared/verify/scheme.js';
import { sendgridScheme, verifySendgrid } from '../../../shared/verify/sendgrid.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

// Oracles: (1) a request signed by SendGrid itself, published as a test vector of
// @sendgrid/eventwebhook; (2) requests signed in the test with node:crypto ECDSA P-256/SHA-256
// (DER) over `${timestamp}${raw body}`, which @sendgrid/eventwebhook must accept as well.

const NOW = new Date('2026-01-15T12:00:00.000Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const OPTIONS: SchemeConfig<'sendgrid'> = {
  scheme: 'sendgrid',
  secret: { name: 'SENDGRID_VERIFICATION_KEY' },
};
const SIGNATURE_HEADER = EventWebhookHeader.SIGNATURE().toLowerCase();
const TIMESTAMP_HEADER = EventWebhookHeader.TIMESTAMP().toLowerCase();
const PAYLOAD = `${JSON.stringify([
  { email: 'a@example.com', event: 'delivered', sg_event_id: 'ZGVsaXZlcmVk', timestamp: NOW_SECONDS - 5 },
  { email: 'b@example.com', event: 'delivered', sg_event_id: 'ZGVsaXZlcmVkMg', timestamp: NOW_SECONDS - 4 },
])}\r\n`;

interface KeyPair {
  readonly privateKey: KeyObject;
  /** The verification key as the SendGrid dashboard shows it: base64 DER SubjectPublicKeyInfo. */
  readonly publicKeyBase64: string;
}

function keyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    privateKey,
    publicKeyBase64: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
  };
}

const ACCOUNT = keyPair();
const OTHER_ACCOUNT = keyPair();

function sendgridSignature(privateKey: KeyObject, timestamp: string, body: string | Uint8Array): string {
  return sign('sha256', Buffer.concat([Buffer.from(timestamp), Buffer.from(body)]), privateKey).toString(
    'base64',
  );
}

function signed(body: string | Uint8Array, timestamp = String(NOW_SECONDS), privateKey = ACCOUNT.privateKey) {
  return {
    [SIGNATURE_HEADER]: sendgridSignature(privateKey, timestamp, body),
    [TIMESTAMP_HEADER]: timestamp,
  };
}

/** A signature of PAYLOAD whose base64 ends in `=`, so removing the padding changes it. */
function paddedSignature(): string {
  for (;;) {
    const signature = signed(PAYLOAD)[SIGNATURE_HEADER] ?? '';
    if (signature.endsWith('=')) return signature;
  }
}

function request(
  body: string | Uint8Array,
  headers: Record<string, string | undefined>,
  { secrets = [ACCOUNT.publicKeyBase64] as readonly string[], now = NOW } = {},
): VerificationInput {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return { body: bytes, headers, secrets, now };
}

function sdkVerifies(
  publicKeyBase64: string,
  body: string,
  headers: Record<string, string | undefined>,
): boolean {
  const sdk = new EventWebhook();
  return sdk.verifySignature(
    sdk.convertPublicKeyToECDSA(publicKeyBase64),
    body,
    headers[SIGNATURE_HEADER] ?? '',
    headers[TIMESTAMP_HEADER] ?? '',
  );
}

describe('verifySendgrid()', () => {
  it('accepts the request SendGrid signed in the @sendgrid/eventwebhook test vectors', () => {
    // Arrange: the single-event vector of sendgrid-nodejs packages/eventwebhook (key, signature,
    // timestamp and payload as SendGrid produced them, trailing CRLF included).
    const publicKey =
      'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==';
    const body = `${JSON.stringify([
      {
        email: 'hello@world.com',
        event: 'dropped',
        reason: 'Bounced Address',
        sg_event_id: 'ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA',
        sg_message_id: 'LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0',
        'smtp-id': '<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>',
        timestamp: 1600112492,
      },
    ])}\r\n`;
    const headers = {
      [SIGNATURE_HEADER]:
        'MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=',
      [TIMESTAMP_HEADER]: '1600112502',
    };
    const input = request(body, headers, { secrets: [publicKey], now: new Date(1600112502 * 1000 + 20_000) });

    // Act
    const result = verifySendgrid(input, OPTIONS);
    const tampered = verifySendgrid({ ...input, body: new TextEncoder().encode(body.trim()) }, OPTIONS);

    // Assert
    expect(result).toEqual({
      ok: true,
      scheme: 'sendgrid',
      keyId: '0',
      signedAt: '2020-09-14T19:41:42.000Z',
    });
    expect(tampered).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('accepts a request that @sendgrid/eventwebhook verifies too', () => {
    const headers = signed(PAYLOAD);

    const sdk = sdkVerifies(ACCOUNT.publicKeyBase64, PAYLOAD, headers);
    const result = verifySendgrid(request(PAYLOAD, headers), OPTIONS);

    expect(sdk).toBe(true);
    expect(result).toEqual({ ok: true, scheme: 'sendgrid', keyId: '0', signedAt: NOW.toISOString() });
  });

  it('rejects what @sendgrid/eventwebhook rejects (another account key)', () => {
    const headers = signed(PAYLOAD, String(NOW_SECONDS), OTHER_ACCOUNT.privateKey);

    const sdk = sdkVerifies(ACCOUNT.publicKeyBase64, PAYLOAD, headers);
    const result = verifySendgrid(request(PAYLOAD, headers), OPTIONS);

    expect(sdk).toBe(false);
    expect(result).toMatchObject({ ok: false, scheme: 'sendgrid', reason: 'signature_mismatch' });
  });

  it('accepts an empty body', () => {
    const result = verifySendgrid(request('', signed('')), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('accepts a binary (non-UTF-8) body byte for byte', () => {
    const body = Uint8Array.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28]);

    const result = verifySendgrid(request(body, signed(body)), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('reports the index of the rotated key that matched', () => {
    const secrets = [OTHER_ACCOUNT.publicKeyBase64, ACCOUNT.publicKeyBase64];

    const result = verifySendgrid(request(PAYLOAD, signed(PAYLOAD), { secrets }), OPTIONS);

    expect(result).toMatchObject({ ok: true, keyId: '1' });
  });

  it('skips a malformed key without shifting the index of the one that matched', () => {
    const secrets = ['-----BEGIN PUBLIC KEY-----', ACCOUNT.publicKeyBase64];

    const result = verifySendgrid(request(PAYLOAD, signed(PAYLOAD), { secrets }), OPTIONS);

    expect(result).toMatchObject({ ok: true, keyId: '1' });
  });

  it('rejects a tampered body', () => {
    const result = verifySendgrid(request(PAYLOAD.replace('delivered', 'bounce'), signed(PAYLOAD)), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a body that lost its trailing CRLF', () => {
    const result = verifySendgrid(request(PAYLOAD.trimEnd(), signed(PAYLOAD)), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature over other content', () => {
    const headers = { ...signed(PAYLOAD), [SIGNATURE_HEADER]: signed('[]')[SIGNATURE_HEADER] };

    const result = verifySendgrid(request(PAYLOAD, headers), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a timestamp header changed after signing', () => {
    const headers = { ...signed(PAYLOAD, String(NOW_SECONDS - 5)), [TIMESTAMP_HEADER]: String(NOW_SECONDS) };

    const result = verifySendgrid(request(PAYLOAD, headers), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it.each([
    ['older than', -301],
    ['further in the future than', 301],
  ])('rejects a signature %s the tolerance', (_case, offset) => {
    const result = verifySendgrid(request(PAYLOAD, signed(PAYLOAD, String(NOW_SECONDS + offset))), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  it('rejects an old request that @sendgrid/eventwebhook (which checks no time) would accept', () => {
    const headers = signed(PAYLOAD, String(NOW_SECONDS - 86_400));

    const sdk = sdkVerifies(ACCOUNT.publicKeyBase64, PAYLOAD, headers);
    const result = verifySendgrid(request(PAYLOAD, headers), OPTIONS);

    expect(sdk).toBe(true);
    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  it('honours a custom tolerance', () => {
    const input = request(PAYLOAD, signed(PAYLOAD, String(NOW_SECONDS + 100)));

    const strict = verifySendgrid(input, { ...OPTIONS, toleranceSeconds: 60 });
    const lenient = verifySendgrid(input, { ...OPTIONS, toleranceSeconds: 120 });

    expect(strict).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(lenient.ok).toBe(true);
  });

  it('rejects a request without a signature header', () => {
    const { [SIGNATURE_HEADER]: _signature, ...headers } = signed(PAYLOAD);

    const result = verifySendgrid(request(PAYLOAD, headers), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it('rejects a request without a timestamp header', () => {
    const { [TIMESTAMP_HEADER]: _timestamp, ...headers } = signed(PAYLOAD);

    const result = verifySendgrid(request(PAYLOAD, headers), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_timestamp' });
  });

  it.each(['soon', '1.5e9', ' 1768478400', '-1768478400', '1768478400000000000000'])(
    'rejects the malformed timestamp %j',
    (timestamp) => {
      const result = verifySendgrid(request(PAYLOAD, signed(PAYLOAD, timestamp)), OPTIONS);

      expect(result).toMatchObject({ ok: false, reason: 'malformed_timestamp' });
    },
  );

  it('rejects every request when no key is configured', () => {
    const result = verifySendgrid(request(PAYLOAD, signed(PAYLOAD), { secrets: ['', ' '] }), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_secret' });
  });

  it.each([
    ['PEM-armoured', `-----BEGIN PUBLIC KEY-----\n${ACCOUNT.publicKeyBase64}\n-----END PUBLIC KEY-----`],
    ['truncated', ACCOUNT.publicKeyBase64.slice(0, 60)],
    [
      'a P-384 key',
      generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
        .publicKey.export({ format: 'der', type: 'spki' })
        .toString('base64'),
    ],
    [
      'an Ed25519 key',
      generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    ],
  ])('rejects a key that is %s as malformed', (_case, secret) => {
    const result = verifySendgrid(request(PAYLOAD, signed(PAYLOAD), { secrets: [secret] }), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'malformed_secret' });
  });

  // ECDSA signatures vary in DER length; one that ends in padding keeps the unpadded case meaningful.
  const valid = paddedSignature();
  const validDer = Buffer.from(valid, 'base64');
  describe.each([
    ['that is truncated', validDer.subarray(0, validDer.length - 3).toString('base64')],
    ['without base64 padding', valid.replace(/=+$/, '')],
    ['in hex', validDer.toString('hex')],
    ['in base64url', validDer.toString('base64url')],
    ['that is not DER', Buffer.alloc(64, 7).toString('base64')],
    ['listed twice (SendGrid sends one signature)', `${valid},${valid}`],
  ])('a signature %s', (_case, signature) => {
    it('rejects it as malformed', () => {
      const headers = { ...signed(PAYLOAD), [SIGNATURE_HEADER]: signature };

      const result = verifySendgrid(request(PAYLOAD, headers), OPTIONS);

      expect(result).toMatchObject({ ok: false, reason: 'malformed_signature' });
    });
  });

  it('never puts a key or the signature in the failure detail', () => {
    const headers = signed(`${PAYLOAD} `);

    const result = verifySendgrid(request(PAYLOAD, headers), OPTIONS);

    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(ACCOUNT.publicKeyBase64);
    expect(JSON.stringify(result)).not.toContain(headers[SIGNATURE_HEADER]);
  });
});

describe('sendgridScheme.sign()', () => {
  it('refuses to sign: the route holds only the public verification key', async () => {
    const toSign = {
      method: 'POST',
      url: 'https://hooks.example.com/sendgrid',
      body: PAYLOAD,
      secret: ACCOUNT.publicKeyBase64,
      now: NOW,
      deliveryId: 'd1',
    };

    await expect(async () => sendgridScheme.sign?.(toSign, OPTIONS)).rejects.toBeInstanceOf(CannotSignError);
  });
});

describe('sendgridScheme ids', () => {
  it.each([
    [[{ event: 'delivered' }, { event: 'delivered' }], 'delivered'],
    [[{ event: 'bounce' }], 'bounce'],
    [[{ event: 'delivered' }, { event: 'open' }], undefined],
    [[{ event: 'delivered' }, { email: 'no-event@example.com' }], undefined],
    [[], undefined],
    [{ event: 'delivered' }, undefined],
  ])('names the event type of %j as %j', (payload, expected) => {
    expect(sendgridScheme.eventType?.({ headers: {}, payload })).toBe(expected);
  });

  it('has no delivery id, so a re-sent batch is deduplicated by its body hash', () => {
    expect(sendgridScheme.deliveryId).toBeUndefined();
  });
});
