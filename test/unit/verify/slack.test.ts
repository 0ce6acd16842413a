import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SlackVerifyConfig } from '../../../shared/config/types.js';
import type { HandshakeRequest, HandshakeTools } from '../../../shared/verify/scheme.js';
import { slackScheme, verifySlack } from '../../../shared/verify/slack.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const OPTIONS: SlackVerifyConfig = { scheme: 'slack', secret: { name: 'SLACK_SIGNING_SECRET' } };
const PAYLOAD = 'token=abc&team_id=T1&command=%2Fdeploy&text=h%C3%A9llo';

/** Slack's signature, computed independently of the code under test. */
function slackSignature(secret: string, timestamp: string, body: string | Uint8Array): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;
}

function request(
  body: string | Uint8Array,
  headers: Record<string, string | undefined>,
  { secrets = [SECRET] as readonly string[], now = NOW } = {},
): VerificationInput {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return { body: bytes, headers, secrets, now };
}

function signed(body: string | Uint8Array, timestamp = String(NOW_SECONDS), secret = SECRET) {
  return {
    'x-slack-signature': slackSignature(secret, timestamp, body),
    'x-slack-request-timestamp': timestamp,
  };
}

describe('verifySlack()', () => {
  it('accepts the example from the Slack docs', () => {
    // Arrange
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V' +
      '&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=' +
      '&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN' +
      '&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const headers = {
      'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
      'x-slack-request-timestamp': '1531420618',
    };
    const input = request(body, headers, { now: new Date(1531420618 * 1000 + 30_000) });

    // Act
    const result = verifySlack(input, OPTIONS);

    // Assert
    expect(result).toEqual({ ok: true, scheme: 'slack', keyId: '0', signedAt: '2018-07-12T18:36:58.000Z' });
  });

  it('accepts a signed request', () => {
    const result = verifySlack(request(PAYLOAD, signed(PAYLOAD)), OPTIONS);

    expect(result).toEqual({ ok: true, scheme: 'slack', keyId: '0', signedAt: NOW.toISOString() });
  });

  it('accepts an empty body', () => {
    const result = verifySlack(request('', signed('')), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('accepts a binary (non-UTF-8) body byte for byte', () => {
    const body = Uint8Array.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28]);

    const result = verifySlack(request(body, signed(body)), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('reports the index of the rotated secret that matched', () => {
    const input = request(PAYLOAD, signed(PAYLOAD, String(NOW_SECONDS), 'new'), { secrets: ['old', 'new'] });

    const result = verifySlack(input, OPTIONS);

    expect(result).toMatchObject({ ok: true, keyId: '1' });
  });

  it('rejects a tampered body', () => {
    const result = verifySlack(request(`${PAYLOAD}&admin=1`, signed(PAYLOAD)), OPTIONS);

    expect(result).toMatchObject({ ok: false, scheme: 'slack', reason: 'signature_mismatch' });
  });

  it('rejects a signature made with another secret', () => {
    const result = verifySlack(request(PAYLOAD, signed(PAYLOAD, String(NOW_SECONDS), 'other')), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a timestamp header changed after signing', () => {
    const headers = {
      ...signed(PAYLOAD, String(NOW_SECONDS - 5)),
      'x-slack-request-timestamp': String(NOW_SECONDS),
    };

    const result = verifySlack(request(PAYLOAD, headers), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it.each([
    ['older than', -301],
    ['further in the future than', 301],
  ])('rejects a timestamp %s the tolerance', (_case, offset) => {
    const result = verifySlack(request(PAYLOAD, signed(PAYLOAD, String(NOW_SECONDS + offset))), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  it('honours a custom tolerance', () => {
    const input = request(PAYLOAD, signed(PAYLOAD, String(NOW_SECONDS - 100)));

    const strict = verifySlack(input, { ...OPTIONS, toleranceSeconds: 60 });
    const lenient = verifySlack(input, { ...OPTIONS, toleranceSeconds: 120 });

    expect(strict).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(lenient.ok).toBe(true);
  });

  it('rejects a request without a signature header', () => {
    const { 'x-slack-signature': _signature, ...headers } = signed(PAYLOAD);

    const result = verifySlack(request(PAYLOAD, headers), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it('rejects a request without a timestamp header', () => {
    const { 'x-slack-request-timestamp': _timestamp, ...headers } = signed(PAYLOAD);

    const result = verifySlack(request(PAYLOAD, headers), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_timestamp' });
  });

  it.each(['soon', '1.5e9', ' 1768478400', '-1768478400', '0x69'])(
    'rejects the malformed timestamp %j',
    (timestamp) => {
      const result = verifySlack(request(PAYLOAD, signed(PAYLOAD, timestamp)), OPTIONS);

      expect(result).toMatchObject({ ok: false, reason: 'malformed_timestamp' });
    },
  );

  it('rejects every request when no secret is configured', () => {
    const result = verifySlack(request(PAYLOAD, signed(PAYLOAD), { secrets: [] }), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_secret' });
  });

  const valid = signed(PAYLOAD)['x-slack-signature'].slice(3);
  describe.each([
    ['without the v0= prefix', valid],
    ['with a v1= prefix', `v1=${valid}`],
    ['with an odd number of hex digits', `v0=${valid.slice(1)}`],
    ['with non-hex characters', `v0=${valid.slice(2)}zz`],
    ['that is a sha1 digest', `v0=${valid.slice(0, 40)}`],
  ])('a signature %s', (_case, signature) => {
    it('rejects it as malformed', () => {
      const headers = { ...signed(PAYLOAD), 'x-slack-signature': signature };

      const result = verifySlack(request(PAYLOAD, headers), OPTIONS);

      expect(result).toMatchObject({ ok: false, reason: 'malformed_signature' });
    });
  });

  it('never puts the secret or the expected signature in the failure detail', () => {
    const headers = { ...signed(PAYLOAD), 'x-slack-signature': `v0=${'0'.repeat(64)}` };

    const result = verifySlack(request(PAYLOAD, headers), OPTIONS);

    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(JSON.stringify(result)).not.toContain(valid);
  });
});

describe('slackScheme.sign', () => {
  it('signs requests that the documented rule and verifySlack accept', async () => {
    // Arrange
    const sign = slackScheme.sign;
    if (sign === undefined) throw new Error('slackScheme cannot sign');
    const toSign = {
      method: 'POST',
      url: 'https://example.com/slack',
      body: PAYLOAD,
      secret: SECRET,
      now: NOW,
    };

    // Act
    const { headers } = await sign({ ...toSign, deliveryId: 'd1' }, OPTIONS);

    // Assert
    expect(headers).toEqual(signed(PAYLOAD));
    expect(verifySlack(request(PAYLOAD, headers), OPTIONS).ok).toBe(true);
  });
});

describe('slackScheme.handshake (url_verification)', () => {
  const TOOLS: HandshakeTools = {
    secrets: async () => [SECRET],
    resolveSecret: async () => [],
    storeSecret: async () => {},
    get: async () => 200,
  };

  function handshakeRequest(body: string): HandshakeRequest {
    return {
      method: 'POST',
      url: new URL('https://example.com/slack/events'),
      headers: { 'content-type': 'application/json', ...signed(body) },
      body: new TextEncoder().encode(body),
      payload: JSON.parse(body),
      now: NOW,
    };
  }

  async function answer(body: string) {
    const handshake = slackScheme.handshake;
    if (handshake === undefined) throw new Error('slackScheme has no handshake');
    return handshake(handshakeRequest(body), OPTIONS, TOOLS);
  }

  it('answers a signed url_verification with 200 and the challenge as JSON', async () => {
    // Arrange: the example request from Slack's url_verification docs, signed.
    const body = JSON.stringify({
      token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
      type: 'url_verification',
    });
    const verified = verifySlack(request(body, signed(body)), OPTIONS);

    // Act
    const outcome = await answer(body);

    // Assert
    expect(verified.ok).toBe(true);
    expect(outcome).toEqual({
      kind: 'slack.url_verification',
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}',
    });
  });

  it('escapes the challenge as JSON', async () => {
    const outcome = await answer(JSON.stringify({ type: 'url_verification', challenge: 'a"b\\c' }));

    expect(outcome && 'body' in outcome ? JSON.parse(outcome.body ?? '') : undefined).toEqual({
      challenge: 'a"b\\c',
    });
  });

  it('lets an event callback go on as an event', async () => {
    const outcome = await answer(
      JSON.stringify({ type: 'event_callback', event_id: 'Ev1', event: { type: 'message' } }),
    );

    expect(outcome).toBeUndefined();
  });

  it('refuses a url_verification without a challenge', async () => {
    const outcome = await answer(JSON.stringify({ type: 'url_verification', token: 't' }));

    expect(outcome).toMatchObject({
      kind: 'slack.url_verification',
      refused: true,
      status: 403,
      code: 'handshake_refused',
    });
  });

  it('comes after verification: an unsigned url_verification fails the verify step', () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'c' });
    const forged = { ...signed(body, String(NOW_SECONDS), 'attacker') };

    const unsigned = verifySlack(request(body, {}), OPTIONS);
    const wrongSecret = verifySlack(request(body, forged), OPTIONS);

    expect(unsigned).toMatchObject({ ok: false, reason: 'missing_signature' });
    expect(wrongSecret).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });
});
