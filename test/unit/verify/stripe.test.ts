import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import type { StripeVerifyConfig } from '../../../shared/config/types.js';
import { verifyStripe } from '../../../shared/verify/stripe.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

const stripe = new Stripe('sk_test_x');
const SECRET = 'whsec_test_5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const OPTIONS: StripeVerifyConfig = { scheme: 'stripe', secret: { name: 'STRIPE_WEBHOOK_SECRET' } };
const PAYLOAD = JSON.stringify({
  id: 'evt_1',
  object: 'event',
  type: 'charge.succeeded',
  data: { note: 'Ünïcødé ✓' },
});

function header(payload: string, { secret = SECRET, timestamp = NOW_SECONDS } = {}): string {
  return stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

function request(
  body: string | Uint8Array,
  signature: string | undefined,
  secrets: readonly string[] = [SECRET],
): VerificationInput {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return { body: bytes, headers: { 'stripe-signature': signature }, secrets, now: NOW };
}

/** The v1 hex value from a `t=…,v1=…` header. */
function v1Of(signatureHeader: string): string {
  return signatureHeader.split(',v1=')[1] ?? '';
}

describe('verifyStripe()', () => {
  it('accepts a header made by the Stripe SDK', () => {
    // Arrange
    const input = request(PAYLOAD, header(PAYLOAD));

    // Act
    const result = verifyStripe(input, OPTIONS);

    // Assert
    expect(result).toEqual({ ok: true, scheme: 'stripe', keyId: '0', signedAt: NOW.toISOString() });
  });

  it('accepts a header with several v1 signatures when one matches', () => {
    const valid = v1Of(header(PAYLOAD));
    const other = v1Of(header(PAYLOAD, { secret: 'whsec_other' }));
    const signature = `t=${NOW_SECONDS},v1=${other},v1=${valid},v0=${'0'.repeat(64)}`;

    const result = verifyStripe(request(PAYLOAD, signature), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('skips a malformed v1 entry when another v1 matches', () => {
    const signature = `t=${NOW_SECONDS},v1=not-hex,v1=${v1Of(header(PAYLOAD))}`;

    const result = verifyStripe(request(PAYLOAD, signature), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('reports the index of the rotated secret that matched', () => {
    const input = request(PAYLOAD, header(PAYLOAD, { secret: 'whsec_new' }), ['whsec_old', 'whsec_new']);

    const result = verifyStripe(input, OPTIONS);

    expect(result).toMatchObject({ ok: true, keyId: '1' });
  });

  it('accepts an empty body', () => {
    const mac = createHmac('sha256', SECRET).update(`${NOW_SECONDS}.`).digest('hex');

    const result = verifyStripe(request('', `t=${NOW_SECONDS},v1=${mac}`), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('accepts a binary (non-UTF-8) body byte for byte', () => {
    const body = Uint8Array.from([0x7b, 0xff, 0xfe, 0x00, 0xc3, 0x28, 0x7d]);
    const mac = createHmac('sha256', SECRET).update(`${NOW_SECONDS}.`).update(body).digest('hex');

    const result = verifyStripe(request(body, `t=${NOW_SECONDS},v1=${mac}`), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('accepts a timestamp exactly at the tolerance', () => {
    const input = request(PAYLOAD, header(PAYLOAD, { timestamp: NOW_SECONDS - 300 }));

    const result = verifyStripe(input, OPTIONS);

    expect(result).toMatchObject({ ok: true, signedAt: new Date((NOW_SECONDS - 300) * 1000).toISOString() });
  });

  it('rejects a tampered body', () => {
    const input = request(PAYLOAD.replace('charge.succeeded', 'charge.refunded'), header(PAYLOAD));

    const result = verifyStripe(input, OPTIONS);

    expect(result).toMatchObject({ ok: false, scheme: 'stripe', reason: 'signature_mismatch' });
  });

  it('rejects a signature made with another secret', () => {
    const input = request(PAYLOAD, header(PAYLOAD, { secret: 'whsec_attacker' }));

    const result = verifyStripe(input, OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature whose t was changed after signing', () => {
    const signed = header(PAYLOAD, { timestamp: NOW_SECONDS - 10 });
    const replayed = signed.replace(`t=${NOW_SECONDS - 10}`, `t=${NOW_SECONDS}`);

    const result = verifyStripe(request(PAYLOAD, replayed), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature older than the tolerance', () => {
    const input = request(PAYLOAD, header(PAYLOAD, { timestamp: NOW_SECONDS - 301 }));

    const result = verifyStripe(input, OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  it('rejects a timestamp too far in the future', () => {
    const input = request(PAYLOAD, header(PAYLOAD, { timestamp: NOW_SECONDS + 301 }));

    const result = verifyStripe(input, OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  describe.each([
    [600, -500, true],
    [600, 500, true],
    [600, -601, false],
    [10, -11, false],
    [10, 11, false],
    [10, -10, true],
  ])('with toleranceSeconds %i and a timestamp %i s from now', (toleranceSeconds, offset, ok) => {
    it(ok ? 'accepts the request' : 'rejects the request as out of tolerance', () => {
      const input = request(PAYLOAD, header(PAYLOAD, { timestamp: NOW_SECONDS + offset }));

      const result = verifyStripe(input, { ...OPTIONS, toleranceSeconds });

      expect(result.ok).toBe(ok);
      if (!result.ok) expect(result.reason).toBe('timestamp_out_of_tolerance');
    });
  });

  it('rejects a request without a stripe-signature header', () => {
    const result = verifyStripe(request(PAYLOAD, undefined), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it('rejects every request when no secret is configured', () => {
    const result = verifyStripe(request(PAYLOAD, header(PAYLOAD), []), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_secret' });
  });

  const validV1 = v1Of(header(PAYLOAD));
  describe.each([
    ['without t', `v1=${validV1}`, 'missing_timestamp'],
    ['without v1', `t=${NOW_SECONDS}`, 'malformed_signature'],
    ['with only a v0 signature', `t=${NOW_SECONDS},v0=${validV1}`, 'malformed_signature'],
    ['that is garbage', 'garbage', 'malformed_signature'],
    ['that is not key=value pairs', `t=${NOW_SECONDS},${validV1}`, 'malformed_signature'],
    ['with a non-numeric t', `t=soon,v1=${validV1}`, 'malformed_timestamp'],
    ['with a fractional t', `t=${NOW_SECONDS}.5,v1=${validV1}`, 'malformed_timestamp'],
    ['with a negative t', `t=-${NOW_SECONDS},v1=${validV1}`, 'malformed_timestamp'],
    ['with an enormous t', `t=${'9'.repeat(40)},v1=${validV1}`, 'malformed_timestamp'],
    ['with two t entries', `t=${NOW_SECONDS},t=${NOW_SECONDS},v1=${validV1}`, 'malformed_timestamp'],
    ['with a non-hex v1', `t=${NOW_SECONDS},v1=${'g'.repeat(64)}`, 'malformed_signature'],
    ['with a truncated v1', `t=${NOW_SECONDS},v1=${validV1.slice(0, 62)}`, 'malformed_signature'],
    ['with an empty v1', `t=${NOW_SECONDS},v1=`, 'malformed_signature'],
  ])('a header %s', (_case, signature, reason) => {
    it(`rejects it with ${reason}`, () => {
      const result = verifyStripe(request(PAYLOAD, signature), OPTIONS);

      expect(result).toMatchObject({ ok: false, reason });
    });
  });

  it('never puts the secret or the expected signature in the failure detail', () => {
    const expected = v1Of(header(PAYLOAD));
    const input = request(PAYLOAD, header(PAYLOAD, { secret: 'whsec_wrong' }));

    const result = verifyStripe(input, OPTIONS);

    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(JSON.stringify(result)).not.toContain(expected);
  });
});
