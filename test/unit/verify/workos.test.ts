import { createHmac } from 'node:crypto';
import { WorkOS } from '@workos-inc/node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SchemeConfig } from '../../../shared/verify/scheme.js';
import { checkEpochMilliseconds } from '../../../shared/verify/timestamp.js';
import type { VerificationInput } from '../../../shared/verify/types.js';
import { verifyWorkos, workosScheme } from '../../../shared/verify/workos.js';

const workos = new WorkOS('sk_test_hookline');
const SECRET = 'wos_whsec_4b1c2d3e4f5a6b7c8d9e0f1a';
const NOW = new Date('2026-01-15T12:00:00.123Z');
const NOW_MS = NOW.getTime();
const OPTIONS: SchemeConfig<'workos'> = { scheme: 'workos', secret: { name: 'WORKOS_WEBHOOK_SECRET' } };
const PAYLOAD = JSON.stringify({
  id: 'event_01HWWSVZXXW9DCYK0WH9X7RA5C',
  event: 'user.created',
  data: {
    object: 'user',
    id: 'user_01E4ZCR3C56J083X43JQXF3JK5',
    email: 'marcelina@example.com',
    first_name: 'Marcelina',
    last_name: 'Davis',
    email_verified: true,
    profile_picture_url: null,
    created_at: '2026-01-15T11:59:59.000Z',
    updated_at: '2026-01-15T11:59:59.000Z',
  },
  created_at: '2026-01-15T11:59:59.000Z',
});

/** A header whose signature comes from the WorkOS SDK's own `computeSignature`. */
async function sdkHeader(payload: string, { secret = SECRET, timestamp = NOW_MS } = {}): Promise<string> {
  return `t=${timestamp}, v1=${await workos.webhooks.computeSignature(String(timestamp), payload, secret)}`;
}

function request(
  body: string | Uint8Array,
  signature: string | undefined,
  secrets: readonly string[] = [SECRET],
): VerificationInput {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return { body: bytes, headers: { 'workos-signature': signature }, secrets, now: NOW };
}

/** The hex v1 of the documented rule, computed with node:crypto. */
function v1(body: string | Uint8Array, timestamp: number | string = NOW_MS, secret = SECRET): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The `workos-signature` header `workosScheme.sign` produces for `body`. */
async function ourHeader(body: string, secret = SECRET): Promise<string> {
  const sign = workosScheme.sign;
  if (sign === undefined) throw new Error('workosScheme cannot sign');
  const request = {
    method: 'POST',
    url: 'https://example.com/workos',
    body,
    secret,
    now: NOW,
    deliveryId: 'd1',
  };
  const { headers } = await sign(request, OPTIONS);
  return headers['workos-signature'] ?? '';
}

describe('verifyWorkos()', () => {
  beforeEach(() => {
    // The SDK reads the clock itself.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('accepts a header signed by the WorkOS SDK', async () => {
    // Arrange
    const input = request(PAYLOAD, await sdkHeader(PAYLOAD));

    // Act
    const result = verifyWorkos(input, OPTIONS);

    // Assert
    expect(result).toEqual({ ok: true, scheme: 'workos', keyId: '0', signedAt: NOW.toISOString() });
  });

  it('signs requests that the WorkOS SDK accepts', async () => {
    const sigHeader = await ourHeader(PAYLOAD);

    const event = await workos.webhooks.constructEvent({ payload: PAYLOAD, sigHeader, secret: SECRET });

    expect(event).toMatchObject({ id: 'event_01HWWSVZXXW9DCYK0WH9X7RA5C', event: 'user.created' });
    expect(sigHeader).toBe(await sdkHeader(PAYLOAD));
  });

  it('accepts its own signature', async () => {
    const result = verifyWorkos(request(PAYLOAD, await ourHeader(PAYLOAD)), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('accepts an empty body', async () => {
    const result = verifyWorkos(request('', await sdkHeader('')), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('accepts a binary (non-UTF-8) body byte for byte', () => {
    const body = Uint8Array.from([0x7b, 0xff, 0xfe, 0x00, 0xc3, 0x28, 0x7d]);

    const result = verifyWorkos(request(body, `t=${NOW_MS}, v1=${v1(body)}`), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('accepts the header without the space after the comma', () => {
    const result = verifyWorkos(request(PAYLOAD, `t=${NOW_MS},v1=${v1(PAYLOAD)}`), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('accepts a header with several v1 signatures when one matches', () => {
    const signature = `t=${NOW_MS}, v1=${v1(PAYLOAD, NOW_MS, 'old')}, v1=${v1(PAYLOAD)}`;

    const result = verifyWorkos(request(PAYLOAD, signature), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('reports the index of the rotated secret that matched', async () => {
    const input = request(PAYLOAD, await sdkHeader(PAYLOAD, { secret: 'new' }), ['old', 'new']);

    const result = verifyWorkos(input, OPTIONS);

    expect(result).toMatchObject({ ok: true, keyId: '1' });
  });

  it('rejects a tampered body', async () => {
    const input = request(PAYLOAD.replace('user.created', 'user.deleted'), await sdkHeader(PAYLOAD));

    const result = verifyWorkos(input, OPTIONS);

    expect(result).toMatchObject({ ok: false, scheme: 'workos', reason: 'signature_mismatch' });
  });

  it('rejects a tampered signature', () => {
    const valid = v1(PAYLOAD);
    const flipped = `${valid.slice(0, -1)}${valid.endsWith('0') ? '1' : '0'}`;

    const result = verifyWorkos(request(PAYLOAD, `t=${NOW_MS}, v1=${flipped}`), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature made with another secret', async () => {
    const result = verifyWorkos(request(PAYLOAD, await sdkHeader(PAYLOAD, { secret: 'attacker' })), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature whose t was changed after signing', async () => {
    const signed = await sdkHeader(PAYLOAD, { timestamp: NOW_MS - 1000 });
    const replayed = signed.replace(`t=${NOW_MS - 1000}`, `t=${NOW_MS}`);

    const result = verifyWorkos(request(PAYLOAD, replayed), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature older than the tolerance', async () => {
    const input = request(PAYLOAD, await sdkHeader(PAYLOAD, { timestamp: NOW_MS - 180_001 }));

    const result = verifyWorkos(input, OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  it('rejects a timestamp too far in the future, which the SDK accepts', async () => {
    const sigHeader = await sdkHeader(PAYLOAD, { timestamp: NOW_MS + 180_001 });

    const result = verifyWorkos(request(PAYLOAD, sigHeader), OPTIONS);
    const sdk = await workos.webhooks.verifyHeader({ payload: PAYLOAD, sigHeader, secret: SECRET });

    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(sdk).toBe(true);
  });

  describe.each([
    [180, -180_000, true],
    [180, 180_000, true],
    [10, -10_001, false],
    [10, 10_001, false],
    [600, -599_999, true],
  ])('with toleranceSeconds %i and a timestamp %i ms from now', (toleranceSeconds, offset, ok) => {
    it(ok ? 'accepts the request' : 'rejects the request as out of tolerance', async () => {
      const input = request(PAYLOAD, await sdkHeader(PAYLOAD, { timestamp: NOW_MS + offset }));

      const result = verifyWorkos(input, { ...OPTIONS, toleranceSeconds });

      expect(result.ok).toBe(ok);
      if (!result.ok) expect(result.reason).toBe('timestamp_out_of_tolerance');
    });
  });

  it('rejects a request without a workos-signature header', () => {
    const result = verifyWorkos(request(PAYLOAD, undefined), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it('rejects every request when no secret is configured', async () => {
    const result = verifyWorkos(request(PAYLOAD, await sdkHeader(PAYLOAD), []), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_secret' });
  });

  const valid = v1(PAYLOAD);
  describe.each([
    ['without t', `v1=${valid}`, 'missing_timestamp'],
    ['without v1', `t=${NOW_MS}`, 'malformed_signature'],
    ['that is garbage', 'garbage', 'malformed_signature'],
    ['with a non-numeric t', `t=soon, v1=${valid}`, 'malformed_timestamp'],
    ['with a negative t', `t=-${NOW_MS}, v1=${valid}`, 'malformed_timestamp'],
    ['with a fractional t', `t=${NOW_MS}.5, v1=${valid}`, 'malformed_timestamp'],
    ['with an enormous t', `t=${'9'.repeat(40)}, v1=${valid}`, 'malformed_timestamp'],
    ['with a t in seconds', `t=${Math.floor(NOW_MS / 1000)}, v1=${valid}`, 'timestamp_out_of_tolerance'],
    ['with two t entries', `t=${NOW_MS}, t=${NOW_MS}, v1=${valid}`, 'malformed_timestamp'],
    ['with a truncated v1', `t=${NOW_MS}, v1=${valid.slice(0, 62)}`, 'malformed_signature'],
    ['with a non-hex v1', `t=${NOW_MS}, v1=${'z'.repeat(64)}`, 'malformed_signature'],
    [
      'with a base64 v1',
      `t=${NOW_MS}, v1=${Buffer.from(valid, 'hex').toString('base64')}`,
      'malformed_signature',
    ],
  ])('a header %s', (_case, signature, reason) => {
    it(`rejects it with ${reason}`, () => {
      const result = verifyWorkos(request(PAYLOAD, signature), OPTIONS);

      expect(result).toMatchObject({ ok: false, reason });
    });
  });

  it('never puts the secret or the expected signature in the failure detail', async () => {
    const result = verifyWorkos(request(PAYLOAD, await sdkHeader(PAYLOAD, { secret: 'wrong' })), OPTIONS);

    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(JSON.stringify(result)).not.toContain(valid);
  });
});

describe('checkEpochMilliseconds()', () => {
  it.each([Number.NaN, 1.5, -1, 9e15])('rejects %d as out of range', (milliseconds) => {
    expect(checkEpochMilliseconds(milliseconds, NOW, 60)).toMatchObject({
      ok: false,
      reason: 'malformed_timestamp',
    });
  });

  it('fails closed on a tolerance that is not a number', () => {
    expect(checkEpochMilliseconds(NOW_MS, NOW, Number.NaN)).toMatchObject({ ok: false });
  });
});

describe('workosScheme', () => {
  it('takes the delivery id from id and the event type from event', () => {
    const delivery = { headers: {}, payload: JSON.parse(PAYLOAD) };

    expect(workosScheme.deliveryId?.(delivery)).toBe('event_01HWWSVZXXW9DCYK0WH9X7RA5C');
    expect(workosScheme.eventType?.(delivery)).toBe('user.created');
  });
});
