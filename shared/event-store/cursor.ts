/**
 * The opaque cursor of an event listing: base64url of `{ v: 2, route, status?, order, before }`
 * (newest first) or `{ v: 2, route, status?, order: 'oldest', after }` (oldest first), where
 * `before`/`after` is the id of the last event returned (or the id prefix of a time, `evt_<time>`).
 * Ids sort by time across every shard of a route (ULID first, `shared/ids.ts`), so that one
 * position is where each of the route's shards continues: every shard's next page starts just past
 * it. A cursor only continues the listing it came from (same route, status filter and order);
 * cursors of table layout v1 (`v: 1`, positions `<receivedAt>#<id>`) are refused.
 */
import { EVENT_ID_PREFIX } from '../ids.js';
import { InvalidCursorError } from './errors.js';
import { EVENT_STATUSES } from './transitions.js';
import type { EventStatus } from './types.js';

/** The order a listing walks a route's events in, by `receivedAt`. */
export type ListingOrder = 'newest' | 'oldest';

interface PositionScope {
  readonly route: string;
  readonly status?: EventStatus;
}

/** Where a newest-first listing stopped: the next page holds only older events. */
interface NewestFirstPosition extends PositionScope {
  readonly order: 'newest';
  /** Id of the last event returned (or a time's id prefix). */
  readonly before: string;
}

/** Where an oldest-first listing stopped: the next page holds only newer events. */
interface OldestFirstPosition extends PositionScope {
  readonly order: 'oldest';
  /** Id of the last event returned (or a time's id prefix). */
  readonly after: string;
}

export type ListingPosition = NewestFirstPosition | OldestFirstPosition;

/** 2 since table layout v2: positions are event ids. */
const CURSOR_VERSION = 2;

/** The cursor text of `position`. */
export function encodeCursor(position: ListingPosition): string {
  const { route, status, order } = position;
  const key = position.order === 'newest' ? { before: position.before } : { after: position.after };
  const payload = { v: CURSOR_VERSION, route, ...(status !== undefined && { status }), order, ...key };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/**
 * Reads a cursor handed out for the listing of `route` (and `status`) in `order`.
 * @throws InvalidCursorError when it is malformed or belongs to another listing
 */
export function decodeCursor(
  cursor: string,
  route: string,
  status?: EventStatus,
  order: ListingOrder = 'newest',
): ListingPosition {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError('not base64url');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('not a listing cursor');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidCursorError('not a listing cursor');
  }
  const fields = value as Record<string, unknown>;
  if (fields.v !== CURSOR_VERSION) throw new InvalidCursorError(`unsupported version ${String(fields.v)}`);
  // Cursors handed out before listings had an order carry none: they were all newest first.
  const written = fields.order ?? 'newest';
  if (written !== 'newest' && written !== 'oldest') {
    throw new InvalidCursorError(`unknown order ${String(written)}`);
  }
  const key = written === 'newest' ? fields.before : fields.after;
  if (typeof fields.route !== 'string' || typeof key !== 'string' || !key.startsWith(EVENT_ID_PREFIX)) {
    throw new InvalidCursorError('not a listing cursor');
  }
  if (fields.status !== undefined && !EVENT_STATUSES.includes(fields.status as EventStatus)) {
    throw new InvalidCursorError(`unknown status ${String(fields.status)}`);
  }
  if (fields.route !== route) {
    throw new InvalidCursorError(`it continues a listing of route ${fields.route}, not ${route}`);
  }
  if (fields.status !== status) {
    throw new InvalidCursorError(
      `it continues a listing of status ${String(fields.status ?? 'any')}, not ${status ?? 'any'}`,
    );
  }
  if (written !== order) {
    throw new InvalidCursorError(`it continues a listing ${written} first, not ${order} first`);
  }
  const scope = { route, ...(status !== undefined && { status }) };
  return order === 'newest' ? { ...scope, order, before: key } : { ...scope, order, after: key };
}
