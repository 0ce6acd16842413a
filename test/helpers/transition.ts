/**
 * Status changes for tests, outside the handler's lock: moves an event as `transitions.ts` allows,
 * with the same update the store's `settle()` builds (status, status index, appended attempt).
 */
import {
  EventNotFoundError,
  InvalidTransitionError,
  RouteMismatchError,
} from '../../shared/event-store/errors.js';
import type { EventStore } from '../../shared/event-store/event-store.js';
import { type EventState, eventKeys, toEventState } from '../../shared/event-store/items.js';
import { statusChange, updateEvent, updateExpression } from '../../shared/event-store/state-update.js';
import { type EventTable, getItem } from '../../shared/event-store/table.js';
import { sourcesFor } from '../../shared/event-store/transitions.js';
import type { AttemptRecord, EventStatus } from '../../shared/event-store/types.js';

interface TransitionChanges {
  /** Appended to the event's `attempts` (its `errorMessage` truncated to 1 KiB). */
  readonly attempt?: AttemptRecord;
  /**
   * The event's route, when the caller knows it: saves reading the record first. The write is
   * conditional on it; a wrong route throws `RouteMismatchError`.
   */
  readonly route?: string;
}

/**
 * Moves event `id` to `to` if `transitions.ts` allows it from its current status, updating the
 * status index and appending `changes.attempt`. Writes and returns the event's state only.
 * @throws EventNotFoundError, InvalidTransitionError (with the actual status), RouteMismatchError
 */
export async function transition(
  store: Pick<EventStore, 'table'>,
  id: string,
  to: EventStatus,
  changes: TransitionChanges = {},
): Promise<EventState> {
  const { table } = store;
  const sources = sourcesFor(to);
  let route = changes.route;
  if (route === undefined || sources.length === 0) {
    const current = await requireState(table, id);
    if (route !== undefined && route !== current.route) {
      throw new RouteMismatchError(id, route, current.route);
    }
    if (!sources.includes(current.status)) {
      throw new InvalidTransitionError(id, to, sources, current.status);
    }
    route = current.route;
  }

  const attempts = changes.attempt === undefined ? [] : [changes.attempt];
  const change = statusChange(id, to, attempts, table.now().toISOString());
  const sourcePlaceholders = sources.map((status, index) => {
    change.values[`:from${index}`] = { S: status };
    return `:from${index}`;
  });
  return updateEvent(
    table,
    id,
    route,
    {
      update: updateExpression(change.sets, change.removes),
      condition: `#status IN (${sourcePlaceholders.join(', ')})`,
      names: change.names,
      values: change.values,
    },
    (actual) => new InvalidTransitionError(id, to, sources, actual.status),
  );
}

/** The event's state item, read consistently (a GetItem: no request data needed). */
async function requireState(table: EventTable, id: string): Promise<EventState> {
  const key = eventKeys.state(id);
  const item = key === undefined ? undefined : await getItem(table, key);
  if (item === undefined) throw new EventNotFoundError(id);
  return toEventState(item);
}
