import { createHmac } from 'node:crypto';
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { describe, expect, it, vi } from 'vitest';
import { asanaScheme, verifyAsana } from '../../../shared/verify/asana.js';
import type { HandshakeRequest, HandshakeTools, SchemeConfig } from '../../../shared/verify/scheme.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

const SECRET = '7e2a1c9f0b6d4e8a3c5f7b9d1e3a5c7e';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const OPTIONS: SchemeConfig<'asana'> = { scheme: 'asana', secret: { name: 'ASANA_HOOK_SECRET' } };
const PAYLOAD =
  '{"events":[{"action":"changed","resource":{"gid":"1204","resource_type":"task"},"created_at":"2026-01-15T11:59:59.000Z"}]}';

/** Asana's rule computed with node:crypto: hex HMAC-SHA256 of the raw body (Asana publishes no vector). */
function asanaSignature(body: string, secret = SECRET): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

function request(
  body: string,
  headers: Record<string, string>,
  secrets: readonly string[] = [SECRET],
): VerificationInput {
  return { body: new TextEncoder().encode(body), headers, secrets, now: NOW };
}

function handshakeRequest(headers: Record<string, string>, method = 'POST'): HandshakeRequest {
  return {
    method,
    url: new URL('https://hooks.example.com/asana'),
    headers,
    body: new Uint8Array(),
    payload: undefined,
    now: NOW,
  };
}

function toolsWith(stored: readonly string[]) {
  const storeSecret = vi.fn(async (_value: string) => undefined);
  const tools: HandshakeTools = {
    secrets: async () => stored,
    resolveSecret: async () => [],
    storeSecret,
    get: async () => 200,
  };
  return { tools, storeSecret };
}

describe('verifyAsana()', () => {
  it('accepts the hex HMAC-SHA256 that @octokit/webhooks-methods computes over the same body', async () => {
    // Arrange: the same MAC over the raw body as GitHub's, without its sha256= prefix.
    const signature = (await octokitSign(SECRET, PAYLOAD)).replace(/^sha256=/, '');

    // Act
    const result = verifyAsana(request(PAYLOAD, { 'x-hook-signature': signature }), OPTIONS);

    // Assert
    expect(result).toEqual({ ok: true, scheme: 'asana', keyId: '0' });
  });

  it('accepts an empty body', () => {
    expect(verifyAsana(request('', { 'x-hook-signature': asanaSignature('') }), OPTIONS).ok).toBe(true);
  });

  it('reports the index of the rotated secret that matched', () => {
    const headers = { 'x-hook-signature': asanaSignature(PAYLOAD, 'second') };

    expect(verifyAsana(request(PAYLOAD, headers, ['first', 'second']), OPTIONS)).toMatchObject({
      keyId: '1',
    });
  });

  describe.each([
    ['a tampered body', `${PAYLOAD}\n`, asanaSignature(PAYLOAD), 'signature_mismatch'],
    ['a wrong secret', PAYLOAD, asanaSignature(PAYLOAD, 'other'), 'signature_mismatch'],
    ['a truncated signature', PAYLOAD, asanaSignature(PAYLOAD).slice(0, 63), 'malformed_signature'],
    ['a non-hex signature', PAYLOAD, 'z'.repeat(64), 'malformed_signature'],
  ] as const)('with %s', (_case, body, signature, reason) => {
    it(`rejects it as ${reason}`, () => {
      expect(verifyAsana(request(body, { 'x-hook-signature': signature }), OPTIONS)).toMatchObject({
        ok: false,
        reason,
      });
    });
  });

  it('rejects a request without X-Hook-Signature', () => {
    expect(verifyAsana(request(PAYLOAD, {}), OPTIONS)).toMatchObject({
      ok: false,
      reason: 'missing_signature',
    });
  });

  it('rejects every event while the handshake has not stored a secret', () => {
    const result = verifyAsana(
      request(PAYLOAD, { 'x-hook-signature': asanaSignature(PAYLOAD, '') }, []),
      OPTIONS,
    );

    expect(result).toMatchObject({ ok: false, reason: 'missing_secret' });
  });
});

describe('asanaScheme.sign()', () => {
  it('signs a request that @octokit/webhooks-methods and verifyAsana() accept', async () => {
    const toSign = {
      method: 'POST',
      url: 'https://hooks.example.com/asana',
      body: PAYLOAD,
      secret: SECRET,
      now: NOW,
      deliveryId: 'd1',
    };

    const signed = await asanaScheme.sign?.(toSign, OPTIONS);

    const signature = signed?.headers['x-hook-signature'] ?? '';
    expect(await octokitVerify(SECRET, PAYLOAD, `sha256=${signature}`)).toBe(true);
    expect(verifyAsana(request(PAYLOAD, { ...signed?.headers }), OPTIONS).ok).toBe(true);
  });
});

describe('asanaScheme.challenge()', () => {
  it('stores the offered secret when the route has none and echoes it', async () => {
    // Arrange
    const { tools, storeSecret } = toolsWith([]);

    // Act
    const answer = await asanaScheme.challenge?.(
      handshakeRequest({ 'x-hook-secret': SECRET }),
      OPTIONS,
      tools,
    );

    // Assert
    expect(storeSecret).toHaveBeenCalledWith(SECRET);
    expect(answer).toEqual({
      kind: 'asana.handshake',
      statusCode: 200,
      headers: { 'x-hook-secret': SECRET },
      body: '',
    });
  });

  it('treats an empty stored value as no secret', async () => {
    const { tools, storeSecret } = toolsWith(['']);

    await asanaScheme.challenge?.(handshakeRequest({ 'x-hook-secret': SECRET }), OPTIONS, tools);

    expect(storeSecret).toHaveBeenCalledWith(SECRET);
  });

  it('answers a retry of the same handshake without storing again', async () => {
    const { tools, storeSecret } = toolsWith([SECRET]);

    const answer = await asanaScheme.challenge?.(
      handshakeRequest({ 'x-hook-secret': SECRET }),
      OPTIONS,
      tools,
    );

    expect(storeSecret).not.toHaveBeenCalled();
    expect(answer).toMatchObject({ statusCode: 200, headers: { 'x-hook-secret': SECRET } });
  });

  it('refuses a handshake that would replace the stored secret', async () => {
    const { tools, storeSecret } = toolsWith([SECRET]);

    const answer = await asanaScheme.challenge?.(
      handshakeRequest({ 'x-hook-secret': 'attacker' }),
      OPTIONS,
      tools,
    );

    expect(storeSecret).not.toHaveBeenCalled();
    expect(answer).toMatchObject({
      kind: 'asana.handshake',
      refused: true,
      status: 403,
      code: 'handshake_refused',
    });
    expect(JSON.stringify(answer)).not.toContain(SECRET);
  });

  it.each([
    ['empty', ''],
    ['longer than 256 characters', 'a'.repeat(257)],
    ['holding a space', 'abc def'],
    ['holding a control character', 'abc\u0007def'],
  ])('refuses an X-Hook-Secret that is %s', async (_case, offered) => {
    const { tools, storeSecret } = toolsWith([]);

    const answer = await asanaScheme.challenge?.(
      handshakeRequest({ 'x-hook-secret': offered }),
      OPTIONS,
      tools,
    );

    expect(storeSecret).not.toHaveBeenCalled();
    expect(answer).toMatchObject({ refused: true, status: 403, code: 'handshake_refused' });
  });

  it('accepts a 256-character secret', async () => {
    const { tools } = toolsWith([]);

    const answer = await asanaScheme.challenge?.(
      handshakeRequest({ 'x-hook-secret': 'a'.repeat(256) }),
      OPTIONS,
      tools,
    );

    expect(answer).toMatchObject({ statusCode: 200 });
  });

  it.each([
    ['a POST without X-Hook-Secret', {}, 'POST'],
    ['a GET with X-Hook-Secret', { 'x-hook-secret': SECRET }, 'GET'],
  ])('leaves %s to the rest of the pipeline', async (_case, headers, method) => {
    const { tools, storeSecret } = toolsWith([]);

    const answer = await asanaScheme.challenge?.(handshakeRequest(headers, method), OPTIONS, tools);

    expect(answer).toBeUndefined();
    expect(storeSecret).not.toHaveBeenCalled();
  });
});

describe('asanaScheme ids', () => {
  it('names the event by the first event resource type and action', () => {
    expect(asanaScheme.eventType?.({ headers: {}, payload: JSON.parse(PAYLOAD) })).toBe('task.changed');
  });

  it('has no event type for a heartbeat without events', () => {
    expect(asanaScheme.eventType?.({ headers: {}, payload: { events: [] } })).toBeUndefined();
  });

  it('has no delivery id (Asana documents none)', () => {
    expect(asanaScheme.deliveryId?.({ headers: {}, payload: JSON.parse(PAYLOAD) })).toBeUndefined();
  });
});
