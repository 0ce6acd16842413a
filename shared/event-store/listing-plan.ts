/**
 * Planning an event listing before any read: its query checked, its cursor decoded, and the shard
 * partitions and range of sort keys (event ids) it walks; and the cursor that continues a listing
 * after a position.
 */
import { EVENT_ID_PREFIX, eventIdFloor, parseEventId, routeTag, shardCode } from '../ids.js';
import { STATUS_INDEXED } from '../resources.js';
import { decodeCursor, encodeCursor, type ListingOrder, type ListingPosition } from './cursor.js';
import { eventKeys } from './items.js';
import {
  checkListLimit,
  checkOrder,
  checkRoute,
  checkStatus,
  checkTimeRange,
  type TimeRange,
} from './query-checks.js';
import type { ShardRange } from './shard-query.js';
import type { EventStatus } from './types.js';

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

/** The listing a cursor continues, with its order settled. */
interface CursorScope {
  readonly route: string;
  readonly status: EventStatus | undefined;
  readonly order: ListingOrder;
}

/** A checked listing query: what to read, and how much. */
export interface ListingPlan extends CursorScope {
  readonly limit: number;
  /**
   * The status filter is the `byRouteStatus` index's partitions: every key read is a match (once
   * the index has caught up). Otherwise the route's state items are read and any status filter is
   * checked on them.
   */
  readonly indexed: boolean;
  readonly range: ShardRange;
}

/**
 * The plan of the listing `query` asks for over the route's `shards` shard partitions: from the
 * cursor on, if it has one. Each listing reads every shard, so `shards` must be at least the most
 * the route ever had within its retention.
 * @throws RangeError for a limit outside 1–1000, an empty route, an unknown status or order, or a
 *   time range that is empty or invalid; InvalidCursorError for a cursor of another listing
 */
export function planListing(query: EventQuery, shards: number): ListingPlan {
  const { route, status } = query;
  checkRoute(route);
  if (status !== undefined) checkStatus(status);
  const order = checkOrder(query.order);
  const limit = checkListLimit(query.limit);
  const range = checkTimeRange(query);
  const position = query.cursor === undefined ? undefined : decodeCursor(query.cursor, route, status, order);
  const indexed = status !== undefined && STATUS_INDEXED.has(status);
  return {
    route,
    status,
    order,
    limit,
    indexed,
    range: shardRange({ route, status, order, indexed }, shards, range, position),
  };
}

/**
 * The route's partitions to read: its shards' state partitions, or their `byRouteStatus`
 * partitions of `status` when that status is indexed.
 */
export function routePartitions(route: string, shards: number, status?: EventStatus): readonly string[] {
  const tag = routeTag(route);
  return Array.from({ length: shards }, (_, shard) =>
    status === undefined
      ? eventKeys.shard(tag, shardCode(shard))
      : eventKeys.routeStatus(tag, status, shardCode(shard)),
  );
}

/** The sort keys (ids) events received in `range` have: `from` inclusive, `below` exclusive. */
export function idRange(range: TimeRange): { readonly from?: string; readonly below?: string } {
  return {
    ...(range.since !== undefined && { from: eventIdFloor(range.since.getTime()) }),
    ...(range.until !== undefined && { below: eventIdFloor(range.until.getTime()) }),
  };
}

/**
 * The sort keys a listing walks in every shard: its time range, narrowed by its cursor's position
 * (the nearer bound wins on each side).
 */
function shardRange(
  listing: CursorScope & { readonly indexed: boolean },
  shards: number,
  range: TimeRange,
  position: ListingPosition | undefined,
): ShardRange {
  const { route, status, order, indexed } = listing;
  const { from, below: until } = idRange(range);
  let below = until;
  let after: string | undefined;
  if (position?.order === 'newest' && (below === undefined || position.before < below)) {
    below = position.before;
  }
  if (position?.order === 'oldest' && (from === undefined || position.after >= from)) {
    after = position.after;
  }
  return {
    source: indexed ? 'byRouteStatus' : 'table',
    partitions: routePartitions(route, shards, indexed ? status : undefined),
    ...(after !== undefined ? { after } : from !== undefined && { from }),
    ...(below !== undefined && { below }),
    forward: order === 'oldest',
  };
}

/** The cursor that continues the listing `scope` right after the position `position` (an id). */
export function cursorAt(scope: CursorScope, position: string): string {
  const { route, status, order } = scope;
  const base = { route, ...(status !== undefined && { status }) };
  return encodeCursor(
    order === 'newest' ? { ...base, order, before: position } : { ...base, order, after: position },
  );
}

/**
 * The listing position of an event: its id; for a stand-in that is not an event (`{ id: '',
 * receivedAt }`), the first id its time can have (`evt_` alone for no time), so that continuing
 * oldest first after it starts with the events received at that time.
 */
export function positionOf(event: { readonly id: string; readonly receivedAt: string }): string {
  if (parseEventId(event.id) !== undefined) return event.id;
  const time = Date.parse(event.receivedAt);
  return Number.isFinite(time) ? eventIdFloor(time) : EVENT_ID_PREFIX;
}
