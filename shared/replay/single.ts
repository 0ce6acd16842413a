/**
 * Replaying one event: a new event with the original's request and verdict, recorded, queued and
 * linked like an ingress event (`putRequest` → send the envelope → `putQueued` → `addReplay` on the
 * original).
 *
 * A body kept in the body store is copied to the replay's own key first (`<queue>/<replayId>`): the
 * bucket expires each body a route's retention after it was written, so a replay sharing the
 * original's object would lose its body while its record, kept a full retention from the replay,
 * still points at it.
 */
import { isBodyStoreError } from '../body-store/errors.js';
import { type BodyReference, serializeEnvelope, toEnvelope } from '../envelope.js';
import { signEnvelope } from '../envelope-signature.js';
import { EventNotFoundError } from '../event-store/errors.js';
import type { EventRecord, EventStatus, NewEventRecord } from '../event-store/types.js';
import { OPERATION_METRICS } from '../metric-names.js';
import { count, silentMetrics } from '../metrics/metrics.js';
import {
  ReplayBodyUnavailableError,
  ReplayConflictError,
  ReplayEnqueueError,
  RouteNotConfiguredError,
} from './errors.js';
import type { ReplayContext, ReplayResult, ReplayTarget } from './types.js';

/** Statuses a replay must wait out: the original may be handled right now. */
export const IN_FLIGHT: ReadonlySet<EventStatus> = new Set<EventStatus>(['received', 'queued', 'processing']);

/**
 * Replays the event `id` (the contract is `Replayer.replayEvent`'s).
 * @throws EventNotFoundError, ReplayConflictError, RouteNotConfiguredError,
 *   ReplayBodyUnavailableError, BodyStoreError, ReplayEnqueueError
 */
export async function replayEvent(context: ReplayContext, id: string): Promise<ReplayResult> {
  const { deps } = context;
  const original = await deps.store.getEvent(id);
  if (original === undefined) throw new EventNotFoundError(id);
  if (IN_FLIGHT.has(original.status)) throw new ReplayConflictError(id, original.status);
  const target = context.targetOf(original.route);
  if (target === undefined) throw new RouteNotConfiguredError(id, original.route);

  const at = context.now();
  const replayId = context.newId(at, target.route);
  const bodyRef =
    original.bodyRef === undefined
      ? undefined
      : await copyBody(context, original.id, original.bodyRef, target, replayId);
  const replay = replayRecord(original, target, replayId, at, bodyRef);
  const requestKey = await deps.store.putRequest(replay);
  try {
    const envelope = signEnvelope(toEnvelope(replay, requestKey), await deps.envelopeKeys());
    await deps.queue.send(target.queueUrl, serializeEnvelope(envelope));
  } catch (error: unknown) {
    throw new ReplayEnqueueError(replay.id, original.id, error, await discard(context, replay.id));
  }
  // False when the handler took the message before this write: it is past `queued` already.
  await deps.store.putQueued(replay, requestKey);
  try {
    await deps.store.addReplay(original.id, replay.id);
  } catch (error: unknown) {
    // The original expired meanwhile; the replay still names it in `replayOf`.
    if (!(error instanceof EventNotFoundError)) throw error;
  }
  (deps.metrics ?? silentMetrics).publish([count(OPERATION_METRICS.replayed, { route: target.route.path })]);
  return { id: replay.id, replayOf: original.id, status: 'queued' };
}

/**
 * Deletes the request data of a replay whose send failed, so nothing is left that nothing would
 * queue; false when that fails too (it then stays until it expires).
 */
async function discard(context: ReplayContext, replayId: string): Promise<boolean> {
  try {
    return await context.deps.store.discardUnqueued(replayId);
  } catch {
    return false;
  }
}

/**
 * The replay's own copy of the original's stored body, under the replay's id. A copy whose
 * record then cannot be written is referenced by nothing and expires with the route's retention.
 */
async function copyBody(
  context: ReplayContext,
  originalId: string,
  source: BodyReference,
  target: ReplayTarget,
  id: string,
): Promise<BodyReference> {
  const { bodyStore } = context.deps;
  const location = `${source.store}:${source.bucket}/${source.key}`;
  if (bodyStore === undefined) {
    throw new ReplayBodyUnavailableError(
      originalId,
      'body_store_not_configured',
      `its body is kept in the body store (${location}) and this replayer has no body store to copy it with`,
    );
  }
  try {
    return await bodyStore.copy(source, { route: target.route.path, eventId: id });
  } catch (error: unknown) {
    if (isBodyStoreError(error, 'body_missing')) {
      throw new ReplayBodyUnavailableError(
        originalId,
        'body_missing',
        `its body is no longer in the body store (${error.message})`,
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * The replay of `original`: its request and verdict under a new id and time, linked by `replayOf`;
 * a stored body by `bodyRef`, the replay's own copy.
 */
function replayRecord(
  original: EventRecord,
  target: ReplayTarget,
  id: string,
  at: Date,
  bodyRef: BodyReference | undefined,
): NewEventRecord {
  return {
    id,
    route: target.route.path,
    queueName: target.route.queueName,
    receivedAt: at.toISOString(),
    method: original.method,
    path: original.path,
    ...(original.query !== undefined && { query: original.query }),
    headers: original.headers,
    ...(original.contentType !== undefined && { contentType: original.contentType }),
    ...(original.body !== undefined && { body: original.body }),
    ...(original.bodyBase64 !== undefined && { bodyBase64: original.bodyBase64 }),
    ...(bodyRef !== undefined && { bodyRef }),
    ...(original.sourceIp !== undefined && { sourceIp: original.sourceIp }),
    verification: original.verification,
    replayOf: original.id,
    expiresAt: Math.floor(at.getTime() / 1000) + target.route.retentionDays * 86_400,
  };
}
