/**
 * The opaque cursor of a bulk replay run: base64url of
 * `{ v: 1, route, status?, since?, until, dryRun?, matched, listing }`. It pins what the run's
 * first page fixed (its filters and its upper time bound) so a later page continues the same run,
 * and carries the oldest-first listing cursor of where the last page stopped.
 */
import { EVENT_STATUSES } from '../event-store/transitions.js';
import type { EventStatus } from '../event-store/types.js';
import { InvalidReplayCursorError } from './errors.js';

/** A bulk replay run as its pages see it. */
export interface ReplayRun {
  /** The configured route path. */
  readonly route: string;
  readonly status?: EventStatus;
  /** Inclusive lower bound on the originals' `receivedAt`. */
  readonly since?: Date;
  /**
   * Exclusive upper bound on the originals' `receivedAt`, fixed by the first page: never later
   * than its start, so no page matches the run's own replays.
   */
  readonly until: Date;
  readonly dryRun: boolean;
  /** Events matched by the pages before this one (the run's `limit` counts them all). */
  readonly matched: number;
  /** Oldest-first listing cursor just past the last event matched. */
  readonly listing: string;
}

/** What a page's query says about the run; checked against the run its cursor continues. */
interface ReplayRunFilters {
  readonly route: string;
  readonly status?: EventStatus;
  readonly since?: Date;
  readonly until?: Date;
  readonly dryRun: boolean;
}

const CURSOR_VERSION = 1;

/**
 * The cursor text that continues `run`: what a page returns as `nextCursor`. Opaque to callers;
 * `decodeReplayCursor` reads it back.
 */
export function encodeReplayCursor(run: ReplayRun): string {
  const { route, status, since, until, dryRun, matched, listing } = run;
  const payload = {
    v: CURSOR_VERSION,
    route,
    ...(status !== undefined && { status }),
    ...(since !== undefined && { since: since.toISOString() }),
    until: until.toISOString(),
    ...(dryRun && { dryRun }),
    matched,
    listing,
  };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/**
 * The run `cursor` (from `encodeReplayCursor`) continues, checked against the page's `filters`: the route, status, `since`
 * and dry run must be the run's; `until` may be left out or be no earlier than the run's bound.
 * @throws InvalidReplayCursorError when it is malformed or continues a run with other filters
 */
export function decodeReplayCursor(cursor: string, filters: ReplayRunFilters): ReplayRun {
  const run = parse(cursor);
  if (run.route !== filters.route) {
    throw new InvalidReplayCursorError(`it continues a replay of route ${run.route}, not ${filters.route}`);
  }
  if (run.status !== filters.status) {
    throw new InvalidReplayCursorError(
      `it continues a replay of status ${run.status ?? 'any'}, not ${filters.status ?? 'any'}`,
    );
  }
  if (run.since?.getTime() !== filters.since?.getTime()) {
    throw new InvalidReplayCursorError(
      `it continues a replay since ${run.since?.toISOString() ?? 'the oldest event'}, not ${
        filters.since?.toISOString() ?? 'the oldest event'
      } (resolve a relative since once, before the first page)`,
    );
  }
  if (filters.until !== undefined && filters.until.getTime() < run.until.getTime()) {
    throw new InvalidReplayCursorError(
      `it continues a replay until ${run.until.toISOString()}, not ${filters.until.toISOString()}`,
    );
  }
  if (run.dryRun !== filters.dryRun) {
    throw new InvalidReplayCursorError(
      run.dryRun ? 'it continues a dry run, not a replay' : 'it continues a replay, not a dry run',
    );
  }
  return run;
}

function parse(cursor: string): ReplayRun {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidReplayCursorError('not base64url');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidReplayCursorError('not a replay cursor');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidReplayCursorError('not a replay cursor');
  }
  const fields = value as Record<string, unknown>;
  if (fields.v !== CURSOR_VERSION) {
    throw new InvalidReplayCursorError(`unsupported version ${String(fields.v)}`);
  }
  const { route, status, matched, listing, dryRun } = fields;
  const since = fields.since === undefined ? undefined : time(fields.since);
  const until = time(fields.until);
  if (
    typeof route !== 'string' ||
    typeof listing !== 'string' ||
    listing === '' ||
    typeof matched !== 'number' ||
    !Number.isSafeInteger(matched) ||
    matched < 0 ||
    (dryRun !== undefined && dryRun !== true) ||
    until === undefined ||
    (fields.since !== undefined && since === undefined)
  ) {
    throw new InvalidReplayCursorError('not a replay cursor');
  }
  if (status !== undefined && !EVENT_STATUSES.includes(status as EventStatus)) {
    throw new InvalidReplayCursorError(`unknown status ${String(status)}`);
  }
  return {
    route,
    ...(status !== undefined && { status: status as EventStatus }),
    ...(since !== undefined && { since }),
    until,
    dryRun: dryRun === true,
    matched,
    listing,
  };
}

function time(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isFinite(date.getTime()) ? date : undefined;
}
