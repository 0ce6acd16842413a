/**
 * Rebuilding the local stack's queues from its event table when it starts. The table is kept on
 * disk (DynamoDB Local with `-dbPath`); the SQS emulator keeps its messages in memory only, so a
 * stack that starts again has empty queues. The table says which messages they held:
 *
 * | status          | where its message was                             | restored to                                               |
 * | --------------- | ------------------------------------------------- | --------------------------------------------------------- |
 * | `queued`        | the route queue, waiting                          | the route queue, at once                                  |
 * | `retrying`      | the route queue, hidden for its backoff           | the route queue, hidden until `nextVisibleAt` (≤ 15 min)  |
 * | `processing`    | the route queue, in flight with a dead consumer   | the route queue, hidden until its lock lapses (≤ 15 min)  |
 * | `dead_lettered` | the DLQ (the runtime sends there before settling) | the DLQ, reason `restored`, to be redriven or left        |
 * | `delivered`, `ignored` | deleted                                    | nothing                                                   |
 * | no state yet    | maybe the queue; the ingress answered no 202      | nothing: the provider's retry resumes it                  |
 *
 * Each message is the envelope the ingress sent: built from the event's record and its
 * `requestKey` by `toEnvelope`, signed with the stack's envelope key (`signEnvelope`), serialized
 * (`serializeEnvelope`), exactly as `enqueue` and a replay do. The handler runtime's lock makes a
 * copy of an event that is already settled a no-op, so a re-sent message can never run a handler
 * twice; a `processing` event's copy is delayed until its lock lapses because a copy that finds a
 * live lock is dropped. Events whose retention has passed (`expiresAt`, which DynamoDB Local's TTL
 * never deletes) are left alone, as are events of routes no longer enabled (they have no queue).
 *
 * Finding them: `queued` and `processing` are not in the `byRouteStatus` index (the hot path writes
 * no index entry), so they can only be found by reading the route's state items; one listing of
 * every shard partition, oldest first, finds all four statuses in one pass.
 */
import {
  type MessageAttributeValue,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { AdminRouteTarget } from '../admin/admin-api.js';
import { serializeEnvelope, toEnvelope } from '../envelope.js';
import { signEnvelope } from '../envelope-signature.js';
import type { EventStore } from '../event-store/event-store.js';
import type { EventHistory } from '../event-store/history.js';
import type { EventState } from '../event-store/items.js';
import { deadLetterAttributes } from '../handler/queue.js';
import type { Log } from '../logger.js';
import type { EnvelopeKeys } from '../secrets/envelope-keys.js';

/** SQS's longest `DelaySeconds`. */
export const SQS_MAX_DELAY_SECONDS = 900;
/** The `hookline.reason` of a message put back in the DLQ. */
export const RESTORED_REASON = 'restored';
/** SendMessageBatch takes 10 entries. */
const SEND_BATCH = 10;
/** Events listed per page while restoring. */
const LISTING_PAGE = 1000;

/** Where an event's message goes back to, and how long it stays hidden there. */
export type Restoration =
  | { readonly to: 'queue'; readonly delaySeconds: number }
  | { readonly to: 'dlq' }
  | undefined;

/**
 * Where `state`'s message was when the stack stopped (see the module's table), `undefined` when it
 * had none or the event's retention is over.
 */
export function restorationOf(
  state: Pick<EventState, 'status' | 'attempts' | 'lockExpiresAt' | 'expiresAt'>,
  now: Date,
): Restoration {
  if (state.expiresAt * 1000 <= now.getTime()) return undefined;
  switch (state.status) {
    case 'queued':
      return { to: 'queue', delaySeconds: 0 };
    case 'retrying':
      return { to: 'queue', delaySeconds: secondsUntil(state.attempts.at(-1)?.nextVisibleAt, now) };
    case 'processing':
      // A copy that finds the lock live is dropped as a second consumer's: wait for it to lapse.
      return { to: 'queue', delaySeconds: secondsUntil(state.lockExpiresAt, now) };
    case 'dead_lettered':
      return { to: 'dlq' };
    default:
      return undefined;
  }
}

/** Whole seconds from `now` to `at` (rounded up), within 0 and SQS's longest delay; 0 without a time. */
function secondsUntil(at: string | undefined, now: Date): number {
  const ms = Date.parse(at ?? '') - now.getTime();
  if (!Number.isFinite(ms) || ms <= 0) return 0;
  return Math.min(SQS_MAX_DELAY_SECONDS, Math.ceil(ms / 1000));
}

export interface RestoreDependencies {
  readonly store: Pick<EventStore, 'getEventAndRequestKey'>;
  readonly history: Pick<EventHistory, 'listEvents'>;
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly envelopeKeys: EnvelopeKeys;
  readonly log: Log;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** What one route got back. */
export interface RouteRestored {
  readonly route: string;
  /** Messages put on the route queue (`queued`, `retrying`, `processing` events). */
  readonly queued: number;
  /** Messages put in the DLQ (`dead_lettered` events). */
  readonly deadLettered: number;
}

/**
 * Puts every in-flight event's message back on its route queue and every dead-lettered event's
 * back in its DLQ (see the module docs), route after route. Meant for empty queues: the local
 * stack calls it once, after creating them and before its pollers start.
 * @throws the SDK's errors, and an Error naming the entries SQS refused
 */
export async function restoreQueues(
  deps: RestoreDependencies,
  targets: readonly Pick<AdminRouteTarget, 'route' | 'queueUrl' | 'dlqUrl'>[],
): Promise<RouteRestored[]> {
  const restored: RouteRestored[] = [];
  for (const target of targets) restored.push(await restoreRoute(deps, target));
  return restored;
}

interface Pending {
  readonly state: EventState;
  readonly restoration: NonNullable<Restoration>;
}

async function restoreRoute(
  deps: RestoreDependencies,
  target: Pick<AdminRouteTarget, 'route' | 'queueUrl' | 'dlqUrl'>,
): Promise<RouteRestored> {
  const now = deps.now ?? (() => new Date());
  const route = target.route.path;
  const counts = { route, queued: 0, deadLettered: 0 };
  let cursor: string | undefined;
  do {
    const page = await deps.history.listEvents({
      route,
      order: 'oldest',
      limit: LISTING_PAGE,
      ...(cursor !== undefined && { cursor }),
    });
    const at = now();
    const pending: Pending[] = page.events.flatMap((state) => {
      const restoration = restorationOf(state, at);
      return restoration === undefined ? [] : [{ state, restoration }];
    });
    for (let start = 0; start < pending.length; start += SEND_BATCH) {
      const chunk = pending.slice(start, start + SEND_BATCH);
      const sent = await sendChunk(deps, target, chunk);
      counts.queued += sent.queued;
      counts.deadLettered += sent.deadLettered;
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  if (counts.queued + counts.deadLettered > 0) deps.log.info('queues restored', counts);
  return counts;
}

/** The chunk's envelopes, built and signed as the ingress does, in one batch per queue. */
async function sendChunk(
  deps: RestoreDependencies,
  target: Pick<AdminRouteTarget, 'queueUrl' | 'dlqUrl'>,
  chunk: readonly Pending[],
): Promise<{ queued: number; deadLettered: number }> {
  const keys = await deps.envelopeKeys();
  const toQueue: SendMessageBatchRequestEntry[] = [];
  const toDlq: SendMessageBatchRequestEntry[] = [];
  const found = await Promise.all(chunk.map(({ state }) => deps.store.getEventAndRequestKey(state.id)));
  chunk.forEach(({ state, restoration }, index) => {
    const event = found[index];
    if (event === undefined) {
      // Gone between the listing and the read (nothing else writes while the stack starts).
      deps.log.warn('event not restored: not found', { eventId: state.id });
      return;
    }
    const body = serializeEnvelope(signEnvelope(toEnvelope(event.record, event.requestKey), keys));
    const Id = String(index);
    if (restoration.to === 'queue') {
      toQueue.push({ Id, MessageBody: body, DelaySeconds: restoration.delaySeconds });
    } else {
      toDlq.push({ Id, MessageBody: body, MessageAttributes: dlqAttributes(state) });
    }
  });
  await Promise.all([
    sendBatch(deps.sqs, target.queueUrl, toQueue),
    sendBatch(deps.sqs, target.dlqUrl, toDlq),
  ]);
  return { queued: toQueue.length, deadLettered: toDlq.length };
}

/** What the DLQ listing shows for a message put back: the reason, and the last error known. */
function dlqAttributes(state: EventState): Record<string, MessageAttributeValue> {
  const last = state.attempts.findLast((attempt) => attempt.errorMessage !== undefined);
  const message =
    last === undefined
      ? 'put back in the DLQ when the local stack started again'
      : `put back in the DLQ when the local stack started again; last error: ${last.errorMessage}`;
  return deadLetterAttributes({ reason: RESTORED_REASON, message });
}

async function sendBatch(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
  entries: SendMessageBatchRequestEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  const { Failed = [] } = await sqs.send(
    new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
  );
  if (Failed.length > 0) {
    const first = Failed[0];
    throw new Error(
      `SQS refused ${Failed.length} of ${entries.length} restored messages for ${queueUrl} (${first?.Code}: ${first?.Message})`,
    );
  }
}
