import { describe, expect, it } from 'vitest';
import { oktaScheme, verifyOkta } from '../../../shared/verify/okta.js';
import type { HandshakeRequest, HandshakeTools, SchemeConfig } from '../../../shared/verify/scheme.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

// Okta signs nothing: the documented rule (developer.okta.com event hooks, authScheme HEADER) is that
// the configured header carries the configured value exactly.
const SECRET = 'Bearer okta-hook-secret-42';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const OPTIONS: SchemeConfig<'okta'> = { scheme: 'okta', secret: { name: 'OKTA_HOOK_SECRET' } };
const CUSTOM: SchemeConfig<'okta'> = { ...OPTIONS, header: 'x-okta-auth' };
const PAYLOAD = JSON.stringify({
  eventType: 'com.okta.event_hook',
  eventId: 'b5a188b9-5ece-4636-b041-482ffda96311',
  data: {
    events: [
      { uuid: '79cd3f2c-50ec-11e9-8f5e-f7b4e8bcb0d6', eventType: 'user.session.start' },
      { uuid: '8a1c2d3e-50ec-11e9-8f5e-f7b4e8bcb0d6', eventType: 'user.session.end' },
    ],
  },
});

function request(
  headers: Record<string, string>,
  { body = PAYLOAD, secrets = [SECRET] as readonly string[] } = {},
): VerificationInput {
  return { body: new TextEncoder().encode(body), headers, secrets, now: NOW };
}

const tools: HandshakeTools = {
  secrets: async () => [SECRET],
  resolveSecret: async () => [],
  storeSecret: async () => undefined,
  get: async () => 200,
};

function verification(headers: Record<string, string>, method = 'GET'): HandshakeRequest {
  return {
    method,
    url: new URL('https://hooks.example.com/okta'),
    headers,
    body: new Uint8Array(),
    payload: undefined,
    now: NOW,
  };
}

describe('verifyOkta()', () => {
  it('accepts the configured authorization value', () => {
    expect(verifyOkta(request({ authorization: SECRET }), OPTIONS)).toEqual({
      ok: true,
      scheme: 'okta',
      keyId: '0',
    });
  });

  it('reads the header the route names', () => {
    expect(verifyOkta(request({ 'x-okta-auth': SECRET }), CUSTOM).ok).toBe(true);
    expect(verifyOkta(request({ authorization: SECRET }), CUSTOM)).toMatchObject({ reason: 'missing_token' });
  });

  it('accepts an empty body (the body is not covered)', () => {
    expect(verifyOkta(request({ authorization: SECRET }, { body: '' }), OPTIONS).ok).toBe(true);
  });

  it('reports the index of the rotated secret that matched', () => {
    expect(verifyOkta(request({ authorization: 'new' }, { secrets: ['old', 'new'] }), OPTIONS)).toMatchObject(
      {
        keyId: '1',
      },
    );
  });

  describe.each([
    ['a wrong value', { authorization: 'Bearer wrong' }, 'signature_mismatch'],
    ['a truncated value', { authorization: SECRET.slice(0, -1) }, 'signature_mismatch'],
    ['the value without its scheme word', { authorization: 'okta-hook-secret-42' }, 'signature_mismatch'],
    ['no header', {}, 'missing_token'],
    ['an empty header', { authorization: '' }, 'missing_token'],
  ] as const)('with %s', (_case, headers, reason) => {
    it(`rejects it as ${reason}`, () => {
      expect(verifyOkta(request(headers), OPTIONS)).toMatchObject({ ok: false, scheme: 'okta', reason });
    });
  });

  it('rejects every request when no secret is configured', () => {
    expect(verifyOkta(request({ authorization: '' }, { secrets: [] }), OPTIONS)).toMatchObject({
      reason: 'missing_secret',
    });
  });
});

describe('oktaScheme.sign()', () => {
  it('sends the secret in the configured header, which verifyOkta() accepts', async () => {
    const toSign = {
      method: 'POST',
      url: 'https://h.example.com',
      body: PAYLOAD,
      secret: SECRET,
      now: NOW,
      deliveryId: 'x',
    };

    const signed = await oktaScheme.sign?.(toSign, CUSTOM);

    expect(signed).toEqual({ headers: { 'x-okta-auth': SECRET } });
    expect(verifyOkta(request({ ...signed?.headers }), CUSTOM).ok).toBe(true);
  });
});

describe('oktaScheme.challenge()', () => {
  it('answers the one-time verification with the challenge as JSON', async () => {
    // Arrange
    const headers = { 'x-okta-verification-challenge': 'X6x"q\\z', authorization: SECRET };

    // Act
    const answer = await oktaScheme.challenge?.(verification(headers), OPTIONS, tools);

    // Assert
    expect(answer).toEqual({
      kind: 'okta.verification',
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: '{"verification":"X6x\\"q\\\\z"}',
    });
    expect(JSON.parse((answer as { body: string }).body)).toEqual({ verification: 'X6x"q\\z' });
  });

  it('checks the header the route names', async () => {
    const headers = { 'x-okta-verification-challenge': 'v', 'x-okta-auth': SECRET };

    expect(await oktaScheme.challenge?.(verification(headers), CUSTOM, tools)).toMatchObject({
      statusCode: 200,
    });
  });

  it.each([
    ['a wrong auth header', { authorization: 'Bearer wrong' }],
    ['no auth header', {}],
  ])('refuses a verification with %s', async (_case, auth) => {
    const headers = { 'x-okta-verification-challenge': 'v', ...auth };

    const answer = await oktaScheme.challenge?.(verification(headers), OPTIONS, tools);

    expect(answer).toMatchObject({
      kind: 'okta.verification',
      refused: true,
      status: 401,
      code: 'invalid_signature',
    });
  });

  it('refuses a verification when the route has no secret', async () => {
    const noSecret: HandshakeTools = { ...tools, secrets: async () => [] };
    const headers = { 'x-okta-verification-challenge': 'v', authorization: '' };

    expect(await oktaScheme.challenge?.(verification(headers), OPTIONS, noSecret)).toMatchObject({
      refused: true,
    });
  });

  it.each([
    ['a GET without the challenge header', { authorization: SECRET }, 'GET'],
    [
      'a POST with the challenge header',
      { authorization: SECRET, 'x-okta-verification-challenge': 'v' },
      'POST',
    ],
  ])('leaves %s to the rest of the pipeline', async (_case, headers, method) => {
    expect(await oktaScheme.challenge?.(verification(headers, method), OPTIONS, tools)).toBeUndefined();
  });
});

describe('oktaScheme ids', () => {
  const delivery = { headers: {}, payload: JSON.parse(PAYLOAD) as unknown };

  it("takes the delivery id from the batch's first event uuid", () => {
    expect(oktaScheme.deliveryId?.(delivery)).toBe('79cd3f2c-50ec-11e9-8f5e-f7b4e8bcb0d6');
  });

  it("takes the event type from the batch's first event", () => {
    expect(oktaScheme.eventType?.(delivery)).toBe('user.session.start');
  });

  it('has neither without events', () => {
    const empty = { headers: {}, payload: { data: { events: [] } } };

    expect(oktaScheme.deliveryId?.(empty)).toBeUndefined();
    expect(oktaScheme.eventType?.(empty)).toBeUndefined();
  });
});
