import { serializeEnvelope, toEnvelope } from '../../envelope.js';
import { signEnvelope } from '../../envelope-signature.js';
import { describeError } from '../../errors.js';
import { HttpError } from '../../http/errors.js';
import type { Log } from '../../logger.js';
import type { EnvelopeKeys } from '../../secrets/envelope-keys.js';
import type { Recorded, Routed } from '../context.js';
import type { IngressErrorCode } from '../http.js';
import type { Step } from '../pipeline.js';

export interface EnqueueDependencies {
  /** The ingress's `QueueSender`. */
  readonly queue: { send(queueUrl: string, body: string): Promise<void> };
  readonly envelopeKeys: EnvelopeKeys;
  readonly log: Log;
}

/**
 * Step `enqueue`: the event's envelope, signed, onto the route's queue; 503 `queue_unavailable` when
 * the key cannot be read or the send fails (the provider's retry finishes the event).
 */
export function enqueue(deps: EnqueueDependencies): Step<Routed & Recorded> {
  return async ({ target, record, requestKey }) => {
    const envelope = toEnvelope(record, requestKey);
    try {
      const signed = signEnvelope(envelope, await deps.envelopeKeys());
      await deps.queue.send(target.queueUrl, serializeEnvelope(signed));
      return undefined;
    } catch (error: unknown) {
      deps.log.error('enqueue failed', {
        eventId: envelope.id,
        route: envelope.route,
        error: describeError(error),
      });
      throw new HttpError<IngressErrorCode>(
        503,
        'queue_unavailable',
        'the event could not be queued; retry later',
      );
    }
  };
}
