import { HooklineError } from '../errors.js';
import type { EventStatus } from './types.js';

export type EventStoreErrorCode =
  | 'invalid_transition'
  | 'event_not_found'
  | 'route_mismatch'
  | 'lock_lost'
  | 'invalid_cursor'
  | 'table_layout_mismatch';

/** Base class of the event store's own errors; SDK errors (throttling, network) pass through as they are. */
export class EventStoreError extends HooklineError<EventStoreErrorCode> {
  override name = 'EventStoreError';
}

/** The event is not in a status the requested change may start from. */
export class InvalidTransitionError extends EventStoreError {
  override name = 'InvalidTransitionError';
  readonly id: string;
  /** The status that was asked for. */
  readonly to: EventStatus;
  /** The statuses the change may start from. */
  readonly expected: readonly EventStatus[];
  /** The event's status when the change was refused, when known. */
  readonly actual?: EventStatus;

  constructor(id: string, to: EventStatus, expected: readonly EventStatus[], actual?: EventStatus) {
    const from = expected.length > 0 ? expected.join('|') : 'nothing';
    super(
      'invalid_transition',
      `event ${id} cannot become ${to}: it is ${actual ?? 'in an unknown status'}, expected ${from}`,
    );
    this.id = id;
    this.to = to;
    this.expected = expected;
    if (actual !== undefined) this.actual = actual;
  }
}

export class EventNotFoundError extends EventStoreError {
  override name = 'EventNotFoundError';
  readonly id: string;

  constructor(id: string) {
    super('event_not_found', `event ${id} not found`);
    this.id = id;
  }
}

/** A caller named a route that is not the event's (the route decides the event's index keys). */
export class RouteMismatchError extends EventStoreError {
  override name = 'RouteMismatchError';
  readonly id: string;
  readonly route: string;
  readonly actualRoute: string;

  constructor(id: string, route: string, actualRoute: string) {
    super('route_mismatch', `event ${id} belongs to route ${actualRoute}, not ${route}`);
    this.id = id;
    this.route = route;
    this.actualRoute = actualRoute;
  }
}

/**
 * `settle()` was called by a consumer that no longer holds the event's lock: it lapsed and another
 * consumer took it, or the event was settled already. The caller's result is not recorded.
 */
export class LockLostError extends EventStoreError {
  override name = 'LockLostError';
  readonly id: string;
  readonly owner: string;
  /** The event's status when the settle was refused. */
  readonly actual: EventStatus;
  /** Who holds the lock now, if anyone. */
  readonly actualOwner?: string;

  constructor(id: string, owner: string, actual: EventStatus, actualOwner?: string) {
    super(
      'lock_lost',
      `event ${id} is no longer locked by ${owner}: it is ${actual}${actualOwner === undefined ? '' : `, locked by ${actualOwner}`}`,
    );
    this.id = id;
    this.owner = owner;
    this.actual = actual;
    if (actualOwner !== undefined) this.actualOwner = actualOwner;
  }
}

/**
 * A listing cursor that is not one this table handed out, or was handed out for another route or
 * status filter. Cursors are opaque: pass back `nextCursor` unchanged with the same query.
 */
export class InvalidCursorError extends EventStoreError {
  override name = 'InvalidCursorError';

  constructor(reason: string) {
    super(
      'invalid_cursor',
      `invalid cursor: ${reason}; pass back nextCursor unchanged with the same route, status and order`,
    );
  }
}

/**
 * The event table holds items of another layout than this Hookline reads and writes (its
 * `HOOKLINE#LAYOUT` item, or the shape of a table made before layouts had one): every operation is
 * refused, before anything is written (docs/architecture.md, "Table layout").
 */
export class TableLayoutError extends EventStoreError {
  override name = 'TableLayoutError';
  readonly tableName: string;
  /** The layout the table uses. */
  readonly found: number;
  /** The layout this Hookline needs. */
  readonly expected: number;

  constructor(tableName: string, found: number, expected: number, how: string) {
    super(
      'table_layout_mismatch',
      `the event table ${tableName} uses layout v${found} (${how}); this Hookline needs layout v${expected}: ` +
        `deploy it to a new table (a stack of this release creates one of its own; \`--table\` or ` +
        `HOOKLINE_TABLE_NAME can name another) or run it with the Hookline release that wrote layout v${found}`,
    );
    this.tableName = tableName;
    this.found = found;
    this.expected = expected;
  }
}
