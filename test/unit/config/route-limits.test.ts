import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { routeLimitProblems } from '../../../shared/config/check-route-limits.js';
import { ConfigError } from '../../../shared/config/errors.js';
import { ROUTE_LIMITS } from '../../../shared/config/route-limits.js';
import { isValidStackName } from '../../../shared/config/stack-name.js';
import { resolveConfig } from '../../../shared/config/validate.js';
import { makeRoute } from '../../helpers/routes.js';

const ROUTE = { path: '/hook/', verify: { scheme: 'none' }, handler: 'handlers/hook.ts' };

/** Whether resolveConfig accepts `input`; any other error fails the test. */
function accepts(input: unknown): boolean {
  try {
    resolveConfig(input);
    return true;
  } catch (error: unknown) {
    if (error instanceof ConfigError) return false;
    throw error;
  }
}

/** Integers around a range's bounds, plus a fraction inside it. */
function around({ min, max }: { readonly min: number; readonly max: number }) {
  return fc.oneof(
    fc.integer({ min: min - 2, max: min + 2 }),
    fc.integer({ min: max - 2, max: max + 2 }),
    fc.constant(min + 0.5),
  );
}

describe('routeLimitProblems()', () => {
  it('finds nothing wrong with a route resolveConfig produced', () => {
    const [route] = resolveConfig({ routes: [ROUTE] }).routes;
    if (route === undefined) throw new Error('expected one route');

    expect(routeLimitProblems(route)).toEqual([]);
  });

  it('names the setting, its value, its range and the AWS limit it comes from', () => {
    const problems = routeLimitProblems(makeRoute({ memoryMb: 64, timeoutSeconds: 901 }));

    expect(problems).toEqual([
      'timeoutSeconds 901 must be an integer from 1 to 900 (Lambda)',
      'memoryMb 64 must be an integer from 128 to 10240 (Lambda)',
    ]);
  });

  it('allows a batch above 10 only with a batching window', () => {
    expect(routeLimitProblems(makeRoute({ batchSize: 11 }))).toEqual([
      'batchSize 11 must be an integer from 1 to 10 (above 10 needs maxBatchingWindowSeconds of at least 1)',
    ]);
    expect(routeLimitProblems(makeRoute({ batchSize: 11, maxBatchingWindowSeconds: 1 }))).toEqual([]);
  });

  it('rejects exactly what the config schema rejects', () => {
    const settings = fc.record({
      timeoutSeconds: around(ROUTE_LIMITS.timeoutSeconds),
      memoryMb: around(ROUTE_LIMITS.memoryMb),
      batchSize: fc.oneof(around(ROUTE_LIMITS.batchSize), fc.integer({ min: 9, max: 12 })),
      maxBatchingWindowSeconds: around(ROUTE_LIMITS.maxBatchingWindowSeconds),
      maxConcurrency: around(ROUTE_LIMITS.maxConcurrency),
      maxAttempts: around(ROUTE_LIMITS.maxAttempts),
      rateLimit: around(ROUTE_LIMITS.rateLimit),
      burstLimit: around(ROUTE_LIMITS.burstLimit),
    });
    fc.assert(
      fc.property(settings, ({ maxAttempts, rateLimit, burstLimit, ...rest }) => {
        const retry = { maxAttempts };
        const throttle = { rateLimit, burstLimit };
        const schemaAccepts = accepts({ routes: [{ ...ROUTE, ...rest, retry, throttle }] });

        expect(routeLimitProblems({ ...rest, retry, throttle }).length === 0).toBe(schemaAccepts);
      }),
    );
  });
});

describe('isValidStackName()', () => {
  it.each(['hookline', 'a', 'shop-hooks-2', 'a'.repeat(30)])('accepts %j', (name) => {
    expect(isValidStackName(name)).toBe(true);
  });

  it.each(['', 'Hookline', '1hooks', 'shop_hooks', 'bad name!', 'a'.repeat(31)])('rejects %j', (name) => {
    expect(isValidStackName(name)).toBe(false);
  });

  it('is the rule the config schema applies to name', () => {
    const name = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_ -]{0,32}$/), fc.string({ maxLength: 32 }));
    fc.assert(
      fc.property(name, (candidate) => {
        expect(accepts({ name: candidate, routes: [ROUTE] })).toBe(isValidStackName(candidate));
      }),
    );
  });
});
