/**
 * The checks an event listing makes of its query (route, status, order, limit, time range), and
 * the one a bulk replay makes of its own time range before it lists anything. Each throws a
 * RangeError naming what is wrong.
 */
import type { ListingOrder } from './cursor.js';
import { EVENT_STATUSES } from './transitions.js';
import type { EventStatus } from './types.js';

/** Events in a listing page when the query names no limit. */
const DEFAULT_LIST_LIMIT = 50;
/** Most events one listing page may hold. */
export const MAX_LIST_LIMIT = 1000;

export interface TimeRange {
  /** Inclusive. */
  readonly since?: Date;
  /** Exclusive. */
  readonly until?: Date;
}

export function checkRoute(route: string): void {
  if (typeof route !== 'string' || route.length === 0) {
    throw new RangeError('route must be a configured route path such as /order/status/');
  }
}

export function checkStatus(status: string): void {
  if (!EVENT_STATUSES.includes(status as EventStatus)) {
    throw new RangeError(`status must be one of ${EVENT_STATUSES.join(', ')}, got ${status}`);
  }
}

/** The order asked for, `newest` when none is. */
export function checkOrder(order: ListingOrder | undefined): ListingOrder {
  if (order === undefined) return 'newest';
  if (order !== 'newest' && order !== 'oldest') {
    throw new RangeError(`order must be newest or oldest, got ${String(order)}`);
  }
  return order;
}

/** The page size asked for, `DEFAULT_LIST_LIMIT` when none is. */
export function checkListLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${limit}`);
  }
  return limit;
}

/** `range` itself, once both bounds are valid dates and `since` is before `until`. */
export function checkTimeRange(range: TimeRange): TimeRange {
  const { since, until } = range;
  for (const [name, bound] of [
    ['since', since],
    ['until', until],
  ] as const) {
    if (bound !== undefined && !(bound instanceof Date && Number.isFinite(bound.getTime()))) {
      throw new RangeError(`${name} must be a valid date`);
    }
  }
  checkTimeOrder(range);
  return range;
}

/** That `since` is earlier than `until` when both are given (an invalid date passes: it compares as NaN). */
export function checkTimeOrder(range: TimeRange): void {
  const { since, until } = range;
  if (since !== undefined && until !== undefined && since.getTime() >= until.getTime()) {
    throw new RangeError(
      `since (${since.toISOString()}) must be earlier than until (${until.toISOString()})`,
    );
  }
}
