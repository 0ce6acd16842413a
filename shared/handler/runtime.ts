/**
 * The handler runtime (docs/architecture.md, "Data path"): runs a batch of SQS records through a
 * handler definition with an idempotency lock per event, retries with backoff, and the DLQ. The same
 * code serves the Lambda event source mapping, the local pollers and `hookline worker`; it never
 * deletes messages (the caller deletes every message not listed in `batchItemFailures`) and never
 * throws.
 *
 * Records run concurrently (`recordConcurrency` at a time), taken in batch order; a second message of
 * an event id already taken in the same batch is skipped (deleted) without running the user's code.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { SQS_MAX_VISIBILITY_TIMEOUT_SECONDS } from '../aws-limits.js';
import type { BodyStore } from '../body-store/body-store.js';
import type { ResolvedRoute } from '../config/types.js';
import { type Envelope, EnvelopeError, parseEnvelope } from '../envelope.js';
import { RouteMismatchError } from '../event-store/errors.js';
import type { EventStore } from '../event-store/event-store.js';
import type { LapsedLock, LockableEvent, LockResult, SettledStatus } from '../event-store/lock.js';
import type { AttemptRecord } from '../event-store/types.js';
import type { Log } from '../logger.js';
import { backoffSeconds } from './backoff.js';
import { isPermanentError, type PermanentError } from './errors.js';
import { buildEvent, readEventBody } from './event.js';
import { withLogKeys } from './log.js';
import { changeVisibility, sendToDeadLetterQueue } from './queue.js';
import { validatePayload } from './schema.js';
import { type HandlerContext, type HandlerDefinition, type HooklineEvent, IGNORED } from './types.js';

export interface RuntimeDependencies {
  /** The route whose queue the records come from. */
  readonly route: ResolvedRoute;
  readonly store: Pick<EventStore, 'acquireLock' | 'settle'>;
  readonly sqs: Pick<SQSClient, 'send'>;
  /** The route's queue (visibility changes). */
  readonly queueUrl: string;
  /** The route's DLQ (permanent failures and unreadable messages are sent there directly). */
  readonly dlqUrl: string;
  /**
   * Where bodies too large to travel inline are read from. Without it an event whose envelope
   * carries a `bodyRef` fails permanently (`body_unavailable`).
   */
  readonly bodyStore?: Pick<BodyStore, 'get'>;
  readonly log: Log;
  /** @default () => new Date() */
  readonly now?: () => Date;
  /** Jitter source in [0, 1). @default Math.random */
  readonly random?: () => number;
}

export interface InvocationOptions {
  /** The Lambda context: its remaining time sets the deadline. */
  readonly lambdaContext?: Context;
  /**
   * When the invocation must be done, in epoch milliseconds on the runtime's clock (`deps.now`);
   * locks taken in this batch lapse then.
   * @default now + the Lambda context's remaining time, else now + route.timeoutSeconds
   */
  readonly deadlineMs?: number;
}

/** Separates the SQS message id from the attempt's nonce in a lock owner. */
const OWNER_SEPARATOR = '/';
/** Longest error message written to logs (the store truncates history entries to 1 KiB). */
const LOG_ERROR_CHARS = 1024;

type HandlerResult =
  | { readonly kind: 'delivered' | 'ignored' }
  | { readonly kind: 'permanent'; readonly error: PermanentError }
  | { readonly kind: 'failed'; readonly error: unknown };

interface BatchScope<TPayload> {
  readonly definition: HandlerDefinition<TPayload>;
  readonly deps: RuntimeDependencies;
  readonly now: () => Date;
  readonly deadlineMs: number;
  readonly lambdaContext: Context | undefined;
  /** Event ids already seen in this batch. */
  readonly seen: Set<string>;
}

const DEFAULT_RECORD_CONCURRENCY = 10;

/**
 * Processes `records` (up to `options.recordConcurrency` at once) and returns the partial batch
 * response: only the messages to be retried by SQS are listed (the caller deletes the others).
 */
export async function processBatch<TPayload>(
  records: readonly SQSRecord[],
  definition: HandlerDefinition<TPayload>,
  deps: RuntimeDependencies,
  invocation: InvocationOptions = {},
): Promise<SQSBatchResponse> {
  const now = deps.now ?? (() => new Date());
  const scope: BatchScope<TPayload> = {
    definition,
    deps,
    now,
    deadlineMs: invocation.deadlineMs ?? defaultDeadline(invocation.lambdaContext, deps.route, now),
    lambdaContext: invocation.lambdaContext,
    seen: new Set(),
  };
  const failed = new Set<string>();
  const runRecord = async (record: SQSRecord) => {
    let ok: boolean;
    try {
      ok = await processRecord(record, scope);
    } catch (error: unknown) {
      deps.log.error('record failed; left for redelivery', {
        route: deps.route.path,
        messageId: record.messageId,
        ...errorLogFields(error),
      });
      ok = false;
    }
    if (!ok) failed.add(record.messageId);
  };
  // Workers take records in order; each claims its record's event id synchronously (the `seen`
  // check runs before processRecord's first await), so duplicates in a batch stay deduplicated.
  const queue = [...records];
  const workers = Math.max(
    1,
    Math.min(definition.options.recordConcurrency ?? DEFAULT_RECORD_CONCURRENCY, queue.length),
  );
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await runRecord(next);
    }),
  );
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
}

/** True when the message is done with (SQS may delete it); false to have SQS deliver it again. */
async function processRecord<TPayload>(record: SQSRecord, scope: BatchScope<TPayload>): Promise<boolean> {
  const { deps } = scope;
  const route = deps.route.path;
  let envelope: Envelope;
  try {
    envelope = parseEnvelope(record.body);
  } catch (error: unknown) {
    if (!(error instanceof EnvelopeError)) throw error;
    // Unreadable forever: retrying cannot help, so it goes to the DLQ as it is.
    await sendToDeadLetterQueue(deps.sqs, deps.dlqUrl, record, {
      reason: error.code,
      message: error.message,
    });
    deps.log.warn('unreadable message sent to the dlq', {
      route,
      messageId: record.messageId,
      reason: error.code,
      detail: error.message,
    });
    return true;
  }

  const { id } = envelope;
  const log = withLogKeys(deps.log, { id, route, messageId: record.messageId });
  if (scope.seen.has(id)) {
    log.info('duplicate in batch skipped');
    return true;
  }
  scope.seen.add(id);
  if (envelope.route !== route) {
    return deadLetterUnowned(
      record,
      scope,
      log,
      'route_mismatch',
      `event route ${envelope.route} is not ${route}`,
    );
  }
  if (scope.now().getTime() >= scope.deadlineMs) {
    log.warn('no time left in the invocation; left for redelivery');
    return false;
  }

  const owner = `${record.messageId}${OWNER_SEPARATOR}${randomUUID()}`;
  let lock: LockResult;
  try {
    lock = await deps.store.acquireLock({
      id,
      route,
      owner,
      expiresAt: new Date(scope.deadlineMs),
      event: lockableEvent(envelope, deps.route),
    });
  } catch (error: unknown) {
    if (!(error instanceof RouteMismatchError)) throw error;
    return deadLetterUnowned(record, scope, log, 'route_mismatch', error.message);
  }
  if (!lock.acquired) {
    if (lock.reason === 'missing') {
      return deadLetterUnowned(record, scope, log, 'event_not_found', `event ${id} has no record`);
    }
    if (lock.reason === 'done') {
      log.info('event already settled; copy dropped', { status: lock.record.status });
      return true;
    }
    return lockedElsewhere(record, scope, log, lock.record.lockOwner, lock.record.lockExpiresAt);
  }

  const history = lock.record.attempts ?? [];
  const lapsed = lock.lapsed === undefined ? [] : [lapsedAttempt(history.length + 1, lock.lapsed)];
  const attempt = history.length + lapsed.length + 1;
  const receiveCount = receiveCountOf(record);
  log.info('event state', {
    status: 'processing',
    attempt,
    receiveCount,
    ...(lock.lapsed !== undefined && { lapsedLockExpiredAt: lock.lapsed.expiredAt }),
  });

  const startedAt = scope.now().toISOString();
  const started = performance.now();
  const result = await runHandler(envelope, attempt, scope, log);
  const base = {
    attempt,
    startedAt,
    durationMs: Math.round(performance.now() - started),
    ...(lock.previousStatus === 'dead_lettered' && { redriven: true }),
  };
  try {
    return await settle(record, scope, log, { owner, lapsed, base, result, receiveCount, envelope });
  } catch (error: unknown) {
    // The lock stays until the deadline; the redelivered message then records this attempt as lapsed.
    log.error('settle failed; left for redelivery', { attempt, ...errorLogFields(error) });
    return false;
  }
}

async function runHandler<TPayload>(
  envelope: Envelope,
  attempt: number,
  scope: BatchScope<TPayload>,
  log: Log,
): Promise<HandlerResult> {
  const { definition, deps, lambdaContext } = scope;
  try {
    const rawBody = await readEventBody(envelope, deps.bodyStore);
    const event = buildEvent({ envelope, attempt, expectJson: deps.route.expectJson, rawBody });
    const { schema } = definition.options;
    const payload = schema === undefined ? event.payload : await validatePayload(schema, event.payload);
    const context: HandlerContext = {
      log: withLogKeys(log, { attempt }),
      remainingTimeMs: () =>
        lambdaContext?.getRemainingTimeInMillis() ?? Math.max(0, scope.deadlineMs - scope.now().getTime()),
      ...(lambdaContext !== undefined && { lambdaContext }),
    };
    // Without a schema the payload type is the handler author's assertion.
    const returned = await definition.fn({ ...event, payload } as HooklineEvent<TPayload>, context);
    return { kind: returned === IGNORED ? 'ignored' : 'delivered' };
  } catch (error: unknown) {
    return isPermanentError(error) ? { kind: 'permanent', error } : { kind: 'failed', error };
  }
}

interface Settlement {
  readonly owner: string;
  readonly lapsed: readonly AttemptRecord[];
  readonly base: Pick<AttemptRecord, 'attempt' | 'startedAt' | 'durationMs'>;
  readonly result: HandlerResult;
  readonly receiveCount: number;
  readonly envelope: Envelope;
}

/** Records the attempt, releases the lock and steers the message. */
async function settle<TPayload>(
  record: SQSRecord,
  scope: BatchScope<TPayload>,
  log: Log,
  settlement: Settlement,
): Promise<boolean> {
  const { deps } = scope;
  const { owner, lapsed, base, result, receiveCount, envelope } = settlement;
  const write = async (to: SettledStatus, attempt: AttemptRecord) => {
    await deps.store.settle({
      id: envelope.id,
      route: deps.route.path,
      owner,
      to,
      attempts: [...lapsed, attempt],
    });
    log.info('event state', {
      status: to,
      ...attempt,
      ...(attempt.errorMessage !== undefined && {
        errorMessage: attempt.errorMessage.slice(0, LOG_ERROR_CHARS),
      }),
      receiveCount,
    });
  };

  switch (result.kind) {
    case 'delivered':
    case 'ignored':
      await write(result.kind, { ...base, outcome: result.kind });
      return true;
    case 'permanent': {
      // DLQ first: if the record write then fails, a redelivery finds the event still open.
      await sendToDeadLetterQueue(deps.sqs, deps.dlqUrl, record, {
        reason: result.error.code,
        message: result.error.message,
      });
      await write('dead_lettered', { ...base, outcome: 'permanent_failure', ...errorFields(result.error) });
      return true;
    }
    case 'failed': {
      const failure = { ...base, outcome: 'failed' as const, ...errorFields(result.error) };
      if (receiveCount >= deps.route.retry.maxAttempts) {
        // The last receive SQS allows: once visible again, SQS moves it to the DLQ.
        await write('dead_lettered', failure);
        await steer(record, scope, log, 0);
        return false;
      }
      const delay = backoffSeconds(receiveCount, deps.route.retry, deps.random);
      const nextVisibleAt = new Date(scope.now().getTime() + delay * 1000).toISOString();
      await write('retrying', { ...failure, nextVisibleAt });
      await steer(record, scope, log, delay);
      return false;
    }
  }
}

/** Changes the message's visibility; a failure only means SQS uses the queue's own timeout. */
async function steer<TPayload>(
  record: SQSRecord,
  scope: BatchScope<TPayload>,
  log: Log,
  seconds: number,
): Promise<void> {
  try {
    await changeVisibility(scope.deps.sqs, scope.deps.queueUrl, record, seconds);
  } catch (error: unknown) {
    log.warn('visibility change failed; the queue visibility timeout applies', {
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
async function lockedElsewhere<TPayload>(
  record: SQSRecord,
  scope: BatchScope<TPayload>,
  log: Log,
  lockOwner: string | undefined,
  lockExpiresAt: string | undefined,
): Promise<boolean> {
  if (lockOwner?.startsWith(`${record.messageId}${OWNER_SEPARATOR}`) !== true) {
    log.info('event locked by another consumer; copy dropped', { lockExpiresAt });
    return true;
  }
  const untilMs = Date.parse(lockExpiresAt ?? '') - scope.now().getTime();
  const seconds = Number.isFinite(untilMs)
    ? Math.min(SQS_MAX_VISIBILITY_TIMEOUT_SECONDS, Math.max(0, Math.ceil(untilMs / 1000)))
    : 0;
  log.info('message seen again while its attempt holds the lock; deferred', { lockExpiresAt, seconds });
  await steer(record, scope, log, seconds);
  return false;
}

/** A message whose event this route cannot record: straight to the DLQ with the reason. */
async function deadLetterUnowned<TPayload>(
  record: SQSRecord,
  scope: BatchScope<TPayload>,
  log: Log,
  reason: string,
  message: string,
): Promise<boolean> {
  await sendToDeadLetterQueue(scope.deps.sqs, scope.deps.dlqUrl, record, { reason, message });
  log.warn('message sent to the dlq', { reason, detail: message });
  return true;
}

/** The event's state fields as its message carries them, for a lock that must create its state. */
function lockableEvent(envelope: Envelope, route: ResolvedRoute): LockableEvent {
  return {
    queueName: route.queueName,
    receivedAt: envelope.receivedAt,
    method: envelope.method,
    path: envelope.path,
    verification: envelope.verification,
    ...(envelope.sourceIp !== undefined && { sourceIp: envelope.sourceIp }),
    ...(envelope.replayOf !== undefined && { replayOf: envelope.replayOf }),
  };
}

/** The history entry for an attempt that took the lock and never settled (timeout or crash). */
function lapsedAttempt(attempt: number, lapsed: LapsedLock): AttemptRecord {
  const durationMs = Math.max(0, Date.parse(lapsed.expiredAt) - Date.parse(lapsed.takenAt));
  return {
    attempt,
    startedAt: lapsed.takenAt,
    durationMs: Number.isFinite(durationMs) ? durationMs : 0,
    outcome: 'failed',
    errorName: 'LockExpiredError',
    errorMessage: `the attempt did not finish before its lock expired at ${lapsed.expiredAt} (timeout or crash)`,
  };
}

function receiveCountOf(record: SQSRecord): number {
  const count = Number(record.attributes?.ApproximateReceiveCount);
  return Number.isFinite(count) && count >= 1 ? count : 1;
}

function defaultDeadline(lambdaContext: Context | undefined, route: ResolvedRoute, now: () => Date): number {
  const remainingMs = lambdaContext?.getRemainingTimeInMillis() ?? route.timeoutSeconds * 1000;
  return now().getTime() + remainingMs;
}

function errorFields(error: unknown): Pick<AttemptRecord, 'errorName' | 'errorMessage'> {
  if (error instanceof Error) return { errorName: error.name, errorMessage: error.message };
  return { errorName: 'NonErrorThrown', errorMessage: String(error) };
}

function errorLogFields(error: unknown): Record<string, string> {
  const { errorName = 'Error', errorMessage = '' } = errorFields(error);
  return { errorName, errorMessage: errorMessage.slice(0, LOG_ERROR_CHARS) };
}
