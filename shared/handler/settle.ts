/**
 * How the handler runtime finishes with one message: records the attempt and releases the lock
 * (`settleAttempt`), sends a message straight to the DLQ, or hides it for a while (`steer`).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { SQS_MAX_VISIBILITY_TIMEOUT_SECONDS } from '../aws-limits.js';
import type { ResolvedRoute } from '../config/types.js';
import type { Envelope, EnvelopeError } from '../envelope.js';
import { EventStoreError } from '../event-store/errors.js';
import type { EventStore } from '../event-store/event-store.js';
import type { SettledStatus, SettleInput } from '../event-store/lock.js';
import type { AttemptRecord } from '../event-store/types.js';
import type { Log } from '../logger.js';
import { isOwnMessage } from './attempt-lock.js';
import { backoffSeconds } from './backoff.js';
import { changeVisibility, sendToDeadLetterQueue } from './queue.js';
import type { HandlerResult } from './run-handler.js';

/** Longest error message written to logs (the store truncates history entries to 1 KiB). */
const LOG_ERROR_CHARS = 1024;
/**
 * Settle writes made before the attempt is left to lapse, each with the SDK's own retries: an
 * attempt whose success goes unrecorded runs the user's code again on the next delivery.
 */
const SETTLE_TRIES = 4;
/** Pause before the second settle write, doubled before each later one. */
const SETTLE_RETRY_PAUSE_MS = 50;
/** The DLQ reason of an event whose attempts are used up. */
const ATTEMPTS_EXHAUSTED = 'attempts_exhausted';

/** What settling needs of the runtime's dependencies (a subset of `RuntimeDependencies`). */
export interface SettleDependencies {
  readonly route: ResolvedRoute;
  readonly store: Pick<EventStore, 'settle'>;
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  readonly random?: () => number;
}

/** One message being handled: its record, the runtime's dependencies and clock, its keyed log. */
export interface MessageScope {
  readonly record: SQSRecord;
  readonly deps: SettleDependencies;
  readonly now: () => Date;
  readonly log: Log;
}

export interface Settlement {
  readonly owner: string;
  readonly base: Pick<AttemptRecord, 'attempt' | 'startedAt' | 'durationMs'>;
  readonly result: HandlerResult;
  readonly receiveCount: number;
  readonly envelope: Envelope;
}

/** Records the attempt, releases the lock and steers the message. */
export async function settleAttempt(message: MessageScope, settlement: Settlement): Promise<boolean> {
  const { deps, record } = message;
  const { base, result, receiveCount } = settlement;
  switch (result.kind) {
    case 'delivered':
    case 'ignored':
      await writeSettlement(message, settlement, result.kind, { ...base, outcome: result.kind });
      return true;
    case 'permanent': {
      // DLQ first: if the record write then fails, a redelivery finds the event still open.
      await sendToDeadLetterQueue(deps.sqs, deps.dlqUrl, record, {
        reason: result.error.code,
        message: result.error.message,
      });
      await writeSettlement(message, settlement, 'dead_lettered', {
        ...base,
        outcome: 'permanent_failure',
        ...errorFields(result.error),
      });
      return true;
    }
    case 'failed': {
      const failure = { ...base, outcome: 'failed' as const, ...errorFields(result.error) };
      if (isLastAttempt(receiveCount, deps.route)) {
        // As for a permanent failure: DLQ first, so a failed record write leaves the event open.
        await sendToDeadLetterQueue(deps.sqs, deps.dlqUrl, record, {
          reason: ATTEMPTS_EXHAUSTED,
          message: `attempt ${base.attempt} of ${deps.route.retry.maxAttempts} failed: ${failure.errorMessage}`,
        });
        await writeSettlement(message, settlement, 'dead_lettered', failure);
        return true;
      }
      const delay = backoffSeconds(receiveCount, deps.route.retry, deps.random);
      const nextVisibleAt = new Date(message.now().getTime() + delay * 1000).toISOString();
      await writeSettlement(message, settlement, 'retrying', { ...failure, nextVisibleAt });
      await steer(message, delay);
      return false;
    }
  }
}

/**
 * The receive is the route's last attempt (`retry.maxAttempts`, counted by SQS's receive count, which
 * a DLQ redrive starts again). Receives spent on copies deferred while another attempt held the lock
 * count too.
 */
function isLastAttempt(receiveCount: number, route: ResolvedRoute): boolean {
  return receiveCount >= route.retry.maxAttempts;
}

/** The spare receive (`SPARE_RECEIVES`): the last attempt's receive came and went without a settle. */
export function isPastLastAttempt(receiveCount: number, route: ResolvedRoute): boolean {
  return receiveCount > route.retry.maxAttempts;
}

/**
 * The event's attempts are used up before this one could start: the last one never settled (the
 * lock recorded it as lapsed) or never began. Without running the user's code, the message goes to
 * the DLQ and the event becomes `dead_lettered`, adding no attempt.
 */
export async function deadLetterExhausted(
  message: MessageScope,
  owner: string,
  envelope: Envelope,
): Promise<boolean> {
  const { deps, log } = message;
  const { maxAttempts } = deps.route.retry;
  await sendToDeadLetterQueue(deps.sqs, deps.dlqUrl, message.record, {
    reason: ATTEMPTS_EXHAUSTED,
    message: `the last of ${maxAttempts} attempts did not finish (timeout or crash)`,
  });
  await settleWithRetries(message, {
    id: envelope.id,
    route: deps.route.path,
    owner,
    to: 'dead_lettered',
    attempts: [],
  });
  log.info('event state', { status: 'dead_lettered', reason: ATTEMPTS_EXHAUSTED });
  return true;
}

/** The store's settle of this attempt, then its `event state` log line. */
async function writeSettlement(
  message: MessageScope,
  settlement: Settlement,
  to: SettledStatus,
  attempt: AttemptRecord,
): Promise<void> {
  const { deps, log } = message;
  await settleWithRetries(message, {
    id: settlement.envelope.id,
    route: deps.route.path,
    owner: settlement.owner,
    to,
    attempts: [attempt],
  });
  log.info('event state', {
    status: to,
    ...attempt,
    ...(attempt.errorMessage !== undefined && {
      errorMessage: attempt.errorMessage.slice(0, LOG_ERROR_CHARS),
    }),
    receiveCount: settlement.receiveCount,
  });
}

/**
 * The store's settle, tried again after a failure of DynamoDB itself (throttling, a 5xx, the
 * network) that outlasted the SDK's retries. The store's own refusals (the lock was lost, no such
 * event, another route) are final and thrown at once, as is the last failure.
 */
async function settleWithRetries(message: MessageScope, input: SettleInput): Promise<void> {
  for (let tries = 1; ; tries += 1) {
    try {
      await message.deps.store.settle(input);
      return;
    } catch (error: unknown) {
      if (error instanceof EventStoreError || tries >= SETTLE_TRIES) throw error;
      message.log.warn('settle write failed; trying again', { tries, ...errorLogFields(error) });
      await new Promise((wake) => setTimeout(wake, SETTLE_RETRY_PAUSE_MS * 2 ** (tries - 1)));
    }
  }
}

/** Changes the message's visibility; a failure only means SQS uses the queue's own timeout. */
export async function steer(message: MessageScope, seconds: number): Promise<void> {
  try {
    await changeVisibility(message.deps.sqs, message.deps.queueUrl, message.record, seconds);
  } catch (error: unknown) {
    message.log.warn('visibility change failed; the queue visibility timeout applies', {
      seconds,
      ...errorLogFields(error),
    });
  }
}

/**
 * Another attempt holds a live lock. A different message (a second copy of the event) is dropped:
 * the holder's own message carries any retry. The holder's own message seen again (SQS delivered
 * it twice) must not be deleted, or a crash of the holder would lose the event: it is hidden until
 * the lock lapses and reported failed.
 */
export async function lockedElsewhere(
  message: MessageScope,
  lockOwner: string | undefined,
  lockExpiresAt: string | undefined,
): Promise<boolean> {
  const { log } = message;
  if (!isOwnMessage(lockOwner, message.record.messageId)) {
    log.info('event locked by another consumer; copy dropped', { lockExpiresAt });
    return true;
  }
  const untilMs = Date.parse(lockExpiresAt ?? '') - message.now().getTime();
  const seconds = Number.isFinite(untilMs)
    ? Math.min(SQS_MAX_VISIBILITY_TIMEOUT_SECONDS, Math.max(0, Math.ceil(untilMs / 1000)))
    : 0;
  log.info('message seen again while its attempt holds the lock; deferred', { lockExpiresAt, seconds });
  await steer(message, seconds);
  return false;
}

/** A message whose event this route cannot record: straight to the DLQ with the reason. */
export async function deadLetterUnowned(
  message: MessageScope,
  reason: string,
  detail: string,
): Promise<boolean> {
  const { deps } = message;
  await sendToDeadLetterQueue(deps.sqs, deps.dlqUrl, message.record, { reason, message: detail });
  message.log.warn('message sent to the dlq', { reason, detail });
  return true;
}

/** A message with no readable envelope: unreadable forever, so it goes to the DLQ as it is. */
export async function deadLetterUnreadable(
  record: SQSRecord,
  deps: SettleDependencies & { readonly log: Log },
  error: EnvelopeError,
): Promise<boolean> {
  await sendToDeadLetterQueue(deps.sqs, deps.dlqUrl, record, {
    reason: error.code,
    message: error.message,
  });
  deps.log.warn('unreadable message sent to the dlq', {
    route: deps.route.path,
    messageId: record.messageId,
    reason: error.code,
    detail: error.message,
  });
  return true;
}

function errorFields(error: unknown): Pick<AttemptRecord, 'errorName' | 'errorMessage'> {
  if (error instanceof Error) return { errorName: error.name, errorMessage: error.message };
  return { errorName: 'NonErrorThrown', errorMessage: String(error) };
}

export function errorLogFields(error: unknown): Record<string, string> {
  const { errorName = 'Error', errorMessage = '' } = errorFields(error);
  return { errorName, errorMessage: errorMessage.slice(0, LOG_ERROR_CHARS) };
}
