import { createHmac } from 'node:crypto';
import { Paddle } from '@paddle/paddle-node-sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { paddleScheme, verifyPaddle } from '../../../shared/verify/paddle.js';
import { CannotSignError, type SchemeConfig } from '../../../shared/verify/scheme.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

const paddle = new Paddle('pdl_sdbx_apikey_test');
const SECRET = 'pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7_6h3qd3uFSi9YCD3OLYAShQI90XTI5vEI';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const OPTIONS: SchemeConfig<'paddle'> = { scheme: 'paddle', secret: { name: 'PADDLE_SECRET' } };
const PAYLOAD = JSON.stringify({
  event_id: 'evt_01h8441jx8x1q971q9ksksqh82',
  event_type: 'transaction.completed',
  occurred_at: '2026-01-15T11:59:59.000Z',
  notification_id: 'ntf_01h8441jz6bhprlfjeq7x1xd2c',
  data: { id: 'txn_01h8441', note: 'Ünïcødé ✓' },
});

/** A signature computed in the test with node:crypto, following Paddle's documented rule. */
function h1(body: string | Uint8Array, timestamp: number | string = NOW_SECONDS, secret = SECRET): string {
  return createHmac('sha256', secret).update(`${timestamp}:`).update(body).digest('hex');
}

function header(
  body: string | Uint8Array,
  timestamp: number | string = NOW_SECONDS,
  secret = SECRET,
): string {
  return `ts=${timestamp};h1=${h1(body, timestamp, secret)}`;
}

function request(
  body: string | Uint8Array,
  signature: string | undefined,
  { secrets = [SECRET] as readonly string[], now = NOW } = {},
): VerificationInput {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return { body: bytes, headers: { 'paddle-signature': signature }, secrets, now };
}

/** The `paddle-signature` header `paddleScheme.sign` produces for `body`. */
async function signed(body: string, secret = SECRET): Promise<string> {
  const sign = paddleScheme.sign;
  if (sign === undefined) throw new Error('paddleScheme cannot sign');
  const request = {
    method: 'POST',
    url: 'https://example.com/paddle',
    body,
    secret,
    now: NOW,
    deliveryId: 'd1',
  };
  const { headers } = await sign(request, OPTIONS);
  return headers['paddle-signature'] ?? '';
}

describe('verifyPaddle()', () => {
  beforeEach(() => {
    // The SDK reads the clock itself.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('accepts a request signed by the documented rule, which the Paddle SDK also accepts', async () => {
    // Arrange
    const signature = header(PAYLOAD);

    // Act
    const ours = verifyPaddle(request(PAYLOAD, signature), OPTIONS);
    const theirs = await paddle.webhooks.isSignatureValid(PAYLOAD, SECRET, signature);

    // Assert
    expect(theirs).toBe(true);
    expect(ours).toEqual({ ok: true, scheme: 'paddle', keyId: '0', signedAt: NOW.toISOString() });
  });

  it('signs requests that the Paddle SDK unmarshals', async () => {
    // An event type the SDK has no class for, so it needs no complete transaction in `data`.
    const body = PAYLOAD.replace('transaction.completed', 'hookline.test');
    const signature = await signed(body);

    const event = await paddle.webhooks.unmarshal(body, SECRET, signature);

    expect(event.eventId).toBe('evt_01h8441jx8x1q971q9ksksqh82');
    expect(signature).toBe(header(body));
  });

  it('accepts its own signature', async () => {
    const result = verifyPaddle(request(PAYLOAD, await signed(PAYLOAD)), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('uses a pdl_ntfset_ secret verbatim, prefix included', () => {
    const withoutPrefix = header(PAYLOAD, NOW_SECONDS, SECRET.slice('pdl_ntfset_'.length));

    const result = verifyPaddle(request(PAYLOAD, withoutPrefix), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('accepts an empty body', () => {
    const result = verifyPaddle(request('', header('')), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('accepts a binary (non-UTF-8) body byte for byte', () => {
    const body = Uint8Array.from([0x7b, 0xff, 0xfe, 0x00, 0xc3, 0x28, 0x7d]);

    const result = verifyPaddle(request(body, header(body)), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('accepts a header with several h1 signatures when one matches (rotation)', async () => {
    const signature = `ts=${NOW_SECONDS};h1=${h1(PAYLOAD, NOW_SECONDS, 'old')};h1=${h1(PAYLOAD)}`;
    const reversed = `ts=${NOW_SECONDS};h1=${h1(PAYLOAD)};h1=${h1(PAYLOAD, NOW_SECONDS, 'old')}`;

    const results = [signature, reversed].map((value) => verifyPaddle(request(PAYLOAD, value), OPTIONS));
    // The SDK keeps only the last h1: it misses the match when the new secret's signature is first.
    const sdk = await paddle.webhooks.isSignatureValid(PAYLOAD, SECRET, reversed);

    expect(results.map((result) => result.ok)).toEqual([true, true]);
    expect(sdk).toBe(false);
  });

  it('skips a malformed h1 entry when another h1 matches', () => {
    const signature = `ts=${NOW_SECONDS};h1=not-hex;h1=${h1(PAYLOAD)}`;

    const result = verifyPaddle(request(PAYLOAD, signature), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('reports the index of the rotated secret that matched', () => {
    const input = request(PAYLOAD, header(PAYLOAD, NOW_SECONDS, 'new'), { secrets: ['old', 'new'] });

    const result = verifyPaddle(input, OPTIONS);

    expect(result).toMatchObject({ ok: true, keyId: '1' });
  });

  it('rejects a tampered body', () => {
    const input = request(PAYLOAD.replace('completed', 'refunded'), header(PAYLOAD));

    const result = verifyPaddle(input, OPTIONS);

    expect(result).toMatchObject({ ok: false, scheme: 'paddle', reason: 'signature_mismatch' });
  });

  it('rejects a tampered signature', () => {
    const valid = h1(PAYLOAD);
    const flipped = `${valid.slice(0, -1)}${valid.endsWith('0') ? '1' : '0'}`;

    const result = verifyPaddle(request(PAYLOAD, `ts=${NOW_SECONDS};h1=${flipped}`), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature made with another secret', () => {
    const result = verifyPaddle(request(PAYLOAD, header(PAYLOAD, NOW_SECONDS, 'attacker')), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature whose ts was changed after signing', () => {
    const replayed = header(PAYLOAD, NOW_SECONDS - 10).replace(`ts=${NOW_SECONDS - 10}`, `ts=${NOW_SECONDS}`);

    const result = verifyPaddle(request(PAYLOAD, replayed), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature older than the tolerance', () => {
    const result = verifyPaddle(request(PAYLOAD, header(PAYLOAD, NOW_SECONDS - 61)), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  it('rejects a timestamp too far in the future, which the SDK accepts', async () => {
    const signature = header(PAYLOAD, NOW_SECONDS + 61);

    const result = verifyPaddle(request(PAYLOAD, signature), OPTIONS);
    const sdk = await paddle.webhooks.isSignatureValid(PAYLOAD, SECRET, signature);

    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(sdk).toBe(true);
  });

  describe.each([
    [5, -5, true],
    [5, -6, false],
    [5, 6, false],
    [600, -599, true],
    [600, 601, false],
  ])('with toleranceSeconds %i and a timestamp %i s from now', (toleranceSeconds, offset, ok) => {
    it(ok ? 'accepts the request' : 'rejects the request as out of tolerance', () => {
      const input = request(PAYLOAD, header(PAYLOAD, NOW_SECONDS + offset));

      const result = verifyPaddle(input, { ...OPTIONS, toleranceSeconds });

      expect(result.ok).toBe(ok);
      if (!result.ok) expect(result.reason).toBe('timestamp_out_of_tolerance');
    });
  });

  it('rejects a request without a paddle-signature header', () => {
    const result = verifyPaddle(request(PAYLOAD, undefined), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it('rejects every request when no secret is configured', () => {
    const result = verifyPaddle(request(PAYLOAD, header(PAYLOAD), { secrets: [''] }), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_secret' });
  });

  const valid = h1(PAYLOAD);
  describe.each([
    ['without ts', `h1=${valid}`, 'missing_timestamp'],
    ['without h1', `ts=${NOW_SECONDS}`, 'malformed_signature'],
    ['that is garbage', 'garbage', 'malformed_signature'],
    ['with a non-numeric ts', `ts=soon;h1=${valid}`, 'malformed_timestamp'],
    ['with a fractional ts', `ts=${NOW_SECONDS}.5;h1=${valid}`, 'malformed_timestamp'],
    ['with a millisecond ts', `ts=${NOW.getTime()};h1=${valid}`, 'timestamp_out_of_tolerance'],
    ['with two ts entries', `ts=${NOW_SECONDS};ts=${NOW_SECONDS};h1=${valid}`, 'malformed_timestamp'],
    ['with a truncated h1', `ts=${NOW_SECONDS};h1=${valid.slice(0, 63)}`, 'malformed_signature'],
    ['with a non-hex h1', `ts=${NOW_SECONDS};h1=${'g'.repeat(64)}`, 'malformed_signature'],
    ['with an empty h1', `ts=${NOW_SECONDS};h1=`, 'malformed_signature'],
    ['with a comma separator', `ts=${NOW_SECONDS},h1=${valid}`, 'malformed_signature'],
  ])('a header %s', (_case, signature, reason) => {
    it(`rejects it with ${reason}`, () => {
      const result = verifyPaddle(request(PAYLOAD, signature), OPTIONS);

      expect(result).toMatchObject({ ok: false, reason });
    });
  });

  it('never puts the secret or the expected signature in the failure detail', () => {
    const result = verifyPaddle(request(PAYLOAD, header(PAYLOAD, NOW_SECONDS, 'wrong')), OPTIONS);

    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(JSON.stringify(result)).not.toContain(valid);
  });
});

describe('paddleScheme', () => {
  it('refuses to sign with an empty secret', () => {
    const sign = () =>
      paddleScheme.sign?.(
        { method: 'POST', url: 'https://example.com/', body: '{}', secret: '', now: NOW, deliveryId: 'd1' },
        OPTIONS,
      );

    expect(sign).toThrow(CannotSignError);
  });

  it('takes the delivery id from event_id, falling back to notification_id', () => {
    const payload = JSON.parse(PAYLOAD) as Record<string, unknown>;
    const { event_id: _eventId, ...withoutEventId } = payload;

    expect(paddleScheme.deliveryId?.({ headers: {}, payload })).toBe('evt_01h8441jx8x1q971q9ksksqh82');
    expect(paddleScheme.deliveryId?.({ headers: {}, payload: withoutEventId })).toBe(
      'ntf_01h8441jz6bhprlfjeq7x1xd2c',
    );
    expect(paddleScheme.deliveryId?.({ headers: {}, payload: {} })).toBeUndefined();
  });

  it('takes the event type from event_type', () => {
    const eventType = paddleScheme.eventType?.({ headers: {}, payload: JSON.parse(PAYLOAD) });

    expect(eventType).toBe('transaction.completed');
  });
});
