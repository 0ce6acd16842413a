/**
 * The `ROUTE_LIMITS` check on a resolved route, for the constructs: a route built in code (not by
 * `resolveConfig`) skipped the schema, so synth checks it against the same bounds.
 */
import { SQS_ESM_MAX_BATCH_SIZE_WITHOUT_WINDOW } from '../aws-limits.js';
import { type IntRange, intIn, ROUTE_LIMITS } from './route-limits.js';
import type { ResolvedRoute } from './types.js';

type LimitedSettings = Pick<
  ResolvedRoute,
  'timeoutSeconds' | 'memoryMb' | 'batchSize' | 'maxBatchingWindowSeconds' | 'maxConcurrency'
> & {
  readonly retry: Pick<ResolvedRoute['retry'], 'maxAttempts'>;
  readonly throttle: ResolvedRoute['throttle'];
};

/**
 * Every route setting outside its `ROUTE_LIMITS` range, as `memoryMb 64 must be an integer from
 * 128 to 10240 (Lambda)`. A route from `resolveConfig` always passes.
 */
export function routeLimitProblems(route: LimitedSettings): string[] {
  const windowed = route.maxBatchingWindowSeconds > 0;
  const batchSize: IntRange = windowed
    ? ROUTE_LIMITS.batchSize
    : { ...ROUTE_LIMITS.batchSize, max: SQS_ESM_MAX_BATCH_SIZE_WITHOUT_WINDOW };
  const checks: [string, number, IntRange, string?][] = [
    ['timeoutSeconds', route.timeoutSeconds, ROUTE_LIMITS.timeoutSeconds],
    ['retry.maxAttempts', route.retry.maxAttempts, ROUTE_LIMITS.maxAttempts],
    ['memoryMb', route.memoryMb, ROUTE_LIMITS.memoryMb],
    ['maxBatchingWindowSeconds', route.maxBatchingWindowSeconds, ROUTE_LIMITS.maxBatchingWindowSeconds],
    [
      'batchSize',
      route.batchSize,
      batchSize,
      windowed ? undefined : `above ${batchSize.max} needs maxBatchingWindowSeconds of at least 1`,
    ],
    ['maxConcurrency', route.maxConcurrency, ROUTE_LIMITS.maxConcurrency],
    ['throttle.rateLimit', route.throttle.rateLimit, ROUTE_LIMITS.rateLimit],
    ['throttle.burstLimit', route.throttle.burstLimit, ROUTE_LIMITS.burstLimit],
  ];
  return checks.flatMap(([field, value, range, hint = range.limitOf]) =>
    intIn(range).safeParse(value).success
      ? []
      : [`${field} ${value} must be an integer from ${range.min} to ${range.max}${hint ? ` (${hint})` : ''}`],
  );
}
