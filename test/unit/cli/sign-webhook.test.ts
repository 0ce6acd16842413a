import { describe, expect, it } from 'vitest';
import { needsSecret, signWebhook } from '../../../shared/cli/sign-webhook.js';
import type { VerifyConfig } from '../../../shared/config/types.js';
import { verifyRequest } from '../../../shared/verify/index.js';
import { CannotSignError } from '../../../shared/verify/scheme.js';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const BODY = '{"order":42,"note":"ünïcode"}';
const secret = { name: 'S' };
const URL_SENT = 'https://hooks.example.com/orders/';

const SIGNED: [string, VerifyConfig, string][] = [
  ['standardWebhooks', { scheme: 'standardWebhooks', secret }, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
  ['github', { scheme: 'github', secret }, 'github-secret'],
  ['stripe', { scheme: 'stripe', secret }, 'whsec_stripe_0123456789'],
  ['slack', { scheme: 'slack', secret }, 'slack-signing-secret'],
  ['shopify', { scheme: 'shopify', secret }, 'shopify-secret'],
  ['hmac (hex, prefix)', { scheme: 'hmac', secret, header: 'X-Signature', prefix: 'sha256=' }, 'hmac-secret'],
  [
    'hmac (base64, sha512, timestamp, template)',
    {
      scheme: 'hmac',
      secret,
      header: 'x-sig',
      algorithm: 'sha512',
      encoding: 'base64',
      timestampHeader: 'X-Sig-Time',
      signedContent: 'v1:{timestamp}:{body}',
    },
    'hmac-secret',
  ],
  [
    'jwt (HS256, issuer, audience)',
    { scheme: 'jwt', secret, issuer: 'me', audience: 'hookline' },
    'jwt-secret-long-enough-0123456789',
  ],
  [
    'jwt (HS512 in a custom header)',
    { scheme: 'jwt', secret, algorithms: ['HS512'], header: 'x-token' },
    'jwt-secret-long-enough-0123456789',
  ],
];

describe('signWebhook()', () => {
  describe.each(SIGNED)('%s', (_name, verify, value) => {
    it('produces headers the gateway verifier accepts', async () => {
      const { headers } = await signWebhook(verify, { body: BODY, secret: value, now: NOW, url: URL_SENT });
      const result = await verifyRequest(
        { body: Buffer.from(BODY), headers, secrets: [value], now: NOW },
        verify,
      );
      expect(result).toMatchObject({ ok: true });
    });

    it('fails verification under another secret', async () => {
      const { headers } = await signWebhook(verify, { body: BODY, secret: value, now: NOW, url: URL_SENT });
      const other = value.startsWith('whsec_')
        ? 'whsec_b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldA=='
        : `${value}-other`;
      const result = await verifyRequest(
        { body: Buffer.from(BODY), headers, secrets: [other], now: NOW },
        verify,
      );
      expect(result).toMatchObject({ ok: false });
    });
  });

  // A JWT authenticates the sender, not the body.
  describe.each(SIGNED.filter(([, verify]) => verify.scheme !== 'jwt'))('%s', (_name, verify, value) => {
    it('fails verification when the body changes', async () => {
      const { headers } = await signWebhook(verify, { body: BODY, secret: value, now: NOW, url: URL_SENT });
      const result = await verifyRequest(
        { body: Buffer.from(`${BODY} `), headers, secrets: [value], now: NOW },
        verify,
      );
      expect(result).toMatchObject({ ok: false });
    });
  });

  it('adds no headers for scheme none', async () => {
    expect(await signWebhook({ scheme: 'none' }, { body: BODY, now: NOW, url: URL_SENT })).toEqual({
      headers: {},
    });
  });

  it("names GitHub's event ping only when the request names none", async () => {
    const request = { body: BODY, secret: 'github-secret', now: NOW, url: URL_SENT };
    const bare = await signWebhook({ scheme: 'github', secret }, request);
    const named = await signWebhook(
      { scheme: 'github', secret },
      { ...request, headers: { 'x-github-event': 'push' } },
    );

    expect(bare.headers['x-github-event']).toBe('ping');
    expect(named.headers).not.toHaveProperty('x-github-event');
  });

  it('uses the given delivery id as the Standard Webhooks webhook-id', async () => {
    const { headers } = await signWebhook(
      { scheme: 'standardWebhooks', secret },
      {
        body: BODY,
        secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        now: NOW,
        deliveryId: 'msg_1',
        url: URL_SENT,
      },
    );
    expect(headers['webhook-id']).toBe('msg_1');
  });

  it('refuses schemes it cannot sign', async () => {
    await expect(
      signWebhook(
        { scheme: 'jwt', jwksUrl: 'https://issuer.test/jwks' },
        { body: BODY, now: NOW, url: URL_SENT },
      ),
    ).rejects.toThrow(CannotSignError);
    await expect(
      signWebhook(
        { scheme: 'standardWebhooks', secret },
        { body: BODY, secret: 'whpk_AAAA', now: NOW, url: URL_SENT },
      ),
    ).rejects.toThrow(/ed25519/);
    await expect(
      signWebhook({ scheme: 'github', secret }, { body: BODY, now: NOW, url: URL_SENT }),
    ).rejects.toThrow(/needs a secret/);
  });

  it('knows which schemes need a secret', () => {
    expect(needsSecret({ scheme: 'none' })).toBe(false);
    expect(needsSecret({ scheme: 'jwt', jwksUrl: 'https://issuer.test/jwks' })).toBe(false);
    expect(needsSecret({ scheme: 'github', secret })).toBe(true);
  });
});
