/**
 * A route's queue consumer outside Lambda, behaving like the SQS event source mapping: long polling,
 * up to 10 messages per receive, a batch of up to `route.batchSize` gathered within
 * `route.maxBatchingWindowSeconds`, records in Lambda's `SQSRecord` shape handed to the same
 * handler runtime (`processBatch`) the Lambda runs, then every message not reported in
 * `batchItemFailures` deleted. Visibility and redrive are left to SQS: the poller never changes a
 * message's visibility (the runtime does, for backoff).
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { SQS_MAX_MESSAGES_PER_RECEIVE, SQS_MAX_WAIT_SECONDS } from '../aws-limits.js';
import type { BodyStore } from '../body-store/body-store.js';
import type { ResolvedRoute } from '../config/types.js';
import type { EventStore } from '../event-store/event-store.js';
import { processBatch, type RuntimeDependencies } from '../handler/runtime.js';
import type { HandlerDefinition } from '../handler/types.js';
import type { Log } from '../logger.js';
import { toSqsRecord } from './sqs-records.js';

/** Pause between short polls while a batching window is still open and the queue is empty. */
const WINDOW_POLL_INTERVAL_MS = 100;
/** Backoff after a failing loop iteration (SQS unreachable, ...): doubles up to the cap. */
const ERROR_BACKOFF_INITIAL_MS = 500;
const ERROR_BACKOFF_MAX_MS = 20_000;
/** Slack added to the longest legitimate iteration before `isAlive()` reports a stuck loop. */
const LIVENESS_SLACK_MS = 10_000;

export interface PollerOptions {
  readonly route: ResolvedRoute;
  readonly definition: HandlerDefinition;
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  readonly store: EventStore;
  /** Where bodies kept outside the envelope (`bodyRef`) are read from; see `RuntimeDependencies`. */
  readonly bodyStore?: Pick<BodyStore, 'get'>;
  readonly log: Log;
  /** Long-poll wait of each receive while idle (0–20). @default 20 */
  readonly waitSeconds?: number;
  /**
   * Receive loops run side by side (Lambda runs up to the route's `maxConcurrency` batches at
   * once). @default 1
   */
  readonly concurrency?: number;
  /** Called after each batch the runtime processed (metrics, tests). */
  readonly onBatch?: (batch: BatchReport) => void;
  /** Passed to the runtime (tests). */
  readonly now?: () => Date;
  readonly random?: () => number;
}

export interface RunOnceOptions {
  /** Most messages to process. @default route.batchSize */
  readonly maxMessages?: number;
  /** Seconds to wait for the first message (0–20). @default 1 */
  readonly waitSeconds?: number;
}

export interface BatchReport {
  readonly route: string;
  /** Messages in the batch. */
  readonly size: number;
  /** Message ids reported in `batchItemFailures` (left on the queue). */
  readonly failedMessageIds: readonly string[];
  /** Milliseconds spent in the handler runtime. */
  readonly durationMs: number;
}

export interface PollerStats {
  /** Messages handed to the handler runtime. */
  readonly processed: number;
  /** Of those, reported in `batchItemFailures` (left on the queue to be retried by SQS). */
  readonly failed: number;
  /** Batches whose processing threw (every message left for SQS to redeliver). */
  readonly batchErrors: number;
}

export interface Poller {
  /**
   * Processes what is on the queue now, once (LeanMQ `process_messages`): waits up to
   * `waitSeconds` for a first message, then takes whatever else is visible, in batches of at most
   * `route.batchSize`, until `maxMessages` or the queue answers empty. No batching window.
   * Returns the number of messages processed.
   */
  runOnce(options?: RunOnceOptions): Promise<number>;
  /** Starts the receive loop(s) in the background. */
  start(): void;
  /** Stops polling (aborting an idle long poll) and resolves once in-flight batches are done. */
  stop(): Promise<void>;
  /** True while the loop runs and its last iteration is recent (a stuck handler makes it false). */
  isAlive(): boolean;
  stats(): PollerStats;
}

export function createPoller(options: PollerOptions): Poller {
  const { route, sqs, queueUrl, log } = options;
  const waitSeconds = clampWait(options.waitSeconds ?? SQS_MAX_WAIT_SECONDS);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const receiveSize = Math.min(route.batchSize, SQS_MAX_MESSAGES_PER_RECEIVE);
  const deps: RuntimeDependencies = {
    route,
    store: options.store,
    sqs,
    queueUrl,
    dlqUrl: options.dlqUrl,
    ...(options.bodyStore !== undefined && { bodyStore: options.bodyStore }),
    log,
    ...(options.now !== undefined && { now: options.now }),
    ...(options.random !== undefined && { random: options.random }),
  };
  /** Longest healthy iteration: an idle long poll, a batching window, a batch at its deadline. */
  const livenessMs =
    (waitSeconds + route.maxBatchingWindowSeconds + route.timeoutSeconds) * 1000 + LIVENESS_SLACK_MS;

  let queueArn: Promise<string> | undefined;
  let processed = 0;
  let failed = 0;
  let batchErrors = 0;
  let stopping = false;
  let controller = new AbortController();
  let loops: Promise<void>[] = [];
  /** Loops currently running (one that died unexpectedly makes the poller not alive). */
  let active = 0;
  const beats: number[] = [];

  const sourceArn = (): Promise<string> => {
    queueArn ??= readQueueArn(sqs, queueUrl).catch((error: unknown) => {
      queueArn = undefined;
      throw error;
    });
    return queueArn;
  };

  /** One ReceiveMessage; resolves [] when aborted by `stop()`. */
  const receive = async (max: number, wait: number, signal?: AbortSignal): Promise<Message[]> => {
    try {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(max, SQS_MAX_MESSAGES_PER_RECEIVE),
          WaitTimeSeconds: wait,
          AttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
        signal === undefined ? {} : { abortSignal: signal },
      );
      return Messages;
    } catch (error: unknown) {
      if (signal?.aborted) return [];
      throw error;
    }
  };

  /**
   * The event source mapping's batch: a long poll for the first messages, then more receives until
   * `batchSize` messages or the batching window (from the first message) has passed.
   */
  const gather = async (signal: AbortSignal): Promise<Message[]> => {
    const batch = await receive(receiveSize, waitSeconds, signal);
    if (batch.length === 0) return batch;
    const windowEnds = Date.now() + route.maxBatchingWindowSeconds * 1000;
    while (batch.length < route.batchSize && !signal.aborted) {
      const remainingMs = windowEnds - Date.now();
      if (remainingMs <= 0) break;
      const wait = Math.min(SQS_MAX_WAIT_SECONDS, Math.floor(remainingMs / 1000));
      const more = await receive(Math.min(receiveSize, route.batchSize - batch.length), wait, signal);
      batch.push(...more);
      if (more.length === 0 && wait === 0)
        await sleep(Math.min(remainingMs, WINDOW_POLL_INTERVAL_MS), signal);
    }
    return batch;
  };

  /** Runs one batch through the runtime and deletes what succeeded. Never throws. */
  const handle = async (messages: Message[]): Promise<void> => {
    let response: SQSBatchResponse;
    const started = Date.now();
    try {
      const source = { queueArn: await sourceArn() };
      const records = messages.map((message) => toSqsRecord(message, source));
      response = await processBatch(records, options.definition, deps, {
        deadlineMs: (options.now?.() ?? new Date()).getTime() + route.timeoutSeconds * 1000,
      });
    } catch (error: unknown) {
      batchErrors += 1;
      log.error('batch failed; messages left for redelivery', {
        route: route.path,
        messages: messages.length,
        ...errorLogFields(error),
      });
      return;
    }
    processed += messages.length;
    const failures = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    const ids = new Set(messages.map((message) => message.MessageId ?? ''));
    if ([...failures].some((id) => !ids.has(id))) {
      // Like Lambda: an identifier that names no message of the batch fails the whole batch.
      log.error('batchItemFailures names an unknown message; whole batch left for redelivery', {
        route: route.path,
      });
      for (const id of ids) failures.add(id);
    }
    failed += messages.filter((message) => failures.has(message.MessageId ?? '')).length;
    const done = messages.filter((message) => !failures.has(message.MessageId ?? ''));
    try {
      await deleteMessages(sqs, queueUrl, done, log, route.path);
    } catch (error: unknown) {
      // Not fatal: SQS redelivers them and the event lock makes the handler skip them.
      log.error('delete failed; messages will be redelivered', {
        route: route.path,
        messages: done.length,
        ...errorLogFields(error),
      });
    }
    try {
      options.onBatch?.({
        route: route.path,
        size: messages.length,
        failedMessageIds: [...failures],
        durationMs: Date.now() - started,
      });
    } catch {
      // A reporting callback never stops the poller.
    }
  };

  const loop = async (index: number): Promise<void> => {
    let backoffMs = ERROR_BACKOFF_INITIAL_MS;
    active += 1;
    try {
      while (!stopping) {
        beats[index] = Date.now();
        const { signal } = controller;
        try {
          const messages = await gather(signal);
          beats[index] = Date.now();
          if (messages.length > 0) await handle(messages);
          backoffMs = ERROR_BACKOFF_INITIAL_MS;
        } catch (error: unknown) {
          if (stopping) break;
          log.error('poll failed', { route: route.path, retryInMs: backoffMs, ...errorLogFields(error) });
          await sleep(backoffMs, signal);
          backoffMs = Math.min(backoffMs * 2, ERROR_BACKOFF_MAX_MS);
        }
      }
    } finally {
      active -= 1;
    }
  };

  return {
    async runOnce(once = {}) {
      const maxMessages = Math.max(0, Math.floor(once.maxMessages ?? route.batchSize));
      let wait = clampWait(once.waitSeconds ?? 1);
      let count = 0;
      while (count < maxMessages) {
        const want = Math.min(route.batchSize, maxMessages - count);
        const batch: Message[] = [];
        while (batch.length < want) {
          const more = await receive(Math.min(receiveSize, want - batch.length), wait);
          wait = 0;
          if (more.length === 0) break;
          batch.push(...more);
        }
        if (batch.length === 0) break;
        const before = processed;
        await handle(batch);
        if (processed === before) break; // the batch threw: leave the rest for later
        count += batch.length;
      }
      return count;
    },

    start() {
      if (loops.length > 0) return;
      stopping = false;
      controller = new AbortController();
      loops = Array.from({ length: concurrency }, (_, index) =>
        loop(index).catch((error: unknown) => {
          log.error('poller stopped unexpectedly', { route: route.path, ...errorLogFields(error) });
        }),
      );
      log.info('poller started', { route: route.path, queueUrl, batchSize: route.batchSize, concurrency });
    },

    async stop() {
      if (loops.length === 0) return;
      stopping = true;
      controller.abort();
      await Promise.all(loops);
      loops = [];
      beats.length = 0;
      log.info('poller stopped', { route: route.path, processed });
    },

    isAlive() {
      if (loops.length === 0 || stopping || active < concurrency) return false;
      const now = Date.now();
      return Array.from({ length: concurrency }, (_, index) => beats[index] ?? 0).every(
        (beat) => now - beat < livenessMs,
      );
    },

    stats() {
      return { processed, failed, batchErrors };
    },
  };
}

function clampWait(seconds: number): number {
  return Math.min(SQS_MAX_WAIT_SECONDS, Math.max(0, Math.floor(seconds)));
}

async function readQueueArn(sqs: Pick<SQSClient, 'send'>, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (arn === undefined) throw new Error(`no QueueArn for ${queueUrl}`);
  return arn;
}

/** DeleteMessageBatch in chunks of 10; entries SQS reports as failed are logged (SQS redelivers them). */
async function deleteMessages(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
  messages: readonly Message[],
  log: Log,
  route: string,
): Promise<void> {
  for (let start = 0; start < messages.length; start += SQS_MAX_MESSAGES_PER_RECEIVE) {
    const chunk = messages.slice(start, start + SQS_MAX_MESSAGES_PER_RECEIVE);
    const { Failed = [] } = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
    for (const failure of Failed) {
      const message = chunk[Number(failure.Id)];
      log.warn('delete failed; message will be redelivered', {
        route,
        messageId: message?.MessageId,
        code: failure.Code,
        reason: failure.Message,
      });
    }
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function errorLogFields(error: unknown): Record<string, unknown> {
  return error instanceof Error
    ? { error: error.name, message: error.message }
    : { error: 'unknown', message: String(error) };
}
