import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { InteractionType, verifyKey } from 'discord-interactions';
import { describe, expect, it } from 'vitest';
import { discordScheme, verifyDiscord } from '../../../shared/verify/discord.js';
import { CannotSignError, type HandshakeRequest, type SchemeConfig } from '../../../shared/verify/scheme.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

// Oracle: requests are signed in the test with node:crypto Ed25519 private keys, as Discord signs
// `${X-Signature-Timestamp}${raw body}`, and discord-interactions' own `verifyKey` must accept them.

const NOW = new Date('2026-01-15T12:00:00.000Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const OPTIONS: SchemeConfig<'discord'> = { scheme: 'discord', secret: { name: 'DISCORD_PUBLIC_KEY' } };
const PAYLOAD = JSON.stringify({
  id: '1263532219457568808',
  application_id: '1263531337219756123',
  type: 2,
  token: 'aW50ZXJhY3Rpb24',
  version: 1,
  data: { id: '1263531940524855296', name: 'héllo', type: 1 },
});

interface KeyPair {
  readonly privateKey: KeyObject;
  /** The application public key as the Developer Portal shows it: 64 hex digits. */
  readonly publicKeyHex: string;
}

function keyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x ?? '';
  return { privateKey, publicKeyHex: Buffer.from(x, 'base64url').toString('hex') };
}

const APP = keyPair();
const OTHER_APP = keyPair();

function discordSignature(privateKey: KeyObject, timestamp: string, body: string | Uint8Array): string {
  const message = Buffer.concat([Buffer.from(timestamp), Buffer.from(body)]);
  return sign(null, message, privateKey).toString('hex');
}

function signed(body: string | Uint8Array, timestamp = String(NOW_SECONDS), privateKey = APP.privateKey) {
  return {
    'x-signature-ed25519': discordSignature(privateKey, timestamp, body),
    'x-signature-timestamp': timestamp,
  };
}

function request(
  body: string | Uint8Array,
  headers: Record<string, string | undefined>,
  { secrets = [APP.publicKeyHex] as readonly string[], now = NOW } = {},
): VerificationInput {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return { body: bytes, headers, secrets, now };
}

describe('verifyDiscord()', () => {
  it('accepts a request that discord-interactions verifies too', async () => {
    // Arrange
    const headers = signed(PAYLOAD);

    // Act
    const sdk = await verifyKey(
      PAYLOAD,
      headers['x-signature-ed25519'],
      headers['x-signature-timestamp'],
      APP.publicKeyHex,
    );
    const result = verifyDiscord(request(PAYLOAD, headers), OPTIONS);

    // Assert
    expect(sdk).toBe(true);
    expect(result).toEqual({ ok: true, scheme: 'discord', keyId: '0', signedAt: NOW.toISOString() });
  });

  it('rejects what discord-interactions rejects (another application key)', async () => {
    const headers = signed(PAYLOAD, String(NOW_SECONDS), OTHER_APP.privateKey);

    const sdk = await verifyKey(
      PAYLOAD,
      headers['x-signature-ed25519'],
      headers['x-signature-timestamp'],
      APP.publicKeyHex,
    );
    const result = verifyDiscord(request(PAYLOAD, headers), OPTIONS);

    expect(sdk).toBe(false);
    expect(result).toMatchObject({ ok: false, scheme: 'discord', reason: 'signature_mismatch' });
  });

  it('accepts an empty body', () => {
    const result = verifyDiscord(request('', signed('')), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('accepts a binary (non-UTF-8) body byte for byte', () => {
    const body = Uint8Array.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28]);

    const result = verifyDiscord(request(body, signed(body)), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('accepts a signature in upper-case hex and a public key with surrounding whitespace', () => {
    const headers = signed(PAYLOAD);
    const upper = { ...headers, 'x-signature-ed25519': headers['x-signature-ed25519'].toUpperCase() };

    const result = verifyDiscord(request(PAYLOAD, upper, { secrets: [` ${APP.publicKeyHex}\n`] }), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('reports the index of the rotated public key that matched', () => {
    const input = request(PAYLOAD, signed(PAYLOAD), { secrets: [OTHER_APP.publicKeyHex, APP.publicKeyHex] });

    const result = verifyDiscord(input, OPTIONS);

    expect(result).toMatchObject({ ok: true, keyId: '1' });
  });

  it('skips a malformed key without shifting the index of the one that matched', () => {
    const input = request(PAYLOAD, signed(PAYLOAD), { secrets: ['not-a-key', '', APP.publicKeyHex] });

    const result = verifyDiscord(input, OPTIONS);

    expect(result).toMatchObject({ ok: true, keyId: '2' });
  });

  it('rejects a tampered body', () => {
    const result = verifyDiscord(request(PAYLOAD.replace('héllo', 'admin'), signed(PAYLOAD)), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a tampered signature', () => {
    const headers = signed(PAYLOAD);
    const signature = headers['x-signature-ed25519'];
    const flipped = `${signature.slice(0, 10)}${signature[10] === '0' ? '1' : '0'}${signature.slice(11)}`;

    const result = verifyDiscord(request(PAYLOAD, { ...headers, 'x-signature-ed25519': flipped }), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a timestamp header changed after signing', () => {
    const headers = {
      ...signed(PAYLOAD, String(NOW_SECONDS - 5)),
      'x-signature-timestamp': String(NOW_SECONDS),
    };

    const result = verifyDiscord(request(PAYLOAD, headers), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects the deliberately invalid signature Discord sends to test the endpoint', () => {
    const headers = { ...signed(PAYLOAD), 'x-signature-ed25519': '0'.repeat(128) };

    const result = verifyDiscord(request(PAYLOAD, headers), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it.each([
    ['older than', -301],
    ['further in the future than', 301],
  ])('rejects a signature %s the tolerance', (_case, offset) => {
    const result = verifyDiscord(request(PAYLOAD, signed(PAYLOAD, String(NOW_SECONDS + offset))), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  it('rejects an old request that discord-interactions (which checks no time) would accept', async () => {
    const headers = signed(PAYLOAD, String(NOW_SECONDS - 3600));

    const sdk = await verifyKey(
      PAYLOAD,
      headers['x-signature-ed25519'],
      headers['x-signature-timestamp'],
      APP.publicKeyHex,
    );
    const result = verifyDiscord(request(PAYLOAD, headers), OPTIONS);

    expect(sdk).toBe(true);
    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  it('honours a custom tolerance', () => {
    const input = request(PAYLOAD, signed(PAYLOAD, String(NOW_SECONDS - 100)));

    const strict = verifyDiscord(input, { ...OPTIONS, toleranceSeconds: 60 });
    const lenient = verifyDiscord(input, { ...OPTIONS, toleranceSeconds: 120 });

    expect(strict).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(lenient.ok).toBe(true);
  });

  it('rejects a request without a signature header', () => {
    const { 'x-signature-ed25519': _signature, ...headers } = signed(PAYLOAD);

    const result = verifyDiscord(request(PAYLOAD, headers), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it('rejects a request without a timestamp header', () => {
    const { 'x-signature-timestamp': _timestamp, ...headers } = signed(PAYLOAD);

    const result = verifyDiscord(request(PAYLOAD, headers), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_timestamp' });
  });

  it.each(['soon', '1.5e9', ' 1768478400', '-1768478400', '0x69', '2026-01-15T12:00:00Z'])(
    'rejects the malformed timestamp %j',
    (timestamp) => {
      const result = verifyDiscord(request(PAYLOAD, signed(PAYLOAD, timestamp)), OPTIONS);

      expect(result).toMatchObject({ ok: false, reason: 'malformed_timestamp' });
    },
  );

  it('rejects every request when no public key is configured', () => {
    const result = verifyDiscord(request(PAYLOAD, signed(PAYLOAD), { secrets: [] }), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_secret' });
  });

  it.each([
    ['not hex', 'z'.repeat(64)],
    ['too short', APP.publicKeyHex.slice(2)],
    ['prefixed with 0x', `0x${APP.publicKeyHex}`],
    ['base64 rather than hex', Buffer.from(APP.publicKeyHex, 'hex').toString('base64')],
  ])('rejects a public key that is %s as malformed', (_case, secret) => {
    const result = verifyDiscord(request(PAYLOAD, signed(PAYLOAD), { secrets: [secret] }), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'malformed_secret' });
  });

  const valid = signed(PAYLOAD)['x-signature-ed25519'];
  describe.each([
    ['that is truncated', valid.slice(0, 126)],
    ['with an odd number of hex digits', valid.slice(1)],
    ['with non-hex characters', `${valid.slice(2)}zz`],
    ['in base64', Buffer.from(valid, 'hex').toString('base64')],
    ['listed twice (Discord sends one signature)', `${valid},${valid}`],
  ])('a signature %s', (_case, signature) => {
    it('rejects it as malformed', () => {
      const headers = { ...signed(PAYLOAD), 'x-signature-ed25519': signature };

      const result = verifyDiscord(request(PAYLOAD, headers), OPTIONS);

      expect(result).toMatchObject({ ok: false, reason: 'malformed_signature' });
    });
  });

  it('never puts a key or the signature in the failure detail', () => {
    const headers = signed(PAYLOAD.replace('héllo', 'admin'));

    const result = verifyDiscord(request(PAYLOAD, headers), OPTIONS);

    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(APP.publicKeyHex);
    expect(JSON.stringify(result)).not.toContain(headers['x-signature-ed25519']);
  });
});

describe('discordScheme.sign()', () => {
  it('refuses to sign: the route holds only the application public key', async () => {
    const toSign = {
      method: 'POST',
      url: 'https://hooks.example.com/discord',
      body: PAYLOAD,
      secret: APP.publicKeyHex,
      now: NOW,
      deliveryId: 'd1',
    };

    await expect(async () => discordScheme.sign?.(toSign, OPTIONS)).rejects.toBeInstanceOf(CannotSignError);
  });
});

function handshakeRequest(payload: unknown): HandshakeRequest {
  const body = new TextEncoder().encode(JSON.stringify(payload));
  return {
    method: 'POST',
    url: new URL('https://hooks.example.com/discord'),
    headers: {},
    body,
    payload,
    now: NOW,
  };
}

const TOOLS = {
  secrets: async () => [APP.publicKeyHex],
  resolveSecret: async () => [],
  storeSecret: async () => {},
  get: async () => {
    throw new Error('Discord handshakes call nothing');
  },
};

describe('discordScheme.handshake()', () => {
  it('answers an interactions PING with the PONG as JSON', async () => {
    const ping = { id: '1', application_id: '2', type: InteractionType.PING, token: 't', version: 1 };

    const answer = await discordScheme.handshake?.(handshakeRequest(ping), OPTIONS, TOOLS);

    expect(answer).toEqual({
      kind: 'discord.ping',
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"type":1}',
    });
  });

  it('answers a webhook events PING with 204 and no body', async () => {
    const ping = { version: 1, application_id: '2', type: 0 };

    const answer = await discordScheme.handshake?.(handshakeRequest(ping), OPTIONS, TOOLS);

    expect(answer).toEqual({ kind: 'discord.webhook_ping', statusCode: 204 });
  });

  it.each([
    ['an application command', { id: '1', type: InteractionType.APPLICATION_COMMAND, token: 't' }],
    ['a webhook event', { version: 1, type: 1, event: { type: 'APPLICATION_AUTHORIZED', timestamp: 'x' } }],
    ['a body that is not an object', [{ type: 1 }]],
  ])('lets %s through as an event', async (_case, payload) => {
    const answer = await discordScheme.handshake?.(handshakeRequest(payload), OPTIONS, TOOLS);

    expect(answer).toBeUndefined();
  });
});

describe('discordScheme ids', () => {
  it.each([
    [{ id: '1', type: 1 }, 'PING'],
    [{ id: '1', type: 2 }, 'APPLICATION_COMMAND'],
    [{ id: '1', type: 3 }, 'MESSAGE_COMPONENT'],
    [{ id: '1', type: 4 }, 'APPLICATION_COMMAND_AUTOCOMPLETE'],
    [{ id: '1', type: 5 }, 'MODAL_SUBMIT'],
    [{ id: '1', type: 99 }, undefined],
    [{ version: 1, type: 0 }, 'PING'],
    [{ version: 1, type: 1, event: { type: 'ENTITLEMENT_CREATE' } }, 'ENTITLEMENT_CREATE'],
  ])('names the event type of %j as %j', (payload, expected) => {
    expect(discordScheme.eventType?.({ headers: {}, payload })).toBe(expected);
  });

  it('takes the interaction id as the delivery id', () => {
    expect(discordScheme.deliveryId?.({ headers: {}, payload: JSON.parse(PAYLOAD) })).toBe(
      '1263532219457568808',
    );
  });

  it('has no delivery id for a webhook event, so the body hash dedupes', () => {
    const payload = { version: 1, type: 1, event: { type: 'APPLICATION_AUTHORIZED' } };

    expect(discordScheme.deliveryId?.({ headers: {}, payload })).toBeUndefined();
  });
});
