/**
 * Every provider handshake end to end through the local stack (`startDevStack`, what `npm start`
 * runs), over real HTTP: the exact status, content type and body each provider requires, the bad
 * handshakes refused, and nothing stored as an event. Requests are built by the providers' rules
 * with node:crypto (none of these providers publishes a signer for its handshake); SNS's signing
 * certificate and subscription link live on AWS hosts, so those two URLs alone are answered by a
 * stand-in for `fetch`.
 */
import { createHash, createHmac, createSign, generateKeyPairSync, sign as signWithKey } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevStack } from '../../../shared/local/dev-stack.js';
import { repositorySource, startProjectStack, writeTempProject } from '../../helpers/temp-project.js';

const SECRET = 'handshake-route-secret-0123456789';
const META_TOKEN = 'meta-verify-token';
const OKTA_AUTH = 'Basic b2t0YTpzZWNyZXQ=';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:orders';
const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem';
const SUBSCRIBE_URL = `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=t0k3n`;
const discordKeys = generateKeyPairSync('ed25519');
const DISCORD_PUBLIC_KEY = Buffer.from(
  discordKeys.publicKey.export({ format: 'jwk' }).x ?? '',
  'base64url',
).toString('hex');

/** route path → verify block, as source text. */
const ROUTES: Readonly<Record<string, string>> = {
  '/slack/': "{ scheme: 'slack', secret: { name: 'SLACK_SECRET' } }",
  '/zoom/': "{ scheme: 'zoom', secret: { name: 'ZOOM_SECRET' } }",
  '/twitch/': "{ scheme: 'twitch', secret: { name: 'TWITCH_SECRET' } }",
  '/discord/': "{ scheme: 'discord', secret: { name: 'DISCORD_PUBLIC_KEY' } }",
  '/meta/': "{ scheme: 'meta', secret: { name: 'META_SECRET' }, verifyToken: { name: 'META_VERIFY_TOKEN' } }",
  '/x/': "{ scheme: 'x', secret: { name: 'X_SECRET' } }",
  '/graph/': "{ scheme: 'msGraph', secret: { name: 'GRAPH_CLIENT_STATE' } }",
  '/dropbox/': "{ scheme: 'dropbox', secret: { name: 'DROPBOX_SECRET' } }",
  '/okta/': "{ scheme: 'okta', secret: { name: 'OKTA_AUTH' } }",
  '/asana/': "{ scheme: 'asana', secret: { name: 'ASANA_SECRET' } }",
  '/sns/': `{ scheme: 'sns', topicArns: ['${TOPIC}'] }`,
};

let folder: string;
let stack: DevStack;
let certificate = { cert: '', private: '' };
const fetched: string[] = [];
const realFetch = globalThis.fetch;

beforeAll(async () => {
  certificate = await generate([{ name: 'commonName', value: 'sns.amazonaws.com' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - 86_400_000),
  });
  // AWS's hosts cannot be reached from here: SNS's certificate and subscription link are answered
  // in this process, where the local stack runs; every other request goes out as usual.
  globalThis.fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url === CERT_URL || url === SUBSCRIBE_URL) {
      fetched.push(url);
      return new Response(url === CERT_URL ? certificate.cert : '<ConfirmSubscriptionResponse/>', {
        status: 200,
      });
    }
    return realFetch(input, init);
  };
  folder = writeTempProject({
    prefix: 'hookline-handshakes-',
    config: `{
  name: 'handshakes${process.pid}',
  routes: [
${Object.entries(ROUTES)
  .map(([path, verify]) => `    { path: '${path}', verify: ${verify}, handler: 'handlers/noop.ts' },`)
  .join('\n')}
  ],
}`,
    handlers: () => ({
      'noop.ts': `import { defineHandler } from ${repositorySource('shared/handler/index.ts')};
export const handler = defineHandler(async () => {});
`,
    }),
  });
  writeFileSync(
    join(folder, '.env'),
    [
      ...['SLACK_SECRET', 'ZOOM_SECRET', 'TWITCH_SECRET', 'META_SECRET', 'X_SECRET', 'DROPBOX_SECRET'].map(
        (name) => `${name}=${SECRET}`,
      ),
      `GRAPH_CLIENT_STATE=${SECRET}`,
      `META_VERIFY_TOKEN=${META_TOKEN}`,
      `OKTA_AUTH="${OKTA_AUTH}"`,
      `DISCORD_PUBLIC_KEY=${DISCORD_PUBLIC_KEY}`,
      '',
    ].join('\n'),
  );
  stack = await startProjectStack(folder);
}, 120_000);

afterAll(async () => {
  globalThis.fetch = realFetch;
  await stack?.stop();
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
});

interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly headers: Headers;
  readonly text: string;
}

async function call(
  path: string,
  options: { method?: string; query?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  const response = await realFetch(`${stack.url}${path}${options.query ?? ''}`, {
    method: options.method ?? 'POST',
    headers: options.headers ?? {},
    ...(options.body !== undefined && { body: options.body }),
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    headers: response.headers,
    text: await response.text(),
  };
}

const hmacHex = (secret: string, ...parts: string[]) => {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return mac.digest('hex');
};
const seconds = () => String(Math.floor(Date.now() / 1000));

/** Slack and Zoom sign `v0:{timestamp}:{body}` the same way, under their own header names. */
function v0Headers(prefix: 'x-slack' | 'x-zm', body: string, secret = SECRET): Record<string, string> {
  const timestamp = seconds();
  const names =
    prefix === 'x-slack'
      ? { time: 'x-slack-request-timestamp', signature: 'x-slack-signature' }
      : { time: 'x-zm-request-timestamp', signature: 'x-zm-signature' };
  return {
    'content-type': 'application/json',
    [names.time]: timestamp,
    [names.signature]: `v0=${hmacHex(secret, `v0:${timestamp}:`, body)}`,
  };
}

async function storedEvents(path: string): Promise<unknown[]> {
  const response = await realFetch(`${stack.adminUrl}/events?route=${encodeURIComponent(path)}`);
  return ((await response.json()) as { events: unknown[] }).events;
}

describe('handshakes through the local stack', () => {
  it("answers Slack's url_verification, signed, with the challenge", async () => {
    const body = JSON.stringify({
      token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
      challenge: 'c-3eZbrw1aBm2rZgRNFdxV2',
      type: 'url_verification',
    });

    const reply = await call('/slack/', { headers: v0Headers('x-slack', body), body });
    const unsigned = await call('/slack/', { headers: { 'content-type': 'application/json' }, body });

    expect(reply).toMatchObject({ status: 200, contentType: 'application/json' });
    expect(JSON.parse(reply.text)).toEqual({ challenge: 'c-3eZbrw1aBm2rZgRNFdxV2' });
    expect(unsigned.status).toBe(401);
  });

  it("answers Zoom's endpoint.url_validation with the token's HMAC", async () => {
    const body = JSON.stringify({
      event: 'endpoint.url_validation',
      payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' },
      event_ts: Date.now(),
    });

    const reply = await call('/zoom/', { headers: v0Headers('x-zm', body), body });
    const forged = await call('/zoom/', { headers: v0Headers('x-zm', body, 'not-the-secret'), body });

    expect(reply).toMatchObject({ status: 200, contentType: 'application/json' });
    expect(JSON.parse(reply.text)).toEqual({
      plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
      encryptedToken: hmacHex(SECRET, 'qgg8vlvZRS6UYooatFL8Aw'),
    });
    expect(forged.status).toBe(401);
  });

  it("answers Twitch's webhook_callback_verification with the raw challenge as text", async () => {
    const body = JSON.stringify({
      challenge: 'pogchamp-kappa-360noscope-vohiyo',
      subscription: {
        id: 'f1c2a387',
        type: 'channel.follow',
        version: '2',
        status: 'webhook_callback_verification_pending',
      },
    });
    const id = 'e76c6bd4-55c9-4987-8304-da1588d8988b';
    const timestamp = new Date().toISOString();
    const headers = {
      'content-type': 'application/json',
      'twitch-eventsub-message-id': id,
      'twitch-eventsub-message-timestamp': timestamp,
      'twitch-eventsub-message-type': 'webhook_callback_verification',
      'twitch-eventsub-subscription-type': 'channel.follow',
      'twitch-eventsub-message-signature': `sha256=${hmacHex(SECRET, id, timestamp, body)}`,
    };

    const reply = await call('/twitch/', { headers, body });
    const unsigned = await call('/twitch/', {
      headers: { ...headers, 'twitch-eventsub-message-signature': 'sha256=00' },
      body,
    });

    expect(reply).toMatchObject({ status: 200, text: 'pogchamp-kappa-360noscope-vohiyo' });
    expect(reply.contentType).toMatch(/^text\/plain/);
    expect(unsigned.status).toBe(401);
  });

  it("acknowledges Twitch's signed revocation with 204", async () => {
    const body = JSON.stringify({
      subscription: { id: 'f1c2a387', type: 'channel.follow', version: '2', status: 'authorization_revoked' },
    });
    const id = '84c1e79a-2a4b-4c13-ba0b-4312293e9308';
    const timestamp = new Date().toISOString();

    const reply = await call('/twitch/', {
      headers: {
        'content-type': 'application/json',
        'twitch-eventsub-message-id': id,
        'twitch-eventsub-message-timestamp': timestamp,
        'twitch-eventsub-message-type': 'revocation',
        'twitch-eventsub-subscription-type': 'channel.follow',
        'twitch-eventsub-message-signature': `sha256=${hmacHex(SECRET, id, timestamp, body)}`,
      },
      body,
    });

    expect(reply).toMatchObject({ status: 204, text: '' });
  });

  it("answers Discord's PING with a PONG, and a bad signature with 401", async () => {
    const body = JSON.stringify({ type: 1, id: '1', application_id: '2' });
    const timestamp = seconds();
    const signature = signWithKey(null, Buffer.from(`${timestamp}${body}`), discordKeys.privateKey).toString(
      'hex',
    );

    const reply = await call('/discord/', {
      headers: {
        'content-type': 'application/json',
        'x-signature-ed25519': signature,
        'x-signature-timestamp': timestamp,
      },
      body,
    });
    // Discord checks the endpoint with deliberately bad signatures and expects 401.
    const bad = await call('/discord/', {
      headers: {
        'content-type': 'application/json',
        // One bit of R flipped (the last byte, S's top, is often 00 already).
        'x-signature-ed25519': `${(Number.parseInt(signature.slice(0, 2), 16) ^ 1).toString(16).padStart(2, '0')}${signature.slice(2)}`,
        'x-signature-timestamp': timestamp,
      },
      body,
    });

    expect(reply).toMatchObject({ status: 200, contentType: 'application/json' });
    expect(JSON.parse(reply.text)).toEqual({ type: 1 });
    expect(bad.status).toBe(401);
  });

  it("answers Meta's GET subscription check with the challenge, and a wrong verify token with 403", async () => {
    const query = (token: string) => `?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${token}`;

    const reply = await call('/meta/', { method: 'GET', query: query(META_TOKEN) });
    const wrong = await call('/meta/', { method: 'GET', query: query('guess') });
    const plainGet = await call('/meta/', { method: 'GET' });

    expect(reply).toMatchObject({ status: 200, text: '1158201444' });
    expect(reply.contentType).toMatch(/^text\/plain/);
    expect(wrong.status).toBe(403);
    expect(plainGet.status).toBe(405);
  });

  it("answers X's CRC with the token's base64 HMAC", async () => {
    const reply = await call('/x/', {
      method: 'GET',
      query: '?crc_token=9b4507b3-9040-4669-9ec0-5d7a6c2b3b4d',
    });

    expect(reply).toMatchObject({ status: 200, contentType: 'application/json' });
    expect(JSON.parse(reply.text)).toEqual({
      response_token: `sha256=${createHmac('sha256', SECRET).update('9b4507b3-9040-4669-9ec0-5d7a6c2b3b4d').digest('base64')}`,
    });
  });

  it("answers Microsoft Graph's validationToken with the decoded token as text", async () => {
    const reply = await call('/graph/', {
      query: '?validationToken=Validation%3A%20Testing%20client%20application',
    });

    expect(reply).toMatchObject({ status: 200, text: 'Validation: Testing client application' });
    expect(reply.contentType).toMatch(/^text\/plain/);
    expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it("answers Dropbox's GET challenge as text, unsniffable", async () => {
    const reply = await call('/dropbox/', { method: 'GET', query: '?challenge=a7b4c9d2' });

    expect(reply).toMatchObject({ status: 200, text: 'a7b4c9d2' });
    expect(reply.contentType).toMatch(/^text\/plain/);
    expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it("answers Okta's one-time verification when its auth header matches, and 401 when not", async () => {
    const challenge = 'I5bRnpCJ4u4gyIxB1ZJkA';

    const reply = await call('/okta/', {
      method: 'GET',
      headers: { 'x-okta-verification-challenge': challenge, authorization: OKTA_AUTH },
    });
    const wrong = await call('/okta/', {
      method: 'GET',
      headers: { 'x-okta-verification-challenge': challenge, authorization: 'Basic d3Jvbmc=' },
    });

    expect(reply).toMatchObject({ status: 200, contentType: 'application/json' });
    expect(JSON.parse(reply.text)).toEqual({ verification: challenge });
    expect(wrong.status).toBe(401);
  });

  it('stores the key Asana hands over in its handshake, verifies events with it, refuses another', async () => {
    const handed = 'f3b0c4a29d8e7f6a5b4c3d2e1f0a9b8c';

    const reply = await call('/asana/', { headers: { 'x-hook-secret': handed }, body: '' });
    const body = JSON.stringify({
      events: [{ action: 'changed', resource: { gid: '1', resource_type: 'task' } }],
    });
    const event = await call('/asana/', {
      headers: { 'content-type': 'application/json', 'x-hook-signature': hmacHex(handed, body) },
      body,
    });
    const rekey = await call('/asana/', {
      headers: { 'x-hook-secret': 'an-attacker-s-key-0123456789abcd' },
      body: '',
    });

    expect(reply.status).toBe(200);
    expect(reply.headers.get('x-hook-secret')).toBe(handed);
    expect(readFileSync(join(folder, '.env'), 'utf8')).toContain(`ASANA_SECRET="${handed}"`);
    expect(event.status).toBe(202);
    expect(rekey.status).toBe(403);
  });

  it('confirms an SNS subscription once its signature checks out, and refuses a forged one', async () => {
    const confirmation: Record<string, string> = {
      Type: 'SubscriptionConfirmation',
      MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
      Token: 't0k3n',
      TopicArn: TOPIC,
      Message: `You have chosen to subscribe to the topic ${TOPIC}.`,
      SubscribeURL: SUBSCRIBE_URL,
      Timestamp: new Date().toISOString(),
      SignatureVersion: '2',
      SigningCertURL: CERT_URL,
    };
    const signed = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type']
      .map((key) => `${key}\n${confirmation[key]}\n`)
      .join('');
    const signature = createSign('RSA-SHA256').update(signed).sign(certificate.private, 'base64');
    const headers = {
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': 'SubscriptionConfirmation',
    };

    const forged = await call('/sns/', {
      headers,
      body: JSON.stringify({ ...confirmation, Signature: createHash('sha256').update('x').digest('base64') }),
    });
    const confirmedBefore = fetched.filter((url) => url === SUBSCRIBE_URL).length;
    const reply = await call('/sns/', {
      headers,
      body: JSON.stringify({ ...confirmation, Signature: signature }),
    });

    expect(forged.status).toBe(401);
    expect(confirmedBefore).toBe(0);
    expect(reply).toMatchObject({ status: 200, contentType: 'application/json' });
    expect(JSON.parse(reply.text)).toEqual({ confirmed: true });
    expect(fetched.filter((url) => url === SUBSCRIBE_URL)).toHaveLength(1);
  });

  it('stores no handshake as an event', async () => {
    for (const path of Object.keys(ROUTES).filter((path) => path !== '/asana/')) {
      expect(await storedEvents(path), path).toEqual([]);
    }
    expect(await storedEvents('/asana/')).toHaveLength(1);
  });
});
