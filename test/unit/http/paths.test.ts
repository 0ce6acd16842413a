import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { deployedQueueName, findRouteTarget, requireRouteTarget } from '../../../shared/admin/routes.js';
import { HttpError } from '../../../shared/http/errors.js';
import { eventPath, isAdminPath } from '../../../shared/http/paths.js';
import { isLoopbackAddress, localGateway } from '../../../shared/local/http-adapter.js';
import { makeRoute } from '../../helpers/routes.js';

const targets = [
  { route: makeRoute({ path: '/order/status/' }), queueUrl: 'http://sqs.local/000/hookline-order_status' },
  { route: makeRoute({ path: '/github/' }), queueUrl: 'http://sqs.local/000/hookline-github' },
];

describe('findRouteTarget()', () => {
  it.each([
    ['order_status', '/order/status/'],
    ['hookline-order_status', '/order/status/'],
    ['/order/status/', '/order/status/'],
    ['/order/status', '/order/status/'],
    ['github', '/github/'],
  ])('finds %j as %s', (name, path) => {
    expect(findRouteTarget(targets, name)?.route.path).toBe(path);
  });

  it.each(['order', 'order/status', '/order/', 'ORDER_STATUS', ''])('finds nothing for %j', (name) => {
    expect(findRouteTarget(targets, name)).toBeUndefined();
  });
});

describe('requireRouteTarget()', () => {
  it('answers 404 route_not_found listing the configured routes', () => {
    expect(() => requireRouteTarget(targets, 'stripe')).toThrow(HttpError);
    expect(() => requireRouteTarget(targets, 'stripe')).toThrow(
      'no configured route "stripe"; routes: order_status (/order/status/), github (/github/)',
    );
  });
});

describe('deployedQueueName()', () => {
  it('is the last segment of the queue URL', () => {
    expect(deployedQueueName('https://sqs.eu-west-1.amazonaws.com/123456789012/hookline-orders')).toBe(
      'hookline-orders',
    );
  });
});

describe('eventPath() and isAdminPath()', () => {
  it('URL-encodes the event id', () => {
    expect(eventPath('evt_01J')).toBe('/_hookline/events/evt_01J');
    expect(eventPath('a/b c?d')).toBe('/_hookline/events/a%2Fb%20c%3Fd');
  });

  it.each([
    ['/_hookline', true],
    ['/_hookline/', true],
    ['/_hookline/events', true],
    ['/_hooklines', false],
    ['/orders/_hookline', false],
    ['/', false],
  ])('isAdminPath(%j) is %s', (path, expected) => {
    expect(isAdminPath(path)).toBe(expected);
  });
});

describe('isLoopbackAddress()', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])('accepts %s', (address) => {
    expect(isLoopbackAddress(address)).toBe(true);
  });

  it.each(['10.0.0.1', '192.168.1.127', '::', '::2', '0.0.0.0', '1127.0.0.1', 'localhost', ''])(
    'refuses %j',
    (address) => {
      expect(isLoopbackAddress(address)).toBe(false);
    },
  );
});

describe('localGateway()', () => {
  const gateway = localGateway({
    webhooks: async () => ({ statusCode: 202, body: 'webhook' }),
    admin: async () => ({ statusCode: 200, body: 'admin' }),
  });

  function request(path: string, headers: Record<string, string>, sourceIp = '127.0.0.1') {
    return gateway({
      rawPath: path,
      headers: { host: '127.0.0.1:3000', ...headers },
      requestContext: { http: { method: 'GET', sourceIp } },
    } as unknown as APIGatewayProxyEventV2);
  }

  it('answers a program on this machine (no Origin, no Sec-Fetch-Site)', async () => {
    expect(await request('/_hookline/dlq/orders', {})).toMatchObject({ statusCode: 200, body: 'admin' });
  });

  it('answers a URL the user opened in a browser (Sec-Fetch-Site: none)', async () => {
    const reply = await request('/_hookline/routes', {
      'sec-fetch-site': 'none',
      'sec-fetch-mode': 'navigate',
    });
    expect(reply).toMatchObject({ statusCode: 200, body: 'admin' });
  });

  it.each(['cross-site', 'same-site', 'same-origin', 'Cross-Site'])(
    'refuses a browser request made by a page (Sec-Fetch-Site: %s, no Origin, as <img src> sends)',
    async (site) => {
      const reply = await request('/_hookline/dlq/orders', {
        'sec-fetch-site': site,
        'sec-fetch-mode': 'no-cors',
      });
      expect(reply.statusCode).toBe(403);
      expect(JSON.parse(String(reply.body))).toMatchObject({ error: { code: 'admin_local_only' } });
    },
  );

  it.each([
    ['an Origin header', { origin: 'https://evil.example' }, '127.0.0.1'],
    ['a non-loopback Host', { host: 'evil.example:3000' }, '127.0.0.1'],
    ['a non-loopback source', {}, '10.0.0.7'],
  ])('refuses a request with %s', async (_, headers, sourceIp) => {
    expect((await request('/_hookline/routes', headers, sourceIp)).statusCode).toBe(403);
  });

  it('passes webhooks through whatever their headers', async () => {
    const reply = await request(
      '/orders/',
      { 'sec-fetch-site': 'cross-site', origin: 'https://a.example' },
      '10.0.0.7',
    );
    expect(reply).toMatchObject({ statusCode: 202, body: 'webhook' });
  });
});
