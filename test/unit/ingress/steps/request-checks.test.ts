import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../../shared/http/errors.js';
import { matchRoute } from '../../../../shared/ingress/steps/match-route.js';
import { receive } from '../../../../shared/ingress/steps/receive.js';
import { checkMethod, checkSize, checkSourceIp } from '../../../../shared/ingress/steps/request-checks.js';
import { INLINE_BODY_LIMIT_BYTES } from '../../../../shared/resources.js';
import { added, gatewayEvent, incoming, ORIGIN, QUEUE_URL, routed } from '../../../helpers/ingress-steps.js';
import { makeRoute } from '../../../helpers/routes.js';

const route = makeRoute({ path: '/orders/', verify: { scheme: 'none' } });

function postToOrders(overrides: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 {
  const event = gatewayEvent('/orders/', '{"n":1}', { 'Content-Type': 'application/json' });
  return {
    ...event,
    rawQueryString: 'a=1',
    requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method: 'post' } },
    ...overrides,
  };
}

/** The HttpError a step throws, for asserting on its status, code and headers. */
async function refusal(run: () => unknown): Promise<HttpError> {
  try {
    await run();
  } catch (error: unknown) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('the step let the request through');
}

describe('receive()', () => {
  it('reads the request with lower-cased headers and the exact body, linking to the API domain', async () => {
    const received = await added(receive(undefined), { event: postToOrders() });

    expect(received.origin).toBe('https://api.example.com');
    expect(received.request).toMatchObject({
      method: 'POST',
      path: '/orders/',
      query: 'a=1',
      headers: { 'content-type': 'application/json' },
      sourceIp: '203.0.113.7',
    });
    expect(received.request.body.toString('utf8')).toBe('{"n":1}');
  });

  it('links to the configured public URL, without its trailing slashes', async () => {
    const received = await added(receive('https://hooks.example.com//'), { event: postToOrders() });

    expect(received.origin).toBe('https://hooks.example.com');
  });
});

describe('matchRoute()', () => {
  const step = matchRoute([
    { route, queueUrl: QUEUE_URL },
    { route: makeRoute({ path: '/off/', enabled: false }), queueUrl: QUEUE_URL },
  ]);

  it.each(['/orders/', '/orders'])('finds the route at %s', async (path) => {
    const { target } = await added(step, { request: incoming({ path }), origin: ORIGIN });

    expect(target.route).toBe(route);
    expect(target.queueUrl).toBe(QUEUE_URL);
  });

  it.each([
    ['an unknown path', '/nope/'],
    ['a disabled route', '/off/'],
  ])('refuses %s with 404 route_not_found', async (_case, path) => {
    const error = await refusal(() => step({ request: incoming({ path }), origin: ORIGIN }));

    expect(error).toMatchObject({ status: 404, code: 'route_not_found' });
  });
});

describe('checkSourceIp()', () => {
  const restricted = makeRoute({ ...route, allowedSourceIps: ['10.0.0.0/8'] });

  it('lets an address inside allowedSourceIps through', async () => {
    const context = await routed(restricted, incoming({ path: route.path, sourceIp: '10.1.2.3' }));

    expect(checkSourceIp(context)).toBeUndefined();
  });

  it('refuses an address outside allowedSourceIps with 403 source_ip_not_allowed', async () => {
    const context = await routed(restricted, incoming({ path: route.path, sourceIp: '203.0.113.7' }));

    expect(await refusal(() => checkSourceIp(context))).toMatchObject({
      status: 403,
      code: 'source_ip_not_allowed',
    });
  });

  it('lets every address through a route without allowedSourceIps', async () => {
    expect(checkSourceIp(await routed(route))).toBeUndefined();
  });
});

describe('checkMethod()', () => {
  it('lets a method of the route through', async () => {
    expect(checkMethod(await routed(route))).toBeUndefined();
  });

  it('refuses another method with 405 method_not_allowed naming the allowed ones', async () => {
    const both = makeRoute({ ...route, methods: ['POST', 'PUT'] });
    const context = await routed(both, incoming({ path: route.path, method: 'GET' }));

    expect(await refusal(() => checkMethod(context))).toMatchObject({
      status: 405,
      code: 'method_not_allowed',
      headers: { allow: 'POST, PUT' },
    });
  });
});

describe('checkSize()', () => {
  const bodyStore = { put: async () => ({ store: 's3' as const, bucket: 'b', key: 'k', size: 0 }) };
  const large = makeRoute({ ...route, maxBodyBytes: 1024 * 1024 });
  const body = (size: number) => incoming({ path: route.path, body: Buffer.alloc(size, 0x61) });

  it('keeps a body within the inline limit inline, even with a body store', async () => {
    const plan = await added(checkSize(bodyStore), await routed(large, body(INLINE_BODY_LIMIT_BYTES)));

    expect(plan).toEqual({ bodyStore: undefined });
  });

  it('sends a body over the inline limit to the body store', async () => {
    const plan = await added(checkSize(bodyStore), await routed(large, body(INLINE_BODY_LIMIT_BYTES + 1)));

    expect(plan.bodyStore).toBe(bodyStore);
  });

  it('refuses a body over the inline limit without a body store: 413 body_exceeds_inline_limit', async () => {
    const context = await routed(large, body(INLINE_BODY_LIMIT_BYTES + 1));

    expect(await refusal(() => checkSize(undefined)(context))).toMatchObject({
      status: 413,
      code: 'body_exceeds_inline_limit',
    });
  });

  it("refuses a body over the route's maxBodyBytes: 413 body_too_large", async () => {
    const small = makeRoute({ ...route, maxBodyBytes: 10 });
    const context = await routed(small, body(11));

    expect(await refusal(() => checkSize(bodyStore)(context))).toMatchObject({
      status: 413,
      code: 'body_too_large',
      message: "body of 11 bytes exceeds this route's limit of 10",
    });
  });
});
