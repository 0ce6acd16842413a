import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HandshakeRequest, HandshakeTools, SchemeConfig } from '../../../shared/verify/scheme.js';
import { verifyZoom, zoomScheme } from '../../../shared/verify/zoom.js';
import { requestBuilder } from '../../helpers/verify-requests.js';

// @zoom/rivet is not installed (and signs a re-serialized body): every signature here is computed
// with node:crypto following Zoom's documented rule.
const SECRET = 'zG8tVjzYSyKkXh2aX7bN9w';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const OPTIONS: SchemeConfig<'zoom'> = { scheme: 'zoom', secret: { name: 'ZOOM_SECRET_TOKEN' } };
const PAYLOAD = JSON.stringify({
  event: 'meeting.started',
  event_ts: 1768478399000,
  payload: { account_id: 'AAAAAA', object: { id: '1234567890', topic: 'Ünïcødé ✓' } },
});

function zoomSignature(body: string | Uint8Array, timestamp: string, secret: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;
}

function signed(body: string | Uint8Array, timestamp = String(NOW_SECONDS), secret = SECRET) {
  return { 'x-zm-signature': zoomSignature(body, timestamp, secret), 'x-zm-request-timestamp': timestamp };
}

const request = requestBuilder(NOW, SECRET);

describe('verifyZoom()', () => {
  it('accepts a request signed by the documented rule', () => {
    // Arrange
    const input = request(PAYLOAD, signed(PAYLOAD));

    // Act
    const result = verifyZoom(input, OPTIONS);

    // Assert
    expect(result).toEqual({ ok: true, scheme: 'zoom', keyId: '0', signedAt: NOW.toISOString() });
  });

  it('signs requests with the documented rule, which it accepts', async () => {
    const sign = zoomScheme.sign;
    if (sign === undefined) throw new Error('zoomScheme cannot sign');
    const toSign = {
      method: 'POST',
      url: 'https://example.com/zoom',
      body: PAYLOAD,
      secret: SECRET,
      now: NOW,
    };

    const { headers } = await sign({ ...toSign, deliveryId: 'd1' }, OPTIONS);

    expect(headers).toEqual(signed(PAYLOAD));
    expect(verifyZoom(request(PAYLOAD, headers), OPTIONS).ok).toBe(true);
  });

  it('accepts an empty body', () => {
    const result = verifyZoom(request('', signed('')), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('verifies the raw bytes, not a re-serialized body as the Rivet SDK does', () => {
    const raw = '{ "event": "meeting.started",\n  "payload": {} }';
    const reserialized = JSON.stringify(JSON.parse(raw));

    const result = verifyZoom(request(raw, signed(reserialized)), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('reports the index of the rotated secret that matched', () => {
    const input = request(PAYLOAD, signed(PAYLOAD, String(NOW_SECONDS), 'new'), ['old', 'new']);

    const result = verifyZoom(input, OPTIONS);

    expect(result).toMatchObject({ ok: true, keyId: '1' });
  });

  it('rejects a tampered body', () => {
    const result = verifyZoom(request(PAYLOAD.replace('started', 'ended'), signed(PAYLOAD)), OPTIONS);

    expect(result).toMatchObject({ ok: false, scheme: 'zoom', reason: 'signature_mismatch' });
  });

  it('rejects a tampered signature', () => {
    const valid = signed(PAYLOAD)['x-zm-signature'];
    const flipped = `${valid.slice(0, -1)}${valid.endsWith('0') ? '1' : '0'}`;

    const result = verifyZoom(request(PAYLOAD, { ...signed(PAYLOAD), 'x-zm-signature': flipped }), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature made with another secret', () => {
    const result = verifyZoom(request(PAYLOAD, signed(PAYLOAD, String(NOW_SECONDS), 'attacker')), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a timestamp header changed after signing', () => {
    const headers = {
      ...signed(PAYLOAD, String(NOW_SECONDS - 5)),
      'x-zm-request-timestamp': String(NOW_SECONDS),
    };

    const result = verifyZoom(request(PAYLOAD, headers), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it.each([
    ['older than', -301],
    ['further in the future than', 301],
  ])('rejects a timestamp %s the tolerance', (_case, offset) => {
    const result = verifyZoom(request(PAYLOAD, signed(PAYLOAD, String(NOW_SECONDS + offset))), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  it('honours a custom tolerance', () => {
    const input = request(PAYLOAD, signed(PAYLOAD, String(NOW_SECONDS - 100)));

    const strict = verifyZoom(input, { ...OPTIONS, toleranceSeconds: 60 });
    const lenient = verifyZoom(input, { ...OPTIONS, toleranceSeconds: 120 });

    expect(strict).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(lenient.ok).toBe(true);
  });

  it('rejects a request without a signature header', () => {
    const { 'x-zm-signature': _signature, ...headers } = signed(PAYLOAD);

    const result = verifyZoom(request(PAYLOAD, headers), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it('rejects a request without a timestamp header', () => {
    const { 'x-zm-request-timestamp': _timestamp, ...headers } = signed(PAYLOAD);

    const result = verifyZoom(request(PAYLOAD, headers), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_timestamp' });
  });

  it.each(['soon', '1.5e9', `${NOW_SECONDS}.5`, `-${NOW_SECONDS}`, `${NOW.getTime()}x`])(
    'rejects the malformed timestamp %j',
    (timestamp) => {
      const result = verifyZoom(request(PAYLOAD, signed(PAYLOAD, timestamp)), OPTIONS);

      expect(result).toMatchObject({ ok: false, reason: 'malformed_timestamp' });
    },
  );

  it('rejects every request when no secret is configured', () => {
    const result = verifyZoom(request(PAYLOAD, signed(PAYLOAD), []), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_secret' });
  });

  const valid = signed(PAYLOAD)['x-zm-signature'].slice(3);
  describe.each([
    ['without the v0= prefix', valid],
    ['with a v1= prefix', `v1=${valid}`],
    ['that is truncated', `v0=${valid.slice(0, 63)}`],
    ['with non-hex characters', `v0=${valid.slice(2)}zz`],
    ['in base64', `v0=${Buffer.from(valid, 'hex').toString('base64')}`],
  ])('a signature %s', (_case, signature) => {
    it('rejects it as malformed', () => {
      const headers = { ...signed(PAYLOAD), 'x-zm-signature': signature };

      const result = verifyZoom(request(PAYLOAD, headers), OPTIONS);

      expect(result).toMatchObject({ ok: false, reason: 'malformed_signature' });
    });
  });

  it('never puts the secret or the expected signature in the failure detail', () => {
    const result = verifyZoom(request(PAYLOAD, signed(PAYLOAD, String(NOW_SECONDS), 'wrong')), OPTIONS);

    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(JSON.stringify(result)).not.toContain(valid);
  });
});

describe('zoomScheme.handshake (endpoint.url_validation)', () => {
  const PLAIN_TOKEN = 'qgg8vlvZRS6UYooatFL8Aw';
  const VALIDATION = JSON.stringify({
    payload: { plainToken: PLAIN_TOKEN },
    event_ts: 1768478399000,
    event: 'endpoint.url_validation',
  });

  function tools(secrets: readonly string[]): HandshakeTools {
    return {
      secrets: async () => secrets,
      resolveSecret: async () => [],
      storeSecret: async () => {},
      get: async () => 200,
    };
  }

  function handshakeRequest(body: string, headers: Record<string, string>): HandshakeRequest {
    return {
      method: 'POST',
      url: new URL('https://example.com/zoom'),
      headers: { 'content-type': 'application/json', ...headers },
      body: new TextEncoder().encode(body),
      payload: JSON.parse(body),
      now: NOW,
    };
  }

  async function answer(body: string, { signedWith = SECRET, secrets = [SECRET] as readonly string[] } = {}) {
    const handshake = zoomScheme.handshake;
    if (handshake === undefined) throw new Error('zoomScheme has no handshake');
    const headers = signed(body, String(NOW_SECONDS), signedWith);
    return handshake(handshakeRequest(body, headers), OPTIONS, tools(secrets));
  }

  function encrypted(secret: string): string {
    return createHmac('sha256', secret).update(PLAIN_TOKEN).digest('hex');
  }

  it('answers with 200, JSON, the plainToken and its HMAC under the secret token', async () => {
    // Act
    const outcome = await answer(VALIDATION);

    // Assert
    expect(outcome).toEqual({
      kind: 'zoom.endpoint.url_validation',
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ plainToken: PLAIN_TOKEN, encryptedToken: encrypted(SECRET) }),
    });
  });

  it('answers with the rotated secret that signed the request', async () => {
    const outcome = await answer(VALIDATION, {
      signedWith: 'old-token',
      secrets: ['new-token', 'old-token'],
    });

    expect(outcome && 'body' in outcome ? JSON.parse(outcome.body ?? '') : undefined).toEqual({
      plainToken: PLAIN_TOKEN,
      encryptedToken: encrypted('old-token'),
    });
  });

  it('answers with the first secret when none verifies the request any more', async () => {
    const outcome = await answer(VALIDATION, { signedWith: 'gone', secrets: ['new-token', 'old-token'] });

    expect(outcome && 'body' in outcome ? JSON.parse(outcome.body ?? '') : undefined).toMatchObject({
      encryptedToken: encrypted('new-token'),
    });
  });

  it('comes after verification: a forged validation fails the verify step', () => {
    const forged = signed(VALIDATION, String(NOW_SECONDS), 'attacker');

    const result = verifyZoom(request(VALIDATION, forged), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('lets an ordinary event go on as an event', async () => {
    const outcome = await answer(PAYLOAD);

    expect(outcome).toBeUndefined();
  });

  it.each([
    ['no plainToken', { event: 'endpoint.url_validation', payload: {} }],
    ['an empty plainToken', { event: 'endpoint.url_validation', payload: { plainToken: '' } }],
    ['a numeric plainToken', { event: 'endpoint.url_validation', payload: { plainToken: 42 } }],
  ])('refuses a validation with %s', async (_case, body) => {
    const outcome = await answer(JSON.stringify(body));

    expect(outcome).toMatchObject({ kind: 'zoom.endpoint.url_validation', refused: true, status: 403 });
  });

  it('refuses a validation when no secret token is configured', async () => {
    const outcome = await answer(VALIDATION, { secrets: [] });

    expect(outcome).toMatchObject({ refused: true, code: 'handshake_refused' });
  });
});

describe('zoomScheme', () => {
  it('takes the event type from event and names no delivery id', () => {
    const delivery = { headers: {}, payload: JSON.parse(PAYLOAD) };

    expect(zoomScheme.eventType?.(delivery)).toBe('meeting.started');
    expect(zoomScheme.deliveryId?.(delivery)).toBeUndefined();
  });
});
