/**
 * The handler's idempotency lock and its settle: `lockOwner`/`lockExpiresAt` on the event's state
 * item, taken and released by conditional UpdateItems, so locking costs no extra item.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { LockLostError, RouteMismatchError } from './errors.js';
import {
  dedupeKeyOf,
  type EventState,
  eventKeys,
  type ItemKey,
  newStateItem,
  ownedBy,
  requestOwnerOf,
  toEventState,
} from './items.js';
import { type Item, marshallItem, toAttributeValue } from './marshal.js';
import { statusChange, updateEvent, updateExpression } from './state-update.js';
import { type EventTable, getItem } from './table.js';
import { isFinalStatus, sourcesFor } from './transitions.js';
import type { AttemptRecord, EventStatus, NewEventRecord } from './types.js';

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
> & {
  /**
   * The `pk` of the event's request item, as its envelope names it (from envelope v3 on).
   * @default `REQUEST#<id>`: where an event without a dedupe key keeps it
   */
  readonly requestKey?: string;
};

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
      /**
       * Set when the caller took over a lapsed lock: the previous attempt never settled. It is in
       * `record.attempts` already (a `LockExpiredError` attempt), written with the lock.
       */
      readonly lapsed?: LapsedLock;
      /**
       * The status the lock was taken from: `dead_lettered` means the message came back by a DLQ
       * redrive. Undefined when the caller's own lock write was carried out but its reply lost, and
       * the SDK's retry of it found the lock already held by the caller: what that first write
       * replaced is not known any more.
       */
      readonly previousStatus: EventStatus | undefined;
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

/**
 * Takes the event's idempotency lock: one conditional UpdateItem on the event's state item. The
 * records it returns are the event's state (no request data). Succeeds from `queued`, `retrying`,
 * `dead_lettered` (DLQ redrive), or `processing` whose lock has lapsed (`lockExpiresAt <= now`;
 * then a second UpdateItem takes it over and records the lapsed attempt in the history); the
 * event becomes `processing` with `lockOwner`/`lockExpiresAt` set. An event with request data
 * and no state yet gets its state created, locked, from `input.event`. A write whose reply was lost
 * and that the SDK sent again finds the lock held by `input.owner`: that is the caller's lock.
 * Otherwise reports why not.
 * @throws RouteMismatchError when the event belongs to another route
 */
export async function acquireLock(table: EventTable, input: AcquireLockInput): Promise<LockResult> {
  const key = eventKeys.state(input.id);
  // An id of no event of this table layout: nothing can be locked, nor created.
  if (key === undefined) return { acquired: false, reason: 'missing' };
  for (let round = 0; round < 3; round += 1) {
    try {
      return await lockState(table, key, input);
    } catch (error: unknown) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const outcome = await whyNotLocked(table, key, input, error.Item);
      if (outcome !== undefined) return outcome;
    }
  }
  throw new Error(`the lock of event ${input.id} could not be taken or read`);
}

/** The lock's UpdateItem; throws ConditionalCheckFailedException when the event cannot be locked now. */
async function lockState(table: EventTable, key: ItemKey, input: AcquireLockInput): Promise<LockResult> {
  const { id, route, owner, expiresAt } = input;
  const now = table.now().toISOString();
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
  const result = await table.client.send(
    new UpdateItemCommand({
      TableName: table.tableName,
      Key: marshallItem(key),
      UpdateExpression:
        'SET #status = :processing, #lockOwner = :owner, #lockExpiresAt = :expiresAt, #updatedAt = :now REMOVE gsi2pk',
      // A lapsed lock is taken over by takeOver(), which records the lapsed attempt as it does.
      ConditionExpression: `attribute_exists(pk) AND #route = :route AND #status IN (${lockable.join(', ')})`,
      ExpressionAttributeNames: {
        '#status': 'status',
        '#route': 'route',
        '#updatedAt': 'updatedAt',
        '#lockOwner': 'lockOwner',
        '#lockExpiresAt': 'lockExpiresAt',
      },
      ExpressionAttributeValues: values,
      // The old image tells which status the lock was taken from; the new one is derived.
      ReturnValues: 'ALL_OLD',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }),
  );
  if (result.Attributes === undefined) throw new Error(`UpdateItem returned no attributes for event ${id}`);
  const previous = toEventState(result.Attributes);
  const record: EventState = {
    ...previous,
    status: 'processing',
    lockOwner: owner,
    lockExpiresAt: expiresAt.toISOString(),
    updatedAt: now,
  };
  return { acquired: true, record, previousStatus: previous.status };
}

/**
 * Takes over the lock of a `processing` event whose lock lapsed (its attempt timed out or crashed),
 * appending that attempt to the history in the same conditional write: it is recorded whatever
 * becomes of the caller's own attempt, and the caller's attempt number follows it. Undefined when
 * the state changed since it was read (look again).
 */
async function takeOver(
  table: EventTable,
  key: ItemKey,
  input: AcquireLockInput,
  current: EventState,
): Promise<LockResult | undefined> {
  const lapsed: LapsedLock = {
    ...(current.lockOwner !== undefined && { owner: current.lockOwner }),
    takenAt: current.updatedAt,
    expiredAt: current.lockExpiresAt ?? current.updatedAt,
  };
  const values: Record<string, AttributeValue> = {
    ':processing': { S: 'processing' },
    ':owner': { S: input.owner },
    ':expiresAt': { S: input.expiresAt.toISOString() },
    ':now': { S: table.now().toISOString() },
    ':seen': { S: current.updatedAt },
    ':lapsed': toAttributeValue([lapsedAttempt((current.attempts?.length ?? 0) + 1, lapsed)]),
    ':none': { L: [] },
  };
  // Unchanged since it was read: the same update time, and the same lock owner (or none).
  let unchanged = '#status = :processing AND #updatedAt = :seen AND attribute_not_exists(#lockOwner)';
  if (current.lockOwner !== undefined) {
    values[':lapsedOwner'] = { S: current.lockOwner };
    unchanged = '#status = :processing AND #updatedAt = :seen AND #lockOwner = :lapsedOwner';
  }
  try {
    const result = await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: marshallItem(key),
        UpdateExpression:
          'SET #lockOwner = :owner, #lockExpiresAt = :expiresAt, #updatedAt = :now, ' +
          '#attempts = list_append(if_not_exists(#attempts, :none), :lapsed)',
        ConditionExpression: unchanged,
        ExpressionAttributeNames: {
          '#status': 'status',
          '#updatedAt': 'updatedAt',
          '#lockOwner': 'lockOwner',
          '#lockExpiresAt': 'lockExpiresAt',
          '#attempts': 'attempts',
        },
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (result.Attributes === undefined)
      throw new Error(`UpdateItem returned no attributes for event ${input.id}`);
    return { acquired: true, record: toEventState(result.Attributes), lapsed, previousStatus: 'processing' };
  } catch (error: unknown) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/** The history entry of an attempt that took the lock and never settled (timeout or crash). */
function lapsedAttempt(attempt: number, lapsed: LapsedLock): AttemptRecord {
  const durationMs = Math.max(0, Date.parse(lapsed.expiredAt) - Date.parse(lapsed.takenAt));
  return {
    attempt,
    startedAt: lapsed.takenAt,
    durationMs: Number.isFinite(durationMs) ? durationMs : 0,
    outcome: 'failed',
    errorName: 'LockExpiredError',
    errorMessage: `the attempt did not finish before its lock expired at ${lapsed.expiredAt} (timeout or crash)`,
  };
}

/**
 * Why the lock's condition failed, from the state item as it came back with the failure (or as
 * read now): the answer, or undefined when the lock should be tried again (the state changed
 * between the write and the read, the lock lapsed meanwhile, or a state was written meanwhile).
 * An event without state is locked by creating its state when the caller gave `input.event`.
 */
async function whyNotLocked(
  table: EventTable,
  key: ItemKey,
  input: AcquireLockInput,
  failed: Item | undefined,
): Promise<LockResult | undefined> {
  const { id, route } = input;
  const existing = failed ?? (await getItem(table, key));
  if (existing === undefined) {
    if (input.event === undefined) return { acquired: false, reason: 'missing' };
    const created = await createLocked(table, input, input.event);
    if (created === 'missing') return { acquired: false, reason: 'missing' };
    if (created !== undefined) return { acquired: true, record: created, previousStatus: 'queued' };
    return undefined; // its state was written meanwhile: lock it the usual way
  }
  const record = toEventState(existing);
  if (record.route !== route) throw new RouteMismatchError(id, route, record.route);
  // Owners are unique per attempt: only the caller's own write, carried out while its reply was
  // lost (the SDK then sent it again, and the condition refused the copy), can have set it.
  if (record.status === 'processing' && record.lockOwner === input.owner) {
    return { acquired: true, record, previousStatus: undefined };
  }
  if (isFinalStatus(record.status)) return { acquired: false, reason: 'done', record };
  if (record.status !== 'processing') return undefined;
  if (record.lockExpiresAt !== undefined && record.lockExpiresAt > table.now().toISOString()) {
    return { acquired: false, reason: 'locked', record };
  }
  return takeOver(table, key, input, record);
}

/**
 * Creates the state item of an event that has only its request item, locked by the caller, in one
 * transaction that also checks the request item is still there (a replay whose send failed may be
 * discarded concurrently). Returns the new state, `missing` when there is no request item, or
 * undefined when a state item appeared meanwhile.
 */
async function createLocked(
  table: EventTable,
  input: AcquireLockInput,
  event: LockableEvent,
): Promise<EventState | 'missing' | undefined> {
  const { requestKey: named, ...fields } = event;
  const requestKey = named ?? eventKeys.request(input.id).pk;
  const requestItem = eventKeys.requestAt(requestKey);
  const request = await getItem(table, requestItem);
  // The item must hold this event's request data: a dedupe key's item may hold an earlier event's.
  if (request?.expiresAt?.N === undefined || requestOwnerOf(request) !== input.id) return 'missing';
  const dedupeKey = dedupeKeyOf(input.id, request);
  const owned = ownedBy(requestKey, input.id);
  if (owned === undefined) return 'missing';
  const item = newStateItem(
    {
      ...fields,
      id: input.id,
      route: input.route,
      expiresAt: Number(request.expiresAt.N),
      ...(dedupeKey !== undefined && { dedupeKey }),
    },
    requestKey,
    { status: 'processing', lockOwner: input.owner, lockExpiresAt: input.expiresAt.toISOString() },
    table.now().toISOString(),
  );
  try {
    await table.client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: table.tableName,
              Key: marshallItem(requestItem),
              ConditionExpression: owned.condition,
              ExpressionAttributeNames: owned.names,
              ...(Object.keys(owned.values).length > 0 && { ExpressionAttributeValues: owned.values }),
            },
          },
          {
            Put: {
              TableName: table.tableName,
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

/**
 * Ends the caller's attempt: moves a `processing` event locked by `owner` to `to`, appends the
 * attempts and removes the lock, in one conditional UpdateItem of the state item. Returns the
 * event's updated state (no request data).
 * @throws LockLostError when `owner` no longer holds the lock, EventNotFoundError,
 *   RouteMismatchError
 */
export async function settle(table: EventTable, input: SettleInput): Promise<EventState> {
  const { id, route, owner, to, attempts } = input;
  const change = statusChange(id, to, attempts, table.now().toISOString());
  return updateEvent(
    table,
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
