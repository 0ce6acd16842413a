import { describeError } from '../../errors.js';
import type { EventStore } from '../../event-store/event-store.js';
import type { Log } from '../../logger.js';
import { duplicateAnswer } from '../answers.js';
import type { BodyPlan, Claimed, Identified, Received, Routed, Verified } from '../context.js';
import type { Answer, Step } from '../pipeline.js';
import { requestRecord } from '../request-record.js';
import { storeCall } from '../store-call.js';

export interface DedupeDependencies {
  readonly store: Pick<EventStore, 'claimDedupeKey' | 'putRequest' | 'deleteRequest' | 'getEvent'>;
  readonly log: Log;
  readonly newId: (now: Date) => string;
}

type DedupeInput = Received & Routed & BodyPlan & Verified & Identified;

/**
 * Step `dedupe`: claims the delivery's key for a new event id. A key already held by an event that
 * was queued is answered 200 duplicate; one held by an earlier attempt that never got that far is
 * resumed under the holder's id (docs/architecture.md, "Guarantees").
 */
export function dedupe(deps: DedupeDependencies): Step<DedupeInput, Claimed> {
  const { store, log, newId } = deps;
  return async (context) => {
    const { receivedAt, dedupeKey: key } = context;
    const { route } = context.target;
    // An inline body's request data is written alongside the dedupe claim rather than after it:
    // request data without a state is shown nowhere, so a duplicate's copy is only discarded.
    const early =
      context.bodyStore === undefined ? requestRecord(context, key, newId(receivedAt)) : undefined;
    const eventId = early?.id ?? newId(receivedAt);
    const [claim] = await Promise.all([
      key === undefined
        ? undefined
        : storeCall(log, () =>
            store.claimDedupeKey({
              route: route.path,
              key,
              eventId,
              windowSeconds: route.dedupe.windowSeconds,
            }),
          ),
      early === undefined ? undefined : storeCall(log, () => store.putRequest(early)),
    ]);
    if (claim === undefined || claim.claimed) {
      return { eventId, recorded: early, resuming: false };
    }
    if (early !== undefined) await discardCopy(deps, early.id);
    return heldClaim(deps, context, claim.eventId);
  };
}

/** The claim is held by event `holderId`: a duplicate of it, or its unfinished first attempt. */
async function heldClaim(
  deps: DedupeDependencies,
  context: Received & Routed,
  holderId: string,
): Promise<Claimed | Answer> {
  const route = context.target.route.path;
  const existing = await storeCall(deps.log, () => deps.store.getEvent(holderId));
  if (existing !== undefined) return duplicateAnswer(deps.log, existing.id, route, context.origin);
  // The earlier attempt stopped before its event was queued (it has no state yet): finish it
  // under the same id.
  deps.log.info('resuming half-accepted event', { eventId: holderId, route });
  return { eventId: holderId, recorded: undefined, resuming: true };
}

/** Best effort: a leftover copy is never shown and expires with the route's retention. */
async function discardCopy(deps: DedupeDependencies, copyId: string): Promise<void> {
  try {
    await deps.store.deleteRequest(copyId);
  } catch (error: unknown) {
    deps.log.warn('duplicate request data left to expire', { copyId, error: describeError(error) });
  }
}
