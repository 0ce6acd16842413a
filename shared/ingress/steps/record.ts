import type { BodyStore } from '../../body-store/body-store.js';
import type { BodyReference } from '../../envelope.js';
import { describeError } from '../../errors.js';
import type { EventStore } from '../../event-store/event-store.js';
import { HttpError } from '../../http/errors.js';
import type { Log } from '../../logger.js';
import { duplicateAnswer } from '../answers.js';
import type { BodyPlan, Claimed, Identified, Received, Recorded, Routed, Verified } from '../context.js';
import type { IngressErrorCode } from '../http.js';
import type { Step } from '../pipeline.js';
import { requestRecord } from '../request-record.js';
import { storeCall } from '../store-call.js';

export interface RecordDependencies {
  readonly store: Pick<EventStore, 'putRequest' | 'resumeRequest'>;
  readonly log: Log;
}

type RecordInput = Received & Routed & BodyPlan & Verified & Identified & Claimed;

/**
 * Step `record`: the request data under the event's id, unless `dedupe` wrote it already; a large
 * body goes to the body store first. A resumed event is rewritten only while it has no state: one
 * queued meanwhile by a concurrent delivery makes this one a duplicate (200).
 */
export function record(deps: RecordDependencies): Step<RecordInput, Recorded> {
  const { store, log } = deps;
  return async (context) => {
    if (context.recorded !== undefined) return { record: context.recorded };
    const { eventId: id, bodyStore } = context;
    // After the dedupe claim, so a duplicate never uploads its body again; before the request
    // data, so nothing ever points at a body that was not written.
    const bodyRef = bodyStore === undefined ? undefined : await storeBody(log, bodyStore, context);
    const late = requestRecord(context, context.dedupeKey, id, bodyRef);
    if (context.resuming) {
      // Only while the event has no state: a concurrent delivery may have queued it meanwhile.
      if (!(await storeCall(log, () => store.resumeRequest(late)))) {
        return duplicateAnswer(log, id, context.target.route.path, context.origin);
      }
    } else {
      await storeCall(log, () => store.putRequest(late));
    }
    return { record: late };
  };
}

/** 503 `body_store_unavailable` when the body cannot be stored. */
async function storeBody(
  log: Log,
  store: Pick<BodyStore, 'put'>,
  context: Received & Routed & Claimed,
): Promise<BodyReference> {
  const { request, eventId: id } = context;
  const { route } = context.target;
  const contentType = request.headers['content-type'];
  try {
    const ref = await store.put({
      route: route.path,
      eventId: id,
      body: request.body,
      ...(contentType !== undefined && { contentType }),
    });
    log.info('body stored', { eventId: id, route: route.path, store: ref.store, size: ref.size });
    return ref;
  } catch (error: unknown) {
    log.error('body store failed', {
      eventId: id,
      route: route.path,
      size: request.body.length,
      error: describeError(error),
    });
    throw new HttpError<IngressErrorCode>(
      503,
      'body_store_unavailable',
      'the event body could not be stored; retry later',
    );
  }
}
