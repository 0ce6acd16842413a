import { describe, expect, it } from 'vitest';
import type { BodyPlan, Parsed, Received, Routed } from '../../../../shared/ingress/context.js';
import { parse } from '../../../../shared/ingress/steps/parse.js';
import { redact } from '../../../../shared/ingress/steps/redact.js';
import { INLINE_BODY_LIMIT_BYTES } from '../../../../shared/resources.js';
import { added, incoming, routed } from '../../../helpers/ingress-steps.js';
import { makeRoute } from '../../../helpers/routes.js';

const route = makeRoute({
  path: '/pay/',
  verify: { scheme: 'none' },
  expectJson: false,
  maxBodyBytes: 1024 * 1024,
  redact: { body: ['card.number'], headers: ['authorization'] },
});
const bodyStore = { put: async () => ({ store: 's3' as const, bucket: 'b', key: 'k', size: 1 }) };

async function parsedContext(
  body: string,
  contentType: string,
  on = route,
): Promise<Received & Routed & BodyPlan & Parsed> {
  const context = await routed(
    on,
    incoming({
      path: on.path,
      headers: { 'content-type': contentType, authorization: 'Bearer t' },
      body: Buffer.from(body),
    }),
  );
  return { ...context, bodyStore: undefined, ...(await added(parse, context)) };
}

describe('redact()', () => {
  it('rewrites a JSON body, its payload and the named headers', async () => {
    const context = await parsedContext('{"card":{"number":"4242","brand":"visa"}}', 'application/json');

    const result = await added(redact(undefined), context);

    expect(result?.request.body.toString()).toBe('{"card":{"number":"[REDACTED]","brand":"visa"}}');
    expect(result?.payload).toEqual({ card: { number: '[REDACTED]', brand: 'visa' } });
    expect(result?.request.headers).toEqual({
      'content-type': 'application/json',
      authorization: '[REDACTED]',
    });
  });

  it('keeps the exact body bytes when no path matched', async () => {
    const body = '{ "order" : 1 }';
    const context = await parsedContext(body, 'application/json');

    const result = await added(redact(undefined), context);

    expect(result?.request.body.toString()).toBe(body);
  });

  it('rewrites a form body as a form', async () => {
    const formRoute = makeRoute({ ...route, path: '/form/', redact: { body: ['card.number', 'token'] } });
    const context = await parsedContext('token=abc&order=1', 'application/x-www-form-urlencoded', formRoute);

    const result = await added(redact(undefined), context);

    expect(result?.request.body.toString()).toBe('token=%5BREDACTED%5D&order=1');
  });

  it('refuses a body it cannot read when fields must be redacted: 400 unredactable_body', async () => {
    const context = await parsedContext('card number 4242', 'text/plain');

    expect(() => redact(undefined)(context)).toThrow(
      expect.objectContaining({ status: 400, code: 'unredactable_body' }),
    );
  });

  it('lets an unreadable body through when only headers are redacted', async () => {
    const headersOnly = makeRoute({ ...route, path: '/headers/', redact: { headers: ['authorization'] } });
    const context = await parsedContext('plain text', 'text/plain', headersOnly);

    const result = await added(redact(undefined), context);

    expect(result?.request.body.toString()).toBe('plain text');
    expect(result?.request.headers.authorization).toBe('[REDACTED]');
  });

  it('chooses the body store again when redaction makes the body too large to travel inline', async () => {
    const number = 'x'.repeat(5);
    const body = JSON.stringify({ card: { number }, pad: 'p'.repeat(INLINE_BODY_LIMIT_BYTES - 40) });
    const context = await parsedContext(body, 'application/json');
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(INLINE_BODY_LIMIT_BYTES);

    const result = await added(redact(bodyStore), context);

    expect(result?.request.body.length).toBeGreaterThan(INLINE_BODY_LIMIT_BYTES);
    expect(result?.bodyStore).toBe(bodyStore);
  });

  it('does nothing on a route without redact', async () => {
    const plain = makeRoute({ path: '/plain/', verify: { scheme: 'none' } });
    const context = await parsedContext('{"card":{"number":"4242"}}', 'application/json', plain);

    expect(await added(redact(undefined), context)).toBeUndefined();
  });
});
