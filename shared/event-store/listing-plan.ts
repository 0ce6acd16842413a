/**
 * Planning an event listing before any read: its query checked, its cursor decoded, and the index
 * and range of sort keys it walks; and the cursor that continues a listing after a sort key.
 */
import { EVENT_TABLE, STATUS_INDEXED } from '../resources.js';
import { decodeCursor, encodeCursor, type ListingOrder, type ListingPosition } from './cursor.js';
import type { IndexRange } from './index-query.js';
import { eventKeys } from './items.js';
import {
  checkListLimit,
  checkOrder,
  checkRoute,
  checkStatus,
  checkTimeRange,
  type TimeRange,
} from './query-checks.js';
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
  /** The status filter is the `byRouteStatus` index's partition: every key read is a match. */
  readonly indexed: boolean;
  readonly range: IndexRange;
}

/**
 * The plan of the listing `query` asks for: from the cursor on, if it has one.
 * @throws RangeError for a limit outside 1–1000, an empty route, an unknown status or order, or a
 *   time range that is empty or invalid; InvalidCursorError for a cursor of another listing
 */
export function planListing(query: EventQuery): ListingPlan {
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
    range: indexRange({ route, status, order, indexed }, range, position),
  };
}

/**
 * The sort keys a listing walks: its time range, narrowed by its cursor's position (the nearer
 * bound wins on each side).
 */
function indexRange(
  listing: CursorScope & { readonly indexed: boolean },
  range: TimeRange,
  position: ListingPosition | undefined,
): IndexRange {
  const { route, status, order, indexed } = listing;
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
  return {
    index: indexed ? EVENT_TABLE.indexes.byRouteStatus : EVENT_TABLE.indexes.byRoute,
    partition:
      indexed && status !== undefined ? eventKeys.routeStatus(route, status) : eventKeys.route(route),
    ...(after !== undefined ? { after } : since !== undefined && { from: since }),
    ...(below !== undefined && { below }),
    forward: order === 'oldest',
  };
}

/** The cursor that continues the listing `scope` right after the index sort key `sortKey`. */
export function cursorAt(scope: CursorScope, sortKey: string): string {
  const { route, status, order } = scope;
  const base = { route, ...(status !== undefined && { status }) };
  return encodeCursor(
    order === 'newest' ? { ...base, order, before: sortKey } : { ...base, order, after: sortKey },
  );
}
