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

/**
 * The functions' logging when the config has no `logs`: the INFO lines (one per accepted event at
 * the ingress, one per settled attempt at the handler), without Lambda's own START/END/REPORT lines.
 */
export const LOG_DEFAULTS = { level: 'INFO', invocationReports: false } as const;

/** What a route's `circuitBreaker` block gets for the fields it leaves out (the block itself is opt-in). */
export const CIRCUIT_BREAKER_DEFAULTS = { consecutiveFailures: 5, coolDownSeconds: 30 } as const;

/**
 * The event table's capacity when the config has no `table`, and what a `provisioned` table's `read`
 * and `write` get for the fields they leave out (`shared/config/table-capacity.ts`). The minimum is
 * DynamoDB's own default provisioned capacity; the maximum lets one route at its default throttle
 * (100 events/s) write up to 7 units per event at 70 % utilization: raise it to your peak.
 */
export const TABLE_DEFAULTS = {
  billing: 'onDemand',
  scaling: { min: 5, max: 1000, targetUtilization: 70 },
} as const;
