import { createHmac } from 'node:crypto';
import { sign as signGithub } from '@octokit/webhooks-methods';
import { SignJWT } from 'jose';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import type { VerifyConfig, VerifyScheme } from '../../../shared/config/types.js';
import { type VerificationInput, verifyRequest } from '../../../shared/verify/index.js';

/** One secret for every scheme, so only the routing decides which signature format is expected. */
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NOW = new Date('2025-06-01T12:00:00.000Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const PAYLOAD = '{"id":"evt_1","type":"order.created"}';
const SECRET_REF = { name: 'ROUTE_SECRET' } as const;

const CONFIGS = {
  github: { scheme: 'github', secret: SECRET_REF },
  stripe: { scheme: 'stripe', secret: SECRET_REF },
  standardWebhooks: { scheme: 'standardWebhooks', secret: SECRET_REF },
  slack: { scheme: 'slack', secret: SECRET_REF },
  shopify: { scheme: 'shopify', secret: SECRET_REF },
  hmac: { scheme: 'hmac', secret: SECRET_REF, header: 'x-signature', prefix: 'sha256=' },
  jwt: { scheme: 'jwt', secret: SECRET_REF },
  none: { scheme: 'none' },
} as const satisfies { [S in VerifyScheme]: Extract<VerifyConfig, { scheme: S }> };

type SignedScheme = Exclude<VerifyScheme, 'none'>;

const hmacOf = (encoding: 'hex' | 'base64', ...parts: string[]): string => {
  const mac = createHmac('sha256', SECRET);
  for (const part of parts) mac.update(part);
  return mac.digest(encoding);
};

/** Headers each provider (or its own signing library) would send for PAYLOAD. */
const SIGNERS: { [S in SignedScheme]: () => Promise<Record<string, string>> } = {
  github: async () => ({ 'x-hub-signature-256': await signGithub(SECRET, PAYLOAD) }),
  stripe: async () => ({
    'stripe-signature': new Stripe('sk_test_unused').webhooks.generateTestHeaderString({
      payload: PAYLOAD,
      secret: SECRET,
      timestamp: NOW_SECONDS,
    }),
  }),
  standardWebhooks: async () => ({
    'webhook-id': 'msg_1',
    'webhook-timestamp': String(NOW_SECONDS),
    'webhook-signature': new Webhook(SECRET).sign('msg_1', NOW, PAYLOAD),
  }),
  slack: async () => ({
    'x-slack-request-timestamp': String(NOW_SECONDS),
    'x-slack-signature': `v0=${hmacOf('hex', `v0:${NOW_SECONDS}:`, PAYLOAD)}`,
  }),
  shopify: async () => ({ 'x-shopify-hmac-sha256': hmacOf('base64', PAYLOAD) }),
  hmac: async () => ({ 'x-signature': `sha256=${hmacOf('hex', PAYLOAD)}` }),
  jwt: async () => ({
    authorization: `Bearer ${await new SignJWT({ sub: 'sender' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(NOW_SECONDS)
      .setExpirationTime(NOW_SECONDS + 300)
      .sign(new TextEncoder().encode(SECRET))}`,
  }),
};

const SIGNED_SCHEMES = Object.keys(SIGNERS) as SignedScheme[];

function request(headers: Record<string, string>, body = PAYLOAD): VerificationInput {
  return { body: Buffer.from(body, 'utf8'), headers, secrets: [SECRET], now: NOW };
}

describe('verifyRequest()', () => {
  describe.each(SIGNED_SCHEMES)('a request signed for %s', (signedFor) => {
    it('passes the verifier of its own scheme', async () => {
      const headers = await SIGNERS[signedFor]();

      const result = await verifyRequest(request(headers), CONFIGS[signedFor]);

      expect(result).toMatchObject({ ok: true, scheme: signedFor, keyId: '0' });
    });

    it('fails when its body is tampered with', async () => {
      const headers = await SIGNERS[signedFor]();

      const result = await verifyRequest(request(headers, `${PAYLOAD} `), CONFIGS[signedFor]);

      // A JWT does not cover the body, so only the body-signing schemes can notice.
      expect(result.ok).toBe(signedFor === 'jwt');
    });

    it.each(SIGNED_SCHEMES.filter((scheme) => scheme !== signedFor))(
      'fails the %s verifier',
      async (verifiedAs) => {
        const headers = await SIGNERS[signedFor]();

        const result = await verifyRequest(request(headers), CONFIGS[verifiedAs]);

        expect(result).toMatchObject({ ok: false, scheme: verifiedAs });
      },
    );

    it('passes the none verifier', async () => {
      const headers = await SIGNERS[signedFor]();

      const result = await verifyRequest(request(headers), CONFIGS.none);

      expect(result).toEqual({ ok: true, scheme: 'none' });
    });
  });

  it('passes an unsigned request with the none verifier', async () => {
    const result = await verifyRequest(
      { body: new Uint8Array(), headers: {}, secrets: [], now: NOW },
      CONFIGS.none,
    );

    expect(result).toEqual({ ok: true, scheme: 'none' });
  });

  it.each(SIGNED_SCHEMES)('fails an unsigned request with the %s verifier', async (scheme) => {
    const result = await verifyRequest(request({}), CONFIGS[scheme]);

    expect(result).toMatchObject({ ok: false, scheme });
  });

  it('accepts only the schemes of the VerifyConfig union', async () => {
    // @ts-expect-error: 'basic' is not a verify scheme, so a config using it does not type-check.
    const config: VerifyConfig = { scheme: 'basic' };

    // A config that bypassed validation is a deployment error, not a bad request: it is loud.
    await expect(verifyRequest(request({}), config)).rejects.toThrow(/unknown verify scheme: basic/);
  });
});
