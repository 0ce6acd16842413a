/**
 * The handler runtime's side of the event store's idempotency lock: who owns it, and what the lock
 * needs from the message.
 */
import { randomUUID } from 'node:crypto';
import type { ResolvedRoute } from '../config/types.js';
import type { Envelope } from '../envelope.js';
import type { LockableEvent } from '../event-store/lock.js';

/** Separates the SQS message id from the attempt's nonce in a lock owner. */
const OWNER_SEPARATOR = '/';

/** A fresh lock owner for an attempt on the message `messageId`: the message id, then a nonce. */
export function newLockOwner(messageId: string): string {
  return `${messageId}${OWNER_SEPARATOR}${randomUUID()}`;
}

/** True when `lockOwner` was taken by an attempt on the message `messageId` (SQS delivered it twice). */
export function isOwnMessage(lockOwner: string | undefined, messageId: string): boolean {
  return lockOwner?.startsWith(`${messageId}${OWNER_SEPARATOR}`) === true;
}

/** The event's state fields as its message carries them, for a lock that must create its state. */
export function lockableEvent(envelope: Envelope, route: ResolvedRoute): LockableEvent {
  return {
    queueName: route.queueName,
    receivedAt: envelope.receivedAt,
    method: envelope.method,
    path: envelope.path,
    verification: envelope.verification,
    ...(envelope.sourceIp !== undefined && { sourceIp: envelope.sourceIp }),
    ...(envelope.replayOf !== undefined && { replayOf: envelope.replayOf }),
    // Older envelopes name none: the store looks where an event without a dedupe key keeps it.
    ...(envelope.v === 3 && envelope.requestKey !== undefined && { requestKey: envelope.requestKey }),
  };
}
