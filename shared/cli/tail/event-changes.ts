/**
 * What `hookline events tail` prints: the status changes of events, found by comparing what the
 * admin API answers now with what it answered before. Pure: no I/O, no clock.
 *
 * Polling can miss a status an event held only between two reads (`queued → processing →
 * delivered` may be seen as `queued → delivered`). The attempt history cannot miss anything, so
 * every failed attempt that was retried shows as a `retrying` change of its own, even when no read
 * caught the event in that status.
 */
import type { AttemptRecord } from '../../event-store/types.js';
import type { EventState, EventStatus } from '../admin-types.js';
import { formatTime } from '../output.js';
import type { Style } from '../style.js';

/** What the tail reads of an event (a listing's `EventState` or `GET /_hookline/events/{id}`'s view). */
export type TailedEvent = Pick<EventState, 'id' | 'route' | 'status' | 'updatedAt'> & {
  readonly attempts?: readonly AttemptRecord[];
};

/**
 * One line of the tail; also its `--json` shape (NDJSON, one object per line). The fields and their
 * meaning are a contract: add, never rename.
 */
export interface EventChange {
  /** When the event reached `status` (ISO 8601, the gateway's clock). */
  readonly at: string;
  /** The route path, e.g. `/order/status/`. */
  readonly route: string;
  readonly id: string;
  readonly status: EventStatus;
  /** The status it was last seen in; absent the first time the tail sees the event. */
  readonly previousStatus?: EventStatus;
  /** The attempt that ended in `status` (retrying, delivered, dead_lettered, ignored), when there is one. */
  readonly attempt?: number;
  /** `Name: message` of that attempt's error (retrying, dead_lettered). */
  readonly error?: string;
}

/** What the tail remembers of an event between two reads. */
export interface SeenEvent {
  readonly status: EventStatus;
  /** How many attempts its history held. */
  readonly attempts: number;
  readonly updatedAt: string;
}

/** Statuses an event leaves only by an operator's action (a DLQ redrive): the tail stops watching. */
const SETTLED: ReadonlySet<EventStatus> = new Set(['delivered', 'dead_lettered', 'ignored']);

/** Statuses an attempt ends in: their changes carry the attempt's number. */
const AFTER_ATTEMPT: ReadonlySet<EventStatus> = new Set([
  'retrying',
  'delivered',
  'dead_lettered',
  'ignored',
]);

/** Statuses that mean the attempt failed: their changes carry its error. */
const FAILED: ReadonlySet<EventStatus> = new Set(['retrying', 'dead_lettered']);

/** True when the event reached a final status (delivered, dead_lettered, ignored). */
export function isSettled(status: EventStatus): boolean {
  return SETTLED.has(status);
}

/** The result of one read of an event: what to print, and what to remember. */
export interface Observation {
  readonly changes: EventChange[];
  readonly seen: SeenEvent;
}

/**
 * Compares `event` as read now with what was `seen` of it before (undefined: never seen): its
 * status changes, oldest first. A read older than the one before (a lagging replica) changes nothing.
 */
export function observeEvent(seen: SeenEvent | undefined, event: TailedEvent): Observation {
  const attempts = event.attempts ?? [];
  if (seen !== undefined && event.updatedAt < seen.updatedAt) return { changes: [], seen };
  const changes: EventChange[] = [];
  let previous = seen?.status;
  const known = seen?.attempts ?? 0;
  // Retries that happened between two reads: each failed attempt that was retried (it has a next
  // try) left the event `retrying`. The latest attempt is reported by the status itself when the
  // event is still retrying.
  for (let index = known; index < attempts.length; index += 1) {
    const attempt = attempts[index];
    if (attempt === undefined || attempt.outcome !== 'failed' || attempt.nextVisibleAt === undefined)
      continue;
    if (index === attempts.length - 1 && event.status === 'retrying') continue;
    changes.push({
      at: attemptEnd(attempt) ?? event.updatedAt,
      route: event.route,
      id: event.id,
      status: 'retrying',
      ...(previous !== undefined && { previousStatus: previous }),
      ...attemptFields('retrying', attempt),
    });
    previous = 'retrying';
  }
  // A new status, or the same one after a new attempt (retrying → retrying, a lapsed lock).
  if (event.status !== previous || attempts.length > known) {
    changes.push({
      at: event.updatedAt,
      route: event.route,
      id: event.id,
      status: event.status,
      ...(previous !== undefined && { previousStatus: previous }),
      ...attemptFields(event.status, attempts.at(-1)),
    });
  }
  return {
    changes,
    seen: { status: event.status, attempts: attempts.length, updatedAt: event.updatedAt },
  };
}

function attemptFields(
  status: EventStatus,
  attempt: AttemptRecord | undefined,
): Pick<EventChange, 'attempt' | 'error'> {
  if (attempt === undefined || !AFTER_ATTEMPT.has(status)) return {};
  const error = FAILED.has(status) ? errorText(attempt) : undefined;
  return { attempt: attempt.attempt, ...(error !== undefined && { error }) };
}

/** `Name: message`, or whichever of the two the attempt has. */
function errorText(attempt: AttemptRecord): string | undefined {
  const text = [attempt.errorName, attempt.errorMessage]
    .filter((part) => part !== undefined && part !== '')
    .join(': ');
  return text === '' ? undefined : text;
}

/** When the attempt ended (started + duration), ISO 8601; undefined for an unreadable start. */
function attemptEnd(attempt: AttemptRecord): string | undefined {
  const started = Date.parse(attempt.startedAt);
  return Number.isNaN(started) ? undefined : new Date(started + attempt.durationMs).toISOString();
}

/** Changes in the order they happened (stable: one event's changes keep their order). */
export function byTime(changes: readonly EventChange[]): EventChange[] {
  return [...changes].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/** Longest error shown on a human line; `--json` carries it whole. */
const SHOWN_ERROR_CHARS = 120;

/**
 * The human line of a change: `time  route  id  status` (`previous → status` for a change), then
 * for a failure, or an event delivered after a retry, `attempt N` and the error.
 */
export function formatChange(change: EventChange, style: Style): string {
  const status =
    change.previousStatus === undefined
      ? style.status(change.status)
      : `${style.status(change.previousStatus)} → ${style.status(change.status)}`;
  const parts = [formatTime(change.at) ?? change.at, change.route, change.id, status];
  const failed = FAILED.has(change.status);
  if (change.attempt !== undefined && (failed || change.attempt > 1)) parts.push(`attempt ${change.attempt}`);
  if (change.error !== undefined) parts.push(shortError(change.error));
  return parts.join('  ');
}

function shortError(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > SHOWN_ERROR_CHARS ? `${line.slice(0, SHOWN_ERROR_CHARS - 3)}...` : line;
}

/** The `--json` line of a change: the object on one line, fields in their documented order. */
export function changeJson(change: EventChange): string {
  const { at, route, id, status, previousStatus, attempt, error } = change;
  return JSON.stringify({ at, route, id, status, previousStatus, attempt, error });
}
