/**
 * Reading the event table for people and tools: one event with its replay ancestry, a route's events newest or oldest first (optionally by status and time), counts
 * by status.
 *
 * Both indexes project keys only, so every listing is a Query of index keys followed by
 * BatchGetItem of the events' state items (never their request data). Nothing here scans the table.
 */
import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { EVENT_TABLE, STATUS_INDEXED } from '../resources.js';
import { decodeCursor, encodeCursor, type ListingOrder } from './cursor.js';
import { type EventState, EventStore, eventKeys, toEventState } from './event-store.js';
import { type Item, marshallItem, unmarshallItem } from './marshal.js';
import { EVENT_STATUSES } from './transitions.js';
import type { EventRecord, EventStatus } from './types.js';

export interface EventQuery {
  /** The configured route path, e.g. `/order/status/`. */
  readonly route: string;
  /** Only events in this status (their status when read, not when indexed). */
  readonly status?: EventStatus;
  /** Inclusive lower bound on `receivedAt`. */
  readonly since?: Date;
  /** Exclusive upper bound on `receivedAt`. */
  readonly until?: Date;
  /** Most events in the page, 1 to 1000. @default 50 */
  readonly limit?: number;
  /** Opaque: a previous page's `nextCursor`, with the same route, status and order. */
  readonly cursor?: string;
  /** `newest` first or `oldest` first, by `receivedAt` (ties by id). @default 'newest' */
  readonly order?: ListingOrder;
}

/** Which listing a cursor continues: what `EventHistory.cursorAfter` needs of an `EventQuery`. */
export type ListingScope = Pick<EventQuery, 'route' | 'status' | 'order'>;

export interface EventPage {
  /** In the query's order. */
  readonly events: EventState[];
  /**
   * Set when more events may follow: pass it back as `cursor`. A page can hold fewer than `limit`
   * events, even none, and still have a next page: with a status filter the events after it may all
   * be in other statuses, and a listing that examined `maxKeysPerListing` index keys stops there.
   */
  readonly nextCursor?: string;
}

/** One event in a replay chain. */
export interface ReplayAncestor {
  id: string;
  status: EventStatus;
  receivedAt: string;
}

/** An event with its request data and the events it descends from by replay. */
export interface EventDetail extends EventRecord {
  /**
   * Ancestors, oldest first: the event this one replays is last, the one that replays and so on
   * before it. Ends early at an ancestor that has expired from the table; at most 20 deep.
   */
  readonly replayChain: ReplayAncestor[];
}

export interface TimeRange {
  /** Inclusive. */
  readonly since?: Date;
  /** Exclusive. */
  readonly until?: Date;
}

export interface EventHistoryOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /**
   * Most index keys one `listEvents` call examines (each costs an item read when a status filter is
   * checked on the events themselves); past it the page ends early with a `nextCursor`, so a rare
   * status in a busy route cannot hold one call beyond API Gateway's 30 s.
   * @default MAX_KEYS_EXAMINED_PER_LISTING
   */
  readonly maxKeysPerListing?: number;
}

/**
 * Index keys one listing examines at most by default: 5 000 keys are 50 BatchGetItem calls, a
 * couple of seconds at worst.
 */
export const MAX_KEYS_EXAMINED_PER_LISTING = 5000;

/**
 * DynamoDB kept refusing to read some of a listing's events (BatchGetItem returned them as
 * unprocessed on every attempt, as it does under throttling). A retry later may work.
 */
export class HistoryUnavailableError extends Error {
  readonly code = 'store_unavailable';
  /** How many keys were still unprocessed. */
  readonly unprocessed: number;

  constructor(unprocessed: number, attempts: number) {
    super(`BatchGetItem left ${unprocessed} keys unprocessed after ${attempts} attempts`);
    this.name = 'HistoryUnavailableError';
    this.unprocessed = unprocessed;
  }
}

export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 1000;
export const MAX_REPLAY_CHAIN_DEPTH = 20;

/** BatchGetItem reads at most 100 keys per call. */
const BATCH_GET_MAX_KEYS = 100;
/** Keys read per Query when a status filter has to be checked on the events themselves. */
const FILTERED_QUERY_PAGE = 1000;
const BATCH_GET_ATTEMPTS = 8;
const BATCH_GET_BACKOFF_MS = 25;

/** Every attribute of a state item, checked against `EventState` by the compiler. */
const STATE_ATTRIBUTES = Object.keys({
  id: true,
  route: true,
  queueName: true,
  receivedAt: true,
  updatedAt: true,
  status: true,
  method: true,
  path: true,
  sourceIp: true,
  dedupeKey: true,
  verification: true,
  attempts: true,
  replayOf: true,
  replays: true,
  lockOwner: true,
  lockExpiresAt: true,
  expiresAt: true,
} satisfies Record<keyof EventState, true>);

interface IndexKey {
  readonly id: string;
  /** The index sort key, `<receivedAt>#<id>`. */
  readonly sortKey: string;
}

interface IndexPage {
  readonly keys: IndexKey[];
  readonly lastKey?: Record<string, AttributeValue>;
}

interface IndexRange {
  readonly index: (typeof EVENT_TABLE.indexes)[keyof typeof EVENT_TABLE.indexes];
  readonly partition: string;
  /** Inclusive lower bound on the sort key. */
  readonly from?: string;
  /** Exclusive lower bound on the sort key (an oldest-first cursor's key); wins over `from`. */
  readonly after?: string;
  /** Exclusive upper bound on the sort key. */
  readonly below?: string;
  /** Oldest first (`ScanIndexForward`); newest first otherwise. */
  readonly forward: boolean;
}

/**
 * Read access to the event table for the admin API and the replayer: one event with its replay
 * ancestry (`getEvent`), a route's events a page at a time (`listEvents`, `cursorAfter`) and
 * counts by status (`countByStatus`). It only reads; every listing goes through an index.
 */
export class EventHistory {
  readonly tableName: string;
  private readonly client: DynamoDBClient;
  private readonly store: EventStore;
  private readonly maxKeysPerListing: number;

  constructor(options: EventHistoryOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.store = new EventStore({ client: options.client, tableName: options.tableName });
    const cap = options.maxKeysPerListing ?? MAX_KEYS_EXAMINED_PER_LISTING;
    if (!Number.isInteger(cap) || cap < 1) {
      throw new RangeError(`maxKeysPerListing must be a positive integer, got ${cap}`);
    }
    this.maxKeysPerListing = cap;
  }

  /**
   * The event with its request data and replay ancestry (one consistent Query of the event, then
   * one GetItem per ancestor); `undefined` when there is no such event.
   */
  async getEvent(id: string): Promise<EventDetail | undefined> {
    const record = await this.store.getEvent(id);
    if (record === undefined) return undefined;
    const replayChain: ReplayAncestor[] = [];
    const seen = new Set([id]);
    let next = record.replayOf;
    while (next !== undefined && replayChain.length < MAX_REPLAY_CHAIN_DEPTH && !seen.has(next)) {
      seen.add(next);
      const ancestor = await this.readAncestor(next);
      if (ancestor === undefined) break;
      replayChain.unshift({ id: ancestor.id, status: ancestor.status, receivedAt: ancestor.receivedAt });
      next = ancestor.replayOf;
    }
    return { ...record, replayChain };
  }

  /**
   * A page of the route's events, newest first unless `order` is `oldest`. Statuses in
   * `STATUS_INDEXED` are read from the `byRouteStatus` index; any other status filter walks
   * `byRoute` and checks each event, so a rare status in a busy route costs a read per event passed
   * over. One call examines at most `maxKeysPerListing` index keys: a page that reaches it ends
   * there, with fewer than `limit` events (possibly none) and a `nextCursor` just past the last key
   * examined.
   * @throws RangeError for a limit outside 1–1000, an empty route, an unknown status or a time
   *   range that is empty or invalid or an unknown order; InvalidCursorError for a cursor of
   *   another listing (route, status or order); HistoryUnavailableError (`store_unavailable`)
   *   when DynamoDB keeps leaving events unread (throttling)
   */
  async listEvents(query: EventQuery): Promise<EventPage> {
    const { route, status } = query;
    checkRoute(route);
    if (status !== undefined) checkStatus(status);
    const order = checkOrder(query.order);
    const limit = checkLimit(query.limit);
    const range = checkRange(query);
    const position =
      query.cursor === undefined ? undefined : decodeCursor(query.cursor, route, status, order);
    const indexed = status !== undefined && STATUS_INDEXED.has(status);
    const since = range.since?.toISOString();
    const until = range.until?.toISOString();
    let below = until;
    let after: string | undefined;
    if (position?.order === 'newest' && (below === undefined || position.before < below)) {
      below = position.before;
    }
    if (position?.order === 'oldest' && (since === undefined || position.after >= since)) {
      after = position.after;
    }
    const scope: IndexRange = {
      index: indexed ? EVENT_TABLE.indexes.byRouteStatus : EVENT_TABLE.indexes.byRoute,
      partition:
        indexed && status !== undefined ? eventKeys.routeStatus(route, status) : eventKeys.route(route),
      ...(after !== undefined ? { after } : since !== undefined && { from: since }),
      ...(below !== undefined && { below }),
      forward: order === 'oldest',
    };

    const events: EventState[] = [];
    const pending: IndexKey[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    let exhausted = false;
    let lastSortKey: string | undefined;
    /** Index keys read so far, and the last of them handed on to be read (the cap's cursor). */
    let examined = 0;
    let lastExamined: string | undefined;
    while (events.length < limit) {
      if (pending.length === 0) {
        if (exhausted || examined >= this.maxKeysPerListing) break;
        const remaining = limit - events.length;
        // One key past the page tells whether there is a next page without another Query.
        const wanted = status === undefined || indexed ? remaining + 1 : FILTERED_QUERY_PAGE;
        const pageSize = Math.min(wanted, this.maxKeysPerListing - examined);
        const page = await this.queryKeys(scope, pageSize, startKey);
        pending.push(...page.keys);
        examined += page.keys.length;
        startKey = page.lastKey;
        exhausted = startKey === undefined;
        if (page.keys.length === 0 && page.lastKey !== undefined) {
          // Nothing returned yet more to read (a key on an exclusive bound was dropped): count the
          // read, and continue from where it stopped if the cap ends the call here.
          examined += 1;
          lastExamined = page.lastKey[scope.index.sortKey]?.S ?? lastExamined;
        }
        continue;
      }
      const take =
        status === undefined ? Math.min(BATCH_GET_MAX_KEYS, limit - events.length) : BATCH_GET_MAX_KEYS;
      const chunk = pending.splice(0, take);
      const states = await this.readStates(chunk.map((key) => key.id));
      for (const [offset, key] of chunk.entries()) {
        lastExamined = key.sortKey;
        const state = states.get(key.id);
        // Missing: expired or deleted since the index was read. Another status: the index lags.
        if (state === undefined || (status !== undefined && state.status !== status)) continue;
        events.push(state);
        lastSortKey = key.sortKey;
        if (events.length === limit) {
          pending.unshift(...chunk.slice(offset + 1));
          break;
        }
      }
    }

    if (events.length < limit) {
      // Stopped short of the limit: the index is exhausted, or this call examined all it may.
      if (exhausted || lastExamined === undefined) return { events };
      return { events, nextCursor: cursorAt({ route, status, order }, lastExamined) };
    }
    const more = pending.length > 0 || (startKey !== undefined && (await this.hasKeys(scope, startKey)));
    if (!more || lastSortKey === undefined) return { events };
    return { events, nextCursor: cursorAt({ route, status, order }, lastSortKey) };
  }

  /**
   * A cursor that continues the listing `scope` right after `event`, as if a page had ended
   * there: for a caller that stops partway through a page. No read is made.
   */
  cursorAfter(scope: ListingScope, event: Pick<EventState, 'id' | 'receivedAt'>): string {
    checkRoute(scope.route);
    return cursorAt(
      { route: scope.route, status: scope.status, order: checkOrder(scope.order) },
      eventKeys.timeline(event.receivedAt, event.id),
    );
  }

  /**
   * How many of the route's events received in `range` (default: all retained events) are in each
   * status. Cost grows with the number of events: a keys-only Query (0.5 read units per 4 KB of
   * keys, about 30 events) plus one item read per event (0.5 read units each: every item read is
   * rounded up to 4 KB, eventually consistent). Ask for the time range you need.
   * @throws RangeError for an empty route or an empty or invalid time range
   */
  async countByStatus(route: string, range: TimeRange = {}): Promise<Record<EventStatus, number>> {
    checkRoute(route);
    const { since, until } = checkRange(range);
    const counts = Object.fromEntries(EVENT_STATUSES.map((status) => [status, 0])) as Record<
      EventStatus,
      number
    >;
    const scope: IndexRange = {
      index: EVENT_TABLE.indexes.byRoute,
      partition: eventKeys.route(route),
      ...(since !== undefined && { from: since.toISOString() }),
      ...(until !== undefined && { below: until.toISOString() }),
      forward: false,
    };
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.queryKeys(scope, FILTERED_QUERY_PAGE, startKey);
      for (let offset = 0; offset < page.keys.length; offset += BATCH_GET_MAX_KEYS) {
        const ids = page.keys.slice(offset, offset + BATCH_GET_MAX_KEYS).map((key) => key.id);
        for (const item of (await this.batchGet(ids, ['status'])).values()) {
          const status = item.status?.S as EventStatus | undefined;
          if (status !== undefined && status in counts) counts[status] += 1;
        }
      }
      startKey = page.lastKey;
    } while (startKey !== undefined);
    return counts;
  }

  /** One page of index keys in `scope`, in its order. */
  private async queryKeys(
    scope: IndexRange,
    limit: number,
    startKey: Record<string, AttributeValue> | undefined,
  ): Promise<IndexPage> {
    const { index, partition, after, below, forward } = scope;
    const lower = after ?? scope.from;
    // DynamoDB refuses a BETWEEN whose bounds are reversed; such a range is simply empty.
    if (lower !== undefined && below !== undefined && lower >= below) return { keys: [] };
    const names: Record<string, string> = { '#pk': index.partitionKey };
    const values: Record<string, AttributeValue> = { ':pk': { S: partition } };
    if (lower !== undefined || below !== undefined) names['#sk'] = index.sortKey;
    let condition = '#pk = :pk';
    if (lower !== undefined && below !== undefined) {
      // BETWEEN includes both bounds; keys equal to an exclusive one are dropped below (only a
      // cursor's key can be: a time bound has no `#<id>` suffix).
      condition += ' AND #sk BETWEEN :lower AND :below';
      values[':lower'] = { S: lower };
      values[':below'] = { S: below };
    } else if (after !== undefined) {
      condition += ' AND #sk > :lower';
      values[':lower'] = { S: after };
    } else if (lower !== undefined) {
      condition += ' AND #sk >= :lower';
      values[':lower'] = { S: lower };
    } else if (below !== undefined) {
      condition += ' AND #sk < :below';
      values[':below'] = { S: below };
    }
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index.name,
        KeyConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: forward,
        Limit: limit,
        ExclusiveStartKey: startKey,
      }),
    );
    const keys: IndexKey[] = [];
    for (const item of result.Items ?? []) {
      const sortKey = item[index.sortKey]?.S;
      const id = idOf(item);
      if (sortKey === undefined || id === undefined || sortKey === below || sortKey === after) continue;
      keys.push({ id, sortKey });
    }
    return { keys, ...(result.LastEvaluatedKey !== undefined && { lastKey: result.LastEvaluatedKey }) };
  }

  /** Whether `scope` holds any key after `startKey` (DynamoDB may hand out a last key at the very end). */
  private async hasKeys(scope: IndexRange, startKey: Record<string, AttributeValue>): Promise<boolean> {
    let next: Record<string, AttributeValue> | undefined = startKey;
    while (next !== undefined) {
      const page = await this.queryKeys(scope, 1, next);
      if (page.keys.length > 0) return true;
      next = page.lastKey;
    }
    return false;
  }

  /**
   * The events' state items (status, attempts; never the request data), by id, one BatchGetItem per
   * 100 ids; ids without an event are left out.
   * @throws HistoryUnavailableError when the table keeps some keys unprocessed (throttling)
   */
  async getStates(ids: readonly string[]): Promise<Map<string, EventState>> {
    const states = new Map<string, EventState>();
    for (let offset = 0; offset < ids.length; offset += BATCH_GET_MAX_KEYS) {
      for (const [id, state] of await this.readStates(ids.slice(offset, offset + BATCH_GET_MAX_KEYS))) {
        states.set(id, state);
      }
    }
    return states;
  }

  /** The state items of `ids` (at most 100), by id; ids without an item are left out. */
  private async readStates(ids: readonly string[]): Promise<Map<string, EventState>> {
    const states = new Map<string, EventState>();
    for (const [id, item] of await this.batchGet(ids, STATE_ATTRIBUTES)) states.set(id, toEventState(item));
    return states;
  }

  /**
   * BatchGetItem of the state items of `ids` (at most 100), retrying unprocessed keys with backoff.
   * @throws HistoryUnavailableError when keys are still unprocessed after the last attempt
   */
  private async batchGet(ids: readonly string[], attributes: readonly string[]): Promise<Map<string, Item>> {
    const items = new Map<string, Item>();
    if (ids.length === 0) return items;
    const names: Record<string, string> = { '#pk': 'pk' };
    attributes.forEach((attribute, index) => {
      names[`#a${index}`] = attribute;
    });
    let keys: Record<string, AttributeValue>[] | undefined = ids.map((id) =>
      marshallItem(eventKeys.event(id)),
    );
    for (let attempt = 0; keys !== undefined && keys.length > 0; attempt += 1) {
      if (attempt === BATCH_GET_ATTEMPTS) {
        throw new HistoryUnavailableError(keys.length, attempt);
      }
      if (attempt > 0) await sleep(BATCH_GET_BACKOFF_MS * 2 ** (attempt - 1));
      const result: BatchGetItemCommandOutput = await this.client.send(
        new BatchGetItemCommand({
          RequestItems: {
            [this.tableName]: {
              Keys: keys,
              ProjectionExpression: Object.keys(names).join(', '),
              ExpressionAttributeNames: names,
            },
          },
        }),
      );
      for (const item of result.Responses?.[this.tableName] ?? []) {
        const id = idOf(item);
        if (id === undefined) continue;
        const { pk: _pk, ...rest } = item;
        items.set(id, rest);
      }
      keys = result.UnprocessedKeys?.[this.tableName]?.Keys;
    }
    return items;
  }

  private async readAncestor(
    id: string,
  ): Promise<Pick<EventRecord, 'id' | 'status' | 'receivedAt' | 'replayOf'> | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshallItem(eventKeys.event(id)),
        ProjectionExpression: '#id, #status, #receivedAt, #replayOf',
        ExpressionAttributeNames: {
          '#id': 'id',
          '#status': 'status',
          '#receivedAt': 'receivedAt',
          '#replayOf': 'replayOf',
        },
      }),
    );
    if (Item === undefined) return undefined;
    return unmarshallItem(Item) as unknown as Pick<EventRecord, 'id' | 'status' | 'receivedAt' | 'replayOf'>;
  }
}

/** The event id in an item's `pk` (`EVENT#<id>`). */
function idOf(item: Readonly<Item>): string | undefined {
  const pk = item.pk?.S;
  return pk?.startsWith('EVENT#') ? pk.slice('EVENT#'.length) : undefined;
}

function checkRoute(route: string): void {
  if (typeof route !== 'string' || route.length === 0) {
    throw new RangeError('route must be a configured route path such as /order/status/');
  }
}

function checkStatus(status: string): void {
  if (!EVENT_STATUSES.includes(status as EventStatus)) {
    throw new RangeError(`status must be one of ${EVENT_STATUSES.join(', ')}, got ${status}`);
  }
}

function checkOrder(order: ListingOrder | undefined): ListingOrder {
  if (order === undefined) return 'newest';
  if (order !== 'newest' && order !== 'oldest') {
    throw new RangeError(`order must be newest or oldest, got ${String(order)}`);
  }
  return order;
}

function cursorAt(
  scope: { route: string; status: EventStatus | undefined; order: ListingOrder },
  sortKey: string,
): string {
  const { route, status, order } = scope;
  const base = { route, ...(status !== undefined && { status }) };
  return encodeCursor(
    order === 'newest' ? { ...base, order, before: sortKey } : { ...base, order, after: sortKey },
  );
}

function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${limit}`);
  }
  return limit;
}

function checkRange(range: TimeRange): TimeRange {
  const { since, until } = range;
  for (const [name, bound] of [
    ['since', since],
    ['until', until],
  ] as const) {
    if (bound !== undefined && !(bound instanceof Date && Number.isFinite(bound.getTime()))) {
      throw new RangeError(`${name} must be a valid date`);
    }
  }
  if (since !== undefined && until !== undefined && since.getTime() >= until.getTime()) {
    throw new RangeError(
      `since (${since.toISOString()}) must be earlier than until (${until.toISOString()})`,
    );
  }
  return range;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
