import { describeError } from '../../errors.js';
import type { EventStore } from '../../event-store/event-store.js';
import type { NewEventId } from '../../ids.js';
import type { Log } from '../../logger.js';
import { TABLE_PARTITIONS } from '../../resources.js';
import { duplicateAnswer } from '../answers.js';
import type { BodyPlan, Claimed, Identified, Received, Routed, Verified } from '../context.js';
import type { Answer, Step } from '../pipeline.js';
import { requestRecord } from '../request-record.js';
import { storeCall } from '../store-call.js';

export interface DedupeDependencies {
  readonly store: Pick<EventStore, 'claimRequest' | 'putRequest' | 'deleteRequest' | 'getState'>;
  readonly log: Log;
  readonly newId: NewEventId;
}

type DedupeInput = Received & Routed & BodyPlan & Verified & Identified;

/**
 * Step `dedupe`: claims the delivery's key for a new event id, writing its request data in the
 * same conditional put (table layout v2: the claim's item holds the request). A key already held
 * by an event that was queued is answered 200 duplicate, and nothing is written; one held by an
 * earlier attempt that never got that far is resumed under the holder's id (docs/architecture.md,
 * "Guarantees"). A route without dedupe writes the request data to the event's own item.
 */
export function dedupe(deps: DedupeDependencies): Step<DedupeInput, Claimed> {
  const { store, log, newId } = deps;
  return async (context) => {
    const { receivedAt, dedupeKey: key } = context;
    const { route } = context.target;
    const eventId = newId(receivedAt, route);
    // A body bound for the body store is uploaded only once the claim is won (`record`), so a
    // duplicate never uploads: its claim carries the rest of the request data.
    const inline = context.bodyStore === undefined;
    if (key === undefined) {
      const ownKey = TABLE_PARTITIONS.request(eventId);
      if (!inline) return { eventId, requestKey: ownKey, recorded: undefined, resuming: false };
      const record = requestRecord(context, undefined, eventId);
      const requestKey = await storeCall(log, () => store.putRequest(record));
      return { eventId, requestKey, recorded: record, resuming: false };
    }
    const record = requestRecord(context, key, eventId, inline ? undefined : 'pending');
    const claim = await storeCall(log, () =>
      store.claimRequest({ record, windowSeconds: route.dedupe.windowSeconds }),
    );
    if (claim.leftover !== undefined) await discardCopy(deps, claim.leftover, eventId);
    if (claim.claimed) {
      return {
        eventId,
        requestKey: claim.requestKey,
        recorded: inline ? record : undefined,
        resuming: false,
      };
    }
    return heldClaim(deps, context, claim.eventId, claim.requestKey);
  };
}

/** The claim is held by event `holderId`: a duplicate of it, or its unfinished first attempt. */
async function heldClaim(
  deps: DedupeDependencies,
  context: Received & Routed,
  holderId: string,
  requestKey: string,
): Promise<Claimed | Answer> {
  const route = context.target.route.path;
  const existing = await storeCall(deps.log, () => deps.store.getState(holderId));
  if (existing !== undefined) return duplicateAnswer(deps.log, existing.id, route, context.origin);
  // The earlier attempt stopped before its event was queued (it has no state yet): finish it
  // under the same id.
  deps.log.info('resuming half-accepted event', { eventId: holderId, route });
  return { eventId: holderId, requestKey, recorded: undefined, resuming: true };
}

/**
 * Best effort: request data this delivery wrote before it lost the key to a concurrent one is
 * never shown and expires with the route's retention.
 */
async function discardCopy(deps: DedupeDependencies, requestKey: string, copyId: string): Promise<void> {
  try {
    await deps.store.deleteRequest(requestKey, copyId);
  } catch (error: unknown) {
    deps.log.warn('duplicate request data left to expire', { copyId, error: describeError(error) });
  }
}
