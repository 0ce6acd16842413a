/**
 * Resource settings shared by the CDK stack and the local stack, so both create queues and the
 * table the same way (one source of truth).
 */
import { SQS_MAX_RETENTION_SECONDS } from './aws-limits.js';
import { pathToQueueName } from './config/queue-name.js';
import { SPARE_RECEIVES } from './config/route-limits.js';
import type { ResolvedRoute } from './config/types.js';

/** The event table's key schema. Every item has `pk`/`sk`; GSIs are sparse. */
export const EVENT_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Unix seconds after which DynamoDB may delete the item. */
  ttlAttribute: 'expiresAt',
  /**
   * Both indexes project keys only: an index holding whole event items doubled every write (each
   * status change rewrote the body into the index). Listings read the items by key afterwards.
   */
  indexes: {
    /** A route's events by time: `gsi1pk = ROUTE#<route>`, `gsi1sk = <receivedAt>#<id>`. */
    byRoute: { name: 'byRoute', partitionKey: 'gsi1pk', sortKey: 'gsi1sk', projection: 'KEYS_ONLY' },
    /**
     * A route's events needing attention, by status and time: `gsi2pk = ROUTE#<route>#<status>`,
     * `gsi2sk = <receivedAt>#<id>`. Sparse: only events in `STATUS_INDEXED` carry `gsi2pk`, so the
     * hot path (received → queued → processing → delivered) never writes to it.
     */
    byRouteStatus: {
      name: 'byRouteStatus',
      partitionKey: 'gsi2pk',
      sortKey: 'gsi2sk',
      projection: 'KEYS_ONLY',
    },
  },
} as const;

/**
 * The partition keys of the event table's items: an event's items are `EVENT#<id>`, a route's dedupe
 * claims `DEDUPE#<route>#<key>`, a route's circuit `CIRCUIT#<route>`. IAM narrows each function to
 * its own with `dynamodb:LeadingKeys`.
 */
export const TABLE_PARTITIONS = {
  event: (id: string) => `EVENT#${id}`,
  dedupe: (route: string, key: string) => `DEDUPE#${route}#${key}`,
  circuit: (route: string) => `CIRCUIT#${route}`,
} as const;

/** Statuses listed by the `byRouteStatus` index; other statuses are found through `byRoute`. */
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

/** Event ids as Hookline makes them (`evt_<ulid>`): nothing that could leave the key prefix. */
const EVENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The key prefix of a route's bodies, `<queueName>/` (e.g. `order_status/`), so retention
 * (lifecycle rules) and access grants can be set per route.
 */
export function bodyKeyPrefix(route: string): string {
  return `${pathToQueueName(route)}/`;
}

/** The key of an event's body: `<queueName>/<eventId>`. Throws a RangeError for an unsafe id. */
export function bodyKey(route: string, eventId: string): string {
  if (!EVENT_ID_PATTERN.test(eventId)) {
    throw new RangeError(
      `event id ${JSON.stringify(eventId)} cannot name a body (letters, digits, "_" and "-" only)`,
    );
  }
  return `${bodyKeyPrefix(route)}${eventId}`;
}
