/**
 * The route configuration contract (`hookline.config.ts`) as a zod schema: the one definition of
 * what a config may hold, its bounds and its defaults. `types.ts` derives the TypeScript types from it.
 */
import { z } from 'zod';
import { LAMBDA_MAX_PAYLOAD_BYTES, SQS_MAX_VISIBILITY_TIMEOUT_SECONDS } from '../aws-limits.js';
import { alarmsSchema, routeAlarmsSchema } from './alarms.js';
import { CIRCUIT_BREAKER_DEFAULTS, ROUTE_DEFAULTS } from './defaults.js';
import { logsSchema } from './logs.js';
import { intIn, ROUTE_LIMITS } from './route-limits.js';
import { headerName, positiveInt, seconds } from './schema-fields.js';
import { DEFAULT_STACK_NAME, STACK_NAME_PATTERN, STACK_NAME_RULE } from './stack-name.js';
import { tableSchema } from './table-capacity.js';
import { verifySchema } from './verify-schema.js';

/** Upper-cased, and typed as text in the resolved route: the ingress compares them with request methods. */
const httpMethod = z
  .string()
  .transform((method) => method.toUpperCase())
  .pipe(z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']))
  .transform((method): string => method);

const regexSource = z.string().refine((source) => {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}, 'must be a valid regular expression');

const cidr = z.union([z.cidrv4(), z.cidrv6()], {
  error: 'must be an IPv4 or IPv6 CIDR such as 203.0.113.0/24',
});

/** Where an event's delivery id comes from for de-duplication. */
const dedupe = z
  .strictObject({
    /**
     * `scheme` uses the provider's delivery id (GitHub `x-github-delivery`, Standard Webhooks
     * `webhook-id`, Stripe body `id`, Shopify `x-shopify-webhook-id`, Slack event id), then
     * `x-idempotency-key`, then a body hash. `header` uses `header`; `bodyHash` always hashes.
     * @default 'scheme'
     */
    source: z.enum(['scheme', 'header', 'bodyHash', 'none']).default(ROUTE_DEFAULTS.dedupe.source),
    /** How long a delivery id is remembered. @default 86400 (24 h) */
    windowSeconds: seconds(1, 365 * 86_400).default(ROUTE_DEFAULTS.dedupe.windowSeconds),
    /** Header to read when `source` is `header`. */
    header: headerName.optional(),
  })
  .refine((config) => config.source !== 'header' || config.header !== undefined, {
    message: 'header is required when source is "header"',
    path: ['header'],
  });

const retry = z.strictObject({
  /** Total attempts, including the first; the queue's `maxReceiveCount` is one more. @default 5 */
  maxAttempts: intIn(ROUTE_LIMITS.maxAttempts).default(ROUTE_DEFAULTS.retry.maxAttempts),
  /** @default 10 */
  initialDelaySeconds: seconds(0, SQS_MAX_VISIBILITY_TIMEOUT_SECONDS).default(
    ROUTE_DEFAULTS.retry.initialDelaySeconds,
  ),
  /** @default 2 */
  multiplier: z.number().min(1).max(10).default(ROUTE_DEFAULTS.retry.multiplier),
  /** Capped at 43200 (12 h, the SQS visibility limit). @default 900 */
  maxDelaySeconds: seconds(0, SQS_MAX_VISIBILITY_TIMEOUT_SECONDS).default(
    ROUTE_DEFAULTS.retry.maxDelaySeconds,
  ),
});

const throttle = z.strictObject({
  /** @default 100 */
  rateLimit: intIn(ROUTE_LIMITS.rateLimit).default(ROUTE_DEFAULTS.throttle.rateLimit),
  /** @default 200 */
  burstLimit: intIn(ROUTE_LIMITS.burstLimit).default(ROUTE_DEFAULTS.throttle.burstLimit),
});

/** Drop unwanted events at ingress: the event is answered 202 `filtered` and nothing is recorded. */
const filters = z.strictObject({
  /** Only these methods pass. */
  methods: z.array(httpMethod).min(1).optional(),
  /** Header name → regular expression (source text) the header value must match. */
  headers: z.record(headerName, regexSource).optional(),
  /** Dotted payload path → pattern (`*` and `?` wildcards) the value's text must match. */
  payload: z.record(z.string().min(1), z.string()).optional(),
});

/**
 * What is replaced by `[REDACTED]` after verification and before anything is stored or queued: the
 * handler, the history, replays and fixtures never see it, and a replay cannot bring it back.
 */
const redact = z
  .strictObject({
    /** Dotted payload paths; a `*` segment (or `*` inside one) matches any key or array index. */
    body: z
      .array(z.string().regex(/^[^.]+(\.[^.]+)*$/, 'must be a dotted path like card.number'))
      .min(1)
      .optional(),
    /** Header names. */
    headers: z.array(headerName).min(1).optional(),
  })
  .refine((rules) => rules.body !== undefined || rules.headers !== undefined, 'name body paths or headers');

/** A CloudWatch namespace: up to 255 characters, not starting with a colon. */
const metricsNamespace = z
  .string()
  .regex(
    /^[0-9A-Za-z.\-_/#][0-9A-Za-z.\-_/#:]{0,254}$/,
    'must be 1–255 of A-Z a-z 0-9 . - _ / # : (no leading :)',
  );

/** The route's metrics (docs/architecture.md, "Metrics"). */
const routeMetrics = z.strictObject({
  /**
   * Event types that get their own `EventType` dimension value; every other type is counted as
   * `other`. Without it the route's metrics have no `EventType` dimension. At most 20, so the
   * dimension stays a bounded set.
   */
  eventTypes: z
    .array(
      z
        .string()
        .min(1)
        .max(255)
        .refine((type) => type !== 'other', '"other" is reserved for unlisted types'),
    )
    .min(1)
    .max(20)
    .refine((types) => new Set(types).size === types.length, 'must not repeat a type')
    .optional(),
});

/**
 * The route's circuit breaker (`shared/worker/circuit-breaker.ts`): after `consecutiveFailures`
 * failed handler attempts in a row the route's consumer pauses, so events wait in the queue instead
 * of spending their attempts while the downstream is down; after `coolDownSeconds` one probe message
 * is taken, and its delivery closes the circuit again (its failure doubles the cool-down, up to 10×).
 */
const circuitBreaker = z.strictObject({
  /** Failed attempts in a row (a `PermanentError` does not count) that open the circuit. @default 5 */
  consecutiveFailures: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(CIRCUIT_BREAKER_DEFAULTS.consecutiveFailures),
  /** How long the consumer stays paused before a probe. @default 30 */
  coolDownSeconds: seconds(1, 3600).default(CIRCUIT_BREAKER_DEFAULTS.coolDownSeconds),
});

export const routeSchema = z.strictObject({
  /** Webhook path, e.g. `/order/status/`; its queue is named `order_status`. */
  path: z.string(),
  /** @default ['POST'] */
  methods: z
    .array(httpMethod)
    .min(1)
    .default(() => [...ROUTE_DEFAULTS.methods]),
  /** @default true */
  enabled: z.boolean().default(ROUTE_DEFAULTS.enabled),
  verify: verifySchema,
  /**
   * The route's URL as the provider has it, for schemes that sign the URL (Twilio, Square, HubSpot,
   * Contentful) behind a custom domain or a proxy: scheme, host and path, no query (the request's
   * own query is appended). @default the URL the request reached: its host, path and query
   */
  publicUrl: z
    .url({ protocol: /^https?$/ })
    .refine((url) => !URL.canParse(url) || new URL(url).search === '', 'must not have a query')
    .optional(),
  dedupe: dedupe.default(() => ({ ...ROUTE_DEFAULTS.dedupe })),
  /** Handler module entry file, relative to the config file's folder. */
  handler: z.string().regex(/\.(ts|mts|js|mjs)$/, 'must be a .ts or .js file'),
  retry: retry.default(() => ({ ...ROUTE_DEFAULTS.retry })),
  /** SQS batch size for the handler; above 10 needs `maxBatchingWindowSeconds`. @default 10 */
  batchSize: intIn(ROUTE_LIMITS.batchSize).default(ROUTE_DEFAULTS.batchSize),
  /** Event source mapping batching window. @default 0 */
  maxBatchingWindowSeconds: intIn(ROUTE_LIMITS.maxBatchingWindowSeconds).default(
    ROUTE_DEFAULTS.maxBatchingWindowSeconds,
  ),
  /** Event source mapping maximum concurrency (2–1000). @default 2 */
  maxConcurrency: intIn(ROUTE_LIMITS.maxConcurrency).default(ROUTE_DEFAULTS.maxConcurrency),
  /** Handler timeout. @default 30 */
  timeoutSeconds: intIn(ROUTE_LIMITS.timeoutSeconds).default(ROUTE_DEFAULTS.timeoutSeconds),
  /** Handler memory. @default 512 */
  memoryMb: intIn(ROUTE_LIMITS.memoryMb).default(ROUTE_DEFAULTS.memoryMb),
  /** Largest accepted body, up to 6 MB (Lambda's payload limit). @default 262144 (256 KiB) */
  maxBodyBytes: positiveInt(LAMBDA_MAX_PAYLOAD_BYTES).default(ROUTE_DEFAULTS.maxBodyBytes),
  /** Parse and require a JSON body (400 otherwise). @default true unless verify is slack */
  expectJson: z.boolean().optional(),
  /** Days to keep the event history and dedupe keys. @default 30 */
  retentionDays: positiveInt(3650).default(ROUTE_DEFAULTS.retentionDays),
  /**
   * Partitions the route's event states are spread over (docs/architecture.md, "Table layout"):
   * each takes at most 1 000 writes a second, and an event writes its state three times, so 32
   * carry 10 000 events a second. A new event takes one at random; an event keeps its shard (it is
   * in its id). Raise it freely; lowering it hides the events in the higher shards from listings
   * (not from lookups by id) until they expire. @default 32
   */
  shards: intIn(ROUTE_LIMITS.shards).default(ROUTE_DEFAULTS.shards),
  /** API Gateway throttling for this route. @default { rateLimit: 100, burstLimit: 200 } */
  throttle: throttle.default(() => ({ ...ROUTE_DEFAULTS.throttle })),
  filters: filters.optional(),
  redact: redact.optional(),
  /** Only requests from these CIDRs (IPv4/IPv6) are accepted; others get 403. */
  allowedSourceIps: z.array(cidr).min(1).optional(),
  metrics: routeMetrics.optional(),
  /**
   * AWS X-Ray active tracing for this route's ingress and handler functions, over the top-level
   * `tracing` (docs/architecture.md, "Tracing"). @default the top-level `tracing`
   */
  tracing: z.boolean().optional(),
  /**
   * This route's alarms, over the top-level `alarms` (`shared/config/alarms.ts`): `false` turns one
   * off, an object overrides its threshold or evaluation periods. @default the top-level settings
   */
  alarms: routeAlarmsSchema.optional(),
  /**
   * Pause the route's consumer while its handler keeps failing (`circuitBreaker` above). Opt-in:
   * without it there is no breaker, because a breaker changes when events reach the DLQ (a paused
   * route keeps them in its queue for as long as the downstream is down, instead of dead-lettering
   * them once their attempts are spent), which is a behaviour a route must choose.
   * @default no breaker
   */
  circuitBreaker: circuitBreaker.optional(),
});

export const configSchema = z.strictObject({
  /** Used in resource names. @default 'hookline' */
  name: z.string().regex(STACK_NAME_PATTERN, STACK_NAME_RULE).default(DEFAULT_STACK_NAME),
  routes: z.array(routeSchema).min(1, 'at least one route is required'),
  metrics: z
    .strictObject({
      /** The CloudWatch namespace of every metric. @default the config's `name` */
      namespace: metricsNamespace.optional(),
    })
    .optional(),
  /**
   * Alarms (`shared/config/alarms.ts`): the SNS topic they notify (created unless `topicArn`), its
   * e-mail subscriptions, the stack-wide alarms and every route's defaults. Each alarm is on with its
   * documented default unless set to `false`. @default every alarm on, a topic created, no e-mail
   */
  alarms: alarmsSchema.optional(),
  /**
   * AWS X-Ray active tracing (Powertools Tracer) for every route's ingress and handler functions;
   * a route's own `tracing` overrides it. Billed per trace recorded. @default false
   */
  tracing: z.boolean().optional(),
  /**
   * The functions' logging (`shared/config/logs.ts`): the lowest `level` Lambda keeps of their
   * lines, and whether Lambda writes its START/END/REPORT lines for each invocation.
   * @default { level: 'INFO', invocationReports: false }
   */
  logs: logsSchema.optional(),
  /**
   * How the event table pays for its reads and writes (`shared/config/table-capacity.ts`):
   * `{ billing: 'onDemand' }`, or `{ billing: 'provisioned', read, write }` with auto scaling of the
   * table and its indexes between `min` and `max` at `targetUtilization` percent.
   * @default { billing: 'onDemand' }
   */
  table: tableSchema.optional(),
});
