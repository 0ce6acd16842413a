import { describe, expect, it } from 'vitest';
import { AdminHttpError } from '../../shared/admin/errors.js';
import { findRouteTarget, requireRouteTarget } from '../../shared/admin/routes.js';
import { isLoopbackAddress } from '../../shared/local/http-adapter.js';
import { makeRoute } from '../helpers/routes.js';

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
    expect(() => requireRouteTarget(targets, 'stripe')).toThrow(AdminHttpError);
    expect(() => requireRouteTarget(targets, 'stripe')).toThrow(
      'no configured route "stripe"; routes: order_status (/order/status/), github (/github/)',
    );
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
