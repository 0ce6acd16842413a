/**
 * The event table's data access (DESIGN §4). One table, keys from `EVENT_TABLE`:
 *
 * - event: `pk = EVENT#<id>`, `sk = EVENT`; `gsi1pk = ROUTE#<route>`, `gsi1sk = <receivedAt>#<id>`
 *   (a route's events by time); `gsi2pk = ROUTE#<route>#<status>`, `gsi2sk = gsi1sk` (by status,
 *   rewritten on every status change); `expiresAt` (TTL).
 * - dedupe claim: `pk = DEDUPE#<route>#<key>`, `sk = DEDUPE`, `eventId`, `expiresAt` (window end).
 *
 * Every write is conditional. Callers never pass DynamoDB expressions.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { STATUS_INDEXED } from '../resources.js';
import { EventNotFoundError, InvalidTransitionError, LockLostError, RouteMismatchError } from './errors.js';
import { type Item, marshallItem, toAttributeValue, unmarshallItem } from './marshal.js';
import { isFinalStatus, sourcesFor } from './transitions.js';
import type { AttemptRecord, EventRecord, EventStatus, NewEventRecord } from './types.js';

/** Longest `AttemptRecord.errorMessage` kept, in UTF-8 bytes. */
export const ERROR_MESSAGE_LIMIT_BYTES = 1024;

const EVENT_SK = 'EVENT';
const DEDUPE_SK = 'DEDUPE';
/** Attributes that exist only for the table's keys and indexes; not part of `EventRecord`. */
const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'] as const;

/** Key and index values of the items in the event table (for queries added alongside). */
export const eventKeys = {
  event: (id: string) => ({ pk: `EVENT#${id}`, sk: EVENT_SK }),
  dedupe: (route: string, key: string) => ({ pk: `DEDUPE#${route}#${key}`, sk: DEDUPE_SK }),
  /** `byRoute` partition. */
  route: (route: string) => `ROUTE#${route}`,
  /** `byRouteStatus` partition. */
  routeStatus: (route: string, status: EventStatus) => `ROUTE#${route}#${status}`,
  /** Sort key of both indexes: time order, ties broken by id. */
  timeline: (receivedAt: string, id: string) => `${receivedAt}#${id}`,
} as const;

export interface EventStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export interface ClaimDedupeKeyInput {
  readonly route: string;
  /** The delivery id (or body hash) the event is de-duplicated by. */
  readonly key: string;
  /** The event the key is claimed for. */
  readonly eventId: string;
  /** How long the claim holds; an expired claim can be taken again. */
  readonly windowSeconds: number;
}

export type DedupeClaim = { readonly claimed: true } | { readonly claimed: false; readonly eventId: string };

export interface TransitionChanges {
  /** Appended to the event's `attempts` (its `errorMessage` truncated to 1 KiB). */
  readonly attempt?: AttemptRecord;
  /**
   * The event's route, when the caller knows it (the envelope carries it): saves reading the
   * record first. The write is conditional on it; a wrong route throws `RouteMismatchError`.
   */
  readonly route?: string;
}

export interface AcquireLockInput {
  readonly id: string;
  /** The event's route (the envelope carries it); the write is conditional on it. */
  readonly route: string;
  /** Opaque id of the attempt taking the lock; `settle()` must present the same one. */
  readonly owner: string;
  /** When the lock lapses if its holder never settles: the holder's invocation deadline. */
  readonly expiresAt: Date;
}

/** A lock whose holder never settled before it lapsed (the attempt timed out or crashed). */
export interface LapsedLock {
  readonly owner?: string;
  /** When the lapsed attempt took the lock (ISO 8601). */
  readonly takenAt: string;
  /** When it lapsed (ISO 8601). */
  readonly expiredAt: string;
}

export type LockResult =
  | {
      readonly acquired: true;
      /** The event as it is now: `processing`, locked by the caller. */
      readonly record: EventRecord;
      /** Set when the caller took over a lapsed lock: the previous attempt never settled. */
      readonly lapsed?: LapsedLock;
    }
  | {
      readonly acquired: false;
      /** `done`: delivered or ignored already; `locked`: another attempt holds a live lock. */
      readonly reason: 'done' | 'locked';
      readonly record: EventRecord;
    }
  | { readonly acquired: false; readonly reason: 'missing' };

/** The statuses an attempt can end in. */
export type SettledStatus = 'delivered' | 'retrying' | 'dead_lettered' | 'ignored';

export interface SettleInput {
  readonly id: string;
  readonly route: string;
  /** The owner the lock was acquired with. */
  readonly owner: string;
  readonly to: SettledStatus;
  /** Appended to the event's `attempts` in order (error messages truncated to 1 KiB). */
  readonly attempts: readonly AttemptRecord[];
}

/** Statuses a lock can be taken from without waiting for an earlier lock to lapse. */
const LOCKABLE_STATUSES = sourcesFor('processing').filter((status) => status !== 'processing');

export class EventStore {
  readonly tableName: string;
  private readonly client: DynamoDBClient;
  private readonly now: () => Date;

  constructor(options: EventStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Claims `key` on `route` for `eventId` unless a claim that has not expired exists, in which
   * case the event that holds it is returned. Expiry is checked in the condition, never by relying
   * on TTL deletion (lazy in AWS, absent in DynamoDB Local). A claim lasts at least `windowSeconds`.
   */
  async claimDedupeKey(input: ClaimDedupeKeyInput): Promise<DedupeClaim> {
    const { route, key, eventId, windowSeconds } = input;
    if (!Number.isFinite(windowSeconds) || windowSeconds < 0) {
      throw new RangeError(`windowSeconds must be a non-negative number, got ${windowSeconds}`);
    }
    const itemKey = eventKeys.dedupe(route, key);
    // A claim that vanishes between the failed put and the read (TTL deletion) is simply retried.
    for (let round = 0; round < 3; round += 1) {
      const now = this.now();
      const nowSeconds = now.getTime() / 1000;
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: marshallItem({
              ...itemKey,
              route,
              dedupeKey: key,
              eventId,
              claimedAt: now.toISOString(),
              expiresAt: Math.ceil(nowSeconds + windowSeconds),
            }),
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
            ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { claimed: true };
      } catch (error: unknown) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const existing = error.Item ?? (await this.getItem(itemKey));
        const holder = existing?.eventId?.S;
        if (holder !== undefined) return { claimed: false, eventId: holder };
      }
    }
    throw new Error(`dedupe key ${key} on ${route} could not be claimed or read`);
  }

  /**
   * Writes a new event with status `received`. A record still `received` (an earlier attempt that
   * failed before enqueueing) is overwritten; any later status throws `InvalidTransitionError`.
   */
  async putReceived(record: NewEventRecord): Promise<void> {
    const timeline = eventKeys.timeline(record.receivedAt, record.id);
    const item: EventRecord & Record<string, unknown> = {
      ...record,
      ...eventKeys.event(record.id),
      gsi1pk: eventKeys.route(record.route),
      gsi1sk: timeline,
      // gsi2sk alone puts nothing in the sparse status index; gsi2pk is set by indexed statuses.
      gsi2sk: timeline,
      status: 'received',
      updatedAt: this.now().toISOString(),
      attempts: [],
    };
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshallItem(item),
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :received',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':received': { S: 'received' } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error: unknown) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = error.Item ?? (await this.getItem(eventKeys.event(record.id)));
      throw new InvalidTransitionError(record.id, 'received', ['received'], statusOf(existing));
    }
  }

  /** The event, read consistently; `undefined` when there is none. */
  async getEvent(id: string): Promise<EventRecord | undefined> {
    const item = await this.getItem(eventKeys.event(id));
    return item === undefined ? undefined : toEventRecord(item);
  }

  /**
   * Moves the event to `to` if `transitions.ts` allows it from its current status, updating the
   * status index and appending `changes.attempt`. Returns the updated record.
   * @throws EventNotFoundError, InvalidTransitionError (with the actual status), RouteMismatchError
   */
  async transition(id: string, to: EventStatus, changes: TransitionChanges = {}): Promise<EventRecord> {
    const sources = sourcesFor(to);
    let route = changes.route;
    if (route === undefined || sources.length === 0) {
      const current = await this.requireEvent(id);
      if (route !== undefined && route !== current.route) {
        throw new RouteMismatchError(id, route, current.route);
      }
      if (!sources.includes(current.status)) {
        throw new InvalidTransitionError(id, to, sources, current.status);
      }
      route = current.route;
    }

    const change = this.statusChange(route, to, changes.attempt === undefined ? [] : [changes.attempt]);
    const sourcePlaceholders = sources.map((status, index) => {
      change.values[`:from${index}`] = { S: status };
      return `:from${index}`;
    });
    return this.updateEvent(
      id,
      route,
      {
        update: updateExpression(change.sets, change.removes),
        condition: `#status IN (${sourcePlaceholders.join(', ')})`,
        names: change.names,
        values: change.values,
      },
      (actual) => new InvalidTransitionError(id, to, sources, actual.status),
    );
  }

  /**
   * Takes the event's idempotency lock: one conditional UpdateItem on the event record itself, so
   * locking costs no extra item. Succeeds from `received`, `queued`, `retrying`, `dead_lettered`
   * (DLQ redrive), or `processing` whose lock has lapsed (`lockExpiresAt <= now`); the event
   * becomes `processing` with `lockOwner`/`lockExpiresAt` set. Otherwise reports why not.
   * @throws RouteMismatchError when the event belongs to another route
   */
  async acquireLock(input: AcquireLockInput): Promise<LockResult> {
    const { id, route, owner, expiresAt } = input;
    for (let round = 0; round < 3; round += 1) {
      const now = this.now().toISOString();
      const values: Record<string, AttributeValue> = {
        ':route': { S: route },
        ':processing': { S: 'processing' },
        ':owner': { S: owner },
        ':expiresAt': { S: expiresAt.toISOString() },
        ':now': { S: now },
      };
      const lockable = LOCKABLE_STATUSES.map((status, index) => {
        values[`:from${index}`] = { S: status };
        return `:from${index}`;
      });
      try {
        const result = await this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: marshallItem(eventKeys.event(id)),
            UpdateExpression:
              'SET #status = :processing, #lockOwner = :owner, #lockExpiresAt = :expiresAt, #updatedAt = :now REMOVE gsi2pk',
            ConditionExpression:
              `attribute_exists(pk) AND #route = :route AND (#status IN (${lockable.join(', ')}) OR ` +
              '(#status = :processing AND (attribute_not_exists(#lockExpiresAt) OR #lockExpiresAt <= :now)))',
            ExpressionAttributeNames: {
              '#status': 'status',
              '#route': 'route',
              '#updatedAt': 'updatedAt',
              '#lockOwner': 'lockOwner',
              '#lockExpiresAt': 'lockExpiresAt',
            },
            ExpressionAttributeValues: values,
            // The old image tells whether a lapsed lock was taken over; the new one is derived.
            ReturnValues: 'ALL_OLD',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        if (result.Attributes === undefined) {
          throw new Error(`UpdateItem returned no attributes for event ${id}`);
        }
        const previous = toEventRecord(result.Attributes);
        const record: EventRecord = {
          ...previous,
          status: 'processing',
          lockOwner: owner,
          lockExpiresAt: expiresAt.toISOString(),
          updatedAt: now,
        };
        if (previous.status !== 'processing') return { acquired: true, record };
        const lapsed: LapsedLock = {
          ...(previous.lockOwner !== undefined && { owner: previous.lockOwner }),
          takenAt: previous.updatedAt,
          expiredAt: previous.lockExpiresAt ?? previous.updatedAt,
        };
        return { acquired: true, record, lapsed };
      } catch (error: unknown) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const existing = error.Item ?? (await this.getItem(eventKeys.event(id)));
        if (existing === undefined) return { acquired: false, reason: 'missing' };
        const record = toEventRecord(existing);
        if (record.route !== route) throw new RouteMismatchError(id, route, record.route);
        if (isFinalStatus(record.status)) return { acquired: false, reason: 'done', record };
        if (
          record.status === 'processing' &&
          record.lockExpiresAt !== undefined &&
          record.lockExpiresAt > this.now().toISOString()
        ) {
          return { acquired: false, reason: 'locked', record };
        }
        // Changed between the write and the read (or the lock lapsed meanwhile): try again.
      }
    }
    throw new Error(`the lock of event ${id} could not be taken or read`);
  }

  /**
   * Ends the caller's attempt: moves a `processing` event locked by `owner` to `to`, appends the
   * attempts and removes the lock, in one conditional UpdateItem. Returns the updated record.
   * @throws LockLostError when `owner` no longer holds the lock, EventNotFoundError,
   *   RouteMismatchError
   */
  async settle(input: SettleInput): Promise<EventRecord> {
    const { id, route, owner, to, attempts } = input;
    const change = this.statusChange(route, to, attempts);
    return this.updateEvent(
      id,
      route,
      {
        update: updateExpression(change.sets, ['#lockOwner', '#lockExpiresAt', ...change.removes]),
        condition: '#status = :processing AND #lockOwner = :owner',
        names: { ...change.names, '#lockOwner': 'lockOwner', '#lockExpiresAt': 'lockExpiresAt' },
        values: { ...change.values, ':processing': { S: 'processing' }, ':owner': { S: owner } },
      },
      (actual) => new LockLostError(id, owner, actual.status, actual.lockOwner),
    );
  }

  /** Ingress has handed the event to its queue. */
  markQueued(id: string, route?: string): Promise<EventRecord> {
    return this.transition(id, 'queued', route === undefined ? {} : { route });
  }

  /** The SET clauses every status change makes: status, updatedAt, the status index, new attempts. */
  private statusChange(route: string, to: EventStatus, attempts: readonly AttemptRecord[]) {
    const names: Record<string, string> = { '#status': 'status', '#updatedAt': 'updatedAt' };
    const values: Record<string, AttributeValue> = {
      ':to': { S: to },
      ':updatedAt': { S: this.now().toISOString() },
    };
    const sets = ['#status = :to', '#updatedAt = :updatedAt'];
    const removes: string[] = [];
    if (STATUS_INDEXED.has(to)) {
      values[':gsi2pk'] = { S: eventKeys.routeStatus(route, to) };
      sets.push('gsi2pk = :gsi2pk');
    } else {
      removes.push('gsi2pk');
    }
    if (attempts.length > 0) {
      names['#attempts'] = 'attempts';
      values[':attempts'] = toAttributeValue(attempts.map(truncateAttempt));
      values[':none'] = { L: [] };
      sets.push('#attempts = list_append(if_not_exists(#attempts, :none), :attempts)');
    }
    return { names, values, sets, removes };
  }

  /**
   * One conditional UpdateItem on an existing event of `route`; returns the new record. When the
   * condition fails: EventNotFoundError, RouteMismatchError, or the caller's `conflict` error.
   */
  private async updateEvent(
    id: string,
    route: string,
    update: {
      readonly update: string;
      readonly condition: string;
      readonly names: Record<string, string>;
      readonly values: Record<string, AttributeValue>;
    },
    conflict: (actual: EventRecord) => Error,
  ): Promise<EventRecord> {
    try {
      const result = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshallItem(eventKeys.event(id)),
          UpdateExpression: update.update,
          ConditionExpression: `attribute_exists(pk) AND #route = :route AND ${update.condition}`,
          ExpressionAttributeNames: { ...update.names, '#route': 'route' },
          ExpressionAttributeValues: { ...update.values, ':route': { S: route } },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      if (result.Attributes === undefined)
        throw new Error(`UpdateItem returned no attributes for event ${id}`);
      return toEventRecord(result.Attributes);
    } catch (error: unknown) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = error.Item ?? (await this.getItem(eventKeys.event(id)));
      if (existing === undefined) throw new EventNotFoundError(id);
      const actual = toEventRecord(existing);
      if (actual.route !== route) throw new RouteMismatchError(id, route, actual.route);
      throw conflict(actual);
    }
  }

  private async requireEvent(id: string): Promise<EventRecord> {
    const event = await this.getEvent(id);
    if (event === undefined) throw new EventNotFoundError(id);
    return event;
  }

  private async getItem(key: Readonly<Record<string, string>>): Promise<Item | undefined> {
    const result = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshallItem(key), ConsistentRead: true }),
    );
    return result.Item;
  }
}

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Back up over continuation bytes (10xxxxxx) to the start of the character the cut would split.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}

function updateExpression(sets: readonly string[], removes: readonly string[]): string {
  return removes.length === 0
    ? `SET ${sets.join(', ')}`
    : `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`;
}

function truncateAttempt(attempt: AttemptRecord): AttemptRecord {
  if (attempt.errorMessage === undefined) return attempt;
  return { ...attempt, errorMessage: truncateUtf8(attempt.errorMessage, ERROR_MESSAGE_LIMIT_BYTES) };
}

function toEventRecord(item: Readonly<Item>): EventRecord {
  const value = unmarshallItem(item);
  for (const attribute of KEY_ATTRIBUTES) delete value[attribute];
  return value as unknown as EventRecord;
}

function statusOf(item: Readonly<Item> | undefined): EventStatus | undefined {
  return item?.status?.S as EventStatus | undefined;
}
