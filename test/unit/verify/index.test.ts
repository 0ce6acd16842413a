/**
 * `verifyRequest()` routes each config to its own scheme: a request signed for one scheme passes
 * that scheme's verifier and no other's. Requests are signed by each scheme's own signer (every
 * scheme's test file checks that signer against the provider's SDK or documented rule); Discord
 * and SendGrid sign with private keys only the provider has, so they are signed here. SNS is left
 * out: its verifier fetches the signing certificate, which its own test serves.
 */
import { generateKeyPairSync, sign as signWithKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { VerifyConfig, VerifyScheme } from '../../../shared/config/types.js';
import { type VerificationInput, verifyRequest } from '../../../shared/verify/index.js';
import { schemeNamed } from '../../../shared/verify/registry.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const URL_SENT = 'https://hooks.example.com/route/?tenant=t1';
const PAYLOAD = '{"id":"evt_1","type":"order.created"}';
const ref = { name: 'ROUTE_SECRET' } as const;

interface SignedRequest {
  readonly headers: Record<string, string>;
  readonly body: string;
}

interface Case {
  readonly config: VerifyConfig;
  readonly secret: string;
  /** The body to sign when the scheme needs a particular shape. @default PAYLOAD */
  readonly body?: string;
  readonly contentType?: string;
  /** Whether a changed body fails (token schemes and JWTs authenticate the sender, not the body). */
  readonly bindsBody: boolean;
  /** Signs with a key the scheme's own signer does not have. */
  readonly sign?: (body: string) => SignedRequest;
}

const ed25519 = generateKeyPairSync('ed25519');
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const SECRET = 'route-secret-0123456789abcdef';
const WHSEC = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** One request per scheme (but SNS); a scheme missing here does not type-check. */
const CASES: { readonly [S in Exclude<VerifyScheme, 'sns'>]: Case } = {
  github: { config: { scheme: 'github', secret: ref }, secret: SECRET, bindsBody: true },
  gitlab: { config: { scheme: 'gitlab', secret: ref }, secret: SECRET, bindsBody: false },
  bitbucket: { config: { scheme: 'bitbucket', secret: ref }, secret: SECRET, bindsBody: true },
  stripe: { config: { scheme: 'stripe', secret: ref }, secret: WHSEC, bindsBody: true },
  shopify: { config: { scheme: 'shopify', secret: ref }, secret: SECRET, bindsBody: true },
  slack: { config: { scheme: 'slack', secret: ref }, secret: SECRET, bindsBody: true },
  twilio: {
    config: { scheme: 'twilio', secret: ref },
    secret: SECRET,
    body: 'MessageSid=SM1&MessageStatus=delivered',
    contentType: 'application/x-www-form-urlencoded',
    bindsBody: true,
  },
  sendgrid: {
    config: { scheme: 'sendgrid', secret: ref },
    secret: p256.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    body: '[{"event":"delivered","sg_event_id":"e1"}]',
    bindsBody: true,
    sign: (body) => ({
      body,
      headers: {
        'x-twilio-email-event-webhook-timestamp': String(NOW_SECONDS),
        'x-twilio-email-event-webhook-signature': signWithKey(
          'sha256',
          Buffer.from(`${NOW_SECONDS}${body}`),
          p256.privateKey,
        ).toString('base64'),
      },
    }),
  },
  mailgun: {
    config: { scheme: 'mailgun', secret: ref },
    secret: SECRET,
    body: '{"event-data":{"id":"m1","event":"delivered"}}',
    bindsBody: false,
  },
  postmark: { config: { scheme: 'postmark', secret: ref }, secret: 'hooks:pa55word', bindsBody: false },
  square: { config: { scheme: 'square', secret: ref }, secret: SECRET, bindsBody: true },
  paddle: { config: { scheme: 'paddle', secret: ref }, secret: SECRET, bindsBody: true },
  zoom: { config: { scheme: 'zoom', secret: ref }, secret: SECRET, bindsBody: true },
  twitch: { config: { scheme: 'twitch', secret: ref }, secret: SECRET, bindsBody: true },
  discord: {
    config: { scheme: 'discord', secret: ref },
    secret: Buffer.from(ed25519.publicKey.export({ format: 'jwk' }).x ?? '', 'base64url').toString('hex'),
    body: '{"id":"i1","type":2,"data":{"name":"created"}}',
    bindsBody: true,
    sign: (body) => ({
      body,
      headers: {
        'x-signature-timestamp': String(NOW_SECONDS),
        'x-signature-ed25519': signWithKey(
          null,
          Buffer.from(`${NOW_SECONDS}${body}`),
          ed25519.privateKey,
        ).toString('hex'),
      },
    }),
  },
  meta: {
    config: { scheme: 'meta', secret: ref, verifyToken: { name: 'META_VERIFY_TOKEN' } },
    secret: SECRET,
    bindsBody: true,
  },
  x: { config: { scheme: 'x', secret: ref }, secret: SECRET, bindsBody: true },
  msGraph: {
    config: { scheme: 'msGraph', secret: ref },
    secret: SECRET,
    body: '{"value":[{"subscriptionId":"s1","changeType":"created","clientState":"x"}]}',
    bindsBody: false,
  },
  dropbox: { config: { scheme: 'dropbox', secret: ref }, secret: SECRET, bindsBody: true },
  okta: { config: { scheme: 'okta', secret: ref }, secret: SECRET, bindsBody: false },
  asana: { config: { scheme: 'asana', secret: ref }, secret: SECRET, bindsBody: true },
  linear: { config: { scheme: 'linear', secret: ref }, secret: SECRET, bindsBody: true },
  intercom: { config: { scheme: 'intercom', secret: ref }, secret: SECRET, bindsBody: true },
  hubspot: { config: { scheme: 'hubspot', secret: ref }, secret: SECRET, bindsBody: true },
  typeform: { config: { scheme: 'typeform', secret: ref }, secret: SECRET, bindsBody: true },
  sentry: { config: { scheme: 'sentry', secret: ref }, secret: SECRET, bindsBody: true },
  vercel: { config: { scheme: 'vercel', secret: ref }, secret: SECRET, bindsBody: true },
  contentful: { config: { scheme: 'contentful', secret: ref }, secret: 'c'.repeat(64), bindsBody: true },
  telegram: { config: { scheme: 'telegram', secret: ref }, secret: 'telegram_token-1', bindsBody: false },
  pagerduty: { config: { scheme: 'pagerduty', secret: ref }, secret: SECRET, bindsBody: true },
  workos: { config: { scheme: 'workos', secret: ref }, secret: SECRET, bindsBody: true },
  standardWebhooks: { config: { scheme: 'standardWebhooks', secret: ref }, secret: WHSEC, bindsBody: true },
  hmac: {
    config: { scheme: 'hmac', secret: ref, header: 'x-signature', prefix: 'sha256=' },
    secret: SECRET,
    bindsBody: true,
  },
  jwt: { config: { scheme: 'jwt', secret: ref }, secret: SECRET, bindsBody: false },
  none: { config: { scheme: 'none' }, secret: '', bindsBody: false },
};

/**
 * Schemes whose providers put the same thing on the wire, so that a request of one verifies under
 * the other with the same secret: GitHub and Meta both send `X-Hub-Signature-256: sha256=<hex>`.
 */
const SAME_WIRE_FORMAT: readonly (readonly [VerifyScheme, VerifyScheme])[] = [
  ['github', 'meta'],
  // Meta also sends the legacy `X-Hub-Signature: sha1=<hex>`, which is Intercom's only header.
  ['meta', 'intercom'],
];

const SCHEMES = Object.keys(CASES) as Exclude<VerifyScheme, 'sns'>[];
const SIGNED = SCHEMES.filter((scheme) => scheme !== 'none');

async function signed(scheme: Exclude<VerifyScheme, 'sns'>): Promise<SignedRequest> {
  const sample = CASES[scheme];
  const body = sample.body ?? PAYLOAD;
  if (sample.sign !== undefined) return sample.sign(body);
  const sign = schemeNamed(scheme).sign;
  if (sign === undefined) throw new Error(`${scheme} has no signer`);
  const result = await sign(
    {
      method: 'POST',
      url: URL_SENT,
      body,
      secret: sample.secret,
      now: NOW,
      deliveryId: 'delivery-1',
      headers: { 'content-type': sample.contentType ?? 'application/json' },
    },
    sample.config as never,
  );
  return { headers: { ...result.headers }, body: result.body ?? body };
}

function request(
  { headers, body }: SignedRequest,
  secrets: readonly string[],
  bodyOverride?: string,
): VerificationInput {
  return {
    method: 'POST',
    url: URL_SENT,
    body: Buffer.from(bodyOverride ?? body),
    headers,
    secrets,
    now: NOW,
  };
}

/** A secret of the same form as `scheme`'s that did not sign its request. */
function otherSecret(scheme: Exclude<VerifyScheme, 'sns'>): string {
  const asymmetric = {
    discord: generateKeyPairSync('ed25519'),
    sendgrid: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  };
  if (scheme === 'discord') {
    return Buffer.from(asymmetric.discord.publicKey.export({ format: 'jwk' }).x ?? '', 'base64url').toString(
      'hex',
    );
  }
  if (scheme === 'sendgrid') {
    return asymmetric.sendgrid.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  }
  if (scheme === 'postmark') return 'hooks:other';
  if (scheme === 'stripe' || scheme === 'standardWebhooks')
    return 'whsec_b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldA==';
  if (scheme === 'contentful') return 'd'.repeat(64);
  return `${CASES[scheme].secret}-other`;
}

const sameWire = (a: VerifyScheme, b: VerifyScheme) =>
  SAME_WIRE_FORMAT.some(([x, y]) => (x === a && y === b) || (x === b && y === a));

describe('verifyRequest()', () => {
  describe.each(SIGNED)('a request signed for %s', (signedFor) => {
    const sample = CASES[signedFor];

    it('passes the verifier of its own scheme', async () => {
      const result = await verifyRequest(request(await signed(signedFor), [sample.secret]), sample.config);

      expect(result).toMatchObject({ ok: true, scheme: signedFor });
    });

    it('fails its own verifier under another secret', async () => {
      const other = otherSecret(signedFor);

      const result = await verifyRequest(request(await signed(signedFor), [other]), sample.config);

      expect(result).toMatchObject({ ok: false, scheme: signedFor });
    });

    it(`${sample.bindsBody ? 'fails' : 'still passes'} when its body is changed`, async () => {
      const original = await signed(signedFor);
      const changed = original.body.replace('created', 'deleted').replace('delivered', 'bounced');
      expect(changed).not.toBe(original.body);

      const result = await verifyRequest(request(original, [sample.secret], changed), sample.config);

      expect(result.ok).toBe(!sample.bindsBody);
    });

    it.each(SIGNED.filter((scheme) => scheme !== signedFor && !sameWire(scheme, signedFor)))(
      'fails the %s verifier, even with the same secret',
      async (verifiedAs) => {
        const result = await verifyRequest(
          request(await signed(signedFor), [sample.secret]),
          CASES[verifiedAs].config,
        );

        expect(result).toMatchObject({ ok: false, scheme: verifiedAs });
      },
    );

    it('passes the none verifier', async () => {
      const result = await verifyRequest(request(await signed(signedFor), []), CASES.none.config);

      expect(result).toEqual({ ok: true, scheme: 'none' });
    });
  });

  it.each(SIGNED)('fails an unsigned request with the %s verifier', async (scheme) => {
    const result = await verifyRequest(
      request({ headers: {}, body: CASES[scheme].body ?? PAYLOAD }, [CASES[scheme].secret]),
      CASES[scheme].config,
    );

    expect(result).toMatchObject({ ok: false, scheme });
  });

  it('accepts only the schemes of the VerifyConfig union', async () => {
    // @ts-expect-error: 'basic' is not a verify scheme, so a config using it does not type-check.
    const config: VerifyConfig = { scheme: 'basic' };

    // A config that bypassed validation is a deployment error, not a bad request: it is loud.
    await expect(verifyRequest(request({ headers: {}, body: '' }, []), config)).rejects.toThrow(
      /unknown verify scheme: basic/,
    );
  });
});
