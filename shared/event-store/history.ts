/**
 * Reading the event table for people and tools: one event with its replay ancestry, a route's events newest or oldest first (optionally by status and time), counts
 * by status.
 *
 * Both indexes project keys only, so every listing is a Query of index keys followed by
 * BatchGetItem of the events' state items (never their request data). Nothing here scans the table.
 */
import { type AttributeValue, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EVENT_TABLE } from '../resources.js';
import type { EventStore } from './event-store.js';
import { FILTERED_QUERY_PAGE, type IndexRange, queryKeys } from './index-query.js';
import { type EventState, eventKeys } from './items.js';
import { type EventPage, readPage } from './listing.js';
import { cursorAt, type EventQuery, type ListingScope, planListing } from './listing-plan.js';
import { marshallItem, unmarshallItem } from './marshal.js';
import { checkOrder, checkRoute, checkTimeRange, type TimeRange } from './query-checks.js';
import { BATCH_GET_MAX_KEYS, batchGet, getStates, type ReadTable } from './state-reads.js';
import { EVENT_STATUSES } from './transitions.js';
import type { EventRecord, EventStatus } from './types.js';

/** One event in a replay chain. */
interface ReplayAncestor {
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

interface EventHistoryOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Reads one event with its request data (`getEvent`); over the same table. */
  readonly store: Pick<EventStore, 'getEvent'>;
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

const MAX_REPLAY_CHAIN_DEPTH = 20;

type Ancestor = Pick<EventRecord, 'id' | 'status' | 'receivedAt' | 'replayOf'>;

/**
 * Read access to the event table for the admin API and the replayer: one event with its replay
 * ancestry (`getEvent`), a route's events a page at a time (`listEvents`, `cursorAfter`) and
 * counts by status (`countByStatus`). It only reads; every listing goes through an index.
 */
export class EventHistory {
  readonly tableName: string;
  private readonly table: ReadTable;
  private readonly store: Pick<EventStore, 'getEvent'>;
  private readonly maxKeysPerListing: number;

  constructor(options: EventHistoryOptions) {
    this.tableName = options.tableName;
    this.table = { client: options.client, tableName: options.tableName };
    this.store = options.store;
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
    return readPage(this.table, planListing(query), this.maxKeysPerListing);
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
    const { since, until } = checkTimeRange(range);
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
      const page = await queryKeys(this.table, scope, FILTERED_QUERY_PAGE, startKey);
      for (let offset = 0; offset < page.keys.length; offset += BATCH_GET_MAX_KEYS) {
        const ids = page.keys.slice(offset, offset + BATCH_GET_MAX_KEYS).map((key) => key.id);
        for (const item of (await batchGet(this.table, ids, ['status'])).values()) {
          const status = item.status?.S as EventStatus | undefined;
          if (status !== undefined && status in counts) counts[status] += 1;
        }
      }
      startKey = page.lastKey;
    } while (startKey !== undefined);
    return counts;
  }

  /**
   * The events' state items (status, attempts; never the request data), by id, one BatchGetItem per
   * 100 ids; ids without an event are left out.
   * @throws HistoryUnavailableError when the table keeps some keys unprocessed (throttling)
   */
  getStates(ids: readonly string[]): Promise<Map<string, EventState>> {
    return getStates(this.table, ids);
  }

  private async readAncestor(id: string): Promise<Ancestor | undefined> {
    const { Item } = await this.table.client.send(
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
    return unmarshallItem(Item) as unknown as Ancestor;
  }
}
