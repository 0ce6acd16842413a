/**
 * A route's queue consumer outside Lambda, behaving like the SQS event source mapping: long polling,
 * up to 10 messages per receive, a batch of up to `route.batchSize` gathered within
 * `route.maxBatchingWindowSeconds`, records in Lambda's `SQSRecord` shape handed to the same
 * handler runtime (`processBatch`) the Lambda runs, then every message not reported in
 * `batchItemFailures` deleted. Visibility and redrive are left to SQS: the poller never changes a
 * message's visibility (the runtime does, for backoff).
 *
 * A route with a `circuitBreaker` gets one per poller (`./circuit-breaker.ts`), fed with every
 * settled handler attempt: while it is open no loop receives, so the events wait in the queue
 * without spending receives (attempts); half-open, one loop takes a probe batch of one message.
 *
 * An operator can pause any route's poller (`pause()`, the local stack's `hookline route pause`):
 * like a disabled event source mapping, it takes nothing until `resume()`, which also closes its
 * circuit. A pause never aborts a long poll: SQS (and the emulator) may still hand the messages
 * of an abandoned one to nobody, hiding them for the visibility timeout and spending a receive.
 */
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { SQS_MAX_MESSAGES_PER_RECEIVE, SQS_MAX_WAIT_SECONDS } from '../aws-limits.js';
import type { BodyStore } from '../body-store/body-store.js';
import type { AttemptOutcome } from '../circuit/deployed-breaker.js';
import type { ResolvedRoute } from '../config/types.js';
import type { EventStore } from '../event-store/event-store.js';
import { processBatch, type RuntimeDependencies } from '../handler/runtime.js';
import { errorLogFields } from '../handler/settle.js';
import type { HandlerDefinition } from '../handler/types.js';
import type { Log } from '../logger.js';
import { CIRCUIT_METRICS } from '../metric-names.js';
import { count, type Metrics } from '../metrics/metrics.js';
import type { EnvelopeKeys } from '../secrets/envelope-keys.js';
import { CircuitBreaker, type CircuitChange, type CircuitSnapshot } from './circuit-breaker.js';
import { deleteMessages, readQueueArn, receiveMessages } from './sqs-calls.js';
import { toSqsRecord } from './sqs-records.js';

/** Pause between short polls while a batching window is still open and the queue is empty. */
const WINDOW_POLL_INTERVAL_MS = 100;
/** Backoff after a failing loop iteration (SQS unreachable, ...): doubles up to the cap. */
const ERROR_BACKOFF_INITIAL_MS = 500;
const ERROR_BACKOFF_MAX_MS = 20_000;
/** Slack added to the longest legitimate iteration before `isAlive()` reports a stuck loop. */
const LIVENESS_SLACK_MS = 10_000;
/** Longest pause of a loop while the circuit is open, so that it beats (`isAlive`) and checks again. */
const CIRCUIT_WAIT_MAX_MS = 1000;
/** How often a paused loop beats and checks for a resume. */
const PAUSED_CHECK_MS = 200;

export interface PollerOptions {
  readonly route: ResolvedRoute;
  readonly definition: HandlerDefinition;
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  readonly store: EventStore;
  /** The stack's envelope keys; see `RuntimeDependencies`. */
  readonly envelopeKeys: EnvelopeKeys;
  /** Where bodies kept outside the envelope (`bodyRef`) are read from; see `RuntimeDependencies`. */
  readonly bodyStore?: Pick<BodyStore, 'get'>;
  readonly log: Log;
  /** Where each batch's metrics go (the runtime's, as in Lambda). @default silentMetrics */
  readonly metrics?: Metrics;
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
  /** The circuit breaker's and the pause's clock, in epoch milliseconds (tests). @default Date.now */
  readonly clock?: () => number;
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
  /** The route's circuit breaker, when it has one. */
  readonly circuit?: CircuitSnapshot;
  /** When the poller was paused (ISO 8601), while it is. */
  readonly pausedAt?: string;
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
  /**
   * Takes no more messages until `resume()`; the loops keep beating, so `isAlive()` stays true,
   * and the events wait in the queue. Resolves once no receive is under way: a long poll already
   * waiting is not cut short (its messages, and a batch being handled, are delivered), so this
   * takes up to `waitSeconds`. A poller paused again keeps its first `pausedAt`.
   */
  pause(): Promise<void>;
  /** Takes messages again, its circuit breaker (if any) closed. */
  resume(): void;
  stats(): PollerStats;
}

export function createPoller(options: PollerOptions): Poller {
  const poller = new RoutePoller(options);
  return {
    runOnce: (once) => poller.runOnce(once),
    start: () => poller.start(),
    stop: () => poller.stop(),
    isAlive: () => poller.isAlive(),
    pause: () => poller.pause(),
    resume: () => poller.resume(),
    stats: () => poller.stats(),
  };
}

/** `createPoller`'s state and steps; the returned `Poller` only forwards to it. */
class RoutePoller {
  private readonly options: PollerOptions;
  private readonly route: ResolvedRoute;
  private readonly log: Log;
  private readonly waitSeconds: number;
  private readonly concurrency: number;
  private readonly receiveSize: number;
  private readonly deps: RuntimeDependencies;
  /** Longest healthy iteration: an idle long poll, a batching window, a batch at its deadline. */
  private readonly livenessMs: number;
  private readonly breaker: CircuitBreaker | undefined;
  private readonly clock: () => number;

  private queueArn: Promise<string> | undefined;
  private processed = 0;
  private failed = 0;
  private batchErrors = 0;
  private stopping = false;
  /** Epoch milliseconds of the pause, while paused. */
  private pausedAtMs: number | undefined;
  /** ReceiveMessage calls under way, and who waits for there to be none (a pause). */
  private receiving = 0;
  private receivesDone: (() => void)[] = [];
  private controller = new AbortController();
  private loops: Promise<void>[] = [];
  /** Loops currently running (one that died unexpectedly makes the poller not alive). */
  private active = 0;
  private readonly beats: number[] = [];

  constructor(options: PollerOptions) {
    const { route } = options;
    this.options = options;
    this.route = route;
    this.log = options.log;
    this.waitSeconds = clampWait(options.waitSeconds ?? SQS_MAX_WAIT_SECONDS);
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
    this.receiveSize = Math.min(route.batchSize, SQS_MAX_MESSAGES_PER_RECEIVE);
    this.deps = runtimeDependencies(options);
    this.livenessMs =
      (this.waitSeconds + route.maxBatchingWindowSeconds + route.timeoutSeconds) * 1000 + LIVENESS_SLACK_MS;
    this.clock = options.clock ?? Date.now;
    this.breaker =
      route.circuitBreaker === undefined
        ? undefined
        : new CircuitBreaker(route.circuitBreaker, {
            now: this.clock,
            onChange: (change) => this.logCircuit(change),
          });
  }

  async runOnce(once: RunOnceOptions = {}): Promise<number> {
    const maxMessages = Math.max(0, Math.floor(once.maxMessages ?? this.route.batchSize));
    let wait = clampWait(once.waitSeconds ?? 1);
    let count = 0;
    while (count < maxMessages && this.pausedAtMs === undefined) {
      const permit = this.breaker?.permit() ?? { kind: 'receive' };
      if (permit.kind === 'wait') break; // open: nothing is taken
      const probe = permit.kind === 'probe';
      const want = probe ? 1 : Math.min(this.route.batchSize, maxMessages - count);
      const batch = await this.receiveVisible(want, wait).catch((error: unknown) => {
        if (probe) this.breaker?.probeSettled(undefined);
        throw error;
      });
      wait = 0;
      if (batch.length === 0) {
        if (probe) this.breaker?.probeSettled(undefined);
        break;
      }
      const before = this.processed;
      await this.handle(batch, probe);
      if (this.processed === before) break; // the batch threw: leave the rest for later
      count += batch.length;
    }
    return count;
  }

  start(): void {
    if (this.loops.length > 0) return;
    this.stopping = false;
    this.controller = new AbortController();
    this.loops = Array.from({ length: this.concurrency }, (_, index) =>
      this.loop(index).catch((error: unknown) => {
        this.log.error('poller stopped unexpectedly', { route: this.route.path, ...errorLogFields(error) });
      }),
    );
    this.log.info('poller started', {
      route: this.route.path,
      queueUrl: this.options.queueUrl,
      batchSize: this.route.batchSize,
      concurrency: this.concurrency,
    });
  }

  async stop(): Promise<void> {
    if (this.loops.length === 0) return;
    this.stopping = true;
    this.controller.abort();
    await Promise.all(this.loops);
    this.loops = [];
    this.beats.length = 0;
    this.log.info('poller stopped', { route: this.route.path, processed: this.processed });
  }

  isAlive(): boolean {
    if (this.loops.length === 0 || this.stopping || this.active < this.concurrency) return false;
    const now = Date.now();
    return Array.from({ length: this.concurrency }, (_, index) => this.beats[index] ?? 0).every(
      (beat) => now - beat < this.livenessMs,
    );
  }

  async pause(): Promise<void> {
    this.pausedAtMs ??= this.clock();
    this.log.info('consumer paused', { route: this.route.path });
    if (this.receiving > 0) await new Promise<void>((done) => this.receivesDone.push(done));
  }

  resume(): void {
    this.pausedAtMs = undefined;
    // A pause still waiting for a receive to end is over: the receives go on.
    for (const done of this.receivesDone.splice(0)) done();
    this.breaker?.reset();
    this.log.info('consumer resumed', { route: this.route.path });
  }

  stats(): PollerStats {
    return {
      processed: this.processed,
      failed: this.failed,
      batchErrors: this.batchErrors,
      ...(this.breaker !== undefined && { circuit: this.breaker.snapshot() }),
      ...(this.pausedAtMs !== undefined && { pausedAt: new Date(this.pausedAtMs).toISOString() }),
    };
  }

  /** One receive loop: gather a batch, handle it, back off after a failing iteration. */
  private async loop(index: number): Promise<void> {
    let backoffMs = ERROR_BACKOFF_INITIAL_MS;
    this.active += 1;
    try {
      while (!this.stopping) {
        this.beats[index] = Date.now();
        const { signal } = this.controller;
        try {
          if (this.pausedAtMs !== undefined) {
            await sleep(PAUSED_CHECK_MS, signal);
            continue;
          }
          const permit = this.breaker?.permit() ?? { kind: 'receive' };
          if (permit.kind === 'wait') {
            await sleep(Math.min(permit.ms, CIRCUIT_WAIT_MAX_MS), signal);
            continue;
          }
          const probe = permit.kind === 'probe';
          const messages = await (probe ? this.receiveProbe(signal) : this.gather(signal));
          this.beats[index] = Date.now();
          if (messages.length > 0) await this.handle(messages, probe);
          backoffMs = ERROR_BACKOFF_INITIAL_MS;
        } catch (error: unknown) {
          if (this.stopping) break;
          this.log.error('poll failed', {
            route: this.route.path,
            retryInMs: backoffMs,
            ...errorLogFields(error),
          });
          await sleep(backoffMs, signal);
          backoffMs = Math.min(backoffMs * 2, ERROR_BACKOFF_MAX_MS);
        }
      }
    } finally {
      this.active -= 1;
    }
  }

  /** Up to `want` messages visible now: the first receive waits `wait` seconds, then none. */
  private async receiveVisible(want: number, wait: number): Promise<Message[]> {
    const batch: Message[] = [];
    let nextWait = wait;
    while (batch.length < want && this.pausedAtMs === undefined) {
      const more = await this.receive(Math.min(this.receiveSize, want - batch.length), nextWait);
      nextWait = 0;
      if (more.length === 0) break;
      batch.push(...more);
    }
    return batch;
  }

  /**
   * The event source mapping's batch: a long poll for the first messages, then more receives until
   * `batchSize` messages or the batching window (from the first message) has passed, or a pause.
   */
  private async gather(signal: AbortSignal): Promise<Message[]> {
    const { batchSize, maxBatchingWindowSeconds } = this.route;
    const batch = await this.receive(this.receiveSize, this.waitSeconds, signal);
    if (batch.length === 0) return batch;
    const windowEnds = Date.now() + maxBatchingWindowSeconds * 1000;
    while (batch.length < batchSize && !signal.aborted && this.pausedAtMs === undefined) {
      const remainingMs = windowEnds - Date.now();
      if (remainingMs <= 0) break;
      const wait = Math.min(SQS_MAX_WAIT_SECONDS, Math.floor(remainingMs / 1000));
      const more = await this.receive(Math.min(this.receiveSize, batchSize - batch.length), wait, signal);
      batch.push(...more);
      if (more.length === 0 && wait === 0)
        await sleep(Math.min(remainingMs, WINDOW_POLL_INTERVAL_MS), signal);
    }
    return batch;
  }

  /**
   * The half-open circuit's probe batch: one message, no batching window. A receive that brings
   * none (or fails) gives the probe back.
   */
  private async receiveProbe(signal: AbortSignal): Promise<Message[]> {
    let messages: Message[] = [];
    try {
      messages = await this.receive(1, this.waitSeconds, signal);
    } finally {
      if (messages.length === 0) this.breaker?.probeSettled(undefined);
    }
    return messages;
  }

  /** One ReceiveMessage; resolves [] when aborted by `stop()`. */
  private async receive(max: number, wait: number, signal?: AbortSignal): Promise<Message[]> {
    this.receiving += 1;
    try {
      return await receiveMessages(this.options.sqs, this.options.queueUrl, max, wait, signal);
    } finally {
      this.receiving -= 1;
      if (this.receiving === 0) for (const done of this.receivesDone.splice(0)) done();
    }
  }

  /**
   * Runs one batch through the runtime and deletes what succeeded. Never throws. Every settled
   * attempt goes to the circuit breaker, except a `probe` batch's: its one attempt (or none)
   * settles the probe.
   */
  private async handle(messages: Message[], probe = false): Promise<void> {
    const started = Date.now();
    let probeOutcome: AttemptOutcome | undefined;
    const onAttempt = (outcome: AttemptOutcome): void => {
      if (probe) probeOutcome = outcome;
      else this.breaker?.record(outcome);
    };
    let response: SQSBatchResponse | undefined;
    try {
      response = await this.runBatch(messages, onAttempt);
    } finally {
      if (probe) this.breaker?.probeSettled(probeOutcome);
    }
    if (response === undefined) return;
    this.processed += messages.length;
    const failures = failedMessageIds(messages, response, this.log, this.route.path);
    this.failed += messages.filter((message) => failures.has(message.MessageId ?? '')).length;
    await this.deleteDone(messages.filter((message) => !failures.has(message.MessageId ?? '')));
    this.report({
      route: this.route.path,
      size: messages.length,
      failedMessageIds: [...failures],
      durationMs: Date.now() - started,
    });
  }

  /** The runtime's response, or undefined (logged, counted) when the batch threw. */
  private async runBatch(
    messages: Message[],
    onAttempt: (outcome: AttemptOutcome) => void,
  ): Promise<SQSBatchResponse | undefined> {
    try {
      const source = { queueArn: await this.sourceArn() };
      const records = messages.map((message) => toSqsRecord(message, source));
      return await processBatch(records, this.options.definition, this.deps, {
        deadlineMs: (this.options.now?.() ?? new Date()).getTime() + this.route.timeoutSeconds * 1000,
        ...(this.breaker !== undefined && { onAttempt }),
      });
    } catch (error: unknown) {
      this.batchErrors += 1;
      this.log.error('batch failed; messages left for redelivery', {
        route: this.route.path,
        messages: messages.length,
        ...errorLogFields(error),
      });
      return undefined;
    }
  }

  private async deleteDone(done: readonly Message[]): Promise<void> {
    try {
      await deleteMessages(this.options.sqs, this.options.queueUrl, done, this.log, this.route.path);
    } catch (error: unknown) {
      // Not fatal: SQS redelivers them and the event lock makes the handler skip them.
      this.log.error('delete failed; messages will be redelivered', {
        route: this.route.path,
        messages: done.length,
        ...errorLogFields(error),
      });
    }
  }

  /** The `circuit …` log line of a state change. */
  private logCircuit(change: CircuitChange): void {
    const fields = {
      route: this.route.path,
      failures: change.failures,
      coolDownSeconds: change.coolDownSeconds,
    };
    if (change.state === 'open') {
      this.log.warn('circuit opened', fields);
      this.options.metrics?.publish([count(CIRCUIT_METRICS.opened, { route: this.route.path })]);
    } else if (change.state === 'half-open') this.log.info('circuit half-open', fields);
    else this.log.info('circuit closed', fields);
  }

  private report(batch: BatchReport): void {
    try {
      this.options.onBatch?.(batch);
    } catch {
      // A reporting callback never stops the poller.
    }
  }

  /** The queue's ARN (records carry it as `eventSourceARN`), read once; a failed read is retried next time. */
  private sourceArn(): Promise<string> {
    this.queueArn ??= readQueueArn(this.options.sqs, this.options.queueUrl).catch((error: unknown) => {
      this.queueArn = undefined;
      throw error;
    });
    return this.queueArn;
  }
}

function runtimeDependencies(options: PollerOptions): RuntimeDependencies {
  return {
    route: options.route,
    store: options.store,
    sqs: options.sqs,
    queueUrl: options.queueUrl,
    dlqUrl: options.dlqUrl,
    envelopeKeys: options.envelopeKeys,
    ...(options.bodyStore !== undefined && { bodyStore: options.bodyStore }),
    log: options.log,
    ...(options.metrics !== undefined && { metrics: options.metrics }),
    ...(options.now !== undefined && { now: options.now }),
    ...(options.random !== undefined && { random: options.random }),
  };
}

/**
 * The message ids the runtime reported in `batchItemFailures`; like Lambda, an identifier that names
 * no message of the batch fails the whole batch.
 */
function failedMessageIds(
  messages: readonly Message[],
  response: SQSBatchResponse,
  log: Log,
  route: string,
): Set<string> {
  const failures = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  const ids = new Set(messages.map((message) => message.MessageId ?? ''));
  if ([...failures].some((id) => !ids.has(id))) {
    log.error('batchItemFailures names an unknown message; whole batch left for redelivery', { route });
    for (const id of ids) failures.add(id);
  }
  return failures;
}

function clampWait(seconds: number): number {
  return Math.min(SQS_MAX_WAIT_SECONDS, Math.max(0, Math.floor(seconds)));
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
