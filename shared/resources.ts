/**
 * Resource settings shared by the CDK stack and the local stack, so both create queues and the
 * table the same way (one source of truth).
 */
import { SQS_MAX_RETENTION_SECONDS } from './aws-limits.js';
import { pathToQueueName } from './config/queue-name.js';
import { SPARE_RECEIVES } from './config/route-limits.js';
import type { ResolvedRoute } from './config/types.js';
import { EVENT_ID_PREFIX, routeTag } from './ids.js';

/** A route's tag in its event ids and partition keys (`shared/ids.ts`), for the stack's IAM and checks. */
export { routeTag };

/**
 * The event table's key schema (table layout v2, docs/architecture.md "Table layout"). Every item
 * has `pk`/`sk`; the one index is sparse. A route's events are its state items, keyed for listing:
 * `pk = ROUTE#<route tag>#<shard>`, `sk = <event id>` (time first), so no index is written on the
 * hot path and no partition key takes more than a shard's share of a busy route.
 */
export const EVENT_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Unix seconds after which DynamoDB may delete the item. */
  ttlAttribute: 'expiresAt',
  /**
   * The layout of the items below; a gateway refuses a table of another layout
   * (`shared/event-store/layout.ts`). v1 had every event under `EVENT#<id>`, dedupe claims apart
   * from request data, and a `byRoute` index on every state item.
   */
  layoutVersion: 2,
  /**
   * Keys only, like every index Hookline ever made: an index holding whole items doubles every
   * write. Listings read the state items by key afterwards.
   */
  indexes: {
    /**
     * A route's events needing attention, by status and time: `gsi2pk =
     * ROUTE#<route tag>#<status>#<shard>`, sorted by the table's own `sk` (the event id). Sparse:
     * only events in `STATUS_INDEXED` carry `gsi2pk`, so the hot path (queued → processing →
     * delivered) never writes to it; sharded like the state items, so a busy route's failures
     * spread too.
     */
    byRouteStatus: {
      name: 'byRouteStatus',
      partitionKey: 'gsi2pk',
      sortKey: 'sk',
      projection: 'KEYS_ONLY',
    },
  },
} as const;

/**
 * The partition keys of the event table's items. IAM narrows each route's functions to their own
 * with `dynamodb:LeadingKeys` (`routePartitionPatterns`).
 *
 * - `ROUTE#<tag>#<shard>`: a route's event states, one partition per shard (`<tag>` and `<shard>`
 *   are in the event id, `shared/ids.ts`);
 * - `DEDUPE#<route>#<key>`: a route's delivery, by its dedupe key: the claim and the request data
 *   of the event that first claimed it;
 * - `REQUEST#<id>`: the request data of an event without a dedupe key (a route whose dedupe is
 *   `none`, a replay, a repeat of a key after its window);
 * - `HOOKLINE#LAYOUT`: the table's layout version;
 * - `CIRCUIT#<route>`: a route's circuit breaker.
 */
export const TABLE_PARTITIONS = {
  state: (tag: string, shardCode: string) => `ROUTE#${tag}#${shardCode}`,
  dedupe: (route: string, key: string) => `DEDUPE#${route}#${key}`,
  request: (id: string) => `REQUEST#${id}`,
  layout: 'HOOKLINE#LAYOUT',
  circuit: (route: string) => `CIRCUIT#${route}`,
} as const;

/**
 * The `dynamodb:LeadingKeys` patterns of the items a route's ingress and handler work on: its own
 * event states, its own dedupe claims, the request items of its own events (their ids end with the
 * route's tag) and the layout item.
 */
export function routePartitionPatterns(route: string): {
  readonly states: string;
  readonly dedupe: string;
  readonly requests: string;
  readonly layout: string;
} {
  const tag = routeTag(route);
  return {
    states: TABLE_PARTITIONS.state(tag, '*'),
    dedupe: TABLE_PARTITIONS.dedupe(route, '*'),
    requests: TABLE_PARTITIONS.request(`${EVENT_ID_PREFIX}*${tag}`),
    layout: TABLE_PARTITIONS.layout,
  };
}

/** Statuses listed by the `byRouteStatus` index; other statuses are found by reading the states. */
export const STATUS_INDEXED: ReadonlySet<string> = new Set(['retrying', 'dead_lettered']);

/** How many times the handler timeout a queue's visibility timeout must be (AWS guidance). */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** A dead-lettered message is kept as long as SQS allows. */
export const DLQ_RETENTION_SECONDS = SQS_MAX_RETENTION_SECONDS;
export const QUEUE_RETENTION_SECONDS = 4 * 24 * 3600;
/** The largest body carried inline in the envelope and the event record (see the envelope docs). */
export const INLINE_BODY_LIMIT_BYTES = 256 * 1024;

export interface QueueSettings {
  readonly queueName: string;
  readonly dlqName: string;
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  readonly dlqRetentionSeconds: number;
  readonly maxReceiveCount: number;
}

export function queueSettings(route: ResolvedRoute, prefix: string): QueueSettings {
  const queueName = `${prefix}-${route.queueName}`;
  return {
    queueName,
    dlqName: `${queueName}-dlq`,
    visibilityTimeoutSeconds: VISIBILITY_TIMEOUT_FACTOR * route.timeoutSeconds,
    retentionSeconds: QUEUE_RETENTION_SECONDS,
    dlqRetentionSeconds: DLQ_RETENTION_SECONDS,
    maxReceiveCount: route.retry.maxAttempts + SPARE_RECEIVES,
  };
}

/** Event ids as Hookline makes them (`shared/ids.ts`) and older ones: nothing that could leave the key prefix. */
const SAFE_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The key prefix of a route's bodies, `<queueName>/` (e.g. `order_status/`), so retention
 * (lifecycle rules) and access grants can be set per route.
 */
export function bodyKeyPrefix(route: string): string {
  return `${pathToQueueName(route)}/`;
}

/** The key of an event's body: `<queueName>/<eventId>`. Throws a RangeError for an unsafe id. */
export function bodyKey(route: string, eventId: string): string {
  if (!SAFE_ID_PATTERN.test(eventId)) {
    throw new RangeError(
      `event id ${JSON.stringify(eventId)} cannot name a body (letters, digits, "_" and "-" only)`,
    );
  }
  return `${bodyKeyPrefix(route)}${eventId}`;
}
