import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HandshakeRequest, HandshakeTools, SchemeConfig } from '../../../shared/verify/scheme.js';
import { parseRfc3339, twitchScheme, verifyTwitch } from '../../../shared/verify/twitch.js';
import { requestBuilder } from '../../helpers/verify-requests.js';

// Twitch ships no Node SDK and twurple is not installed: every signature here is computed with
// node:crypto following Twitch's documented rule (message id + timestamp + raw body).
const SECRET = 's3cre7-between-10-and-100-chars';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const OPTIONS: SchemeConfig<'twitch'> = { scheme: 'twitch', secret: { name: 'TWITCH_EVENTSUB_SECRET' } };
const MESSAGE_ID = 'befa7b53-d79d-478f-86b9-120f112b044e';
const TIMESTAMP = '2026-01-15T11:59:59.123456789Z';
const SUBSCRIPTION = {
  id: 'f1c2a387-161a-49f9-a165-0f21d7a4e1c4',
  status: 'enabled',
  type: 'channel.follow',
  version: '2',
  condition: { broadcaster_user_id: '12826', moderator_user_id: '12826' },
  transport: { method: 'webhook', callback: 'https://example.com/twitch' },
  created_at: '2026-01-15T11:00:00.634234626Z',
};
const PAYLOAD = JSON.stringify({
  subscription: SUBSCRIPTION,
  event: { user_id: '1337', user_name: 'Ünïcødé ✓', broadcaster_user_id: '12826' },
});

function twitchSignature(body: string | Uint8Array, id: string, timestamp: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret)
    .update(id + timestamp)
    .update(body)
    .digest('hex')}`;
}

function signed(
  body: string | Uint8Array,
  { id = MESSAGE_ID, timestamp = TIMESTAMP, secret = SECRET, type = 'notification' } = {},
): Record<string, string> {
  return {
    'twitch-eventsub-message-id': id,
    'twitch-eventsub-message-timestamp': timestamp,
    'twitch-eventsub-message-signature': twitchSignature(body, id, timestamp, secret),
    'twitch-eventsub-message-type': type,
    'twitch-eventsub-subscription-type': 'channel.follow',
  };
}

const request = requestBuilder(NOW, SECRET);

async function ourHeaders(body: string): Promise<Readonly<Record<string, string>>> {
  const sign = twitchScheme.sign;
  if (sign === undefined) throw new Error('twitchScheme cannot sign');
  const toSign = { method: 'POST', url: 'https://example.com/twitch', body, secret: SECRET, now: NOW };
  return (await sign({ ...toSign, deliveryId: MESSAGE_ID }, OPTIONS)).headers;
}

describe('verifyTwitch()', () => {
  it('accepts a message signed by the documented rule, its nanosecond timestamp included', () => {
    // Arrange
    const input = request(PAYLOAD, signed(PAYLOAD));

    // Act
    const result = verifyTwitch(input, OPTIONS);

    // Assert
    expect(result).toEqual({ ok: true, scheme: 'twitch', keyId: '0', signedAt: '2026-01-15T11:59:59.123Z' });
  });

  it('signs messages with the documented rule, which it accepts', async () => {
    const headers = await ourHeaders(PAYLOAD);

    expect(headers).toMatchObject({
      'twitch-eventsub-message-id': MESSAGE_ID,
      'twitch-eventsub-message-timestamp': NOW.toISOString(),
      'twitch-eventsub-message-signature': twitchSignature(PAYLOAD, MESSAGE_ID, NOW.toISOString(), SECRET),
      'twitch-eventsub-message-type': 'notification',
      'twitch-eventsub-subscription-type': 'channel.follow',
      'twitch-eventsub-subscription-version': '2',
    });
    expect(verifyTwitch(request(PAYLOAD, headers), OPTIONS).ok).toBe(true);
  });

  it.each([
    [
      'a challenge',
      { challenge: 'pogchamp-kappa-360noscope-vohiyo', subscription: SUBSCRIPTION },
      'webhook_callback_verification',
    ],
    [
      'a subscription no longer enabled',
      { subscription: { ...SUBSCRIPTION, status: 'authorization_revoked' } },
      'revocation',
    ],
    ['an event', { subscription: SUBSCRIPTION, event: {} }, 'notification'],
  ])('signs a body with %s as a %s message', async (_case, body, type) => {
    const headers = await ourHeaders(JSON.stringify(body));

    expect(headers['twitch-eventsub-message-type']).toBe(type);
  });

  it('accepts an empty body', () => {
    const result = verifyTwitch(request('', signed('')), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('reports the index of the rotated secret that matched', () => {
    const input = request(PAYLOAD, signed(PAYLOAD, { secret: 'new-secret-value' }), [
      'old-secret-value',
      'new-secret-value',
    ]);

    const result = verifyTwitch(input, OPTIONS);

    expect(result).toMatchObject({ ok: true, keyId: '1' });
  });

  it('rejects a tampered body', () => {
    const result = verifyTwitch(request(PAYLOAD.replace('1337', '1338'), signed(PAYLOAD)), OPTIONS);

    expect(result).toMatchObject({ ok: false, scheme: 'twitch', reason: 'signature_mismatch' });
  });

  it('rejects a message id changed after signing', () => {
    const headers = { ...signed(PAYLOAD), 'twitch-eventsub-message-id': 'another-id' };

    const result = verifyTwitch(request(PAYLOAD, headers), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a timestamp changed after signing', () => {
    const headers = {
      ...signed(PAYLOAD),
      'twitch-eventsub-message-timestamp': '2026-01-15T11:59:59.123456788Z',
    };

    const result = verifyTwitch(request(PAYLOAD, headers), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a tampered signature', () => {
    const valid = signed(PAYLOAD)['twitch-eventsub-message-signature'] ?? '';
    const flipped = `${valid.slice(0, -1)}${valid.endsWith('0') ? '1' : '0'}`;

    const result = verifyTwitch(
      request(PAYLOAD, { ...signed(PAYLOAD), 'twitch-eventsub-message-signature': flipped }),
      OPTIONS,
    );

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature made with another secret', () => {
    const result = verifyTwitch(request(PAYLOAD, signed(PAYLOAD, { secret: 'attacker-secret' })), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it.each([
    ['older than', '2026-01-15T11:49:59.999Z'],
    ['further in the future than', '2026-01-15T12:10:00.001Z'],
  ])('rejects a timestamp %s the 10 minute tolerance', (_case, timestamp) => {
    const result = verifyTwitch(request(PAYLOAD, signed(PAYLOAD, { timestamp })), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  it('accepts a timestamp exactly 10 minutes old', () => {
    const result = verifyTwitch(
      request(PAYLOAD, signed(PAYLOAD, { timestamp: '2026-01-15T11:50:00Z' })),
      OPTIONS,
    );

    expect(result.ok).toBe(true);
  });

  it('honours a custom tolerance', () => {
    const input = request(PAYLOAD, signed(PAYLOAD, { timestamp: '2026-01-15T11:58:00Z' }));

    const strict = verifyTwitch(input, { ...OPTIONS, toleranceSeconds: 60 });
    const lenient = verifyTwitch(input, { ...OPTIONS, toleranceSeconds: 180 });

    expect(strict).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(lenient.ok).toBe(true);
  });

  describe.each([
    ['twitch-eventsub-message-signature', 'missing_signature'],
    ['twitch-eventsub-message-id', 'missing_signature'],
    ['twitch-eventsub-message-timestamp', 'missing_timestamp'],
  ])('a message without %s', (header, reason) => {
    it(`is rejected with ${reason}`, () => {
      const headers: Record<string, string | undefined> = { ...signed(PAYLOAD), [header]: undefined };

      const result = verifyTwitch(request(PAYLOAD, headers), OPTIONS);

      expect(result).toMatchObject({ ok: false, reason });
    });
  });

  it.each([
    String(Math.floor(NOW.getTime() / 1000)),
    '2026-01-15 11:59:59Z',
    '2026-01-15T11:59:59',
    '2026-01-15T11:59:59.Z',
    '2026-01-15T11:59:59.1234567891Z',
    '2026-02-30T11:59:59Z',
    '2026-01-15T24:00:00Z',
    '2026-01-15T11:59:60Z',
    '2026-01-15T11:59:59+24:00',
    ' 2026-01-15T11:59:59Z',
  ])('rejects the malformed timestamp %j', (timestamp) => {
    const result = verifyTwitch(request(PAYLOAD, signed(PAYLOAD, { timestamp })), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'malformed_timestamp' });
  });

  it('rejects every request when no secret is configured', () => {
    const result = verifyTwitch(request(PAYLOAD, signed(PAYLOAD), []), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_secret' });
  });

  const valid = (signed(PAYLOAD)['twitch-eventsub-message-signature'] ?? '').slice('sha256='.length);
  describe.each([
    ['without the sha256= prefix', valid],
    ['with a sha1= prefix', `sha1=${valid}`],
    ['that is truncated', `sha256=${valid.slice(0, 63)}`],
    ['with non-hex characters', `sha256=${valid.slice(2)}zz`],
  ])('a signature %s', (_case, signature) => {
    it('rejects it as malformed', () => {
      const headers = { ...signed(PAYLOAD), 'twitch-eventsub-message-signature': signature };

      const result = verifyTwitch(request(PAYLOAD, headers), OPTIONS);

      expect(result).toMatchObject({ ok: false, reason: 'malformed_signature' });
    });
  });

  it('never puts the secret or the expected signature in the failure detail', () => {
    const result = verifyTwitch(request(PAYLOAD, signed(PAYLOAD, { secret: 'wrong-secret-value' })), OPTIONS);

    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(JSON.stringify(result)).not.toContain(valid);
  });
});

describe('parseRfc3339()', () => {
  it.each([
    ['2026-01-15T11:59:59Z', Date.UTC(2026, 0, 15, 11, 59, 59)],
    ['2026-01-15T11:59:59.5Z', Date.UTC(2026, 0, 15, 11, 59, 59, 500)],
    ['2026-01-15T13:59:59.123+02:00', Date.UTC(2026, 0, 15, 11, 59, 59, 123)],
    ['2026-01-15T06:29:59-05:30', Date.UTC(2026, 0, 15, 11, 59, 59)],
    ['2026-01-15t11:59:59z', Date.UTC(2026, 0, 15, 11, 59, 59)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
  ])('reads %j', (text, expected) => {
    expect(parseRfc3339(text)).toBe(expected);
  });
});

describe('twitchScheme.handshake (webhook_callback_verification)', () => {
  const CHALLENGE = 'pogchamp-kappa-360noscope-vohiyo';
  const TOOLS: HandshakeTools = {
    secrets: async () => [SECRET],
    resolveSecret: async () => [],
    storeSecret: async () => {},
    get: async () => 200,
  };

  async function answer(body: string, type: string) {
    const handshake = twitchScheme.handshake;
    if (handshake === undefined) throw new Error('twitchScheme has no handshake');
    const handshakeRequest: HandshakeRequest = {
      method: 'POST',
      url: new URL('https://example.com/twitch'),
      headers: signed(body, { type }),
      body: new TextEncoder().encode(body),
      payload: JSON.parse(body),
      now: NOW,
    };
    return handshake(handshakeRequest, OPTIONS, TOOLS);
  }

  it('answers with 200, text/plain and the raw challenge', async () => {
    // Arrange
    const body = JSON.stringify({
      challenge: CHALLENGE,
      subscription: { ...SUBSCRIPTION, status: 'webhook_callback_verification_pending' },
    });

    // Act
    const outcome = await answer(body, 'webhook_callback_verification');

    // Assert
    expect(outcome).toEqual({
      kind: 'twitch.webhook_callback_verification',
      statusCode: 200,
      headers: { 'content-type': 'text/plain', 'x-content-type-options': 'nosniff' },
      body: CHALLENGE,
    });
  });

  it('comes after verification: a forged challenge fails the verify step', () => {
    const body = JSON.stringify({ challenge: CHALLENGE, subscription: SUBSCRIPTION });
    const forged = signed(body, { secret: 'attacker-secret', type: 'webhook_callback_verification' });

    const result = verifyTwitch(request(body, forged), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('refuses a verification without a challenge', async () => {
    const outcome = await answer(
      JSON.stringify({ subscription: SUBSCRIPTION }),
      'webhook_callback_verification',
    );

    expect(outcome).toMatchObject({
      kind: 'twitch.webhook_callback_verification',
      refused: true,
      status: 403,
    });
  });

  it('lets a notification go on as an event', async () => {
    expect(await answer(PAYLOAD, 'notification')).toBeUndefined();
  });

  it('answers a revocation 204 without storing it', async () => {
    expect(await answer(PAYLOAD, 'revocation')).toEqual({ kind: 'twitch.revocation', statusCode: 204 });
  });
});

describe('twitchScheme', () => {
  it('takes the delivery id from the message id', () => {
    expect(twitchScheme.deliveryId?.({ headers: signed(PAYLOAD), payload: {} })).toBe(MESSAGE_ID);
  });

  it('takes the event type from the subscription type', () => {
    const notification = { headers: signed(PAYLOAD), payload: JSON.parse(PAYLOAD) };

    expect(twitchScheme.eventType?.(notification)).toBe('channel.follow');
  });
});
