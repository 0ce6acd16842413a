import { describe, expect, it } from 'vitest';
import { msGraphScheme, verifyMsGraph } from '../../../shared/verify/ms-graph.js';
import {
  CannotSignError,
  type HandshakeRequest,
  type HandshakeTools,
  type SchemeConfig,
} from '../../../shared/verify/scheme.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

// Graph signs nothing on basic change notifications: the documented rule
// (learn.microsoft.com/graph/change-notifications-delivery-webhooks) is that each notification's
// clientState equals the subscription's.
const SECRET = 'secretClientValue';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const OPTIONS: SchemeConfig<'msGraph'> = { scheme: 'msGraph', secret: { name: 'GRAPH_CLIENT_STATE' } };

function notification(clientState: string | undefined, extra: Record<string, unknown> = {}) {
  return {
    subscriptionId: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07',
    changeType: 'created',
    resource: 'Users/{user-id}/Messages/{message-id}',
    ...(clientState === undefined ? {} : { clientState }),
    ...extra,
  };
}

function request(value: unknown, secrets: readonly string[] = [SECRET]): VerificationInput {
  const body = typeof value === 'string' ? value : JSON.stringify({ value });
  return { body: new TextEncoder().encode(body), headers: {}, secrets, now: NOW };
}

const tools: HandshakeTools = {
  secrets: async () => [SECRET],
  resolveSecret: async () => [],
  storeSecret: async () => undefined,
  get: async () => 200,
};

function validation(url: string, method = 'POST'): HandshakeRequest {
  return { method, url: new URL(url), headers: {}, body: new Uint8Array(), payload: undefined, now: NOW };
}

describe('verifyMsGraph()', () => {
  it('accepts notifications whose clientState is the secret', () => {
    const result = verifyMsGraph(request([notification(SECRET), notification(SECRET)]), OPTIONS);

    expect(result).toEqual({ ok: true, scheme: 'msGraph', keyId: '0' });
  });

  it('accepts a batch from two subscriptions whose clientStates are both secrets', () => {
    const result = verifyMsGraph(request([notification('b'), notification('a')], ['a', 'b']), OPTIONS);

    expect(result).toEqual({ ok: true, scheme: 'msGraph', keyId: '1' });
  });

  it('reports the index of the rotated secret that matched', () => {
    expect(verifyMsGraph(request([notification('new')], ['old', 'new']), OPTIONS)).toMatchObject({
      keyId: '1',
    });
  });

  describe.each([
    [
      'one notification of several with a wrong clientState',
      [notification(SECRET), notification('wrong')],
      'signature_mismatch',
    ],
    ['a truncated clientState', [notification(SECRET.slice(0, -1))], 'signature_mismatch'],
    ['a notification without clientState', [notification(SECRET), notification(undefined)], 'missing_token'],
    ['an empty value[]', [], 'missing_token'],
    ['an empty body', '', 'missing_token'],
    ['a body without value[]', '{"value":{"clientState":"secretClientValue"}}', 'missing_token'],
    ['a body that is not JSON', 'clientState=secretClientValue', 'missing_token'],
  ] as const)('with %s', (_case, value, reason) => {
    it(`rejects it as ${reason}`, () => {
      expect(verifyMsGraph(request(value), OPTIONS)).toMatchObject({ ok: false, scheme: 'msGraph', reason });
    });
  });

  it('rejects every request when no secret is configured', () => {
    expect(verifyMsGraph(request([notification('')], ['']), OPTIONS)).toMatchObject({
      reason: 'missing_secret',
    });
  });
});

describe('msGraphScheme.sign()', () => {
  const toSign = {
    method: 'POST',
    url: 'https://h.example.com/graph',
    secret: SECRET,
    now: NOW,
    deliveryId: 'd',
  };

  it('sets every notification clientState, which verifyMsGraph() accepts', async () => {
    // Arrange
    const body = JSON.stringify({ value: [notification(undefined), notification('stale')] });

    // Act
    const signed = await msGraphScheme.sign?.({ ...toSign, body }, OPTIONS);

    // Assert
    const value = (JSON.parse(signed?.body ?? '{}') as { value: { clientState: string }[] }).value;
    expect(value.map((item) => item.clientState)).toEqual([SECRET, SECRET]);
    expect(verifyMsGraph(request(signed?.body ?? ''), OPTIONS).ok).toBe(true);
  });

  it.each([['{}'], ['[]'], ['{"value":[1]}'], ['']])('refuses the body %j', (body) => {
    expect(() => msGraphScheme.sign?.({ ...toSign, body }, OPTIONS)).toThrow(CannotSignError);
  });
});

describe('msGraphScheme.challenge()', () => {
  it('echoes the URL-decoded validationToken as nosniff plain text', async () => {
    // Arrange: Graph URL-encodes the token; the answer must be the decoded text.
    const token = 'Validation: Testing client application reachability for subscription Request-Id: 2a0f';
    const url = `https://h.example.com/graph?validationToken=${encodeURIComponent(token)}`;

    // Act
    const answer = await msGraphScheme.challenge?.(validation(url), OPTIONS, tools);

    // Assert
    expect(answer).toEqual({
      kind: 'msGraph.validation',
      statusCode: 200,
      headers: { 'content-type': 'text/plain', 'x-content-type-options': 'nosniff' },
      body: token,
    });
  });

  it('decodes + as a space, as URLSearchParams does', async () => {
    const answer = await msGraphScheme.challenge?.(
      validation('https://h.example.com/g?validationToken=a+b'),
      OPTIONS,
      tools,
    );

    expect(answer).toMatchObject({ body: 'a b' });
  });

  it.each([
    ['a notification without validationToken', 'https://h.example.com/graph'],
    ['an empty validationToken', 'https://h.example.com/graph?validationToken='],
  ])('leaves %s to verification', async (_case, url) => {
    expect(await msGraphScheme.challenge?.(validation(url), OPTIONS, tools)).toBeUndefined();
  });
});

describe('msGraphScheme ids', () => {
  it('names the event by the first notification changeType', () => {
    expect(msGraphScheme.eventType?.({ headers: {}, payload: { value: [notification(SECRET)] } })).toBe(
      'created',
    );
  });

  it('prefers a lifecycle event', () => {
    const lifecycle = notification(SECRET, { lifecycleEvent: 'reauthorizationRequired' });

    expect(msGraphScheme.eventType?.({ headers: {}, payload: { value: [lifecycle] } })).toBe(
      'reauthorizationRequired',
    );
  });

  it('has no delivery id (Graph documents none)', () => {
    expect(
      msGraphScheme.deliveryId?.({ headers: {}, payload: { value: [notification(SECRET)] } }),
    ).toBeUndefined();
  });
});
