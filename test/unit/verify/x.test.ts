import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CannotSignError,
  type HandshakeRequest,
  type HandshakeTools,
  type RequestToSign,
} from '../../../shared/verify/scheme.js';
import type { VerificationInput } from '../../../shared/verify/types.js';
import { verifyX, xScheme } from '../../../shared/verify/x.js';

// Oracle: X publishes no SDK verifier and no test vector (its sample code prints no result), so the expected signature is
// computed here with node:crypto following the documented rule: `x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(consumer secret, raw body)>`.
const SECRET = 'z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const PAYLOAD = '{"for_user_id":"2244994945","tweet_create_events":[{"id_str":"1","text":"héllo 🚀"}]}';
const HEADER = 'x-twitter-webhooks-signature';
const PREFIX = 'sha256=';
const OPTIONS = { scheme: 'x', secret: { name: 'WEBHOOK_SECRET' } } as const;

/** The provider's signature, computed independently of the code under test. */
function providerSignature(secret: string, body: string | Uint8Array): string {
  return `${PREFIX}${createHmac('sha256', secret).update(body).digest('base64')}`;
}

function request(
  body: string | Uint8Array,
  headers: Record<string, string | undefined>,
  secrets: readonly string[] = [SECRET],
): VerificationInput {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return { body: bytes, headers, secrets, now: NOW };
}

function signed(body: string | Uint8Array, secret = SECRET): Record<string, string> {
  return { [HEADER]: providerSignature(secret, body) };
}

function toSign(body: string, secret = SECRET): RequestToSign {
  return { method: 'POST', url: 'https://hooks.example.com/in', body, secret, now: NOW, deliveryId: 'd-1' };
}

/** The signature with one digest character changed to another valid one. */
function tamper(signature: string): string {
  const at = PREFIX.length + 5;
  return `${signature.slice(0, at)}${signature[at] === '0' ? '1' : '0'}${signature.slice(at + 1)}`;
}

describe('verifyX()', () => {
  it('accepts a request signed by the documented rule', () => {
    // Arrange
    const input = request(PAYLOAD, signed(PAYLOAD));

    // Act
    const result = verifyX(input);

    // Assert
    expect(result).toEqual({ ok: true, scheme: 'x', keyId: '0' });
  });

  it('accepts an empty body', () => {
    expect(verifyX(request('', signed(''))).ok).toBe(true);
  });

  it('accepts a binary (non-UTF-8) body byte for byte', () => {
    const body = Uint8Array.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28]);

    expect(verifyX(request(body, signed(body))).ok).toBe(true);
  });

  it('reports the index of the rotated secret that matched', () => {
    const input = request(PAYLOAD, signed(PAYLOAD, 'new secret'), ['old secret', 'new secret']);

    expect(verifyX(input)).toEqual({ ok: true, scheme: 'x', keyId: '1' });
  });

  it('rejects a tampered body', () => {
    expect(verifyX(request(`${PAYLOAD} `, signed(PAYLOAD)))).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a tampered signature', () => {
    const input = request(PAYLOAD, { [HEADER]: tamper(providerSignature(SECRET, PAYLOAD)) });

    expect(verifyX(input)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature made with another secret', () => {
    expect(verifyX(request(PAYLOAD, signed(PAYLOAD, 'not the secret')))).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a request without a signature header', () => {
    expect(verifyX(request(PAYLOAD, {}))).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it.each([[[]], [['']]])('rejects every request when the secrets are %j', (secrets) => {
    expect(verifyX(request(PAYLOAD, signed(PAYLOAD), secrets))).toMatchObject({
      ok: false,
      reason: 'missing_secret',
    });
  });

  describe.each([
    ['without the sha256= prefix', (s: string) => s.slice(PREFIX.length)],
    ['that is empty after the prefix', () => PREFIX],
    ['with a sha1= prefix', (s: string) => s.replace(PREFIX, 'sha1=')],
    [
      'in hex instead of base64',
      (s: string) => `${PREFIX}${Buffer.from(s.slice(PREFIX.length), 'base64').toString('hex')}`,
    ],
    [
      'in base64url instead of base64',
      (s: string) => `${PREFIX}${Buffer.from(s.slice(PREFIX.length), 'base64').toString('base64url')}`,
    ],
    ['without its base64 padding', (s: string) => s.replace(/=+$/, '')],
    ['that is truncated (partial)', (s: string) => s.slice(0, -4)],
    ['that is too long', (s: string) => `${s}AAAA`],
    ['sent twice (two headers joined with a comma)', (s: string) => `${s},${s}`],
    ['with surrounding spaces', (s: string) => ` ${s}`],
  ])('a signature %s', (_case, mangle) => {
    it('rejects it as malformed', () => {
      const input = request(PAYLOAD, { [HEADER]: mangle(providerSignature(SECRET, PAYLOAD)) });

      expect(verifyX(input)).toMatchObject({ ok: false, reason: 'malformed_signature' });
    });
  });

  it('never puts the secret or the expected signature in the failure detail', () => {
    const expected = providerSignature(SECRET, PAYLOAD).slice(PREFIX.length);

    const text = JSON.stringify(verifyX(request(PAYLOAD, signed(PAYLOAD, 'wrong'))));

    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(expected);
  });
});

describe('xScheme.sign()', () => {
  it('signs as the provider does, and verifyX() accepts it', async () => {
    // Act
    const signed = await xScheme.sign?.(toSign(PAYLOAD), OPTIONS);

    // Assert
    expect(signed?.headers[HEADER]).toBe(providerSignature(SECRET, PAYLOAD));
    expect(verifyX(request(PAYLOAD, signed?.headers ?? {}))).toMatchObject({ ok: true });
  });

  it('cannot sign without a secret', () => {
    expect(() => xScheme.sign?.(toSign(PAYLOAD, ''), OPTIONS)).toThrow(CannotSignError);
  });
});

describe('xScheme ids', () => {
  it.each([
    ['tweet_create_events', PAYLOAD],
    ['direct_message_events', '{"for_user_id":"1","direct_message_events":[],"users":{}}'],
    ['favorite_events', '{"favorite_events":[{"id":"a"}],"for_user_id":"1"}'],
  ])('names the event type %s after the payload key ending in _events', (expected, body) => {
    const delivery = { headers: {}, payload: JSON.parse(body) as unknown };

    expect(xScheme.eventType?.(delivery)).toBe(expected);
  });

  it.each([
    ['has no _events key', { for_user_id: '1' }],
    ['is an array', [{ tweet_create_events: [] }]],
    ['is not JSON', undefined],
  ])('has no event type when the payload %s', (_case, payload) => {
    expect(xScheme.eventType?.({ headers: {}, payload })).toBeUndefined();
  });

  it('has no delivery id: X sends none', () => {
    expect(xScheme.deliveryId).toBeUndefined();
  });
});

describe('xScheme.challenge() (CRC)', () => {
  // The consumer secret and token of X's own CRC examples (developer relations sample code).
  const CRC_TOKEN = '9b4507b3-9040-4669-9ca3-6b94edb50553';

  function crcRequest(query: string, method = 'GET'): HandshakeRequest {
    return {
      method,
      url: new URL(`https://hooks.example.com/x${query}`),
      headers: {},
      body: new Uint8Array(),
      payload: undefined,
      now: NOW,
    };
  }

  function tools(secrets: readonly string[]): HandshakeTools {
    return {
      secrets: async () => secrets,
      resolveSecret: async () => [],
      storeSecret: async () => {},
      get: async () => 200,
    };
  }

  it('answers 200 application/json with the response_token of the newest secret', async () => {
    // Arrange
    const expected = `sha256=${createHmac('sha256', SECRET).update(CRC_TOKEN).digest('base64')}`;

    // Act
    const answer = await xScheme.challenge?.(
      crcRequest(`?crc_token=${CRC_TOKEN}`),
      OPTIONS,
      tools([SECRET, 'old']),
    );

    // Assert
    expect(answer).toEqual({
      kind: 'x.crc',
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_token: expected }),
    });
  });

  it('decodes the token from the query before signing it', async () => {
    const token = 'a+b/c=d';
    const expected = `sha256=${createHmac('sha256', SECRET).update(token).digest('base64')}`;

    const answer = await xScheme.challenge?.(
      crcRequest(`?crc_token=${encodeURIComponent(token)}`),
      OPTIONS,
      tools([SECRET]),
    );

    expect(JSON.parse((answer as { body: string }).body)).toEqual({ response_token: expected });
  });

  it('skips an empty secret and answers with the next one', async () => {
    const expected = `sha256=${createHmac('sha256', SECRET).update(CRC_TOKEN).digest('base64')}`;

    const answer = await xScheme.challenge?.(
      crcRequest(`?crc_token=${CRC_TOKEN}`),
      OPTIONS,
      tools(['', SECRET]),
    );

    expect(answer).toMatchObject({ statusCode: 200, body: JSON.stringify({ response_token: expected }) });
  });

  it.each([
    ['no secret is configured', `?crc_token=${CRC_TOKEN}`, []],
    ['the token is empty', '?crc_token=', [SECRET]],
    [
      'the token is a JSON object (a forged event to have signed)',
      `?crc_token=${encodeURIComponent('{"tweet_create_events":[]}')}`,
      [SECRET],
    ],
    ['the token is a JSON array', `?crc_token=${encodeURIComponent(' [1]')}`, [SECRET]],
    ['the token is unusually long', `?crc_token=${'a'.repeat(1025)}`, [SECRET]],
  ])('refuses with 403 handshake_refused when %s', async (_case, query, secrets) => {
    const answer = await xScheme.challenge?.(crcRequest(query), OPTIONS, tools(secrets));

    expect(answer).toMatchObject({ kind: 'x.crc', refused: true, status: 403, code: 'handshake_refused' });
  });

  it.each([
    ['a GET without crc_token', crcRequest('?other=1')],
    ['a POST with crc_token', crcRequest(`?crc_token=${CRC_TOKEN}`, 'POST')],
  ])('leaves %s alone', async (_case, request) => {
    expect(await xScheme.challenge?.(request, OPTIONS, tools([SECRET]))).toBeUndefined();
  });

  it('gives the same answer as a signature over a body equal to the token (why JSON tokens are refused)', async () => {
    const answer = await xScheme.challenge?.(crcRequest(`?crc_token=${CRC_TOKEN}`), OPTIONS, tools([SECRET]));
    const { response_token } = JSON.parse((answer as { body: string }).body) as { response_token: string };

    expect(verifyX(request(CRC_TOKEN, { [HEADER]: response_token }))).toMatchObject({ ok: true });
  });
});
