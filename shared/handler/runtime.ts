/**
 * The handler runtime (docs/architecture.md, "Data path"): runs a batch of SQS records through a
 * handler definition with an idempotency lock per event, retries with backoff, and the DLQ. The same
 * code serves the Lambda event source mapping, the local pollers and `hookline worker`; it never
 * deletes messages (the caller deletes every message not listed in `batchItemFailures`) and never
 * throws.
 *
 * Records run concurrently (`recordConcurrency` at a time), taken in batch order; a second message of
 * an event id already taken in the same batch is skipped (deleted) without running the user's code.
 * Each record goes: read the envelope → check its signature (`trust.ts`) → checks → lock → run the
 * handler → settle (`settle.ts`).
 */
import { performance } from 'node:perf_hooks';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { BodyStore } from '../body-store/body-store.js';
import type { ResolvedRoute } from '../config/types.js';
import { type Envelope, EnvelopeError, parseEnvelope } from '../envelope.js';
import { RouteMismatchError } from '../event-store/errors.js';
import type { EventStore } from '../event-store/event-store.js';
import type { LockResult } from '../event-store/lock.js';
import { correlationId, type Log } from '../logger.js';
import { type Metrics, type MetricValue, silentMetrics } from '../metrics/metrics.js';
import type { EnvelopeKeys } from '../secrets/envelope-keys.js';
import { lockableEvent, newLockOwner } from './attempt-lock.js';
import { withLogKeys } from './log.js';
import { attemptMetrics, deadLetteredWithoutAttempt, duplicateSkipped, sentAtMs } from './metrics.js';
import { type HandlerResult, runHandler } from './run-handler.js';
import {
  deadLetterExhausted,
  deadLetterUnowned,
  deadLetterUnreadable,
  errorLogFields,
  isPastLastAttempt,
  lockedElsewhere,
  type MessageScope,
  settleAttempt,
} from './settle.js';
import { fromRecord, signatureProblem } from './trust.js';
import type { HandlerDefinition } from './types.js';

export interface RuntimeDependencies {
  /** The route whose queue the records come from. */
  readonly route: ResolvedRoute;
  readonly store: Pick<EventStore, 'acquireLock' | 'settle' | 'getEvent'> &
    Partial<Pick<EventStore, 'checkLayout'>>;
  /** The stack's envelope keys: a record whose envelope none of them signed never runs. */
  readonly envelopeKeys: EnvelopeKeys;
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
  /** Where each batch's metrics go, once it is processed (`./metrics.ts`). @default silentMetrics */
  readonly metrics?: Metrics;
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
  /**
   * Called with how each handler attempt of the batch ended, once the attempt is settled (recorded,
   * the message steered): a consumer's circuit breaker counts them. Not called for messages that
   * ran no attempt, nor for an attempt whose settle failed. A throwing observer is ignored.
   */
  readonly onAttempt?: (outcome: HandlerResult['kind']) => void;
}

interface BatchScope<TPayload> {
  readonly definition: HandlerDefinition<TPayload>;
  readonly deps: RuntimeDependencies;
  readonly now: () => Date;
  readonly deadlineMs: number;
  readonly lambdaContext: Context | undefined;
  /** Event ids already seen in this batch. */
  readonly seen: Set<string>;
  /** The envelope keys, read once per batch. */
  readonly keys: readonly string[];
  /** The batch's metrics, published once it is processed. */
  readonly metrics: MetricValue[];
  readonly onAttempt: ((outcome: HandlerResult['kind']) => void) | undefined;
}

type AcquiredLock = Extract<LockResult, { acquired: true }>;

/** The lock this attempt holds, under the owner it took it as. */
interface HeldLock {
  readonly owner: string;
  readonly lock: AcquiredLock;
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
  const keys = (await tableLayoutChecked(deps)) ? await envelopeKeysOrNone(deps) : undefined;
  if (keys === undefined)
    return { batchItemFailures: records.map(({ messageId }) => ({ itemIdentifier: messageId })) };
  const scope: BatchScope<TPayload> = {
    definition,
    deps,
    now,
    deadlineMs: invocation.deadlineMs ?? defaultDeadline(invocation.lambdaContext, deps.route, now),
    lambdaContext: invocation.lambdaContext,
    seen: new Set(),
    keys,
    metrics: [],
    onAttempt: invocation.onAttempt,
  };
  const failed = new Set<string>();
  const concurrency = definition.options.recordConcurrency ?? DEFAULT_RECORD_CONCURRENCY;
  await runInOrder(records, concurrency, async (record) => {
    if (!(await processRecordSafely(record, scope))) failed.add(record.messageId);
  });
  (deps.metrics ?? silentMetrics).publish(scope.metrics);
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
}

/**
 * Whether the event table has this runtime's layout (read once per process): false (logged) when it
 * has another, or cannot be read: the whole batch is left for redelivery, nothing is written.
 */
async function tableLayoutChecked(deps: RuntimeDependencies): Promise<boolean> {
  try {
    await deps.store.checkLayout?.();
    return true;
  } catch (error: unknown) {
    deps.log.error('event table refused; batch left for redelivery', {
      route: deps.route.path,
      ...errorLogFields(error),
    });
    return false;
  }
}

/** The envelope keys; undefined (logged) when they cannot be read: the whole batch is left for redelivery. */
async function envelopeKeysOrNone(deps: RuntimeDependencies): Promise<readonly string[] | undefined> {
  try {
    return await deps.envelopeKeys();
  } catch (error: unknown) {
    deps.log.error('envelope keys unavailable; batch left for redelivery', {
      route: deps.route.path,
      ...errorLogFields(error),
    });
    return undefined;
  }
}

/**
 * Runs `task` on every item with at most `concurrency` at once, items taken in order. Workers take
 * records in order; each claims its record's event id synchronously (the `seen` check runs before
 * processRecord's first await), so duplicates in a batch stay deduplicated.
 */
async function runInOrder<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  const queue = [...items];
  const workers = Math.max(1, Math.min(concurrency, queue.length));
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) await task(next);
    }),
  );
}

/** The log of one record: keyed by its message, then (once its envelope is trusted) by its event. */
interface RecordLog {
  log: Log;
}

/** `processRecord`, with anything it throws logged and the message left for redelivery. */
async function processRecordSafely<TPayload>(
  record: SQSRecord,
  scope: BatchScope<TPayload>,
): Promise<boolean> {
  const keyed: RecordLog = {
    log: withLogKeys(scope.deps.log, { route: scope.deps.route.path, messageId: record.messageId }),
  };
  try {
    return await processRecord(record, scope, keyed);
  } catch (error: unknown) {
    keyed.log.error('record failed; left for redelivery', errorLogFields(error));
    return false;
  }
}

/**
 * The keys of every line about a trusted envelope's event (docs/architecture.md, "Tracing"):
 * `eventId`, `route`, `traceId` (the X-Ray trace id of the record's `AWSTraceHeader` when the route
 * traces, else the event id) and the SQS `messageId`.
 */
export function eventLogKeys(record: SQSRecord, id: string, route: ResolvedRoute): Record<string, string> {
  return {
    eventId: id,
    route: route.path,
    traceId: correlationId(route.tracing, record.attributes?.AWSTraceHeader, id),
    messageId: record.messageId,
  };
}

/** True when the message is done with (SQS may delete it); false to have SQS deliver it again. */
async function processRecord<TPayload>(
  record: SQSRecord,
  scope: BatchScope<TPayload>,
  keyed: RecordLog,
): Promise<boolean> {
  const { deps } = scope;
  const route = deps.route.path;
  const deadLettered = (done: boolean): boolean => {
    scope.metrics.push(deadLetteredWithoutAttempt(deps.route));
    return done;
  };
  const read = readEnvelope(record);
  if (read instanceof EnvelopeError) return deadLettered(await deadLetterUnreadable(record, deps, read));
  const untrusted = signatureProblem(read, scope.keys);
  if (untrusted !== undefined) return deadLettered(await deadLetterUnreadable(record, deps, untrusted));

  const log = withLogKeys(deps.log, eventLogKeys(record, read.id, deps.route));
  keyed.log = log;
  const message: MessageScope = { record, deps, now: scope.now, log };
  // Synchronous up to here: see runInOrder.
  if (!claimInBatch(read.id, scope, log)) return true;
  if (read.route !== route) {
    return deadLettered(
      await deadLetterUnowned(message, 'route_mismatch', `event route ${read.route} is not ${route}`),
    );
  }
  const envelope = read.v === 1 ? await fromRecord(read, deps.store) : read;
  if (envelope instanceof EnvelopeError)
    return deadLettered(await deadLetterUnreadable(record, deps, envelope));
  if (scope.now().getTime() >= scope.deadlineMs) {
    log.warn('no time left in the invocation; left for redelivery');
    return false;
  }
  const held = await takeLock(envelope, scope, message);
  if (typeof held === 'boolean') return held;
  return runAttempt(envelope, scope, message, held);
}

/** The record's envelope, or the EnvelopeError that makes it unreadable; any other error is thrown. */
function readEnvelope(record: SQSRecord): Envelope | EnvelopeError {
  try {
    return parseEnvelope(record.body);
  } catch (error: unknown) {
    if (error instanceof EnvelopeError) return error;
    throw error;
  }
}

/** Claims the event id for this batch; false (and a log line) when another record claimed it. */
function claimInBatch<TPayload>(id: string, scope: BatchScope<TPayload>, log: Log): boolean {
  if (scope.seen.has(id)) {
    log.info('duplicate in batch skipped');
    scope.metrics.push(duplicateSkipped(scope.deps.route));
    return false;
  }
  scope.seen.add(id);
  return true;
}

/**
 * Takes the event's lock until the deadline. Returns the held lock, or whether the message is done
 * with when no attempt can run (route mismatch, no record, settled already, locked elsewhere).
 */
async function takeLock<TPayload>(
  envelope: Envelope,
  scope: BatchScope<TPayload>,
  message: MessageScope,
): Promise<HeldLock | boolean> {
  const { deps } = scope;
  const { id } = envelope;
  const owner = newLockOwner(message.record.messageId);
  let lock: LockResult;
  try {
    lock = await deps.store.acquireLock({
      id,
      route: deps.route.path,
      owner,
      expiresAt: new Date(scope.deadlineMs),
      event: lockableEvent(envelope, deps.route),
    });
  } catch (error: unknown) {
    if (!(error instanceof RouteMismatchError)) throw error;
    const done = await deadLetterUnowned(message, 'route_mismatch', error.message);
    scope.metrics.push(deadLetteredWithoutAttempt(deps.route));
    return done;
  }
  if (lock.acquired) return { owner, lock };
  if (lock.reason === 'missing') {
    const done = await deadLetterUnowned(message, 'event_not_found', `event ${id} has no record`);
    scope.metrics.push(deadLetteredWithoutAttempt(deps.route));
    return done;
  }
  if (lock.reason === 'done') {
    message.log.info('event already settled; copy dropped', { status: lock.record.status });
    scope.metrics.push(duplicateSkipped(deps.route));
    return true;
  }
  return lockedElsewhere(message, lock.record.lockOwner, lock.record.lockExpiresAt);
}

/** Runs the handler under the held lock, then settles the attempt. */
async function runAttempt<TPayload>(
  envelope: Envelope,
  scope: BatchScope<TPayload>,
  message: MessageScope,
  { owner, lock }: HeldLock,
): Promise<boolean> {
  const { log, record } = message;
  // A lapsed attempt the lock took over is in the history already.
  const attempt = (lock.record.attempts ?? []).length + 1;
  const receiveCount = receiveCountOf(record);
  if (isPastLastAttempt(receiveCount, message.deps.route)) {
    const done = await deadLetterExhausted(message, owner, envelope);
    scope.metrics.push(deadLetteredWithoutAttempt(scope.deps.route));
    return done;
  }
  // A first attempt's start is in the history and in its settle line: at INFO only when it is news
  // (a retry, or a lapsed lock taken over), which keeps a delivered event to one line.
  const retried = attempt > 1 || lock.lapsed !== undefined;
  (retried ? log.info : log.debug).call(log, 'event state', {
    status: 'processing',
    attempt,
    receiveCount,
    ...(lock.lapsed !== undefined && { lapsedLockExpiredAt: lock.lapsed.expiredAt }),
  });

  const startedAtMs = scope.now().getTime();
  const startedAt = new Date(startedAtMs).toISOString();
  const started = performance.now();
  let eventType: string | undefined;
  const result = await runHandler(envelope, attempt, scope, log, (type) => {
    eventType = type;
  });
  const base = {
    attempt,
    startedAt,
    durationMs: Math.round(performance.now() - started),
    ...(lock.previousStatus === 'dead_lettered' && { redriven: true }),
  };
  try {
    const done = await settleAttempt(message, { owner, base, result, receiveCount, envelope });
    scope.metrics.push(
      ...attemptMetrics({
        route: scope.deps.route,
        eventType,
        result: result.kind,
        done,
        attempt,
        durationMs: base.durationMs,
        startedAtMs,
        settledAtMs: scope.now().getTime(),
        receivedAt: envelope.receivedAt,
        sentAtMs: sentAtMs(record.attributes),
      }),
    );
    observeAttempt(scope, result.kind);
    return done;
  } catch (error: unknown) {
    // The lock stays until the deadline; the redelivered message then records this attempt as lapsed.
    log.error('settle failed; left for redelivery', { attempt, ...errorLogFields(error) });
    return false;
  }
}

function observeAttempt<TPayload>(scope: BatchScope<TPayload>, outcome: HandlerResult['kind']): void {
  try {
    scope.onAttempt?.(outcome);
  } catch {
    // An observer never changes how a message is settled.
  }
}

function receiveCountOf(record: SQSRecord): number {
  const count = Number(record.attributes?.ApproximateReceiveCount);
  return Number.isFinite(count) && count >= 1 ? count : 1;
}

function defaultDeadline(lambdaContext: Context | undefined, route: ResolvedRoute, now: () => Date): number {
  const remainingMs = lambdaContext?.getRemainingTimeInMillis() ?? route.timeoutSeconds * 1000;
  return now().getTime() + remainingMs;
}
