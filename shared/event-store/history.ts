/**
 * Reading the event table for people and tools: one event with its replay ancestry, a route's
 * events newest or oldest first (optionally by status and time), counts by status.
 *
 * A route's events are its state items in its shard partitions, listed by a Query of each shard
 * merged by id (never their request data); the events in a status needing attention come from the
 * keys-only `byRouteStatus` index, then BatchGetItem of their states. Nothing here scans the table.
 */
import { type AttributeValue, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ROUTE_DEFAULTS } from '../config/defaults.js';
import { normalizePath } from '../config/queue-name.js';
import type { RoutePlacement } from '../ids.js';
import type { EventStore } from './event-store.js';
import { type EventState, eventKeys } from './items.js';
import { layoutChecked } from './layout.js';
import { type EventPage, readPage } from './listing.js';
import {
  cursorAt,
  type EventQuery,
  idRange,
  type ListingScope,
  planListing,
  positionOf,
  routePartitions,
} from './listing-plan.js';
import { marshallItem, unmarshallItem } from './marshal.js';
import { checkOrder, checkRoute, checkTimeRange, type TimeRange } from './query-checks.js';
import { queryShard, type ShardRange } from './shard-query.js';
import { getStates, type ReadTable } from './state-reads.js';
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
   * Most items one `listEvents` call examines (states, or status index keys); past it the page ends
   * early with a `nextCursor`, so a rare status in a busy route cannot hold one call beyond API
   * Gateway's 30 s. A call reads at least one item of each of the route's shards.
   * @default MAX_KEYS_EXAMINED_PER_LISTING
   */
  readonly maxKeysPerListing?: number;
  /**
   * How many shard partitions a route's events are spread over (its config's `shards`): a listing
   * reads every one. @default the config's default, 32, for every route
   */
  readonly shardsOf?: (route: string) => number;
}

/**
 * Items one listing examines at most by default: 5 000 state items of a few hundred bytes are a
 * few hundred read units of Queries, a couple of seconds at worst.
 */
export const MAX_KEYS_EXAMINED_PER_LISTING = 5000;

const MAX_REPLAY_CHAIN_DEPTH = 20;

type Ancestor = Pick<EventRecord, 'id' | 'status' | 'receivedAt' | 'replayOf'>;

/**
 * Read access to the event table for the admin API and the replayer: one event with its replay
 * ancestry (`getEvent`), a route's events a page at a time (`listEvents`, `cursorAfter`) and
 * counts by status (`countByStatus`). It only reads; every listing reads the route's shard
 * partitions (or their status index partitions), never the whole table.
 */
export class EventHistory {
  readonly tableName: string;
  private readonly table: ReadTable;
  private readonly store: Pick<EventStore, 'getEvent'>;
  private readonly maxKeysPerListing: number;
  private readonly shardsOf: (route: string) => number;

  constructor(options: EventHistoryOptions) {
    this.tableName = options.tableName;
    this.table = { client: options.client, tableName: options.tableName };
    this.store = options.store;
    this.shardsOf = options.shardsOf ?? (() => ROUTE_DEFAULTS.shards);
    const cap = options.maxKeysPerListing ?? MAX_KEYS_EXAMINED_PER_LISTING;
    if (!Number.isInteger(cap) || cap < 1) {
      throw new RangeError(`maxKeysPerListing must be a positive integer, got ${cap}`);
    }
    this.maxKeysPerListing = cap;
  }

  /**
   * The event with its request data and replay ancestry (two consistent GetItems, its state and its
   * request, then one GetItem per ancestor); `undefined` when there is no such event.
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
   * A page of the route's events, newest first unless `order` is `oldest`: every shard partition
   * of the route read and merged by id. Statuses in `STATUS_INDEXED` are read from the
   * `byRouteStatus` index; any other status filter is checked on each state read, so a rare status
   * in a busy route costs a read per event passed over. One call examines at most
   * `maxKeysPerListing` items: a page that reaches it ends there, with fewer than `limit` events
   * (possibly none) and a `nextCursor` just past what it examined.
   * @throws RangeError for a limit outside 1–1000, an empty route, an unknown status or a time
   *   range that is empty or invalid or an unknown order; InvalidCursorError for a cursor of
   *   another listing (route, status or order); HistoryUnavailableError (`store_unavailable`)
   *   when DynamoDB keeps leaving events unread (throttling); TableLayoutError for a table of
   *   another layout
   */
  async listEvents(query: EventQuery): Promise<EventPage> {
    const plan = planListing(query, this.shards(query.route));
    await layoutChecked(this.table);
    return readPage(this.table, plan, this.maxKeysPerListing);
  }

  /**
   * A cursor that continues the listing `scope` right after `event`, as if a page had ended
   * there: for a caller that stops partway through a page. No read is made.
   */
  cursorAfter(scope: ListingScope, event: Pick<EventState, 'id' | 'receivedAt'>): string {
    checkRoute(scope.route);
    return cursorAt(
      { route: scope.route, status: scope.status, order: checkOrder(scope.order) },
      positionOf(event),
    );
  }

  /**
   * How many of the route's events received in `range` (default: all retained events) are in each
   * status. Cost grows with the number of events: a Query of each shard reading every state item
   * in the range (0.5 read units per 4 KB, about ten events, though only the status comes back).
   * Ask for the time range you need.
   * @throws RangeError for an empty route or an empty or invalid time range
   */
  async countByStatus(route: string, range: TimeRange = {}): Promise<Record<EventStatus, number>> {
    checkRoute(route);
    checkTimeRange(range);
    await layoutChecked(this.table);
    const counts = Object.fromEntries(EVENT_STATUSES.map((status) => [status, 0])) as Record<
      EventStatus,
      number
    >;
    const scope: ShardRange = {
      source: 'table',
      partitions: routePartitions(route, this.shards(route)),
      ...idRange(range),
      forward: false,
    };
    await Promise.all(
      scope.partitions.map(async (partition) => {
        let startKey: Record<string, AttributeValue> | undefined;
        do {
          const page = await queryShard(this.table, scope, partition, COUNT_QUERY_PAGE, startKey, ['status']);
          for (const { item } of page.entries) {
            const status = item.status?.S as EventStatus | undefined;
            if (status !== undefined && status in counts) counts[status] += 1;
          }
          startKey = page.lastKey;
        } while (startKey !== undefined);
      }),
    );
    return counts;
  }

  /**
   * The events' state items (status, attempts; never the request data), by id, one BatchGetItem per
   * 100 ids; ids without an event are left out.
   * @throws HistoryUnavailableError when the table keeps some keys unprocessed (throttling)
   */
  async getStates(ids: readonly string[]): Promise<Map<string, EventState>> {
    await layoutChecked(this.table);
    return getStates(this.table, ids);
  }

  /** The route's shard count, checked: a listing reads every shard partition. */
  private shards(route: string): number {
    const shards = this.shardsOf(route);
    if (!Number.isInteger(shards) || shards < 1) {
      throw new RangeError(`route ${route} has ${shards} shards; a route has at least one`);
    }
    return shards;
  }

  private async readAncestor(id: string): Promise<Ancestor | undefined> {
    const key = eventKeys.state(id);
    if (key === undefined) return undefined;
    const { Item } = await this.table.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: marshallItem(key),
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

/**
 * `EventHistory`'s `shardsOf` for a config's routes: each route's `shards` (its path with or without
 * the trailing slash); the default for a route not among them.
 */
export function shardsOfRoutes(routes: readonly RoutePlacement[]): (route: string) => number {
  const shards = new Map(routes.map((route) => [normalizePath(route.path), route.shards]));
  return (route) => shards.get(normalizePath(route)) ?? ROUTE_DEFAULTS.shards;
}

/** State items one Query of a count reads (DynamoDB stops at 1 MB anyway). */
const COUNT_QUERY_PAGE = 1000;
