import { createSign, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { generate } from 'selfsigned';
import { beforeAll, describe, expect, it } from 'vitest';
import { findSample, SAMPLES } from '../../../shared/cli/samples/index.js';
import type { SampleContext, WebhookSample } from '../../../shared/cli/samples/sample.js';
import type { VerifyConfig, VerifyScheme } from '../../../shared/config/types.js';
import { verifySchemes } from '../../../shared/config/verify-schema.js';
import { verifyRequest } from '../../../shared/verify/index.js';
import { schemeNamed } from '../../../shared/verify/registry.js';
import { CannotSignError, type HandshakeTools } from '../../../shared/verify/scheme.js';
import { verifySns } from '../../../shared/verify/sns.js';
import type { VerificationResult } from '../../../shared/verify/types.js';

// Oracle: each sample is signed as `hookline trigger` signs it, by its scheme's own `sign`, and must
// pass that scheme's verifier. The three schemes whose providers sign with a private key (Discord,
// SendGrid, SNS) cannot be signed by the CLI; the test signs those with its own keys, as their unit
// tests do, and verifies against the matching public key or certificate.

const NOW = new Date('2026-01-15T12:00:00.000Z');
const CONTEXT: SampleContext = { now: NOW, id: '3f1b6c1e-8a2d-4c5b-9e7f-0a1b2c3d4e5f' };
const OTHER_CONTEXT: SampleContext = { now: NOW, id: 'c0ffee00-1234-4abc-8def-567890abcdef' };
const secret = { name: 'ROUTE_SECRET' };

/** Schemes a user configures for any sender, not one provider's: they have no samples. */
const GENERIC_SCHEMES: readonly VerifyScheme[] = ['hmac', 'jwt', 'none'];
const PROVIDER_SCHEMES = verifySchemes.filter((scheme) => !GENERIC_SCHEMES.includes(scheme));

/** A route verifying one scheme, and the secret value its provider signs with. */
interface Route {
  readonly config: VerifyConfig;
  readonly secret: string;
}

/** Routes for every scheme the CLI signs, with secret values in each provider's format. */
const SIGNED_ROUTES: Partial<Record<VerifyScheme, Route>> = {
  github: { config: { scheme: 'github', secret }, secret: 'gh-webhook-secret-0123456789' },
  stripe: { config: { scheme: 'stripe', secret }, secret: 'whsec_test_5f0c1e2d3b4a69788796a5b4c3d2e1f0' },
  standardWebhooks: {
    config: { scheme: 'standardWebhooks', secret },
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  },
  slack: { config: { scheme: 'slack', secret }, secret: '8f742231b10e8888abcd99yyyzzz85a5' },
  shopify: { config: { scheme: 'shopify', secret }, secret: 'shpss_0123456789abcdef0123456789abcdef' },
  twilio: { config: { scheme: 'twilio', secret }, secret: '9a8b7c6d5e4f30211203f4e5d6c7b8a9' },
  zoom: { config: { scheme: 'zoom', secret }, secret: 'zoom-secret-token-0123456789' },
  paddle: {
    config: { scheme: 'paddle', secret },
    secret: 'pdl_ntfset_01gkpjp8bkm3tm53kdgkx6sms7_6h3qd3uFSi9YCD3OLYAShQI90XTI5vEI',
  },
  gitlab: { config: { scheme: 'gitlab', secret }, secret: 'gitlab-webhook-token-42' },
  bitbucket: { config: { scheme: 'bitbucket', secret }, secret: 'bitbucket-secret-0123' },
  mailgun: { config: { scheme: 'mailgun', secret }, secret: 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0' },
  postmark: { config: { scheme: 'postmark', secret }, secret: 'hookline:correct-horse-battery' },
  square: { config: { scheme: 'square', secret }, secret: 'square-signature-key-0123' },
  twitch: { config: { scheme: 'twitch', secret }, secret: 'twitch-eventsub-secret-42' },
  meta: {
    config: { scheme: 'meta', secret, verifyToken: { name: 'META_VERIFY_TOKEN' } },
    secret: 'meta-app-secret',
  },
  x: { config: { scheme: 'x', secret }, secret: 'x-consumer-secret-0123' },
  msGraph: { config: { scheme: 'msGraph', secret }, secret: 'graph-client-state-0123' },
  dropbox: { config: { scheme: 'dropbox', secret }, secret: 'dropbox-app-secret' },
  okta: { config: { scheme: 'okta', secret }, secret: 'Bearer okta-hook-secret-42' },
  asana: { config: { scheme: 'asana', secret }, secret: 'asana-hook-secret-0123' },
  linear: { config: { scheme: 'linear', secret }, secret: 'lin_wh_0123456789abcdef' },
  intercom: { config: { scheme: 'intercom', secret }, secret: 'intercom-client-secret' },
  hubspot: { config: { scheme: 'hubspot', secret }, secret: 'hubspot-client-secret-0123' },
  typeform: { config: { scheme: 'typeform', secret }, secret: 'typeform-secret' },
  sentry: { config: { scheme: 'sentry', secret }, secret: 'sentry-client-secret-0123' },
  vercel: { config: { scheme: 'vercel', secret }, secret: 'vercel-webhook-secret' },
  contentful: {
    config: { scheme: 'contentful', secret },
    secret: 'k7Hq2Zp9Xw4Lm8Rt3Vb6Nc1Yd5Fg0Js2Ua7Qe9Wi4Ko8Pl3Mz6Xc1Vb5Nn0Hh2Tt',
  },
  telegram: { config: { scheme: 'telegram', secret }, secret: 'tg_Secret-Token_42' },
  pagerduty: { config: { scheme: 'pagerduty', secret }, secret: 'pagerduty-secret-0123' },
  workos: { config: { scheme: 'workos', secret }, secret: 'workos-endpoint-secret' },
};

/** Schemes whose provider signs with a private key: `sign` throws, the test signs instead. */
const PRIVATE_KEY_SCHEMES: readonly VerifyScheme[] = ['discord', 'sendgrid', 'sns'];

/** A sample request as sent: headers (the sample's, then the signer's), body, and where it went. */
interface SentRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

interface Delivery {
  readonly request: SentRequest;
  /** What the scheme's verifier made of it. */
  readonly result: VerificationResult;
  /** The secret values the route holds. */
  readonly secrets: readonly string[];
}

function urlFor(scheme: VerifyScheme): string {
  return `https://hooks.example.com/${scheme.toLowerCase()}/`;
}

// Private keys of the providers that sign asymmetrically, and the public halves a route holds.
const discordKeys = generateKeyPairSync('ed25519');
const discordPublicKey = Buffer.from(
  discordKeys.publicKey.export({ format: 'jwk' }).x ?? '',
  'base64url',
).toString('hex');
const sendgridKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const sendgridPublicKey = sendgridKeys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
let snsCertificatePem = '';
let snsPrivateKeyPem = '';

beforeAll(async () => {
  const certificate = await generate([{ name: 'commonName', value: 'sns.amazonaws.com' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(NOW.getTime() - 86_400_000),
  });
  snsCertificatePem = certificate.cert;
  snsPrivateKeyPem = certificate.private;
});

/** `${timestamp}${body}` signed with `key`, as Discord (hex Ed25519) and SendGrid (base64 ECDSA) do. */
function signTimestamped(key: KeyObject, digest: 'sha256' | null, timestamp: string, body: string): Buffer {
  return sign(digest, Buffer.concat([Buffer.from(timestamp), Buffer.from(body)]), key);
}

/** The SNS notification in `body` with its `Signature` made by the test's certificate key. */
function signSnsNotification(body: string): string {
  const message = JSON.parse(body) as Record<string, string>;
  const signed = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
    .filter((key) => key in message)
    .map((key) => `${key}\n${message[key]}\n`)
    .join('');
  const signer = createSign('RSA-SHA1');
  signer.update(signed, 'utf8');
  return JSON.stringify({ ...message, Signature: signer.sign(snsPrivateKeyPem, 'base64') });
}

/** Signs `sample` as its provider does (with the test's keys where the CLI cannot) and verifies it. */
async function deliver(sample: WebhookSample, context: SampleContext): Promise<Delivery> {
  const url = urlFor(sample.scheme);
  const sampleHeaders = sample.headers(context);
  const sampleBody = sample.body(context);
  const timestamp = String(Math.floor(context.now.getTime() / 1000));
  const verify = (request: SentRequest, config: VerifyConfig, secrets: readonly string[]) =>
    verifyRequest(
      {
        method: 'POST',
        url,
        headers: request.headers,
        body: Buffer.from(request.body),
        secrets,
        now: context.now,
      },
      config,
    );

  switch (sample.scheme) {
    case 'discord': {
      const signature = signTimestamped(discordKeys.privateKey, null, timestamp, sampleBody).toString('hex');
      const headers = {
        ...sampleHeaders,
        'x-signature-ed25519': signature,
        'x-signature-timestamp': timestamp,
      };
      const request = { url, headers, body: sampleBody };
      const secrets = [discordPublicKey];
      return { request, secrets, result: await verify(request, { scheme: 'discord', secret }, secrets) };
    }
    case 'sendgrid': {
      const signature = signTimestamped(sendgridKeys.privateKey, 'sha256', timestamp, sampleBody).toString(
        'base64',
      );
      const headers = {
        ...sampleHeaders,
        'x-twilio-email-event-webhook-signature': signature,
        'x-twilio-email-event-webhook-timestamp': timestamp,
      };
      const request = { url, headers, body: sampleBody };
      const secrets = [sendgridPublicKey];
      return { request, secrets, result: await verify(request, { scheme: 'sendgrid', secret }, secrets) };
    }
    case 'sns': {
      const request = { url, headers: sampleHeaders, body: signSnsNotification(sampleBody) };
      const topicArn = (JSON.parse(sampleBody) as { TopicArn: string }).TopicArn;
      const result = await verifySns(
        {
          method: 'POST',
          url,
          headers: request.headers,
          body: Buffer.from(request.body),
          secrets: [],
          now: context.now,
        },
        { scheme: 'sns', topicArns: [topicArn] },
        { fetchCertificate: async () => snsCertificatePem },
      );
      return { request, secrets: [], result };
    }
    default: {
      const route = SIGNED_ROUTES[sample.scheme];
      const signer = schemeNamed(sample.scheme).sign;
      if (route === undefined || signer === undefined)
        throw new Error(`no signed route for ${sample.scheme}`);
      const signed = await signer(
        {
          method: 'POST',
          url,
          body: sampleBody,
          secret: route.secret,
          now: context.now,
          deliveryId: context.id,
          headers: sampleHeaders,
        },
        route.config,
      );
      const request = {
        url,
        headers: { ...sampleHeaders, ...signed.headers },
        body: signed.body ?? sampleBody,
      };
      return {
        request,
        secrets: [route.secret],
        result: await verify(request, route.config, [route.secret]),
      };
    }
  }
}

function isForm(headers: Readonly<Record<string, string>>): boolean {
  return (headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
}

/** The payload as the ingress parses it: form fields, else JSON. */
function payloadOf(request: SentRequest): unknown {
  return isForm(request.headers)
    ? Object.fromEntries(new URLSearchParams(request.body))
    : (JSON.parse(request.body) as unknown);
}

function toolsFor(secrets: readonly string[]): HandshakeTools {
  return {
    secrets: async () => secrets,
    resolveSecret: async () => secrets,
    storeSecret: async () => undefined,
    get: async () => 200,
  };
}

describe('SAMPLES', () => {
  it('has unique names', () => {
    const names = SAMPLES.map((sample) => sample.name);
    expect(new Set(names).size).toBe(names.length);
  });

  it('has a sample for every provider scheme', () => {
    const covered = new Set(SAMPLES.map((sample) => sample.scheme));
    expect(PROVIDER_SCHEMES.filter((scheme) => !covered.has(scheme))).toEqual([]);
  });

  it('has none for the generic schemes', () => {
    expect(SAMPLES.filter((sample) => GENERIC_SCHEMES.includes(sample.scheme))).toEqual([]);
  });

  it('has a signed route in this test for every scheme the CLI can sign', () => {
    const signable = PROVIDER_SCHEMES.filter((scheme) => !PRIVATE_KEY_SCHEMES.includes(scheme));
    expect(signable.filter((scheme) => SIGNED_ROUTES[scheme] === undefined)).toEqual([]);
  });

  it('lists the most asked-for providers first', () => {
    expect(SAMPLES.slice(0, 3).map((sample) => sample.name)).toEqual([
      'github.push',
      'github.pull_request',
      'github.ping',
    ]);
  });

  it('includes the samples the trigger documents', () => {
    for (const name of [
      'stripe.payment_intent.succeeded',
      'stripe.checkout.session.completed',
      'stripe.invoice.paid',
      'shopify.orders/create',
      'slack.event_callback',
      'slack.url_verification',
      'twilio.message.status',
      'zoom.meeting.started',
      'zoom.endpoint.url_validation',
      'discord.ping',
      'discord.application_command',
      'paddle.transaction.completed',
    ]) {
      expect(findSample(name)?.name).toBe(name);
    }
  });

  it('finds nothing for an unknown name', () => {
    expect(findSample('github.nope')).toBeUndefined();
    expect(findSample('github')).toBeUndefined();
  });
});

describe.each(PRIVATE_KEY_SCHEMES)('%s (signed by the provider’s private key)', (scheme) => {
  it('cannot be signed by the CLI', () => {
    const sample = SAMPLES.find((candidate) => candidate.scheme === scheme);
    if (sample === undefined) throw new Error(`no ${scheme} sample`);
    const request = {
      method: 'POST',
      url: urlFor(scheme),
      body: sample.body(CONTEXT),
      secret: 'a-public-key',
      now: NOW,
      deliveryId: CONTEXT.id,
    };
    expect(() => schemeNamed(scheme).sign?.(request, { scheme, secret } as VerifyConfig)).toThrow(
      CannotSignError,
    );
  });
});

describe.each(SAMPLES)('$name', (sample) => {
  const definition = schemeNamed(sample.scheme);

  it('is named <scheme>.<event>', () => {
    expect(sample.name.startsWith(`${sample.scheme}.`)).toBe(true);
    expect(sample.name.length).toBeGreaterThan(sample.scheme.length + 1);
    expect(sample.description).not.toBe('');
  });

  it('has a content type and a body of that type', () => {
    const headers = sample.headers(CONTEXT);
    const body = sample.body(CONTEXT);
    expect(headers['content-type']).toBeTruthy();
    if (isForm(headers)) {
      const form = new URLSearchParams(body);
      expect([...form.keys()].length).toBeGreaterThan(0);
      expect(form.toString()).toBe(body);
    } else {
      expect(() => JSON.parse(body)).not.toThrow();
    }
  });

  it('uses lower-case header names, as the gateway reads them', () => {
    const names = Object.keys(sample.headers(CONTEXT));
    expect(names.filter((name) => name !== name.toLowerCase())).toEqual([]);
  });

  it('passes the scheme’s verifier once signed', async () => {
    const { result } = await deliver(sample, CONTEXT);
    expect(result).toMatchObject({ ok: true, scheme: sample.scheme });
  });

  it('keeps the sample’s headers that signing does not set', async () => {
    const { request } = await deliver(sample, CONTEXT);
    expect(request.headers['content-type']).toBe(sample.headers(CONTEXT)['content-type']);
  });

  it('has the event type the scheme reads from it', async () => {
    const { request } = await deliver(sample, CONTEXT);
    const eventType = definition.eventType?.({ headers: request.headers, payload: payloadOf(request) });
    if (sample.handshake === true) {
      expect(sample.eventType).toBeUndefined();
    } else {
      expect(eventType).toBe(sample.eventType);
    }
  });

  it('has the delivery id the scheme reads from it, where the scheme has one (events)', async () => {
    const { request } = await deliver(sample, CONTEXT);
    // A handshake is answered, never stored: it needs no dedupe key (Slack's carries no event_id).
    if (definition.deliveryId === undefined || sample.handshake === true) return;
    const deliveryId = definition.deliveryId({ headers: request.headers, payload: payloadOf(request) });
    expect(deliveryId).toEqual(expect.any(String));
    expect(deliveryId).not.toBe('');
  });

  it(sample.handshake === true ? 'is answered as a handshake' : 'is no handshake', async () => {
    const { request, secrets } = await deliver(sample, CONTEXT);
    const answer = await definition.handshake?.(
      {
        method: 'POST',
        url: new URL(request.url),
        headers: request.headers,
        body: Buffer.from(request.body),
        payload: payloadOf(request),
        now: NOW,
      },
      SIGNED_ROUTES[sample.scheme]?.config ?? ({ scheme: sample.scheme, secret } as VerifyConfig),
      toolsFor(secrets),
    );
    if (sample.handshake === true) {
      expect(answer).toMatchObject({ statusCode: 200 });
    } else {
      expect(answer).toBeUndefined();
    }
  });

  it('is a distinct event for each trigger id', async () => {
    const [first, second] = await Promise.all([deliver(sample, CONTEXT), deliver(sample, OTHER_CONTEXT)]);
    const idOf = ({ request }: Delivery) =>
      definition.deliveryId?.({ headers: request.headers, payload: payloadOf(request) });
    // The sample bodies, not the sent ones: Mailgun's signer puts a random token in every body.
    const distinct = sample.body(CONTEXT) !== sample.body(OTHER_CONTEXT) || idOf(first) !== idOf(second);
    expect(distinct).toBe(true);
    expect(second.result).toMatchObject({ ok: true });
  });

  it('is the same request for the same trigger', () => {
    expect(sample.body(CONTEXT)).toBe(sample.body({ ...CONTEXT }));
    expect(sample.headers(CONTEXT)).toEqual(sample.headers({ ...CONTEXT }));
  });
});
