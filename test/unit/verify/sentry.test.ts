import { createHmac } from 'node:crypto';
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { describe, expect, it } from 'vitest';
import type { SchemeConfig } from '../../../shared/verify/scheme.js';
import { sentryScheme, verifySentry } from '../../../shared/verify/sentry.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

const SECRET = 'sentry-client-secret-0123456789abcdef';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const OPTIONS: SchemeConfig<'sentry'> = { scheme: 'sentry', secret: { name: 'SENTRY_CLIENT_SECRET' } };
const PAYLOAD =
  '{"action":"created","installation":{"uuid":"a8e5d37a"},"data":{"issue":{"id":"1170820242"}}}';

/** Sentry's rule computed with node:crypto: hex HMAC-SHA256 of the raw body (Sentry publishes no vector). */
function sentrySignature(body: string, secret = SECRET): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

function request(
  body: string,
  headers: Record<string, string>,
  { secrets = [SECRET] as readonly string[], now = NOW } = {},
): VerificationInput {
  return { body: new TextEncoder().encode(body), headers, secrets, now };
}

describe('verifySentry()', () => {
  it('accepts the hex HMAC-SHA256 that @octokit/webhooks-methods computes over the same body', async () => {
    const signature = (await octokitSign(SECRET, PAYLOAD)).replace(/^sha256=/, '');

    const result = verifySentry(request(PAYLOAD, { 'sentry-hook-signature': signature }), OPTIONS);

    expect(result).toEqual({ ok: true, scheme: 'sentry', keyId: '0' });
  });

  it('accepts an empty body', () => {
    expect(verifySentry(request('', { 'sentry-hook-signature': sentrySignature('') }), OPTIONS).ok).toBe(
      true,
    );
  });

  it('does not check Sentry-Hook-Timestamp, which Sentry does not sign', () => {
    // Arrange: a day-old timestamp header on an otherwise valid request.
    const headers = {
      'sentry-hook-signature': sentrySignature(PAYLOAD),
      'sentry-hook-timestamp': String(NOW_SECONDS - 86_400),
    };

    // Act
    const result = verifySentry(request(PAYLOAD, headers), OPTIONS);

    // Assert
    expect(result).toEqual({ ok: true, scheme: 'sentry', keyId: '0' });
  });

  it('reports the index of the rotated secret that matched', () => {
    const headers = { 'sentry-hook-signature': sentrySignature(PAYLOAD, 'new') };

    expect(verifySentry(request(PAYLOAD, headers, { secrets: ['old', 'new'] }), OPTIONS)).toMatchObject({
      keyId: '1',
    });
  });

  describe.each([
    [
      'a tampered body',
      PAYLOAD.replace('created', 'deleted'),
      sentrySignature(PAYLOAD),
      'signature_mismatch',
    ],
    ['a wrong secret', PAYLOAD, sentrySignature(PAYLOAD, 'other'), 'signature_mismatch'],
    ['a tampered signature', PAYLOAD, `${sentrySignature(PAYLOAD).slice(0, 63)}x`, 'malformed_signature'],
    ['a truncated signature', PAYLOAD, sentrySignature(PAYLOAD).slice(0, 32), 'malformed_signature'],
  ] as const)('with %s', (_case, body, signature, reason) => {
    it(`rejects it as ${reason}`, () => {
      expect(verifySentry(request(body, { 'sentry-hook-signature': signature }), OPTIONS)).toMatchObject({
        ok: false,
        reason,
      });
    });
  });

  it('rejects a request without Sentry-Hook-Signature', () => {
    expect(verifySentry(request(PAYLOAD, {}), OPTIONS)).toMatchObject({
      ok: false,
      reason: 'missing_signature',
    });
  });
});

describe('sentryScheme.sign()', () => {
  it('sends the headers Sentry sends, with a signature @octokit/webhooks-methods and verifySentry() accept', async () => {
    // Arrange
    const toSign = {
      method: 'POST',
      url: 'https://hooks.example.com/sentry',
      body: PAYLOAD,
      secret: SECRET,
      now: NOW,
      deliveryId: '5a6e7c1f-0d2b-4b43-8a58-4a8b0b0f9d35',
    };

    // Act
    const signed = await sentryScheme.sign?.(toSign, OPTIONS);

    // Assert
    expect(signed?.headers).toMatchObject({
      'request-id': toSign.deliveryId,
      'sentry-hook-resource': 'issue',
      'sentry-hook-timestamp': String(NOW_SECONDS),
    });
    const signature = signed?.headers['sentry-hook-signature'] ?? '';
    expect(await octokitVerify(SECRET, PAYLOAD, `sha256=${signature}`)).toBe(true);
    expect(verifySentry(request(PAYLOAD, { ...signed?.headers }), OPTIONS).ok).toBe(true);
  });

  it.each([
    ['{"action":"triggered","data":{"event":{}}}', 'event_alert'],
    ['{"action":"critical","data":{"metric_alert":{}}}', 'metric_alert'],
    ['{"action":"created","data":{"installation":{}}}', 'installation'],
  ])('names the resource of %s as %s', async (body, resource) => {
    const toSign = {
      method: 'POST',
      url: 'https://h.example.com',
      body,
      secret: SECRET,
      now: NOW,
      deliveryId: 'r',
    };

    const signed = await sentryScheme.sign?.(toSign, OPTIONS);

    expect(signed?.headers['sentry-hook-resource']).toBe(resource);
  });

  it('sends no resource header when the body does not tell it', async () => {
    const toSign = {
      method: 'POST',
      url: 'https://h.example.com',
      body: '',
      secret: SECRET,
      now: NOW,
      deliveryId: 'r',
    };

    const signed = await sentryScheme.sign?.(toSign, OPTIONS);

    expect(signed?.headers).not.toHaveProperty('sentry-hook-resource');
  });
});

describe('sentryScheme ids', () => {
  it('takes the delivery id from Request-ID', () => {
    expect(sentryScheme.deliveryId?.({ headers: { 'request-id': 'req-1' }, payload: undefined })).toBe(
      'req-1',
    );
  });

  it('names the event resource.action', () => {
    const delivery = {
      headers: { 'sentry-hook-resource': 'issue' },
      payload: JSON.parse(PAYLOAD) as unknown,
    };

    expect(sentryScheme.eventType?.(delivery)).toBe('issue.created');
  });

  it('names the event by its resource when the body has no action', () => {
    expect(sentryScheme.eventType?.({ headers: { 'sentry-hook-resource': 'error' }, payload: {} })).toBe(
      'error',
    );
  });

  it('has no event type without Sentry-Hook-Resource', () => {
    expect(sentryScheme.eventType?.({ headers: {}, payload: JSON.parse(PAYLOAD) })).toBeUndefined();
  });
});
