import type { EventStatus } from './types.js';

export const EVENT_STATUSES: readonly EventStatus[] = [
  'received',
  'queued',
  'processing',
  'retrying',
  'delivered',
  'dead_lettered',
  'ignored',
];

/**
 * Every allowed status change, by source status. `delivered` and `ignored` are final.
 *
 * An event is `received` while it has request data and no state item: ingress writes its state as
 * `queued` once SendMessage returns, or the handler's lock creates it as `processing` when the
 * message arrives first. The moves from `received` are those two first writes of its state.
 */
const TRANSITIONS: Readonly<Record<EventStatus, readonly EventStatus[]>> = {
  received: ['queued', 'processing'],
  queued: ['processing', 'dead_lettered'],
  // `processing → processing`: the previous attempt's lock expired (Lambda timeout, crash).
  processing: ['delivered', 'retrying', 'dead_lettered', 'ignored', 'processing'],
  retrying: ['processing', 'dead_lettered'],
  // After a DLQ redrive the same event is delivered again.
  dead_lettered: ['processing'],
  delivered: [],
  ignored: [],
};

export function canTransition(from: EventStatus, to: EventStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The statuses an event may be in to move to `to`, in `EVENT_STATUSES` order. */
export function sourcesFor(to: EventStatus): EventStatus[] {
  return EVENT_STATUSES.filter((from) => canTransition(from, to));
}

/** True for statuses nothing can leave. */
export function isFinalStatus(status: EventStatus): boolean {
  return TRANSITIONS[status].length === 0;
}
