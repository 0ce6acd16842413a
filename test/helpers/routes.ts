/**
 * Test factories for resolved routes and configs, independent of the config loader: every field is
 * set explicitly, with the same defaults `resolveConfig` applies.
 */
import { pathToQueueName } from '../../shared/config/queue-name.js';
import type { ResolvedConfig, ResolvedRoute } from '../../shared/config/types.js';

const BASE_ROUTE: ResolvedRoute = {
  path: '/order/status/',
  queueName: 'order_status',
  methods: ['POST'],
  enabled: true,
  verify: { scheme: 'github', secret: { name: 'ORDER_STATUS_WEBHOOK_SECRET' } },
  dedupe: { source: 'scheme', windowSeconds: 86_400 },
  handler: 'functions/handlers/order-status.ts',
  retry: { maxAttempts: 5, initialDelaySeconds: 10, multiplier: 2, maxDelaySeconds: 900 },
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  maxConcurrency: 2,
  timeoutSeconds: 30,
  memoryMb: 512,
  maxBodyBytes: 256 * 1024,
  expectJson: true,
  retentionDays: 30,
  shards: 32,
  throttle: { rateLimit: 100, burstLimit: 200 },
};

/**
 * A resolved route with defaults; `queueName` follows `path` unless given. Nested objects
 * (`retry`, `throttle`, `verify`, `dedupe`) are replaced whole, not merged.
 */
export function makeRoute(overrides: Partial<ResolvedRoute> = {}): ResolvedRoute {
  const path = overrides.path ?? BASE_ROUTE.path;
  return { ...BASE_ROUTE, queueName: pathToQueueName(path), ...overrides };
}

/** A resolved config holding `routes` (one default route when omitted). */
export function makeConfig(
  routes: readonly ResolvedRoute[] = [makeRoute()],
  name = 'hookline',
): ResolvedConfig {
  return { name, routes };
}
