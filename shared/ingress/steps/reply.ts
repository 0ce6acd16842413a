import type { EventStore } from '../../event-store/event-store.js';
import { jsonResponse } from '../../http/response.js';
import type { Log } from '../../logger.js';
import { statusUrl } from '../answers.js';
import type { Received, Recorded, Routed, Verified } from '../context.js';
import { answer, type Step } from '../pipeline.js';
import { storeCall } from '../store-call.js';

export interface ReplyDependencies {
  readonly store: Pick<EventStore, 'putQueued'>;
  readonly log: Log;
}

/** Step `reply`, the last: the event's state `queued`, then 202 with the event id and its `statusUrl`. */
export function reply(deps: ReplyDependencies): Step<Received & Routed & Verified & Recorded, never> {
  const { store, log } = deps;
  return async ({ origin, target, verdict, record, requestKey }) => {
    const { id } = record;
    // False when the handler took the message before this write, or a concurrent retry queued it:
    // either way this request's message is on the queue.
    await storeCall(log, () => store.putQueued(record, requestKey));
    // DEBUG: the event's history has its acceptance, and a line for each would double what the
    // ingress logs per event (CloudWatch Logs bills by the byte); its handler's settle is at INFO.
    log.debug('event queued', {
      eventId: id,
      route: target.route.path,
      status: 'queued',
      scheme: verdict.scheme,
    });
    return answer(jsonResponse(202, { id, status: 'queued', statusUrl: statusUrl(origin, id) }), 'queued');
  };
}
