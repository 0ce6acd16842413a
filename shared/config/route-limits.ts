/**
 * The bounds of the route settings that become AWS resource settings, taken from the service
 * limits. The config schema enforces them on what users write; `routeLimitProblems` checks the
 * same bounds on resolved routes built in code, which never went through the schema.
 */
import { z } from 'zod';
import {
  API_GATEWAY_MAX_BURST_LIMIT,
  API_GATEWAY_MAX_RATE_LIMIT,
  LAMBDA_MAX_MEMORY_MB,
  LAMBDA_MAX_TIMEOUT_SECONDS,
  LAMBDA_MIN_MEMORY_MB,
  SQS_ESM_MAX_BATCH_SIZE,
  SQS_ESM_MAX_BATCHING_WINDOW_SECONDS,
  SQS_ESM_MAX_MAX_CONCURRENCY,
  SQS_ESM_MIN_BATCH_SIZE,
  SQS_ESM_MIN_MAX_CONCURRENCY,
  SQS_MAX_RECEIVE_COUNT,
  SQS_MIN_RECEIVE_COUNT,
} from '../aws-limits.js';
import { MAX_ROUTE_SHARDS } from '../ids.js';

/** An inclusive integer range; `limitOf` names the AWS setting it comes from in synth-time messages. */
export interface IntRange {
  readonly min: number;
  readonly max: number;
  readonly limitOf?: string;
}

/**
 * Receives a route's queue allows beyond its attempts (its `maxReceiveCount` is
 * `retry.maxAttempts + SPARE_RECEIVES`). The runtime, not SQS's redrive, dead-letters an event whose
 * attempts are used up: on the last attempt's failure, or on the spare receive when the last
 * attempt never settled (its consumer died, its receive reply was lost). Redrive is left for a
 * message no attempt could reach at all.
 */
export const SPARE_RECEIVES = 1;

export const ROUTE_LIMITS = {
  timeoutSeconds: { min: 1, max: LAMBDA_MAX_TIMEOUT_SECONDS, limitOf: 'Lambda' },
  memoryMb: { min: LAMBDA_MIN_MEMORY_MB, max: LAMBDA_MAX_MEMORY_MB, limitOf: 'Lambda' },
  maxAttempts: {
    min: SQS_MIN_RECEIVE_COUNT,
    max: SQS_MAX_RECEIVE_COUNT - SPARE_RECEIVES,
    limitOf: 'SQS maxReceiveCount',
  },
  /** Up to `SQS_ESM_MAX_BATCH_SIZE_WITHOUT_WINDOW` unless the route has a batching window. */
  batchSize: { min: SQS_ESM_MIN_BATCH_SIZE, max: SQS_ESM_MAX_BATCH_SIZE },
  maxBatchingWindowSeconds: { min: 0, max: SQS_ESM_MAX_BATCHING_WINDOW_SECONDS },
  maxConcurrency: {
    min: SQS_ESM_MIN_MAX_CONCURRENCY,
    max: SQS_ESM_MAX_MAX_CONCURRENCY,
    limitOf: 'SQS event source mapping',
  },
  rateLimit: { min: 1, max: API_GATEWAY_MAX_RATE_LIMIT, limitOf: 'API Gateway' },
  burstLimit: { min: 1, max: API_GATEWAY_MAX_BURST_LIMIT, limitOf: 'API Gateway' },
  /** Partitions of a route's event states: two characters of an event id (`shared/ids.ts`). */
  shards: { min: 1, max: MAX_ROUTE_SHARDS },
} as const satisfies Record<string, IntRange>;

/** The schema of an integer within `range`. */
export function intIn(range: IntRange) {
  return z.number().int().min(range.min).max(range.max);
}
