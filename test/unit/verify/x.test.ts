import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { HandshakeRequest, HandshakeTools } from '../../../shared/verify/scheme.js';
import { verifyX, xScheme } from '../../../shared/verify/x.js';
import { describeBodySignature } from '../../helpers/body-signature-matrix.js';
import { requestBuilder } from '../../helpers/verify-requests.js';

// Oracle: X publishes no SDK verifier and no test vector (its sample code prints no result), so the expected signature is
// computed here with node:crypto following the documented rule: `x-twitter-webhooks-signature: sha256=<base64 HMAC-SHA256(consumer secret, raw body)>`.
const SECRET = 'z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const PAYLOAD = '{"for_user_id":"2244994945","tweet_create_events":[{"id_str":"1","text":"héllo 🚀"}]}';
const HEADER = 'x-twitter-webhooks-signature';
const OPTIONS = { scheme: 'x', secret: { name: 'WEBHOOK_SECRET' } } as const;

const request = requestBuilder(NOW, SECRET);

describeBodySignature({
  scheme: 'x',
  definition: xScheme,
  verify: verifyX,
  options: OPTIONS,
  header: HEADER,
  prefix: 'sha256=',
  algorithm: 'sha256',
  encoding: 'base64',
  secret: SECRET,
  payload: PAYLOAD,
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
