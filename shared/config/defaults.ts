/** What `resolveConfig` fills in for each route field the config leaves out. */
export const ROUTE_DEFAULTS = {
  methods: ['POST'],
  enabled: true,
  dedupe: { source: 'scheme', windowSeconds: 86_400 },
  retry: { maxAttempts: 5, initialDelaySeconds: 10, multiplier: 2, maxDelaySeconds: 900 },
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  maxConcurrency: 2,
  timeoutSeconds: 30,
  memoryMb: 512,
  maxBodyBytes: 256 * 1024,
  retentionDays: 30,
  shards: 32,
  throttle: { rateLimit: 100, burstLimit: 200 },
} as const;

/** What a route's `circuitBreaker` block gets for the fields it leaves out (the block itself is opt-in). */
export const CIRCUIT_BREAKER_DEFAULTS = { consecutiveFailures: 5, coolDownSeconds: 30 } as const;
