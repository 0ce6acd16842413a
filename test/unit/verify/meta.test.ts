import { createHmac } from 'node:crypto';
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { describe, expect, it, vi } from 'vitest';
import { metaScheme, verifyMeta } from '../../../shared/verify/meta.js';
import {
  CannotSignError,
  type HandshakeRequest,
  type HandshakeTools,
  type RequestToSign,
  type SchemeConfig,
} from '../../../shared/verify/scheme.js';
import { requestBuilder } from '../../helpers/verify-requests.js';

// Oracle: Meta ships no Node verifier; @octokit/webhooks-methods signs the identical
// `sha256=<hex HMAC-SHA256 of the body>` format. The legacy sha1 header and the empty body (which
// octokit refuses to sign) are computed with node:crypto following Meta's documented rule.
const SECRET = 'meta app secret';
const NOW = new Date('2026-01-15T12:00:00.000Z');
// Meta escapes non-ASCII as \uXXXX in the bytes it signs: the raw body is what is verified.
const PAYLOAD =
  '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"text":"h\\u00e9llo"}}]}]}';
const SHA256 = 'x-hub-signature-256';
const SHA1 = 'x-hub-signature';
const OPTIONS: SchemeConfig<'meta'> = {
  scheme: 'meta',
  secret: { name: 'META_APP_SECRET' },
  verifyToken: { name: 'META_VERIFY_TOKEN' },
};

const request = requestBuilder(NOW, SECRET);

function cryptoSignature(algorithm: 'sha1' | 'sha256', secret: string, body: string | Uint8Array): string {
  return `${algorithm}=${createHmac(algorithm, secret).update(body).digest('hex')}`;
}

function toSign(body: string, secret = SECRET): RequestToSign {
  return { method: 'POST', url: 'https://hooks.example.com/meta', body, secret, now: NOW, deliveryId: 'd-1' };
}

describe('verifyMeta()', () => {
  it('accepts a request signed in the format @octokit/webhooks-methods produces', async () => {
    // Arrange
    const input = request(PAYLOAD, { [SHA256]: await octokitSign(SECRET, PAYLOAD) });

    // Act
    const result = verifyMeta(input, OPTIONS);

    // Assert
    expect(result).toEqual({ ok: true, scheme: 'meta', keyId: '0' });
  });

  it('rejects the same payload re-encoded with literal UTF-8 (only the raw bytes verify)', async () => {
    const reencoded = JSON.stringify(JSON.parse(PAYLOAD));
    const input = request(reencoded, { [SHA256]: await octokitSign(SECRET, PAYLOAD) });

    expect(verifyMeta(input, OPTIONS)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('accepts an empty body', () => {
    expect(verifyMeta(request('', { [SHA256]: cryptoSignature('sha256', SECRET, '') }), OPTIONS).ok).toBe(
      true,
    );
  });

  it('reports the index of the rotated secret that matched', async () => {
    const input = request(PAYLOAD, { [SHA256]: await octokitSign('new', PAYLOAD) }, ['old', 'new']);

    expect(verifyMeta(input, OPTIONS)).toEqual({ ok: true, scheme: 'meta', keyId: '1' });
  });

  it('rejects a tampered body', async () => {
    const input = request(`${PAYLOAD} `, { [SHA256]: await octokitSign(SECRET, PAYLOAD) });

    expect(verifyMeta(input, OPTIONS)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a tampered signature', async () => {
    const signature = await octokitSign(SECRET, PAYLOAD);
    const tampered = `${signature.slice(0, 12)}${signature[12] === '0' ? '1' : '0'}${signature.slice(13)}`;

    expect(verifyMeta(request(PAYLOAD, { [SHA256]: tampered }), OPTIONS)).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a signature made with another secret', async () => {
    const input = request(PAYLOAD, { [SHA256]: await octokitSign('not the secret', PAYLOAD) });

    expect(verifyMeta(input, OPTIONS)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a request without a signature header', () => {
    expect(verifyMeta(request(PAYLOAD, {}), OPTIONS)).toMatchObject({
      ok: false,
      reason: 'missing_signature',
    });
  });

  it('rejects every request when no secret is configured', async () => {
    const input = request(PAYLOAD, { [SHA256]: await octokitSign(SECRET, PAYLOAD) }, []);

    expect(verifyMeta(input, OPTIONS)).toMatchObject({ ok: false, reason: 'missing_secret' });
  });

  describe.each([
    ['without the sha256= prefix', (s: string) => s.slice('sha256='.length)],
    ['that is truncated (partial)', (s: string) => s.slice(0, -2)],
    ['that is too long', (s: string) => `${s}00`],
    ['with non-hex characters', (s: string) => `${s.slice(0, -1)}z`],
    ['sent twice (two headers joined with a comma)', (s: string) => `${s},${s}`],
  ])('a signature %s', (_case, mangle) => {
    it('rejects it as malformed', async () => {
      const input = request(PAYLOAD, { [SHA256]: mangle(await octokitSign(SECRET, PAYLOAD)) });

      expect(verifyMeta(input, OPTIONS)).toMatchObject({ ok: false, reason: 'malformed_signature' });
    });
  });

  describe('legacy sha1 signatures', () => {
    it('accepts x-hub-signature when allowSha1 is set and no sha256 header is sent', () => {
      const input = request(PAYLOAD, { [SHA1]: cryptoSignature('sha1', SECRET, PAYLOAD) });

      expect(verifyMeta(input, { ...OPTIONS, allowSha1: true })).toEqual({
        ok: true,
        scheme: 'meta',
        keyId: '0',
      });
    });

    it('rejects x-hub-signature alone when allowSha1 is left at its default', () => {
      const input = request(PAYLOAD, { [SHA1]: cryptoSignature('sha1', SECRET, PAYLOAD) });

      expect(verifyMeta(input, OPTIONS)).toMatchObject({ ok: false, reason: 'missing_signature' });
    });

    it('checks the sha256 header, not the sha1 one, when both are sent', () => {
      const input = request(PAYLOAD, {
        [SHA256]: cryptoSignature('sha256', 'wrong', PAYLOAD),
        [SHA1]: cryptoSignature('sha1', SECRET, PAYLOAD),
      });

      expect(verifyMeta(input, { ...OPTIONS, allowSha1: true })).toMatchObject({
        ok: false,
        reason: 'signature_mismatch',
      });
    });
  });

  it('never puts the secret or the expected signature in the failure detail', async () => {
    const expected = (await octokitSign(SECRET, PAYLOAD)).slice('sha256='.length);
    const text = JSON.stringify(
      verifyMeta(request(PAYLOAD, { [SHA256]: await octokitSign('x', PAYLOAD) }), OPTIONS),
    );

    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(expected);
  });
});

describe('metaScheme.sign()', () => {
  it('sends both headers, as Meta does, and both verify', async () => {
    // Act
    const signed = await metaScheme.sign?.(toSign(PAYLOAD), OPTIONS);
    const headers = signed?.headers ?? {};

    // Assert
    expect(await octokitVerify(SECRET, PAYLOAD, headers[SHA256] ?? '')).toBe(true);
    expect(headers[SHA1]).toBe(cryptoSignature('sha1', SECRET, PAYLOAD));
    expect(verifyMeta(request(PAYLOAD, headers), OPTIONS)).toMatchObject({ ok: true });
    expect(
      verifyMeta(request(PAYLOAD, { [SHA1]: headers[SHA1] }), { ...OPTIONS, allowSha1: true }),
    ).toMatchObject({
      ok: true,
    });
  });

  it('cannot sign without a secret', () => {
    expect(() => metaScheme.sign?.(toSign(PAYLOAD, ''), OPTIONS)).toThrow(CannotSignError);
  });
});

describe('metaScheme ids', () => {
  it.each([
    ['the object and the field every change names', PAYLOAD, 'whatsapp_business_account.messages'],
    [
      'the object alone when changes name different fields',
      '{"object":"page","entry":[{"changes":[{"field":"feed"}]},{"changes":[{"field":"mention"}]}]}',
      'page',
    ],
    ['the object alone without changes (Messenger)', '{"object":"page","entry":[{"messaging":[]}]}', 'page'],
    ['nothing without an object', '{"entry":[]}', undefined],
  ])('names the event type after %s', (_case, body, expected) => {
    expect(metaScheme.eventType?.({ headers: {}, payload: JSON.parse(body) as unknown })).toBe(expected);
  });

  it('has no delivery id: Meta sends none', () => {
    expect(metaScheme.deliveryId).toBeUndefined();
  });
});

describe('metaScheme.challenge() (hub.challenge verification)', () => {
  const TOKEN = 'my verify token';

  function verification(query: Record<string, string>, method = 'GET'): HandshakeRequest {
    const url = new URL('https://hooks.example.com/meta');
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return { method, url, headers: {}, body: new Uint8Array(), payload: undefined, now: NOW };
  }

  function tools(verifyTokens: readonly string[]) {
    const resolveSecret = vi.fn(async () => verifyTokens);
    const handshakeTools: HandshakeTools = {
      secrets: async () => [SECRET],
      resolveSecret,
      storeSecret: async () => {},
      get: async () => 200,
    };
    return { handshakeTools, resolveSecret };
  }

  const subscribe = { 'hub.mode': 'subscribe', 'hub.challenge': '1158201444', 'hub.verify_token': TOKEN };

  it('answers 200 text/plain with the challenge as-is when the verify token matches', async () => {
    // Arrange
    const { handshakeTools, resolveSecret } = tools([TOKEN]);

    // Act
    const answer = await metaScheme.challenge?.(verification(subscribe), OPTIONS, handshakeTools);

    // Assert
    expect(answer).toEqual({
      kind: 'meta.verification',
      statusCode: 200,
      headers: { 'content-type': 'text/plain', 'x-content-type-options': 'nosniff' },
      body: '1158201444',
    });
    expect(resolveSecret).toHaveBeenCalledWith(OPTIONS.verifyToken);
  });

  it('accepts any of the verify token values during a rotation', async () => {
    const answer = await metaScheme.challenge?.(
      verification(subscribe),
      OPTIONS,
      tools(['new', TOKEN]).handshakeTools,
    );

    expect(answer).toMatchObject({ statusCode: 200, body: '1158201444' });
  });

  it.each([
    ['the verify token is wrong', { ...subscribe, 'hub.verify_token': 'guess' }, [TOKEN]],
    [
      'the verify token is a prefix of the right one',
      { ...subscribe, 'hub.verify_token': 'my verify' },
      [TOKEN],
    ],
    ['the verify token is missing', { 'hub.mode': 'subscribe', 'hub.challenge': '1' }, [TOKEN]],
    ['the mode is not subscribe', { ...subscribe, 'hub.mode': 'unsubscribe' }, [TOKEN]],
    ['no verify token is configured', subscribe, []],
    ['only an empty verify token is configured', { ...subscribe, 'hub.verify_token': '' }, ['']],
  ])('refuses with 403 invalid_verify_token when %s', async (_case, query, tokens) => {
    const answer = await metaScheme.challenge?.(verification(query), OPTIONS, tools(tokens).handshakeTools);

    expect(answer).toMatchObject({
      kind: 'meta.verification',
      refused: true,
      status: 403,
      code: 'invalid_verify_token',
    });
  });

  it('refuses a matching token without a challenge to echo', async () => {
    const query = { 'hub.mode': 'subscribe', 'hub.verify_token': TOKEN };

    const answer = await metaScheme.challenge?.(verification(query), OPTIONS, tools([TOKEN]).handshakeTools);

    expect(answer).toMatchObject({ refused: true, status: 403, code: 'handshake_refused' });
  });

  it.each([
    ['a GET without hub.mode', verification({ 'hub.challenge': '1' })],
    ['a POST (an event)', verification(subscribe, 'POST')],
  ])('leaves %s alone', async (_case, handshake) => {
    const { handshakeTools, resolveSecret } = tools([TOKEN]);

    expect(await metaScheme.challenge?.(handshake, OPTIONS, handshakeTools)).toBeUndefined();
    expect(resolveSecret).not.toHaveBeenCalled();
  });
});
