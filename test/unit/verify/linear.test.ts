import { createHmac } from 'node:crypto';
import { LinearWebhookClient } from '@linear/sdk/webhooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { linearScheme, verifyLinear } from '../../../shared/verify/linear.js';
import type { SchemeConfig, SignedRequest } from '../../../shared/verify/scheme.js';
import { requestBuilder } from '../../helpers/verify-requests.js';

const SECRET = 'lin_wh_3f9a1c7e5b2d4f6a8c0e1b3d5f7a9c2e';
const linear = new LinearWebhookClient(SECRET);
const NOW = new Date('2026-01-15T12:00:00.250Z');
const NOW_MS = NOW.getTime();
const OPTIONS: SchemeConfig<'linear'> = { scheme: 'linear', secret: { name: 'LINEAR_WEBHOOK_SECRET' } };

function payload(webhookTimestamp: unknown = NOW_MS, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    action: 'create',
    type: 'Issue',
    data: { id: '2174add1-f7c8-44e3-bbf3-2d60b5ea8bc9', title: 'Ünïcødé ✓' },
    url: 'https://linear.app/acme/issue/ENG-1',
    organizationId: 'a1b2c3',
    webhookId: 'w1',
    webhookTimestamp,
    ...extra,
  });
}

/** The documented rule, computed with node:crypto: hex HMAC-SHA256 of the raw body. */
function signature(body: string | Uint8Array, secret = SECRET): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

const request = requestBuilder(NOW, SECRET);

/** Whether Linear's SDK accepts the request (its `verify` throws rather than returning false). */
function sdkAccepts(body: string, linearSignature: string): boolean {
  try {
    return linear.verify(Buffer.from(body), linearSignature);
  } catch {
    return false;
  }
}

async function signed(body: string, secret = SECRET): Promise<SignedRequest> {
  const sign = linearScheme.sign;
  if (sign === undefined) throw new Error('linearScheme cannot sign');
  const toSign = {
    method: 'POST',
    url: 'https://example.com/linear',
    body,
    secret,
    now: NOW,
    deliveryId: 'd-1',
  };
  return sign(toSign, OPTIONS);
}

describe('verifyLinear()', () => {
  beforeEach(() => {
    // The SDK reads the clock itself.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('accepts a request signed by the documented rule, which the Linear SDK also accepts', () => {
    // Arrange
    const body = payload();
    const headers = { 'linear-signature': signature(body) };

    // Act
    const result = verifyLinear(request(body, headers), OPTIONS);

    // Assert
    expect(sdkAccepts(body, signature(body))).toBe(true);
    expect(result).toEqual({ ok: true, scheme: 'linear', keyId: '0', signedAt: NOW.toISOString() });
  });

  it('signs requests that the Linear SDK accepts, refreshing webhookTimestamp', async () => {
    const stale = payload(NOW_MS - 86_400_000);

    const { headers, body = stale } = await signed(stale);

    expect(sdkAccepts(body, headers['linear-signature'] ?? '')).toBe(true);
    expect(JSON.parse(body)).toMatchObject({ type: 'Issue', webhookTimestamp: NOW_MS });
    expect(headers).toMatchObject({
      'linear-delivery': 'd-1',
      'linear-event': 'Issue',
      'linear-timestamp': String(NOW_MS),
    });
    expect(verifyLinear(request(body, headers), OPTIONS).ok).toBe(true);
  });

  it('signs a body that is not a JSON object as it is', async () => {
    const { headers, body } = await signed('plain text');

    expect(body).toBeUndefined();
    expect(headers['linear-signature']).toBe(signature('plain text'));
    expect(headers['linear-event']).toBeUndefined();
  });

  it('reports the index of the rotated secret that matched', () => {
    const body = payload();

    const result = verifyLinear(
      request(body, { 'linear-signature': signature(body, 'new') }, ['old', 'new']),
      OPTIONS,
    );

    expect(result).toMatchObject({ ok: true, keyId: '1' });
  });

  it('rejects a tampered body', () => {
    const body = payload();

    const result = verifyLinear(
      request(body.replace('create', 'remove'), { 'linear-signature': signature(body) }),
      OPTIONS,
    );

    expect(result).toMatchObject({ ok: false, scheme: 'linear', reason: 'signature_mismatch' });
  });

  it('rejects a tampered signature', () => {
    const body = payload();
    const valid = signature(body);
    const flipped = `${valid.slice(0, -1)}${valid.endsWith('0') ? '1' : '0'}`;

    const result = verifyLinear(request(body, { 'linear-signature': flipped }), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature made with another secret', () => {
    const body = payload();

    const result = verifyLinear(request(body, { 'linear-signature': signature(body, 'attacker') }), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature older than the tolerance, as the SDK does', () => {
    const body = payload(NOW_MS - 60_001);

    const result = verifyLinear(request(body, { 'linear-signature': signature(body) }), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(sdkAccepts(body, signature(body))).toBe(false);
  });

  it('rejects a timestamp too far in the future, as the SDK does', () => {
    const body = payload(NOW_MS + 60_001);

    const result = verifyLinear(request(body, { 'linear-signature': signature(body) }), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(sdkAccepts(body, signature(body))).toBe(false);
  });

  describe.each([
    [60, -60_000, true],
    [60, 60_000, true],
    [300, -299_000, true],
    [300, 300_001, false],
    [5, -5_001, false],
  ])('with toleranceSeconds %i and a webhookTimestamp %i ms from now', (toleranceSeconds, offset, ok) => {
    it(ok ? 'accepts the request' : 'rejects the request as out of tolerance', () => {
      const body = payload(NOW_MS + offset);

      const result = verifyLinear(request(body, { 'linear-signature': signature(body) }), {
        ...OPTIONS,
        toleranceSeconds,
      });

      expect(result.ok).toBe(ok);
      if (!result.ok) expect(result.reason).toBe('timestamp_out_of_tolerance');
    });
  });

  it('rejects a request without a linear-signature header', () => {
    const result = verifyLinear(request(payload(), {}), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it('rejects a signed body without webhookTimestamp, whatever the unsigned linear-timestamp header says', () => {
    const body = JSON.stringify({ type: 'Issue', action: 'create' });
    const headers = { 'linear-signature': signature(body), 'linear-timestamp': String(NOW_MS) };

    const result = verifyLinear(request(body, headers), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_timestamp' });
    expect(sdkAccepts(body, signature(body))).toBe(false);
  });

  it('rejects a signed empty body, which carries no signed timestamp, without throwing', () => {
    const result = verifyLinear(request('', { 'linear-signature': signature('') }), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_timestamp' });
    expect(sdkAccepts('', signature(''))).toBe(false);
  });

  it.each([
    ['a string', String(NOW_MS)],
    ['a fraction', NOW_MS + 0.5],
    ['negative', -NOW_MS],
    ['enormous', 1e300],
  ])('rejects a webhookTimestamp that is %s as malformed', (_case, timestamp) => {
    const body = payload(timestamp);

    const result = verifyLinear(request(body, { 'linear-signature': signature(body) }), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'malformed_timestamp' });
  });

  it('checks the signature before it reads the body', () => {
    const body = 'not json';

    const result = verifyLinear(request(body, { 'linear-signature': signature(body, 'attacker') }), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects every request when no secret is configured', () => {
    const body = payload();

    const result = verifyLinear(request(body, { 'linear-signature': signature(body) }, []), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_secret' });
  });

  const valid = signature(payload());
  describe.each([
    ['truncated', valid.slice(0, 63)],
    ['with a sha256= prefix', `sha256=${valid}`],
    ['with non-hex characters', `${valid.slice(2)}zz`],
    ['in base64', Buffer.from(valid, 'hex').toString('base64')],
  ])('a signature %s', (_case, value) => {
    it('rejects it as malformed', () => {
      const result = verifyLinear(request(payload(), { 'linear-signature': value }), OPTIONS);

      expect(result).toMatchObject({ ok: false, reason: 'malformed_signature' });
    });
  });

  it('never puts the secret or the expected signature in the failure detail', () => {
    const result = verifyLinear(
      request(payload(), { 'linear-signature': signature(payload(), 'wrong') }),
      OPTIONS,
    );

    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(JSON.stringify(result)).not.toContain(valid);
  });
});

describe('linearScheme', () => {
  it('takes the delivery id from linear-delivery', () => {
    const id = linearScheme.deliveryId?.({ headers: { 'linear-delivery': 'b1a7e6f0' }, payload: {} });

    expect(id).toBe('b1a7e6f0');
  });

  it('takes the event type from linear-event, else from the body type', () => {
    const body = JSON.parse(payload());

    expect(linearScheme.eventType?.({ headers: { 'linear-event': 'Comment' }, payload: body })).toBe(
      'Comment',
    );
    expect(linearScheme.eventType?.({ headers: {}, payload: body })).toBe('Issue');
  });
});
