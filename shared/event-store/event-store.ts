/**
 * The event table's data access (DESIGN §4). One table, keys from `EVENT_TABLE`:
 *
 * - event state: `pk = EVENT#<id>`, `sk = EVENT`; every `EventRecord` attribute except the request
 *   data (`REQUEST_ATTRIBUTES`); `gsi1pk = ROUTE#<route>`, `gsi1sk = <receivedAt>#<id>` (a route's
 *   events by time); `gsi2pk = ROUTE#<route>#<status>`, `gsi2sk = gsi1sk` (by status, rewritten on
 *   every status change); `expiresAt` (TTL). The only item status changes write, kept small so each
 *   update is billed for a few hundred bytes, not the request body.
 * - event request: `pk = EVENT#<id>`, `sk = REQUEST`; `headers`, `body`/`bodyBase64`/`bodyRef`,
 *   `query`, `contentType`, `dedupeKey` (or all of them Brotli-compressed in `requestBr`, see
 *   request-data.ts), `expiresAt` (same TTL). Written by `putRequest()` before the message is sent
 *   and before the state item (so a state item always has its request item), never updated.
 *   `getEvent()` reads both in one Query.
 * - dedupe claim: `pk = DEDUPE#<route>#<key>`, `sk = DEDUPE`, `eventId`, `expiresAt` (window end).
 *
 * Every write but the request item's is conditional. Callers never pass DynamoDB expressions.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactionConflictException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { STATUS_INDEXED } from '../resources.js';
import { EventNotFoundError, InvalidTransitionError, LockLostError, RouteMismatchError } from './errors.js';
import { type Item, marshallItem, toAttributeValue, unmarshallItem } from './marshal.js';
import { decodeRequestData, encodeRequestData } from './request-data.js';
import { isFinalStatus, sourcesFor } from './transitions.js';
import type { AttemptRecord, EventRecord, EventStatus, NewEventRecord } from './types.js';

/** Longest `AttemptRecord.errorMessage` kept, in UTF-8 bytes. */
export const ERROR_MESSAGE_LIMIT_BYTES = 1024;

const EVENT_SK = 'EVENT';
const REQUEST_SK = 'REQUEST';
const DEDUPE_SK = 'DEDUPE';
/** Attributes that exist only for the table's keys and indexes; not part of `EventRecord`. */
const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'] as const;
/** The request data: kept in the event's request item, written once, never in the state item. */
const REQUEST_ATTRIBUTES = ['headers', 'body', 'bodyBase64', 'bodyRef', 'query', 'contentType'] as const;

/**
 * An event's state item: the `EventRecord` without its request data (`headers`, `body`,
 * `bodyBase64`, `bodyRef`, `query`, `contentType`). What status changes return; `getEvent()` has it all.
 */
export type EventState = Omit<EventRecord, (typeof REQUEST_ATTRIBUTES)[number]>;

/** Key and index values of the items in the event table (for queries added alongside). */
export const eventKeys = {
  event: (id: string) => ({ pk: `EVENT#${id}`, sk: EVENT_SK }),
  /** The event's request item (headers, body, query, content type). */
  request: (id: string) => ({ pk: `EVENT#${id}`, sk: REQUEST_SK }),
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
  /**
   * The event as its message describes it. When given and the event has a request item but no
   * state yet (the message was taken between ingress's SendMessage and its `putQueued()`), the
   * lock creates the state from it. Without it such an event is `missing`.
   */
  readonly event?: LockableEvent;
}

/** The state fields a handler knows from the message (the envelope) alone. */
export type LockableEvent = Pick<
  NewEventRecord,
  'queueName' | 'receivedAt' | 'method' | 'path' | 'sourceIp' | 'verification' | 'replayOf'
>;

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
      /** The event's state as it is now: `processing`, locked by the caller. */
      readonly record: EventState;
      /** Set when the caller took over a lapsed lock: the previous attempt never settled. */
      readonly lapsed?: LapsedLock;
      /** The status the lock was taken from: `dead_lettered` means the message came back by a DLQ redrive. */
      readonly previousStatus: EventStatus;
    }
  | {
      readonly acquired: false;
      /** `done`: delivered or ignored already; `locked`: another attempt holds a live lock. */
      readonly reason: 'done' | 'locked';
      /** The event's state (no request data). */
      readonly record: EventState;
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
   * Writes a new event's request data (its request item), the first step of accepting it. Until
   * `putQueued()` writes its state the event is `received`: `getEvent()` and every listing leave it
   * out, and a later delivery of it resumes it (`resumeRequest()`).
   */
  async putRequest(record: NewEventRecord): Promise<void> {
    await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: requestItemOf(record) }));
  }

  /**
   * Writes the request data of an event an earlier attempt left `received`, on condition that it
   * still has no state: false when it has one (it was queued meanwhile), and nothing is written.
   */
  resumeRequest(record: NewEventRecord): Promise<boolean> {
    return this.unlessQueued(record.id, {
      Put: { TableName: this.tableName, Item: requestItemOf(record) },
    });
  }

  /**
   * Deletes request data written under an id that was never claimed and never sent (a duplicate
   * delivery's copy). Nothing else refers to it.
   */
  async deleteRequest(id: string): Promise<void> {
    await this.client.send(
      new DeleteItemCommand({ TableName: this.tableName, Key: marshallItem(eventKeys.request(id)) }),
    );
  }

  /**
   * Writes the state item of an event whose request item exists and whose message is on its queue:
   * status `queued`, in the route's listing. False when the event has a state already (its handler
   * took the lock first, or a concurrent delivery queued it), which is left as it is; an event
   * still `received` from before state items were written only once is moved on.
   */
  async putQueued(record: NewEventRecord): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshallItem(this.newStateItem(splitRecord(record).state, { status: 'queued' })),
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :received',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':received': { S: 'received' } },
        }),
      );
      return true;
    } catch (error: unknown) {
      // A conflict is a handler's lock creating the state in a transaction at this moment.
      if (error instanceof ConditionalCheckFailedException) return false;
      if (error instanceof TransactionConflictException) return false;
      throw error;
    }
  }

  /**
   * The event (state and request data), read consistently in one Query of its partition;
   * `undefined` when there is none.
   */
  async getEvent(id: string): Promise<EventRecord | undefined> {
    const { pk } = eventKeys.event(id);
    const items: Item[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: pk } },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    const state = items.find((item) => item.sk?.S === EVENT_SK);
    if (state === undefined) return undefined;
    const request = items.find((item) => item.sk?.S === REQUEST_SK);
    return {
      ...(request === undefined ? {} : requestOf(id, request)),
      ...toEventState(state),
    } as EventRecord;
  }

  /**
   * Moves the event to `to` if `transitions.ts` allows it from its current status, updating the
   * status index and appending `changes.attempt`. Writes and returns the event's state only (no
   * request data: `getEvent()` reads that).
   * @throws EventNotFoundError, InvalidTransitionError (with the actual status), RouteMismatchError
   */
  async transition(id: string, to: EventStatus, changes: TransitionChanges = {}): Promise<EventState> {
    const sources = sourcesFor(to);
    let route = changes.route;
    if (route === undefined || sources.length === 0) {
      const current = await this.requireState(id);
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
   * Takes the event's idempotency lock: one conditional UpdateItem on the event's state item, so
   * locking costs no extra item. The records it returns are the event's state (no request data).
   * Succeeds from `queued`, `retrying`, `dead_lettered` (DLQ redrive), or `processing` whose lock
   * has lapsed (`lockExpiresAt <= now`); the event becomes `processing` with
   * `lockOwner`/`lockExpiresAt` set. An event with request data and no state yet gets its state
   * created, locked, from `input.event`. Otherwise reports why not.
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
        const previous = toEventState(result.Attributes);
        const record: EventState = {
          ...previous,
          status: 'processing',
          lockOwner: owner,
          lockExpiresAt: expiresAt.toISOString(),
          updatedAt: now,
        };
        if (previous.status !== 'processing')
          return { acquired: true, record, previousStatus: previous.status };
        const lapsed: LapsedLock = {
          ...(previous.lockOwner !== undefined && { owner: previous.lockOwner }),
          takenAt: previous.updatedAt,
          expiredAt: previous.lockExpiresAt ?? previous.updatedAt,
        };
        return { acquired: true, record, lapsed, previousStatus: previous.status };
      } catch (error: unknown) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const existing = error.Item ?? (await this.getItem(eventKeys.event(id)));
        if (existing === undefined) {
          if (input.event === undefined) return { acquired: false, reason: 'missing' };
          const created = await this.createLocked(input, input.event);
          if (created === 'missing') return { acquired: false, reason: 'missing' };
          if (created !== undefined) return { acquired: true, record: created, previousStatus: 'queued' };
          continue; // its state was written meanwhile: lock it the usual way
        }
        const record = toEventState(existing);
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
   * attempts and removes the lock, in one conditional UpdateItem of the state item. Returns the
   * event's updated state (no request data).
   * @throws LockLostError when `owner` no longer holds the lock, EventNotFoundError,
   *   RouteMismatchError
   */
  async settle(input: SettleInput): Promise<EventState> {
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

  /**
   * Links a replay to the event it re-delivers: appends `replayId` to the original's `replays`.
   * Leaves its status as it is. Returns the original's state.
   * @throws EventNotFoundError when there is no event `originalId`
   */
  async addReplay(originalId: string, replayId: string): Promise<EventState> {
    try {
      const result = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshallItem(eventKeys.event(originalId)),
          UpdateExpression:
            'SET #replays = list_append(if_not_exists(#replays, :none), :ids), #updatedAt = :updatedAt',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#replays': 'replays', '#updatedAt': 'updatedAt' },
          ExpressionAttributeValues: {
            ':none': { L: [] },
            ':ids': { L: [{ S: replayId }] },
            ':updatedAt': { S: this.now().toISOString() },
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      if (result.Attributes === undefined) {
        throw new Error(`UpdateItem returned no attributes for event ${originalId}`);
      }
      return toEventState(result.Attributes);
    } catch (error: unknown) {
      if (error instanceof ConditionalCheckFailedException) throw new EventNotFoundError(originalId);
      throw error;
    }
  }

  /**
   * Deletes the request item of an event that never reached its queue, on condition that it has no
   * state: once a handler has taken it (the send went through after all) it is kept. Used for a
   * replay whose send failed, so no request data is left that nothing would ever queue.
   * @returns whether it was deleted (false when it had a state or was already gone)
   */
  discardUnqueued(id: string): Promise<boolean> {
    return this.unlessQueued(id, {
      Delete: {
        TableName: this.tableName,
        Key: marshallItem(eventKeys.request(id)),
        ConditionExpression: 'attribute_exists(pk)',
      },
    });
  }

  /**
   * Makes `write` in one transaction with a check that event `id` has no state yet (or a `received`
   * one, which an older version wrote before sending): false when the check or the write's own
   * condition fails, and nothing is written.
   */
  private async unlessQueued(id: string, write: TransactWriteItem): Promise<boolean> {
    try {
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: marshallItem(eventKeys.event(id)),
                ConditionExpression: 'attribute_not_exists(pk) OR #status = :received',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':received': { S: 'received' } },
              },
            },
            write,
          ],
        }),
      );
      return true;
    } catch (error: unknown) {
      // Cancelled for another reason (a conflicting write, throttling): not known either way.
      if (cancelledBy(error, 'ConditionalCheckFailed')) return false;
      throw error;
    }
  }

  /**
   * Creates the state item of an event that has only its request item, locked by the caller, in one
   * transaction that also checks the request item is still there (a replay whose send failed may be
   * discarded concurrently). Returns the new state, `missing` when there is no request item, or
   * undefined when a state item appeared meanwhile.
   */
  private async createLocked(
    input: AcquireLockInput,
    event: LockableEvent,
  ): Promise<EventState | 'missing' | undefined> {
    const request = await this.getItem(eventKeys.request(input.id));
    if (request?.expiresAt?.N === undefined) return 'missing';
    const { dedupeKey } = decodeRequestData(input.id, unmarshallItem(request));
    const item = this.newStateItem(
      {
        ...event,
        id: input.id,
        route: input.route,
        expiresAt: Number(request.expiresAt.N),
        ...(typeof dedupeKey === 'string' && { dedupeKey }),
      },
      { status: 'processing', lockOwner: input.owner, lockExpiresAt: input.expiresAt.toISOString() },
    );
    try {
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: marshallItem(eventKeys.request(input.id)),
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
            {
              Put: {
                TableName: this.tableName,
                Item: marshallItem(item),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
      return toEventState(marshallItem(item));
    } catch (error: unknown) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [requestCheck, statePut] = (error.CancellationReasons ?? []).map((reason) => reason.Code);
      if (requestCheck === 'ConditionalCheckFailed') return 'missing';
      // The state exists now, or another write to either item was under way (ingress's putQueued,
      // another consumer's lock, a replay's discard): read again and lock the usual way.
      const retry = ['ConditionalCheckFailed', 'TransactionConflict'];
      if (retry.includes(statePut ?? '') || requestCheck === 'TransactionConflict') return undefined;
      throw error;
    }
  }

  /** A new state item for an event's state fields, in the route's listing. */
  private newStateItem(
    state: NewEventState,
    fields: Pick<EventState, 'status'> & Partial<EventState>,
  ): EventState & Record<string, unknown> {
    const timeline = eventKeys.timeline(state.receivedAt, state.id);
    return {
      ...state,
      ...eventKeys.event(state.id),
      gsi1pk: eventKeys.route(state.route),
      gsi1sk: timeline,
      // gsi2sk alone puts nothing in the sparse status index; gsi2pk is set by indexed statuses.
      gsi2sk: timeline,
      updatedAt: this.now().toISOString(),
      attempts: [],
      ...fields,
    };
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
   * One conditional UpdateItem on the state item of an existing event of `route`; returns the new
   * state. When the
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
    conflict: (actual: EventState) => Error,
  ): Promise<EventState> {
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
      return toEventState(result.Attributes);
    } catch (error: unknown) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = error.Item ?? (await this.getItem(eventKeys.event(id)));
      if (existing === undefined) throw new EventNotFoundError(id);
      const actual = toEventState(existing);
      if (actual.route !== route) throw new RouteMismatchError(id, route, actual.route);
      throw conflict(actual);
    }
  }

  /** The event's state item, read consistently (a GetItem: no request data needed). */
  private async requireState(id: string): Promise<EventState> {
    const item = await this.getItem(eventKeys.event(id));
    if (item === undefined) throw new EventNotFoundError(id);
    return toEventState(item);
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

/**
 * The record in a state item (an item written before the split also carries request data), without
 * its key and index attributes.
 */
export function toEventState(item: Readonly<Item>): EventState {
  const value = unmarshallItem(item);
  for (const attribute of KEY_ATTRIBUTES) delete value[attribute];
  return value as unknown as EventState;
}

/** What ingress knows of a new event besides its request data: its state item's fields. */
type NewEventState = Omit<NewEventRecord, (typeof REQUEST_ATTRIBUTES)[number]>;

/** The record's request data (its request item) and the rest (its state item). */
function splitRecord(record: NewEventRecord): { request: Record<string, unknown>; state: NewEventState } {
  const { headers, body, bodyBase64, bodyRef, query, contentType, ...state } = record;
  // `undefined` attributes are left out of the item by `marshallItem`.
  return { request: { headers, body, bodyBase64, bodyRef, query, contentType }, state };
}

/** A transaction cancelled because one of its items failed with `code`. */
function cancelledBy(error: unknown, code: string): boolean {
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === code)
  );
}

/**
 * The request item of `record`: its request data, kept as long as the event. The dedupe key rides
 * along, so a handler that creates the event's state can copy it.
 */
function requestItemOf(record: NewEventRecord): Item {
  return marshallItem({
    ...encodeRequestData({ ...splitRecord(record).request, dedupeKey: record.dedupeKey }),
    ...eventKeys.request(record.id),
    expiresAt: record.expiresAt,
  });
}

/** The request data of event `id`'s request item. */
function requestOf(id: string, item: Readonly<Item>): Partial<EventRecord> {
  const value = decodeRequestData(id, unmarshallItem(item));
  const request: Record<string, unknown> = {};
  for (const name of REQUEST_ATTRIBUTES) if (value[name] !== undefined) request[name] = value[name];
  return request as Partial<EventRecord>;
}
