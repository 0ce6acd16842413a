import type { BodyStore } from '../../body-store/body-store.js';
import type { BodyReference } from '../../envelope.js';
import { describeError } from '../../errors.js';
import type { EventStore } from '../../event-store/event-store.js';
import { HttpError } from '../../http/errors.js';
import type { Log } from '../../logger.js';
import { TABLE_PARTITIONS } from '../../resources.js';
import { duplicateAnswer } from '../answers.js';
import type { BodyPlan, Claimed, Identified, Received, Recorded, Routed, Verified } from '../context.js';
import type { IngressErrorCode } from '../http.js';
import type { Step } from '../pipeline.js';
import { requestRecord } from '../request-record.js';
import { storeCall } from '../store-call.js';

export interface RecordDependencies {
  readonly store: Pick<EventStore, 'putRequest' | 'rewriteRequest'>;
  readonly log: Log;
}

type RecordInput = Received & Routed & BodyPlan & Verified & Identified & Claimed;

/**
 * Step `record`: the request data, unless `dedupe` wrote it complete already; a large body goes to
 * the body store first, and its reference then joins the request data its claim wrote (or makes
 * the event's own request item, without a dedupe key). A resumed event's request data is rewritten
 * only while it has no state: one queued meanwhile by a concurrent delivery makes this one a
 * duplicate (200).
 */
export function record(deps: RecordDependencies): Step<RecordInput, Recorded> {
  const { store, log } = deps;
  return async (context) => {
    const { eventId: id, bodyStore, requestKey } = context;
    if (context.recorded !== undefined) return { record: context.recorded, requestKey };
    // After the dedupe claim, so a duplicate never uploads its body again; before the request
    // data points at it, so nothing ever points at a body that was not written.
    const bodyRef = bodyStore === undefined ? undefined : await storeBody(log, bodyStore, context);
    const late = requestRecord(context, context.dedupeKey, id, bodyRef);
    if (context.resuming) {
      // Only while the event has no state: a concurrent delivery may have queued it meanwhile.
      if (!(await storeCall(log, () => store.rewriteRequest(late, requestKey, { unlessQueued: true })))) {
        return duplicateAnswer(log, id, context.target.route.path, context.origin);
      }
    } else if (requestKey === TABLE_PARTITIONS.request(id)) {
      await storeCall(log, () => store.putRequest(late));
    } else {
      await storeCall(log, async () => {
        if (!(await store.rewriteRequest(late, requestKey, { unlessQueued: false }))) {
          throw new Error(`request item ${requestKey} no longer holds event ${id}`);
        }
      });
    }
    return { record: late, requestKey };
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
