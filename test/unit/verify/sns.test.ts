import { createSign, generateKeyPairSync } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ClientRequest, IncomingMessage } from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { generate } from 'selfsigned';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HandshakeRequest, HandshakeTools, SchemeConfig } from '../../../shared/verify/scheme.js';
import { CannotSignError } from '../../../shared/verify/scheme.js';
import { snsScheme, verifySns } from '../../../shared/verify/sns.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

// Oracles: AWS does not publish a signed message with its certificate, so messages are signed in
// the test with node:crypto (RSA, SHA1 or SHA256) and certificates made with `selfsigned`, building
// the string to sign as AWS documents it. AWS's own `sns-validator` must accept the same messages:
// it downloads certificates with `https.get`, which the test answers with the selfsigned PEM.

interface SnsValidator {
  validate(message: string | Record<string, unknown>, callback: (error: Error | null) => void): void;
}
const MessageValidator = createRequire(import.meta.url)('sns-validator') as new () => SnsValidator;

const NOW = new Date('2026-01-15T12:00:00.000Z');
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:orders';
const OTHER_TOPIC = 'arn:aws:sns:us-east-1:210987654321:orders';
const CERT_URL =
  'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem';
const OPTIONS: SchemeConfig<'sns'> = { scheme: 'sns', topicArns: [TOPIC] };

/** Keys AWS documents as signed, in order: notifications, then both confirmation types. */
const NOTIFICATION_KEYS = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'];
const CONFIRMATION_KEYS = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];

type Message = Record<string, string>;

let certificatePem = '';
let privateKeyPem = '';
let otherCertificatePem = '';

beforeAll(async () => {
  const notBeforeDate = new Date(NOW.getTime() - 86_400_000);
  const attributes = [{ name: 'commonName', value: 'sns.amazonaws.com' }];
  const signing = await generate(attributes, { keySize: 2048, algorithm: 'sha256', notBeforeDate });
  const other = await generate(attributes, { keySize: 2048, algorithm: 'sha256', notBeforeDate });
  certificatePem = signing.cert;
  privateKeyPem = signing.private;
  otherCertificatePem = other.cert;
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

function stringToSign(message: Message): string {
  const keys = message.Type === 'Notification' ? NOTIFICATION_KEYS : CONFIRMATION_KEYS;
  return keys
    .filter((key) => key in message)
    .map((key) => `${key}\n${message[key]}\n`)
    .join('');
}

/** Adds `SignatureVersion`, `SigningCertURL` and `Signature` as SNS does. */
function signMessage(
  fields: Message,
  { version = '1', key = privateKeyPem, certUrl = CERT_URL } = {},
): Message {
  const unsigned = { ...fields, SignatureVersion: version, SigningCertURL: certUrl };
  const signer = createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
  signer.update(stringToSign(unsigned), 'utf8');
  return { ...unsigned, Signature: signer.sign(key, 'base64') };
}

function notification(overrides: Message = {}): Message {
  return {
    Type: 'Notification',
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: TOPIC,
    Subject: 'Order shipped',
    Message: '{"order":"A-1","status":"shipped","note":"héllo\\nwörld"}',
    Timestamp: '2026-01-15T11:59:30.123Z',
    UnsubscribeURL:
      'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=arn:aws:sns:us-east-1:123456789012:orders:c9135db0',
    ...overrides,
  };
}

function confirmation(
  type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation',
  overrides: Message = {},
): Message {
  return {
    Type: type,
    MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
    Token:
      '2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736',
    TopicArn: TOPIC,
    Message: `You have chosen to subscribe to the topic ${TOPIC}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=2336412f37`,
    Timestamp: '2026-01-15T11:59:30.123Z',
    ...overrides,
  };
}

function fetcher(pems: Record<string, string> = { [CERT_URL]: certificatePem }) {
  return vi.fn(async (url: string) => {
    const pem = pems[url];
    if (pem === undefined) throw new Error(`no certificate at ${url}`);
    return pem;
  });
}

function request(body: string | Uint8Array | Message, now = NOW): VerificationInput {
  const bytes =
    body instanceof Uint8Array
      ? body
      : new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));
  return {
    body: bytes,
    headers: { 'content-type': 'text/plain; charset=UTF-8' },
    secrets: [],
    now,
  };
}

/** Serves `pem` to `sns-validator`'s `https.get`, then runs it. */
function snsValidatorAccepts(message: Message, pem = certificatePem): Promise<boolean> {
  vi.spyOn(https, 'get').mockImplementation(((
    _url: string,
    callback: (response: IncomingMessage) => void,
  ) => {
    const response = Object.assign(Readable.from([pem]), { statusCode: 200 }) as unknown as IncomingMessage;
    process.nextTick(() => callback(response));
    return new EventEmitter() as ClientRequest;
  }) as typeof https.get);
  return new Promise((resolve) => {
    new MessageValidator().validate(JSON.stringify(message), (error) => resolve(error === null));
  });
}

describe('verifySns()', () => {
  describe.each(['1', '2'])('with SignatureVersion %s', (version) => {
    it('accepts a notification that sns-validator verifies too', async () => {
      // Arrange
      const message = signMessage(notification(), {
        version,
        certUrl: `${CERT_URL.slice(0, -4)}-v${version}.pem`,
      });
      const fetchCertificate = fetcher({ [message.SigningCertURL ?? '']: certificatePem });

      // Act
      const sdk = await snsValidatorAccepts(message);
      const result = await verifySns(request(message), OPTIONS, { fetchCertificate });

      // Assert
      expect(sdk).toBe(true);
      expect(result).toEqual({
        ok: true,
        scheme: 'sns',
        keyId: message.SigningCertURL,
        signedAt: '2026-01-15T11:59:30.123Z',
      });
    });

    it('accepts a subscription confirmation that sns-validator verifies too', async () => {
      const message = signMessage(confirmation('SubscriptionConfirmation'), { version });

      const sdk = await snsValidatorAccepts(message);
      const result = await verifySns(request(message), OPTIONS, { fetchCertificate: fetcher() });

      expect(sdk).toBe(true);
      expect(result).toMatchObject({ ok: true, keyId: CERT_URL });
    });
  });

  it('accepts a notification without a Subject', async () => {
    const { Subject: _subject, ...fields } = notification();
    const message = signMessage(fields);

    const result = await verifySns(request(message), OPTIONS, { fetchCertificate: fetcher() });

    expect(result.ok).toBe(true);
  });

  it('accepts an UnsubscribeConfirmation signed with its Token, as AWS documents (sns-validator leaves Token out)', async () => {
    const message = signMessage(confirmation('UnsubscribeConfirmation'));

    const sdk = await snsValidatorAccepts(message);
    const result = await verifySns(request(message), OPTIONS, { fetchCertificate: fetcher() });

    expect(sdk).toBe(false);
    expect(result.ok).toBe(true);
  });

  it('accepts an empty Message', async () => {
    const message = signMessage(notification({ Message: '' }));

    const result = await verifySns(request(message), OPTIONS, { fetchCertificate: fetcher() });

    expect(result.ok).toBe(true);
  });

  it('fetches each certificate once and reuses it', async () => {
    const fetchCertificate = fetcher();
    const first = signMessage(notification());
    const second = signMessage(notification({ MessageId: 'second' }));

    await verifySns(request(first), OPTIONS, { fetchCertificate });
    const result = await verifySns(request(second), OPTIONS, { fetchCertificate });

    expect(result.ok).toBe(true);
    expect(fetchCertificate).toHaveBeenCalledTimes(1);
    expect(fetchCertificate).toHaveBeenCalledWith(CERT_URL);
  });

  it('accepts a topic listed among several', async () => {
    const message = signMessage(notification({ TopicArn: OTHER_TOPIC }));
    const options = { ...OPTIONS, topicArns: [TOPIC, OTHER_TOPIC] };

    const result = await verifySns(request(message), options, { fetchCertificate: fetcher() });

    expect(result.ok).toBe(true);
  });

  it('rejects a validly signed message from a topic not listed, without fetching anything', async () => {
    const fetchCertificate = fetcher();
    const message = signMessage(notification({ TopicArn: OTHER_TOPIC }));

    const result = await verifySns(request(message), OPTIONS, { fetchCertificate });

    expect(result).toMatchObject({ ok: false, scheme: 'sns', reason: 'topic_not_allowed' });
    expect(fetchCertificate).not.toHaveBeenCalled();
  });

  it.each([
    ['Message', 'tampered'],
    ['MessageId', 'another-id'],
    ['Subject', 'Order cancelled'],
    ['Timestamp', '2026-01-15T11:59:31.123Z'],
    ['Type', 'SubscriptionConfirmation'],
  ])('rejects a notification whose %s was changed after signing', async (key, value) => {
    const message = { ...signMessage(notification()), [key]: value };

    const result = await verifySns(request(message), OPTIONS, { fetchCertificate: fetcher() });

    expect(result).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/signature_mismatch|malformed_signature/),
    });
  });

  it('rejects a SubscribeURL changed after signing', async () => {
    const signed = signMessage(confirmation('SubscriptionConfirmation'));
    const message = {
      ...signed,
      SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&x=1',
    };

    const result = await verifySns(request(message), OPTIONS, { fetchCertificate: fetcher() });

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a Subject added after signing', async () => {
    const { Subject: _subject, ...fields } = notification();
    const message = { ...signMessage(fields), Subject: 'added' };

    const result = await verifySns(request(message), OPTIONS, { fetchCertificate: fetcher() });

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a tampered signature', async () => {
    const signed = signMessage(notification());
    const bytes = Buffer.from(signed.Signature ?? '', 'base64');
    bytes[10] = (bytes[10] ?? 0) ^ 0x01;
    const message = { ...signed, Signature: bytes.toString('base64') };

    const result = await verifySns(request(message), OPTIONS, { fetchCertificate: fetcher() });

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a message signed with another key than the certificate', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    const message = signMessage(notification(), { key: other.toString() });

    const result = await verifySns(request(message), OPTIONS, { fetchCertificate: fetcher() });

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a message whose certificate URL serves another certificate', async () => {
    // A URL of its own: sns-validator caches certificates by URL for the life of the process.
    const certUrl = `${CERT_URL.slice(0, -4)}-other.pem`;
    const message = signMessage(notification(), { certUrl });
    const fetchCertificate = fetcher({ [certUrl]: otherCertificatePem });

    const sdk = await snsValidatorAccepts(message, otherCertificatePem);
    const result = await verifySns(request(message), OPTIONS, { fetchCertificate });

    expect(sdk).toBe(false);
    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a SignatureVersion changed after signing', async () => {
    const message = { ...signMessage(notification(), { version: '2' }), SignatureVersion: '1' };

    const result = await verifySns(request(message), OPTIONS, { fetchCertificate: fetcher() });

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects SignatureVersion 1 when minSignatureVersion is 2', async () => {
    const message = signMessage(notification(), { version: '1' });

    const result = await verifySns(
      request(message),
      { ...OPTIONS, minSignatureVersion: 2 },
      { fetchCertificate: fetcher() },
    );

    expect(result).toMatchObject({ ok: false, reason: 'algorithm_not_allowed' });
  });

  it.each([
    ['older than', -3901_000],
    ['further in the future than', 3901_000],
  ])('rejects a message signed %s the tolerance', async (_case, offsetMs) => {
    const timestamp = new Date(NOW.getTime() + offsetMs).toISOString();
    const message = signMessage(notification({ Timestamp: timestamp }));

    const result = await verifySns(request(message), OPTIONS, { fetchCertificate: fetcher() });

    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  it('accepts a retry published within the default tolerance (an hour of SNS retries)', async () => {
    const message = signMessage(
      notification({ Timestamp: new Date(NOW.getTime() - 3600_000).toISOString() }),
    );

    const result = await verifySns(request(message), OPTIONS, { fetchCertificate: fetcher() });

    expect(result.ok).toBe(true);
  });

  it('honours a custom tolerance', async () => {
    const message = signMessage(notification({ Timestamp: new Date(NOW.getTime() - 100_000).toISOString() }));
    const fetchCertificate = fetcher();

    const strict = await verifySns(
      request(message),
      { ...OPTIONS, toleranceSeconds: 60 },
      { fetchCertificate },
    );
    const lenient = await verifySns(
      request(message),
      { ...OPTIONS, toleranceSeconds: 120 },
      { fetchCertificate },
    );

    expect(strict).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(lenient.ok).toBe(true);
  });

  it.each([
    '2026-01-15 11:59:30Z',
    '2026-01-15T11:59:30+00:00',
    '1768478370',
    'yesterday',
    '2026-13-45T99:99:99Z',
  ])('rejects the malformed Timestamp %j', async (timestamp) => {
    const message = signMessage(notification({ Timestamp: timestamp }));

    const result = await verifySns(request(message), OPTIONS, { fetchCertificate: fetcher() });

    expect(result).toMatchObject({ ok: false, reason: 'malformed_timestamp' });
  });

  it.each([
    ['Signature', 'missing_signature'],
    ['SignatureVersion', 'missing_signature'],
    ['SigningCertURL', 'missing_signature'],
    ['Timestamp', 'missing_timestamp'],
    ['MessageId', 'malformed_signature'],
    ['TopicArn', 'malformed_signature'],
    ['Message', 'malformed_signature'],
    ['Type', 'malformed_signature'],
  ])('rejects a message without %s', async (key, reason) => {
    const { [key]: _removed, ...message } = signMessage(notification());

    const result = await verifySns(request(message), OPTIONS, { fetchCertificate: fetcher() });

    expect(result).toMatchObject({ ok: false, reason });
  });

  it.each(['SubscribeURL', 'Token'])('rejects a subscription confirmation without %s', async (key) => {
    const { [key]: _removed, ...message } = signMessage(confirmation('SubscriptionConfirmation'));

    const result = await verifySns(request(message), OPTIONS, { fetchCertificate: fetcher() });

    expect(result).toMatchObject({ ok: false, reason: 'malformed_signature' });
  });

  it.each([
    ['an empty body', ''],
    ['a JSON array', '[]'],
    ['not JSON', 'Type=Notification'],
    ['not UTF-8', Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d])],
  ])('rejects %s', async (_case, body) => {
    const result = await verifySns(request(body), OPTIONS, { fetchCertificate: fetcher() });

    expect(result).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it('rejects an unknown message Type', async () => {
    const message = signMessage(notification({ Type: 'Publish' }));

    const result = await verifySns(request(message), OPTIONS, { fetchCertificate: fetcher() });

    expect(result).toMatchObject({ ok: false, reason: 'malformed_signature' });
  });

  it('rejects a signed field that is not a string', async () => {
    const message = { ...signMessage(notification()), Subject: null } as unknown as Message;

    const result = await verifySns(request(message), OPTIONS, { fetchCertificate: fetcher() });

    expect(result).toMatchObject({ ok: false, reason: 'malformed_signature' });
  });

  it.each(['3', 'v2', ''])('rejects SignatureVersion %j', async (version) => {
    const message = { ...signMessage(notification()), SignatureVersion: version };

    const result = await verifySns(request(message), OPTIONS, { fetchCertificate: fetcher() });

    expect(result).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/malformed_signature|missing_signature/),
    });
  });

  describe.each([
    ['that is truncated', (signature: string) => signature.slice(0, 100)],
    ['without padding', (signature: string) => `${signature.slice(0, -4)}AAA`],
    ['in base64url', (signature: string) => Buffer.from(signature, 'base64').toString('base64url')],
    ['listed twice', (signature: string) => `${signature},${signature}`],
  ])('a Signature %s', (_case, change) => {
    it('rejects it as malformed', async () => {
      const signed = signMessage(notification());
      const message = { ...signed, Signature: change(signed.Signature ?? '') };

      const result = await verifySns(request(message), OPTIONS, { fetchCertificate: fetcher() });

      expect(result).toMatchObject({ ok: false, reason: 'malformed_signature' });
    });
  });

  describe.each([
    ['over http', 'http://sns.us-east-1.amazonaws.com/cert.pem'],
    ['on another host', 'https://attacker.example.com/cert.pem'],
    ['on a look-alike host', 'https://sns.us-east-1.amazonaws.com.attacker.example/cert.pem'],
    ['on an S3 host', 'https://s3.us-east-1.amazonaws.com/cert.pem'],
    ['with credentials', 'https://user:pass@sns.us-east-1.amazonaws.com/cert.pem'],
    ['on another port', 'https://sns.us-east-1.amazonaws.com:8443/cert.pem'],
    ['that is not a .pem file', 'https://sns.us-east-1.amazonaws.com/cert.pem/other'],
    ['with a query', 'https://sns.us-east-1.amazonaws.com/cert.pem?x=.pem'],
    ['that is not a URL', 'sns.us-east-1.amazonaws.com/cert.pem'],
  ])('a SigningCertURL %s', (_case, certUrl) => {
    it('is never fetched and fails the message', async () => {
      const fetchCertificate = fetcher({ [certUrl]: certificatePem });
      const message = signMessage(notification(), { certUrl });

      const result = await verifySns(request(message), OPTIONS, { fetchCertificate });

      expect(result).toMatchObject({ ok: false, reason: 'malformed_signature' });
      expect(fetchCertificate).not.toHaveBeenCalled();
    });
  });

  it('accepts a certificate URL in the China partition', async () => {
    const certUrl = 'https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-1.pem';
    const message = signMessage(notification(), { certUrl });

    const result = await verifySns(request(message), OPTIONS, {
      fetchCertificate: fetcher({ [certUrl]: certificatePem }),
    });

    expect(result.ok).toBe(true);
  });

  it.each([
    ['the fetch fails', () => Promise.reject(new Error('getaddrinfo ENOTFOUND')), 'key_unavailable'],
    ['the URL serves no certificate', () => Promise.resolve('<html>not found</html>'), 'signature_mismatch'],
    [
      'the certificate is not RSA',
      async () => (await generate(undefined, { keyType: 'ec' })).cert,
      'signature_mismatch',
    ],
  ])('fails closed when %s', async (name, fetchCertificate, reason) => {
    const message = signMessage(notification(), { certUrl: `${CERT_URL.slice(0, -4)}-${name.length}.pem` });

    const result = await verifySns(request(message), OPTIONS, { fetchCertificate });

    expect(result).toMatchObject({ ok: false, reason });
  });

  it('downloads the certificate with fetch by default, refusing redirects and with a timeout', async () => {
    const certUrl = `${CERT_URL.slice(0, -4)}-default-fetch.pem`;
    const fetch = vi.fn(async () => new Response(certificatePem, { status: 200 }));
    vi.stubGlobal('fetch', fetch);
    const message = signMessage(notification(), { certUrl });

    const result = await verifySns(request(message), OPTIONS);

    expect(result.ok).toBe(true);
    expect(fetch).toHaveBeenCalledExactlyOnceWith(
      certUrl,
      expect.objectContaining({ redirect: 'error', signal: expect.any(AbortSignal) }),
    );
  });

  it.each([
    [404, 'signature_mismatch'],
    [403, 'signature_mismatch'],
    [429, 'key_unavailable'],
    [503, 'key_unavailable'],
  ])('fails closed when the default download answers %i: %s', async (status, reason) => {
    vi.stubGlobal('fetch', async () => new Response('no', { status }));
    const message = signMessage(notification(), {
      certUrl: `${CERT_URL.slice(0, -4)}-default-${status}.pem`,
    });

    const result = await verifySns(request(message), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason, detail: `certificate URL answered ${status}` });
  });

  it('remembers that a certificate does not exist: forged messages naming it cost no request to SNS', async () => {
    const fetch = vi.fn(async () => new Response('no such key', { status: 404 }));
    vi.stubGlobal('fetch', fetch);
    const message = signMessage(notification(), { certUrl: `${CERT_URL.slice(0, -4)}-forged.pem` });

    const results = [await verifySns(request(message), OPTIONS), await verifySns(request(message), OPTIONS)];

    expect(results.map((result) => result.ok)).toEqual([false, false]);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('tries the download again after a failure', async () => {
    let calls = 0;
    const fetchCertificate = async () => {
      calls += 1;
      if (calls === 1) throw new Error('timeout');
      return certificatePem;
    };
    const message = signMessage(notification());

    const first = await verifySns(request(message), OPTIONS, { fetchCertificate });
    const second = await verifySns(request(message), OPTIONS, { fetchCertificate });

    expect(first).toMatchObject({ ok: false, reason: 'key_unavailable' });
    expect(second.ok).toBe(true);
  });

  it('never puts the signature in the failure detail', async () => {
    const signed = signMessage(notification());
    const message = { ...signed, Message: 'tampered' };

    const result = await verifySns(request(message), OPTIONS, { fetchCertificate: fetcher() });

    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(signed.Signature);
  });
});

describe('snsScheme.sign()', () => {
  it('refuses to sign: only AWS holds the signing key', async () => {
    const toSign = {
      method: 'POST',
      url: 'https://hooks.example.com/sns',
      body: '{}',
      secret: '',
      now: NOW,
      deliveryId: 'd1',
    };

    await expect(async () => snsScheme.sign?.(toSign, OPTIONS)).rejects.toBeInstanceOf(CannotSignError);
  });
});

function handshakeRequest(message: Message): HandshakeRequest {
  const body = new TextEncoder().encode(JSON.stringify(message));
  return {
    method: 'POST',
    url: new URL('https://hooks.example.com/sns'),
    headers: { 'x-amz-sns-message-type': message.Type },
    body,
    payload: undefined,
    now: NOW,
  };
}

function tools(get: HandshakeTools['get']): HandshakeTools {
  return { secrets: async () => [], resolveSecret: async () => [], storeSecret: async () => {}, get };
}

describe('snsScheme.handshake()', () => {
  it('confirms a subscription by a GET of its SubscribeURL', async () => {
    // Arrange
    const message = signMessage(confirmation('SubscriptionConfirmation'));
    const get = vi.fn(async () => 200);

    // Act
    const answer = await snsScheme.handshake?.(handshakeRequest(message), OPTIONS, tools(get));

    // Assert
    expect(get).toHaveBeenCalledExactlyOnceWith(message.SubscribeURL);
    expect(answer).toEqual({
      kind: 'sns.subscription_confirmation',
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"confirmed":true}',
    });
  });

  it.each([
    ['the GET answers 404', async () => 404],
    ['the GET answers 500', async () => 500],
    ['the GET fails', async () => Promise.reject(new TypeError('fetch failed'))],
  ])('refuses when %s', async (_case, get) => {
    const message = signMessage(confirmation('SubscriptionConfirmation'));

    const answer = await snsScheme.handshake?.(handshakeRequest(message), OPTIONS, tools(get));

    expect(answer).toMatchObject({
      kind: 'sns.subscription_confirmation',
      refused: true,
      status: 403,
      code: 'handshake_refused',
    });
  });

  it.each([
    ['on another host', { SubscribeURL: 'https://attacker.example.com/?Action=ConfirmSubscription' }],
    [
      'over http',
      { SubscribeURL: `http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}` },
    ],
    [
      'naming another topic',
      { SubscribeURL: `https://sns.us-east-1.amazonaws.com/?TopicArn=${OTHER_TOPIC}` },
    ],
    [
      'for a topic not listed',
      { TopicArn: OTHER_TOPIC, SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?a=1' },
    ],
  ])('refuses a SubscribeURL %s without calling it', async (_case, overrides) => {
    const message = signMessage(confirmation('SubscriptionConfirmation', overrides));
    const get = vi.fn(async () => 200);

    const answer = await snsScheme.handshake?.(handshakeRequest(message), OPTIONS, tools(get));

    expect(answer).toMatchObject({ refused: true, status: 403, code: 'handshake_refused' });
    expect(get).not.toHaveBeenCalled();
  });

  it('acknowledges an UnsubscribeConfirmation without calling anything', async () => {
    const message = signMessage(confirmation('UnsubscribeConfirmation'));
    const get = vi.fn(async () => 200);

    const answer = await snsScheme.handshake?.(handshakeRequest(message), OPTIONS, tools(get));

    expect(get).not.toHaveBeenCalled();
    expect(answer).toEqual({
      kind: 'sns.unsubscribe_confirmation',
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"unsubscribed":true}',
    });
  });

  it('lets a notification through as an event', async () => {
    const get = vi.fn(async () => 200);

    const answer = await snsScheme.handshake?.(
      handshakeRequest(signMessage(notification())),
      OPTIONS,
      tools(get),
    );

    expect(answer).toBeUndefined();
    expect(get).not.toHaveBeenCalled();
  });
});

describe('snsScheme ids', () => {
  const message = notification();

  it.each([
    ['a parsed payload', message],
    ['the text/plain body left unparsed', JSON.stringify(message)],
  ])('takes MessageId and Type from %s', (_case, payload) => {
    const delivery = { headers: {}, payload };

    expect(snsScheme.deliveryId?.(delivery)).toBe(message.MessageId);
    expect(snsScheme.eventType?.(delivery)).toBe('Notification');
  });

  it('falls back to the x-amz-sns-* headers', () => {
    const delivery = {
      headers: { 'x-amz-sns-message-id': 'header-id', 'x-amz-sns-message-type': 'Notification' },
      payload: undefined,
    };

    expect(snsScheme.deliveryId?.(delivery)).toBe('header-id');
    expect(snsScheme.eventType?.(delivery)).toBe('Notification');
  });
});
