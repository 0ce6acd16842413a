import { createHmac } from 'node:crypto';
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { describe, expect, it } from 'vitest';
import { dropboxScheme, verifyDropbox } from '../../../shared/verify/dropbox.js';
import type { HandshakeRequest, HandshakeTools, SchemeConfig } from '../../../shared/verify/scheme.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

const SECRET = 'dropbox-app-secret';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const OPTIONS: SchemeConfig<'dropbox'> = { scheme: 'dropbox', secret: { name: 'DROPBOX_APP_SECRET' } };
const PAYLOAD =
  '{"list_folder":{"accounts":["dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc"]},"delta":{"users":[12345]}}';

/** Dropbox's rule computed with node:crypto: hex HMAC-SHA256 of the raw body (Dropbox publishes no vector). */
function dropboxSignature(body: string, secret = SECRET): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

function request(
  body: string,
  headers: Record<string, string>,
  secrets: readonly string[] = [SECRET],
): VerificationInput {
  return { body: new TextEncoder().encode(body), headers, secrets, now: NOW };
}

const tools: HandshakeTools = {
  secrets: async () => [SECRET],
  resolveSecret: async () => [],
  storeSecret: async () => undefined,
  get: async () => 200,
};

function handshakeRequest(method: string, url: string): HandshakeRequest {
  return { method, url: new URL(url), headers: {}, body: new Uint8Array(), payload: undefined, now: NOW };
}

describe('verifyDropbox()', () => {
  it('accepts the hex HMAC-SHA256 that @octokit/webhooks-methods computes over the same body', async () => {
    // Arrange: GitHub's sha256= signature is the same MAC over the raw body; only the prefix differs.
    const signature = (await octokitSign(SECRET, PAYLOAD)).replace(/^sha256=/, '');

    // Act
    const result = verifyDropbox(request(PAYLOAD, { 'x-dropbox-signature': signature }), OPTIONS);

    // Assert
    expect(result).toEqual({ ok: true, scheme: 'dropbox', keyId: '0' });
  });

  it('accepts an empty body', () => {
    const result = verifyDropbox(request('', { 'x-dropbox-signature': dropboxSignature('') }), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('accepts upper-case hex', () => {
    const headers = { 'x-dropbox-signature': dropboxSignature(PAYLOAD).toUpperCase() };

    expect(verifyDropbox(request(PAYLOAD, headers), OPTIONS).ok).toBe(true);
  });

  it('reports the index of the rotated secret that matched', () => {
    const headers = { 'x-dropbox-signature': dropboxSignature(PAYLOAD, 'new-secret') };

    const result = verifyDropbox(request(PAYLOAD, headers, ['old-secret', 'new-secret']), OPTIONS);

    expect(result).toEqual({ ok: true, scheme: 'dropbox', keyId: '1' });
  });

  describe.each([
    [
      'a tampered body',
      `${PAYLOAD} `,
      { 'x-dropbox-signature': dropboxSignature(PAYLOAD) },
      'signature_mismatch',
    ],
    [
      'a tampered signature',
      PAYLOAD,
      { 'x-dropbox-signature': dropboxSignature(PAYLOAD).replace(/^./, (c) => (c === '0' ? '1' : '0')) },
      'signature_mismatch',
    ],
    [
      'a wrong secret',
      PAYLOAD,
      { 'x-dropbox-signature': dropboxSignature(PAYLOAD, 'other') },
      'signature_mismatch',
    ],
    ['a missing signature', PAYLOAD, {}, 'missing_signature'],
    ['an empty signature', PAYLOAD, { 'x-dropbox-signature': '' }, 'missing_signature'],
    [
      'a truncated signature',
      PAYLOAD,
      { 'x-dropbox-signature': dropboxSignature(PAYLOAD).slice(0, 40) },
      'malformed_signature',
    ],
    [
      'a sha256= prefixed signature',
      PAYLOAD,
      { 'x-dropbox-signature': `sha256=${dropboxSignature(PAYLOAD)}` },
      'malformed_signature',
    ],
  ] as const)('with %s', (_case, body, headers, reason) => {
    it(`rejects it as ${reason}`, () => {
      const result = verifyDropbox(request(body, headers), OPTIONS);

      expect(result).toMatchObject({ ok: false, scheme: 'dropbox', reason });
    });
  });

  it('rejects every request when no secret is configured', () => {
    const result = verifyDropbox(
      request(PAYLOAD, { 'x-dropbox-signature': dropboxSignature(PAYLOAD, '') }, ['']),
      OPTIONS,
    );

    expect(result).toMatchObject({ ok: false, reason: 'missing_secret' });
  });

  it('never puts the expected signature in the failure detail', () => {
    const result = verifyDropbox(request(PAYLOAD, { 'x-dropbox-signature': 'ab'.repeat(32) }), OPTIONS);

    expect(JSON.stringify(result)).not.toContain(dropboxSignature(PAYLOAD));
  });
});

describe('dropboxScheme.sign()', () => {
  it('signs a request that @octokit/webhooks-methods and verifyDropbox() accept', async () => {
    // Arrange
    const toSign = {
      method: 'POST',
      url: 'https://hooks.example.com/dropbox',
      body: PAYLOAD,
      secret: SECRET,
      now: NOW,
      deliveryId: 'd1',
    };

    // Act
    const signed = await dropboxScheme.sign?.(toSign, OPTIONS);

    // Assert
    const signature = signed?.headers['x-dropbox-signature'] ?? '';
    expect(await octokitVerify(SECRET, PAYLOAD, `sha256=${signature}`)).toBe(true);
    expect(verifyDropbox(request(PAYLOAD, { ...signed?.headers }), OPTIONS).ok).toBe(true);
  });
});

describe('dropboxScheme.challenge()', () => {
  it('echoes the challenge of a GET as nosniff plain text', async () => {
    const answer = await dropboxScheme.challenge?.(
      handshakeRequest('GET', 'https://h.example.com/dropbox?challenge=a%2Bb%20c'),
      OPTIONS,
      tools,
    );

    expect(answer).toEqual({
      kind: 'dropbox.challenge',
      statusCode: 200,
      headers: { 'content-type': 'text/plain', 'x-content-type-options': 'nosniff' },
      body: 'a+b c',
    });
  });

  it.each([
    ['a GET without challenge', 'GET', 'https://h.example.com/dropbox'],
    ['a GET with an empty challenge', 'GET', 'https://h.example.com/dropbox?challenge='],
    ['a POST with a challenge', 'POST', 'https://h.example.com/dropbox?challenge=abc'],
  ])('leaves %s to the rest of the pipeline', async (_case, method, url) => {
    const answer = await dropboxScheme.challenge?.(handshakeRequest(method, url), OPTIONS, tools);

    expect(answer).toBeUndefined();
  });
});

describe('dropboxScheme ids', () => {
  it('has no delivery id and no event type (Dropbox documents neither)', () => {
    const delivery = { headers: {}, payload: JSON.parse(PAYLOAD) as unknown };

    expect(dropboxScheme.deliveryId?.(delivery)).toBeUndefined();
    expect(dropboxScheme.eventType?.(delivery)).toBeUndefined();
  });
});
