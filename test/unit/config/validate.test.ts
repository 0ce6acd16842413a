import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROUTE_DEFAULTS } from '../../../shared/config/defaults.js';
import { ConfigError } from '../../../shared/config/errors.js';
import { normalizePath, pathToQueueName, ROUTE_PATH_PATTERN } from '../../../shared/config/queue-name.js';
import { isReservedPath, resolveConfig } from '../../../shared/config/validate.js';
import { routeTag } from '../../../shared/ids.js';

const GITHUB = { scheme: 'github', secret: { name: 'GITHUB_WEBHOOK_SECRET' } } as const;
const SCHEMES =
  'github, stripe, standardWebhooks, slack, shopify, hmac, jwt, gitlab, bitbucket, meta, x, intercom, vercel, ' +
  'typeform, mailgun, postmark, msGraph, dropbox, okta, asana, telegram, pagerduty, sentry, twilio, square, ' +
  'hubspot, contentful, paddle, zoom, twitch, linear, workos, discord, sendgrid, sns, none';

/** A raw (unvalidated) route: the minimal valid route plus overrides. */
function route(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { path: '/hook/', verify: GITHUB, handler: 'functions/handlers/hook.ts', ...overrides };
}

/** A raw config holding the given routes. */
function config(...routes: readonly Record<string, unknown>[]): { routes: Record<string, unknown>[] } {
  return { routes: [...routes] };
}

/** The ConfigError thrown by resolveConfig, failing the test when none is thrown. */
function configErrorOf(input: unknown, source?: string): ConfigError {
  try {
    resolveConfig(input, source);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected resolveConfig() to throw a ConfigError');
}

function problemsOf(input: unknown): readonly string[] {
  return configErrorOf(input).problems;
}

/** The single resolved route of a one-route config. */
function resolveRoute(overrides: Record<string, unknown> = {}) {
  const resolved = resolveConfig(config(route(overrides)));
  const [first] = resolved.routes;
  if (first === undefined) throw new Error('expected one resolved route');
  return first;
}

describe('isReservedPath()', () => {
  it.each(['/_hookline', '/_hookline/', '/_hookline/x', '/_hookline/x/', '/_HOOKLINE/x', '/_HookLine'])(
    'reserves %j',
    (path) => {
      expect(isReservedPath(path)).toBe(true);
    },
  );

  it.each(['/_hooklinex/', '/_hooklinex', '/_hookline-x/', '/hookline/', '/a/_hookline/', '/'])(
    'leaves %j to webhook routes',
    (path) => {
      expect(isReservedPath(path)).toBe(false);
    },
  );
});

describe('resolveConfig()', () => {
  describe('defaults', () => {
    it('applies every default to a minimal route', () => {
      // Arrange
      const input = config({ path: '/order/status/', verify: GITHUB, handler: 'handlers/order.ts' });

      // Act
      const resolved = resolveConfig(input);

      // Assert
      expect(resolved).toEqual({
        name: 'hookline',
        routes: [
          {
            path: '/order/status/',
            queueName: 'order_status',
            methods: ROUTE_DEFAULTS.methods,
            enabled: ROUTE_DEFAULTS.enabled,
            verify: GITHUB,
            dedupe: ROUTE_DEFAULTS.dedupe,
            handler: 'handlers/order.ts',
            retry: ROUTE_DEFAULTS.retry,
            batchSize: ROUTE_DEFAULTS.batchSize,
            maxBatchingWindowSeconds: ROUTE_DEFAULTS.maxBatchingWindowSeconds,
            maxConcurrency: ROUTE_DEFAULTS.maxConcurrency,
            timeoutSeconds: ROUTE_DEFAULTS.timeoutSeconds,
            memoryMb: ROUTE_DEFAULTS.memoryMb,
            maxBodyBytes: ROUTE_DEFAULTS.maxBodyBytes,
            expectJson: true,
            retentionDays: ROUTE_DEFAULTS.retentionDays,
            shards: ROUTE_DEFAULTS.shards,
            throttle: ROUTE_DEFAULTS.throttle,
          },
        ],
      });
    });

    it('documents the secure defaults', () => {
      expect(ROUTE_DEFAULTS).toEqual({
        methods: ['POST'],
        enabled: true,
        dedupe: { source: 'scheme', windowSeconds: 86_400 },
        retry: { maxAttempts: 5, initialDelaySeconds: 10, multiplier: 2, maxDelaySeconds: 900 },
        batchSize: 10,
        maxBatchingWindowSeconds: 0,
        maxConcurrency: 2,
        timeoutSeconds: 30,
        memoryMb: 512,
        maxBodyBytes: 262_144,
        retentionDays: 30,
        shards: 32,
        throttle: { rateLimit: 100, burstLimit: 200 },
      });
    });

    it('adds no filters or allowedSourceIps keys when none are given', () => {
      const resolved = resolveRoute();

      expect(resolved).not.toHaveProperty('filters');
      expect(resolved).not.toHaveProperty('allowedSourceIps');
    });

    it('keeps the given config name', () => {
      const resolved = resolveConfig({ name: 'shop-hooks', routes: [route()] });

      expect(resolved.name).toBe('shop-hooks');
    });

    describe.each([
      { verify: GITHUB, expectJson: true },
      { verify: { scheme: 'stripe', secret: { name: 'S' } }, expectJson: true },
      { verify: { scheme: 'standardWebhooks', secret: { name: 'S' } }, expectJson: true },
      { verify: { scheme: 'shopify', secret: { name: 'S' } }, expectJson: true },
      { verify: { scheme: 'hmac', secret: { name: 'S' }, header: 'x-signature' }, expectJson: true },
      { verify: { scheme: 'jwt', secret: { name: 'S' } }, expectJson: true },
      { verify: { scheme: 'none' }, expectJson: true },
      { verify: { scheme: 'slack', secret: { name: 'S' } }, expectJson: false },
    ])('with verify scheme $verify.scheme', ({ verify, expectJson }) => {
      it(`defaults expectJson to ${expectJson}`, () => {
        const resolved = resolveRoute({ verify });

        expect(resolved.expectJson).toBe(expectJson);
      });

      it('keeps an explicit expectJson', () => {
        const resolved = resolveRoute({ verify, expectJson: !expectJson });

        expect(resolved.expectJson).toBe(!expectJson);
      });
    });

    it('merges a partial retry, dedupe and throttle with the defaults', () => {
      const resolved = resolveRoute({
        retry: { maxAttempts: 8 },
        dedupe: { windowSeconds: 600 },
        throttle: { burstLimit: 50 },
      });

      expect(resolved.retry).toEqual({ ...ROUTE_DEFAULTS.retry, maxAttempts: 8 });
      expect(resolved.dedupe).toEqual({ source: 'scheme', windowSeconds: 600 });
      expect(resolved.throttle).toEqual({ rateLimit: 100, burstLimit: 50 });
    });

    it('keeps the defaults for nested fields explicitly set to undefined', () => {
      // Arrange: a TypeScript config may write `maxAttempts: process.env.X ? Number(...) : undefined`.
      const overrides = {
        retry: { maxAttempts: undefined },
        dedupe: { source: undefined, windowSeconds: undefined },
        throttle: { rateLimit: undefined },
      };

      // Act
      const resolved = resolveRoute(overrides);

      // Assert
      expect(resolved.retry).toEqual(ROUTE_DEFAULTS.retry);
      expect(resolved.dedupe).toEqual(ROUTE_DEFAULTS.dedupe);
      expect(resolved.throttle).toEqual(ROUTE_DEFAULTS.throttle);
    });

    it('keeps top-level fields explicitly set to undefined at their defaults', () => {
      const resolved = resolveRoute({ batchSize: undefined, enabled: undefined, methods: undefined });

      expect(resolved.batchSize).toBe(ROUTE_DEFAULTS.batchSize);
      expect(resolved.enabled).toBe(true);
      expect(resolved.methods).toEqual(['POST']);
    });

    it('upper-cases methods and filter methods', () => {
      const resolved = resolveRoute({ methods: ['post', 'Put'], filters: { methods: ['delete'] } });

      expect(resolved.methods).toEqual(['POST', 'PUT']);
      expect(resolved.filters?.methods).toEqual(['DELETE']);
    });

    it('rejects a method outside GET, POST, PUT, PATCH and DELETE', () => {
      const problems = problemsOf(config(route({ methods: ['HEAD'] })));

      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^routes\[0\]\.methods\[0\]: /);
    });

    it('derives the queue name from the path', () => {
      const resolved = resolveRoute({ path: '/Shop-Orders/paid' });

      expect(resolved.queueName).toBe('shop_orders_paid');
    });
  });

  describe('header names', () => {
    it('lower-cases every configured header name', () => {
      const resolved = resolveRoute({
        verify: {
          scheme: 'hmac',
          secret: { name: 'S' },
          header: 'X-Signature',
          timestampHeader: 'X-Timestamp',
        },
        dedupe: { source: 'header', header: 'X-Delivery-Id' },
        filters: { headers: { 'X-GitHub-Event': '^push$' } },
      });

      expect(resolved.verify).toMatchObject({ header: 'x-signature', timestampHeader: 'x-timestamp' });
      expect(resolved.dedupe.header).toBe('x-delivery-id');
      expect(resolved.filters?.headers).toEqual({ 'x-github-event': '^push$' });
    });

    it('lower-cases a jwt header', () => {
      const resolved = resolveRoute({ verify: { scheme: 'jwt', secret: { name: 'S' }, header: 'X-Token' } });

      expect(resolved.verify).toMatchObject({ header: 'x-token' });
    });

    it('rejects a header name that is not an HTTP token', () => {
      const problems = problemsOf(
        config(route({ verify: { scheme: 'hmac', secret: { name: 'S' }, header: 'x signature' } })),
      );

      expect(problems).toEqual(['routes[0].verify.header: must be a valid HTTP header name']);
    });
  });

  describe('ConfigError', () => {
    it('has code invalid_config, a name and the problems', () => {
      const error = configErrorOf(config(route({ handler: undefined })));

      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe('invalid_config');
      expect(error.name).toBe('ConfigError');
      expect(error.problems).toEqual(['routes[0].handler: required']);
    });

    it('names the source and lists each problem in the message', () => {
      const error = configErrorOf(
        config(route({ path: 'bad' }), route({ path: '/b/', handler: 'b.txt' })),
        'app.ts',
      );

      expect(error.message).toBe(
        [
          'app.ts is invalid:',
          '  - routes[1].handler: must be a .ts or .js file',
          '  - routes[0].path: "bad" must look like /segment/segment/ (letters, digits, - and _; no query, no wildcards)',
        ].join('\n'),
      );
    });

    it('calls the source "hookline config" when none is given', () => {
      const error = configErrorOf({ routes: [] });

      expect(error.message).toMatch(
        /^hookline config is invalid:\n {2}- routes: at least one route is required$/,
      );
    });
  });

  describe('schema problems', () => {
    it('reports a missing field as required with its full path', () => {
      // Arrange
      const input = config(
        route({ path: '/a/' }),
        route({ path: '/b/' }),
        route({ path: '/c/', verify: { scheme: 'github' } }),
      );

      // Act
      const problems = problemsOf(input);

      // Assert
      expect(problems).toEqual(['routes[2].verify.secret: required']);
    });

    it('reports an unknown scheme, naming the value and listing the schemes', () => {
      const problems = problemsOf(config(route({ verify: { scheme: 'gitlabx', secret: { name: 'S' } } })));

      expect(problems).toEqual([
        `routes[0].verify.scheme: unknown scheme "gitlabx" (expected one of ${SCHEMES})`,
      ]);
    });

    it('reports an unknown route field', () => {
      const problems = problemsOf(config(route({ colour: 'blue' })));

      expect(problems).toEqual(['routes[0].colour: unknown field']);
    });

    it('reports an unknown top-level field', () => {
      const problems = problemsOf({ routes: [route()], region: 'eu-west-1' });

      expect(problems).toEqual(['region: unknown field']);
    });

    it('reports an unknown field inside a verify block', () => {
      const problems = problemsOf(config(route({ verify: { ...GITHUB, tolerance: 5 } })));

      expect(problems).toEqual(['routes[0].verify.tolerance: unknown field']);
    });

    it('requires at least one route', () => {
      expect(problemsOf({ routes: [] })).toEqual(['routes: at least one route is required']);
    });

    it.each([{ input: undefined }, { input: null }, { input: 'routes' }, { input: 42 }, { input: [] }])(
      'rejects $input as a config',
      ({ input }) => {
        const problems = problemsOf(input);

        expect(problems.length).toBeGreaterThan(0);
      },
    );

    it.each(['Hookline', '1hooks', 'a'.repeat(31), 'has_underscore', ''])(
      'rejects the config name %j',
      (name) => {
        const problems = problemsOf({ name, routes: [route()] });

        expect(problems).toEqual([
          'name: must be 1-30 lower-case letters, digits or dashes, starting with a letter',
        ]);
      },
    );

    it.each(['handler.py', 'handler', 'handler.ts.bak'])('rejects the handler file %j', (handler) => {
      expect(problemsOf(config(route({ handler })))).toEqual([
        'routes[0].handler: must be a .ts or .js file',
      ]);
    });

    it.each(['h.ts', 'h.mts', 'h.js', 'h.mjs'])('accepts the handler file %j', (handler) => {
      expect(resolveRoute({ handler }).handler).toBe(handler);
    });

    it.each(['my secret', 'secret#1', ''])('rejects the secret name %j', (name) => {
      const problems = problemsOf(config(route({ verify: { scheme: 'github', secret: { name } } })));

      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^routes\[0\]\.verify\.secret\.name: /);
    });

    it('accepts a Secrets Manager style secret name', () => {
      const verify = { scheme: 'github', secret: { name: 'prod/github+hooks=1.x@team_a-b', existing: true } };

      expect(resolveRoute({ verify }).verify).toEqual(verify);
    });
  });

  describe('paths', () => {
    it.each(['/x/*', 'no-slash', '/a//b', '/a?b=1', '/', '', '/a b/', '/a/:id', '/ä/'])(
      'rejects the path syntax %j',
      (path) => {
        const problems = problemsOf(config(route({ path })));

        expect(problems).toEqual([
          `routes[0].path: "${path}" must look like /segment/segment/ (letters, digits, - and _; no query, no wildcards)`,
        ]);
      },
    );

    it.each(['/a', '/a/', '/order/status/', '/A-b_9/c', '/x-y/z_w'])('accepts the path %j', (path) => {
      expect(resolveRoute({ path }).path).toBe(path);
    });

    it.each(['/_hookline/x', '/_hookline', '/_hookline/', '/_HookLine/events', '/_HOOKLINE/x'])(
      'rejects the reserved path %j',
      (path) => {
        const problems = problemsOf(config(route({ path })));

        expect(problems).toEqual([
          "routes[0].path: paths under /_hookline are reserved for Hookline's own endpoints",
        ]);
      },
    );

    it.each(['/_hooklinex/', '/_hookline-x', '/_HOOKLINEX/a/', '/a/_hookline/'])(
      'accepts %j: the reserved prefix is a whole first segment',
      (path) => {
        expect(resolveRoute({ path }).path).toBe(path);
      },
    );

    it('rejects a duplicate path that differs only by the trailing slash', () => {
      const problems = problemsOf(config(route({ path: '/a/' }), route({ path: '/a' })));

      expect(problems).toEqual(['routes[1].path: "/a" duplicates routes[0].path']);
    });

    it.each([
      ['/a-b', '/a_b'],
      ['/a/b', '/a_b/'],
      ['/Orders/', '/orders'],
    ])('rejects %j and %j as colliding queue names', (first, second) => {
      const problems = problemsOf(config(route({ path: first }), route({ path: second })));

      expect(problems).toEqual([
        `routes[1].path: queue name "${pathToQueueName(second)}" collides with routes[0].path`,
      ]);
    });

    it('rejects two paths whose route tags collide, naming the tag', () => {
      // Found by a birthday search over 40-bit tags: about one pair in a million paths.
      const problems = problemsOf(config(route({ path: '/p333r/' }), route({ path: '/podsg/' })));

      expect(problems).toEqual([
        `routes[1].path: "/podsg/" has the same route tag (${routeTag('/podsg/')}, the hash its event ids ` +
          'and keys carry) as routes[0].path; rename one of the two paths',
      ]);
      expect(routeTag('/podsg/')).toBe(routeTag('/p333r/'));
    });

    it.each([0, 257, 1.5])('rejects %s shards', (shards) => {
      expect(problemsOf(config(route({ shards })))).toEqual([
        expect.stringMatching(/^routes\[0\]\.shards: /),
      ]);
    });

    it.each([1, 256])('accepts %s shards', (shards) => {
      expect(resolveRoute({ shards }).shards).toBe(shards);
    });

    it('names the first route a later duplicate repeats', () => {
      const problems = problemsOf(
        config(route({ path: '/a/' }), route({ path: '/b/' }), route({ path: '/b' })),
      );

      expect(problems).toEqual(['routes[2].path: "/b" duplicates routes[1].path']);
    });

    it('rejects a queue name longer than 45 characters and accepts 45', () => {
      const longest = `/${'q'.repeat(45)}`;
      const tooLong = `/${'q'.repeat(46)}`;

      expect(resolveRoute({ path: longest }).queueName).toHaveLength(45);
      expect(problemsOf(config(route({ path: tooLong })))).toEqual([
        `routes[0].path: queue name "${'q'.repeat(46)}" is longer than 45 characters`,
      ]);
    });
  });

  describe('retry', () => {
    it.each([
      { retry: { maxAttempts: 0 }, problem: /^routes\[0\]\.retry\.maxAttempts: .*>=1/ },
      // One receive of SQS's 1000 is kept spare (SPARE_RECEIVES).
      { retry: { maxAttempts: 1000 }, problem: /^routes\[0\]\.retry\.maxAttempts: .*<=999/ },
      { retry: { maxAttempts: 2.5 }, problem: /^routes\[0\]\.retry\.maxAttempts: / },
      { retry: { multiplier: 0.5 }, problem: /^routes\[0\]\.retry\.multiplier: / },
      { retry: { multiplier: 11 }, problem: /^routes\[0\]\.retry\.multiplier: / },
      { retry: { initialDelaySeconds: -1 }, problem: /^routes\[0\]\.retry\.initialDelaySeconds: / },
      { retry: { maxDelaySeconds: 43_201 }, problem: /^routes\[0\]\.retry\.maxDelaySeconds: / },
    ])('rejects $retry', ({ retry, problem }) => {
      const problems = problemsOf(config(route({ retry })));

      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(problem);
    });

    it.each([
      { maxAttempts: 1 },
      { maxAttempts: 999 },
      { multiplier: 1 },
      { multiplier: 10 },
      { maxDelaySeconds: 43_200 },
    ])('accepts the bound %j', (retry) => {
      expect(resolveRoute({ retry }).retry).toEqual({ ...ROUTE_DEFAULTS.retry, ...retry });
    });

    it('rejects a maxDelaySeconds below initialDelaySeconds', () => {
      const problems = problemsOf(config(route({ retry: { initialDelaySeconds: 60, maxDelaySeconds: 30 } })));

      expect(problems).toEqual(['routes[0].retry.maxDelaySeconds: 30 is below initialDelaySeconds 60']);
    });

    it('compares against the default maxDelaySeconds when only initialDelaySeconds is given', () => {
      const problems = problemsOf(config(route({ retry: { initialDelaySeconds: 1000 } })));

      expect(problems).toEqual(['routes[0].retry.maxDelaySeconds: 900 is below initialDelaySeconds 1000']);
    });

    it('accepts equal initial and maximum delays', () => {
      const retry = { initialDelaySeconds: 30, maxDelaySeconds: 30 };

      expect(resolveRoute({ retry }).retry).toMatchObject(retry);
    });
  });

  describe('batching and concurrency', () => {
    it('rejects a batchSize above 10 without a batching window', () => {
      const problems = problemsOf(config(route({ batchSize: 11 })));

      expect(problems).toEqual([
        'routes[0].batchSize: above 10 needs maxBatchingWindowSeconds of at least 1 (an SQS rule)',
      ]);
    });

    it('accepts a batchSize above 10 with a batching window of at least 1 s', () => {
      const resolved = resolveRoute({ batchSize: 100, maxBatchingWindowSeconds: 1 });

      expect(resolved).toMatchObject({ batchSize: 100, maxBatchingWindowSeconds: 1 });
    });

    it.each([
      { field: 'batchSize', value: 0 },
      { field: 'batchSize', value: 10_001 },
      { field: 'maxBatchingWindowSeconds', value: 301 },
      { field: 'maxConcurrency', value: 1 },
      { field: 'maxConcurrency', value: 1001 },
      { field: 'timeoutSeconds', value: 901 },
      { field: 'memoryMb', value: 127 },
      { field: 'maxBodyBytes', value: 6 * 1024 * 1024 + 1 },
      { field: 'retentionDays', value: 0 },
      { field: 'throttle', value: { rateLimit: 0 } },
    ])('rejects $field $value', ({ field, value }) => {
      const problems = problemsOf(config(route({ [field]: value })));

      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(new RegExp(`^routes\\[0\\]\\.${field}[.:]`));
    });

    it.each([2, 1000])('accepts maxConcurrency %d', (maxConcurrency) => {
      expect(resolveRoute({ maxConcurrency }).maxConcurrency).toBe(maxConcurrency);
    });
  });

  describe('dedupe', () => {
    it('requires a header when source is header', () => {
      const problems = problemsOf(config(route({ dedupe: { source: 'header' } })));

      expect(problems).toEqual(['routes[0].dedupe.header: header is required when source is "header"']);
    });

    it('rejects a window longer than the retention', () => {
      const problems = problemsOf(config(route({ retentionDays: 1, dedupe: { windowSeconds: 86_401 } })));

      expect(problems).toEqual([
        "routes[0].dedupe.windowSeconds: longer than the route's retention (86400 s)",
      ]);
    });

    it('accepts a window equal to the retention', () => {
      expect(resolveRoute({ retentionDays: 1, dedupe: { windowSeconds: 86_400 } }).dedupe.windowSeconds).toBe(
        86_400,
      );
    });
  });

  describe('jwt verification', () => {
    it.each([
      { verify: { scheme: 'jwt' } },
      { verify: { scheme: 'jwt', secret: { name: 'S' }, jwksUrl: 'https://issuer.example/jwks' } },
    ])('requires exactly one of secret and jwksUrl: $verify', ({ verify }) => {
      expect(problemsOf(config(route({ verify })))).toEqual([
        'routes[0].verify: exactly one of secret and jwksUrl is required',
      ]);
    });

    it('rejects HS* algorithms with a JWKS', () => {
      const verify = {
        scheme: 'jwt',
        jwksUrl: 'https://issuer.example/jwks',
        algorithms: ['HS256', 'RS256', 'HS512'],
      };

      expect(problemsOf(config(route({ verify })))).toEqual([
        'routes[0].verify.algorithms: HS256, HS512 needs a shared secret, not a JWKS',
      ]);
    });

    it('rejects asymmetric algorithms with a shared secret', () => {
      const verify = { scheme: 'jwt', secret: { name: 'S' }, algorithms: ['HS256', 'ES256'] };

      expect(problemsOf(config(route({ verify })))).toEqual([
        'routes[0].verify.algorithms: a shared secret only supports HS256/HS384/HS512',
      ]);
    });

    it('rejects an unknown algorithm', () => {
      const verify = { scheme: 'jwt', secret: { name: 'S' }, algorithms: ['none'] };

      const problems = problemsOf(config(route({ verify })));

      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^routes\[0\]\.verify\.algorithms\[0\]: /);
    });

    it.each([
      'http://issuer.example/jwks',
      'http://localhost.evil.example/jwks',
      'http://127.0.0.1.nip.io/jwks',
    ])('rejects the plain-http jwksUrl %j', (jwksUrl) => {
      const problems = problemsOf(config(route({ verify: { scheme: 'jwt', jwksUrl } })));

      expect(problems).toEqual(['routes[0].verify.jwksUrl: must use https (http only for localhost)']);
    });

    it.each([
      'http://localhost:@evil.example/jwks',
      'http://localhost:8080@evil.example/jwks',
      'http://127.0.0.1:x@evil.example/jwks',
    ])('rejects the plain-http jwksUrl %j whose host is not local (user info)', (jwksUrl) => {
      const problems = problemsOf(config(route({ verify: { scheme: 'jwt', jwksUrl } })));

      expect(problems).toEqual(['routes[0].verify.jwksUrl: must use https (http only for localhost)']);
    });

    it.each(['ftp://issuer.example/jwks', 'not a url'])('rejects the jwksUrl %j', (jwksUrl) => {
      const problems = problemsOf(config(route({ verify: { scheme: 'jwt', jwksUrl } })));

      expect(problems).toContain('routes[0].verify.jwksUrl: Invalid URL');
      expect(problems.every((problem) => problem.startsWith('routes[0].verify.jwksUrl: '))).toBe(true);
    });

    it.each([
      'https://issuer.example/.well-known/jwks.json',
      'http://localhost:8080/jwks',
      'http://127.0.0.1/jwks',
    ])('accepts the jwksUrl %j', (jwksUrl) => {
      expect(resolveRoute({ verify: { scheme: 'jwt', jwksUrl } }).verify).toEqual({ scheme: 'jwt', jwksUrl });
    });

    it('accepts a shared secret with HS algorithms', () => {
      const verify = { scheme: 'jwt', secret: { name: 'S' }, algorithms: ['HS256', 'HS512'], issuer: 'me' };

      expect(resolveRoute({ verify }).verify).toEqual(verify);
    });
  });

  describe('hmac verification', () => {
    it('requires a signature header', () => {
      const problems = problemsOf(config(route({ verify: { scheme: 'hmac', secret: { name: 'S' } } })));

      expect(problems).toEqual(['routes[0].verify.header: required']);
    });

    it('requires {body} in signedContent', () => {
      const verify = { scheme: 'hmac', secret: { name: 'S' }, header: 'x-sig', signedContent: '{timestamp}' };

      expect(problemsOf(config(route({ verify })))).toEqual([
        'routes[0].verify.signedContent: must contain {body}',
      ]);
    });

    it.each([
      { algorithm: 'md5' },
      { encoding: 'base32' },
      { prefix: 'x'.repeat(65) },
      { toleranceSeconds: 0 },
      { toleranceSeconds: 3601 },
    ])('rejects the option %j', (option) => {
      const verify = { scheme: 'hmac', secret: { name: 'S' }, header: 'x-sig', ...option };

      const problems = problemsOf(config(route({ verify })));

      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^routes\[0\]\.verify\./);
    });
  });

  describe('filters and source IPs', () => {
    it('rejects an invalid header regular expression', () => {
      const problems = problemsOf(config(route({ filters: { headers: { 'x-event': '(push' } } })));

      expect(problems).toEqual(['routes[0].filters.headers.x-event: must be a valid regular expression']);
    });

    it('keeps payload filters as given', () => {
      const filters = { payload: { 'repository.name': 'my-repo*', action: 'opened' } };

      expect(resolveRoute({ filters }).filters).toEqual(filters);
    });

    it('rejects an empty payload path', () => {
      const problems = problemsOf(config(route({ filters: { payload: { '': 'x' } } })));

      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^routes\[0\]\.filters\.payload/);
    });

    it.each(['10.0.0.0/33', '10.0.0.0', 'nope', '2001:db8::/129', '256.0.0.0/8'])(
      'rejects the CIDR %j',
      (cidr) => {
        const problems = problemsOf(config(route({ allowedSourceIps: ['192.0.2.0/24', cidr] })));

        expect(problems).toEqual([
          'routes[0].allowedSourceIps[1]: must be an IPv4 or IPv6 CIDR such as 203.0.113.0/24',
        ]);
      },
    );

    it('keeps IPv4 and IPv6 CIDRs', () => {
      const allowedSourceIps = ['192.0.2.0/24', '2001:db8::/32'];

      expect(resolveRoute({ allowedSourceIps }).allowedSourceIps).toEqual(allowedSourceIps);
    });

    it('rejects an empty allow-list', () => {
      const problems = problemsOf(config(route({ allowedSourceIps: [] })));

      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^routes\[0\]\.allowedSourceIps: /);
    });
  });

  describe('reporting', () => {
    it('reports several problems across routes in one error', () => {
      // Arrange
      const input = {
        name: 'Bad Name',
        routes: [
          route({ path: '/a/', verify: { scheme: 'github' } }),
          route({ path: '/x/*' }),
          route({ path: '/a', retry: { maxAttempts: 0 } }),
          route({ path: '/b/', colour: 'red' }),
        ],
      };

      // Act
      const problems = problemsOf(input);

      // Assert
      expect(problems).toHaveLength(6);
      expect(problems).toEqual(
        expect.arrayContaining([
          'name: must be 1-30 lower-case letters, digits or dashes, starting with a letter',
          'routes[0].verify.secret: required',
          expect.stringMatching(/^routes\[1\]\.path: "\/x\/\*" must look like/),
          'routes[2].path: "/a" duplicates routes[0].path',
          expect.stringMatching(/^routes\[2\]\.retry\.maxAttempts: /),
          'routes[3].colour: unknown field',
        ]),
      );
    });

    it('reports cross-field problems together with schema problems', () => {
      const input = config(
        route({ path: '/a/', colour: 'red' }),
        route({ path: '/b/', retry: { initialDelaySeconds: 60, maxDelaySeconds: 30 } }),
      );

      const problems = problemsOf(input);

      expect(problems).toEqual([
        'routes[0].colour: unknown field',
        'routes[1].retry.maxDelaySeconds: 30 is below initialDelaySeconds 60',
      ]);
    });

    it('reports every cross-field problem of a route', () => {
      const input = config(
        route({
          batchSize: 20,
          retentionDays: 1,
          dedupe: { windowSeconds: 100_000 },
          retry: { initialDelaySeconds: 901 },
        }),
      );

      expect(problemsOf(input)).toHaveLength(3);
    });
  });
});

describe('resolveConfig() tracing', () => {
  const tracingOf = (input: unknown) => resolveConfig(input).routes.map((resolved) => resolved.tracing);

  it('is off by default: the resolved route has no tracing field', () => {
    expect(resolveRoute()).not.toHaveProperty('tracing');
    expect(resolveConfig(config(route()))).not.toHaveProperty('tracing');
  });

  it('turns on for every route with the top-level tracing', () => {
    const input = { ...config(route(), route({ path: '/other/' })), tracing: true };

    expect(tracingOf(input)).toEqual([true, true]);
    expect(resolveConfig(input).tracing).toBe(true);
  });

  it('lets a route override the top-level tracing either way', () => {
    expect(
      tracingOf({ ...config(route(), route({ path: '/off/', tracing: false })), tracing: true }),
    ).toEqual([true, undefined]);
    expect(tracingOf(config(route(), route({ path: '/on/', tracing: true })))).toEqual([undefined, true]);
    expect(tracingOf({ ...config(route({ tracing: true })), tracing: false })).toEqual([true]);
  });

  it('rejects a tracing that is not a boolean, at the top level and on a route', () => {
    const problems = problemsOf({ ...config(route({ tracing: 'yes' })), tracing: 1 });

    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^tracing: .*boolean/),
        expect.stringMatching(/^routes\[0\]\.tracing: .*boolean/),
      ]),
    );
  });
});

describe('pathToQueueName()', () => {
  it.each([
    ['/order/status/', 'order_status'],
    ['/github/', 'github'],
    ['/github', 'github'],
    ['/Shop-Orders/Paid', 'shop_orders_paid'],
    ['/a_b/c-d/', 'a_b_c_d'],
  ])('maps %j to %j', (path, queueName) => {
    expect(pathToQueueName(path)).toBe(queueName);
  });

  it('gives a path and its trailing-slash form the same safe queue name', () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/);
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), (segments) => {
        const path = `/${segments.join('/')}`;

        expect(ROUTE_PATH_PATTERN.test(path)).toBe(true);
        expect(pathToQueueName(`${path}/`)).toBe(pathToQueueName(path));
        expect(pathToQueueName(path)).toMatch(/^[a-z0-9_]+$/);
      }),
    );
  });
});

describe('normalizePath()', () => {
  it.each([
    ['/a/', '/a'],
    ['/a', '/a'],
    ['/a/b/', '/a/b'],
    ['/', '/'],
  ])('normalizes %j to %j', (path, normalized) => {
    expect(normalizePath(path)).toBe(normalized);
  });
});

describe('ROUTE_PATH_PATTERN', () => {
  it.each(['/a', '/a/', '/a/b/c/', '/A-1_b'])('matches %j', (path) => {
    expect(ROUTE_PATH_PATTERN.test(path)).toBe(true);
  });

  it.each(['', '/', 'a/', '//a', '/a//', '/a.b', '/a/*', '/a?x', '/a#b', '/a%20b'])(
    'does not match %j',
    (path) => {
      expect(ROUTE_PATH_PATTERN.test(path)).toBe(false);
    },
  );
});

describe('resolveConfig() circuitBreaker', () => {
  it('is opt-in: without the block the resolved route has no breaker', () => {
    expect(resolveRoute()).not.toHaveProperty('circuitBreaker');
  });

  it('fills in the defaults of an empty block', () => {
    expect(resolveRoute({ circuitBreaker: {} }).circuitBreaker).toEqual({
      consecutiveFailures: 5,
      coolDownSeconds: 30,
    });
  });

  it('keeps the values given', () => {
    expect(
      resolveRoute({ circuitBreaker: { consecutiveFailures: 1000, coolDownSeconds: 1 } }).circuitBreaker,
    ).toEqual({ consecutiveFailures: 1000, coolDownSeconds: 1 });
    expect(
      resolveRoute({ circuitBreaker: { consecutiveFailures: 1, coolDownSeconds: 3600 } }).circuitBreaker,
    ).toEqual({ consecutiveFailures: 1, coolDownSeconds: 3600 });
  });

  it('rejects values out of bounds, fractions and unknown fields', () => {
    expect(
      problemsOf(config(route({ circuitBreaker: { consecutiveFailures: 0, coolDownSeconds: 3601 } }))),
    ).toEqual([
      'routes[0].circuitBreaker.consecutiveFailures: Too small: expected number to be >=1',
      'routes[0].circuitBreaker.coolDownSeconds: Too big: expected number to be <=3600',
    ]);
    expect(problemsOf(config(route({ circuitBreaker: { consecutiveFailures: 1001 } })))).toEqual([
      'routes[0].circuitBreaker.consecutiveFailures: Too big: expected number to be <=1000',
    ]);
    expect(problemsOf(config(route({ circuitBreaker: { coolDownSeconds: 1.5 } })))).toHaveLength(1);
    expect(problemsOf(config(route({ circuitBreaker: { window: 60 } })))).toEqual([
      'routes[0].circuitBreaker.window: unknown field',
    ]);
  });
});
