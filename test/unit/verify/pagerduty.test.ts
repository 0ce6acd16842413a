import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pagerdutyScheme, verifyPagerduty } from '../../../shared/verify/pagerduty.js';
import type { SchemeConfig } from '../../../shared/verify/scheme.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

const SECRET = 'pd-subscription-secret';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const OPTIONS: SchemeConfig<'pagerduty'> = { scheme: 'pagerduty', secret: { name: 'PAGERDUTY_SECRET' } };
const PAYLOAD =
  '{"event":{"id":"01DEN1HNLBC1VITYUSJ2G2QMO9","event_type":"incident.triggered","resource_type":"incident","data":{"title":"Server is on fire"}}}';

/**
 * PagerDuty's documented rule, computed with node:crypto: `v1=` + hex HMAC-SHA256 of the raw body
 * (PagerDuty/developer-docs docs/webhooks/04-Signatures.md; its example values come without secret).
 */
function v1(body: string, secret = SECRET): string {
  return `v1=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function request(
  body: string,
  headers: Record<string, string>,
  secrets: readonly string[] = [SECRET],
): VerificationInput {
  return { body: new TextEncoder().encode(body), headers, secrets, now: NOW };
}

describe('verifyPagerduty()', () => {
  it('accepts a v1 signature of the raw body', () => {
    const result = verifyPagerduty(request(PAYLOAD, { 'x-pagerduty-signature': v1(PAYLOAD) }), OPTIONS);

    expect(result).toEqual({ ok: true, scheme: 'pagerduty', keyId: '0' });
  });

  it('accepts an empty body', () => {
    expect(verifyPagerduty(request('', { 'x-pagerduty-signature': v1('') }), OPTIONS).ok).toBe(true);
  });

  it('accepts a list in which one signature of several matches (rotation on PagerDuty side)', () => {
    // Arrange: PagerDuty signs once per active secret; only the second is ours.
    const header = `${v1(PAYLOAD, 'their-new-secret')},${v1(PAYLOAD)}`;

    // Act
    const result = verifyPagerduty(request(PAYLOAD, { 'x-pagerduty-signature': header }), OPTIONS);

    // Assert
    expect(result).toEqual({ ok: true, scheme: 'pagerduty', keyId: '0' });
  });

  it('accepts spaces around list entries and ignores entries of other versions', () => {
    const header = `v2=${'ab'.repeat(32)}, ${v1(PAYLOAD)} `;

    expect(verifyPagerduty(request(PAYLOAD, { 'x-pagerduty-signature': header }), OPTIONS).ok).toBe(true);
  });

  it('reports the index of the rotated secret that matched', () => {
    const headers = { 'x-pagerduty-signature': v1(PAYLOAD, 'second') };

    expect(verifyPagerduty(request(PAYLOAD, headers, ['first', 'second']), OPTIONS)).toMatchObject({
      keyId: '1',
    });
  });

  describe.each([
    ['a tampered body', `${PAYLOAD} `, v1(PAYLOAD), 'signature_mismatch'],
    ['a wrong secret', PAYLOAD, v1(PAYLOAD, 'other'), 'signature_mismatch'],
    [
      'several signatures, none matching',
      PAYLOAD,
      `${v1(PAYLOAD, 'a')},${v1(PAYLOAD, 'b')}`,
      'signature_mismatch',
    ],
    [
      'a tampered signature',
      PAYLOAD,
      v1(PAYLOAD).replace(/.$/, (c) => (c === '0' ? '1' : '0')),
      'signature_mismatch',
    ],
    ['a truncated signature', PAYLOAD, v1(PAYLOAD).slice(0, 50), 'malformed_signature'],
    ['a signature without v1=', PAYLOAD, v1(PAYLOAD).slice(3), 'malformed_signature'],
    ['only other versions', PAYLOAD, v1(PAYLOAD).replace('v1=', 'v0='), 'malformed_signature'],
  ] as const)('with %s', (_case, body, header, reason) => {
    it(`rejects it as ${reason}`, () => {
      expect(verifyPagerduty(request(body, { 'x-pagerduty-signature': header }), OPTIONS)).toMatchObject({
        ok: false,
        reason,
      });
    });
  });

  it('rejects a request without X-PagerDuty-Signature', () => {
    expect(verifyPagerduty(request(PAYLOAD, {}), OPTIONS)).toMatchObject({
      ok: false,
      reason: 'missing_signature',
    });
  });
});

describe('pagerdutyScheme.sign()', () => {
  it('sends X-Webhook-Id and a v1 signature that verifyPagerduty() and the documented rule accept', async () => {
    const toSign = {
      method: 'POST',
      url: 'https://hooks.example.com/pagerduty',
      body: PAYLOAD,
      secret: SECRET,
      now: NOW,
      deliveryId: 'wh-1',
    };

    const signed = await pagerdutyScheme.sign?.(toSign, OPTIONS);

    expect(signed?.headers).toEqual({ 'x-webhook-id': 'wh-1', 'x-pagerduty-signature': v1(PAYLOAD) });
    expect(verifyPagerduty(request(PAYLOAD, { ...signed?.headers }), OPTIONS).ok).toBe(true);
  });
});

describe('pagerdutyScheme ids', () => {
  const delivery = { headers: { 'x-webhook-id': 'wh-1' }, payload: JSON.parse(PAYLOAD) as unknown };

  it('takes the delivery id from X-Webhook-Id', () => {
    expect(pagerdutyScheme.deliveryId?.(delivery)).toBe('wh-1');
  });

  it('takes the event type from event.event_type', () => {
    expect(pagerdutyScheme.eventType?.(delivery)).toBe('incident.triggered');
  });
});
