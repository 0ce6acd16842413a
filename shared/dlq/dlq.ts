/**
 * A route's dead-letter queue, for operators: look at what is in it without taking anything out,
 * and send it back to the route's queue (a DLQ redrive: `StartMessageMoveTask`).
 */
import {
  ChangeMessageVisibilityBatchCommand,
  ListMessageMoveTasksCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
  SQSServiceException,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { parseEnvelope } from '../envelope.js';
import { errorMessage, HooklineError } from '../errors.js';
import type { EventHistory } from '../event-store/history.js';
import type { EventState } from '../event-store/items.js';
import { HistoryUnavailableError } from '../event-store/state-reads.js';
import type { AttemptRecord, EventStatus } from '../event-store/types.js';
import { DLQ_ATTRIBUTES } from '../handler/queue.js';
import { type Log, silentLog } from '../logger.js';
import { OPERATION_METRICS } from '../metric-names.js';
import { count, type Metrics, silentMetrics } from '../metrics/metrics.js';

/** SQS limit: messages per receive and entries per batch call. */
const SQS_BATCH = 10;
/** SQS limit: the highest rate of a message move task, in messages per second. */
export const MAX_REDRIVE_RATE_PER_SECOND = 500;
/** Messages listed when the caller does not say. */
export const DEFAULT_DLQ_LIST_MAX = 100;
/** Most messages one listing returns. */
export const MAX_DLQ_LIST = 1000;
/** How long a listed message stays hidden if restoring its visibility fails (it comes back then). */
const PEEK_VISIBILITY_SECONDS = 30;

/** One message in a DLQ, with what the event history knows about its event. */
export interface DlqMessageInfo {
  /** The SQS message id (a redrive gives the message a new one). */
  readonly messageId: string;
  /** Hookline's event id, from the envelope. */
  readonly eventId?: string;
  /** The route path, from the envelope. */
  readonly route?: string;
  /** When the message was first sent (ISO 8601). */
  readonly sentAt?: string;
  /** SQS's `ApproximateReceiveCount`; it counts this listing's receive too. */
  readonly receiveCount?: number;
  /** The event's status in the history; absent when the history has no such event. */
  readonly status?: EventStatus;
  /** Handler attempts recorded for the event. */
  readonly attempts: number;
  /** The last attempt that failed, or the reason the handler runtime sent the message here itself. */
  readonly lastError?: { readonly name?: string; readonly message?: string; readonly at: string };
  /** The handler runtime's machine-readable reason, when it sent the message here itself (`permanent`, `malformed_envelope`, ...). */
  readonly reason?: string;
  /** Why the body is not a readable envelope; such messages are reported, never deleted. */
  readonly unreadable?: string;
}

/** What a DLQ listing shows of an event: its status and attempts (from its state item). */
export type DlqEventState = Pick<EventState, 'status' | 'attempts'>;

/** What `listDlqMessages` calls. */
export interface DlqDependencies {
  readonly sqs: Pick<SQSClient, 'send'>;
  /** Where the listed events' status and attempts come from (their state items only). */
  readonly events: Pick<EventHistory, 'getStates'>;
  /** Where restore failures and unread states are reported. @default silent */
  readonly log?: Log;
}

/** How much `listDlqMessages` reads. */
export interface DlqListOptions {
  /** Most messages returned. @default 100 */
  readonly max?: number;
  /** Long-poll wait of each receive: short polls can miss messages on SQS's sampled servers. @default 1 */
  readonly waitSeconds?: number;
}

/**
 * Up to `max` distinct messages of the DLQ, without consuming any: each receive hides what it
 * returned (so the next receive returns others), then every received message is made visible
 * again. Messages stay in the queue; nothing is deleted, unreadable ones included. Costs one
 * receive per 10 messages plus one per 10 to restore, and one state read per 100 events.
 */
export async function listDlqMessages(
  deps: DlqDependencies,
  dlqUrl: string,
  options: DlqListOptions = {},
): Promise<DlqMessageInfo[]> {
  const max = Math.max(0, Math.floor(options.max ?? DEFAULT_DLQ_LIST_MAX));
  const waitSeconds = options.waitSeconds ?? 1;
  // By message id, keeping the latest receipt handle (only that one can change the visibility).
  const received = new Map<string, Message>();
  try {
    while (received.size < max) {
      const { Messages = [] } = await deps.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlqUrl,
          MaxNumberOfMessages: Math.min(SQS_BATCH, max - received.size),
          VisibilityTimeout: PEEK_VISIBILITY_SECONDS,
          WaitTimeSeconds: waitSeconds,
          AttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      const before = received.size;
      for (const message of Messages) {
        if (message.MessageId !== undefined) received.set(message.MessageId, message);
      }
      if (received.size === before) break;
    }
  } finally {
    await restoreVisibility(deps, dlqUrl, [...received.values()]);
  }
  const messages = [...received.values()].map(readMessage);
  const states = await eventStates(deps, messages);
  return messages.map((message) => describe(message, states));
}

/**
 * The listed events' states. A table that stays throttled only blanks the statuses of the listing
 * (logged): the messages themselves were read and are shown.
 */
async function eventStates(
  deps: DlqDependencies,
  messages: readonly ReadMessage[],
): Promise<ReadonlyMap<string, DlqEventState>> {
  const ids = [
    ...new Set(messages.flatMap((message) => (message.eventId === undefined ? [] : [message.eventId]))),
  ];
  if (ids.length === 0) return new Map();
  try {
    return await deps.events.getStates(ids);
  } catch (error: unknown) {
    if (!(error instanceof HistoryUnavailableError)) throw error;
    (deps.log ?? silentLog).warn('dlq event states not read', { events: ids.length, error: error.message });
    return new Map();
  }
}

/** Makes every message visible again; a failure only delays them (they reappear after the peek timeout). */
async function restoreVisibility(deps: DlqDependencies, dlqUrl: string, messages: Message[]): Promise<void> {
  const log = deps.log ?? silentLog;
  for (let start = 0; start < messages.length; start += SQS_BATCH) {
    const chunk = messages.slice(start, start + SQS_BATCH);
    try {
      const { Failed = [] } = await deps.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: dlqUrl,
          Entries: chunk.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          })),
        }),
      );
      for (const failure of Failed) {
        log.warn('dlq message visibility not restored', {
          messageId: chunk[Number(failure.Id)]?.MessageId,
          code: failure.Code,
          visibleInSeconds: PEEK_VISIBILITY_SECONDS,
        });
      }
    } catch (error: unknown) {
      log.warn('dlq message visibility not restored', {
        messages: chunk.length,
        error: errorMessage(error),
        visibleInSeconds: PEEK_VISIBILITY_SECONDS,
      });
    }
  }
}

/** A received message as far as SQS and its envelope tell, before the event states are read. */
interface ReadMessage {
  readonly base: Omit<DlqMessageInfo, 'attempts'>;
  readonly eventId?: string;
  /** The reason the handler runtime gave when it sent the message here itself. */
  readonly fromRuntime?: DlqMessageInfo['lastError'];
}

function readMessage(message: Message): ReadMessage {
  const attributes = message.Attributes ?? {};
  const sentMs = Number(attributes.SentTimestamp);
  const sentAt = Number.isFinite(sentMs) && sentMs > 0 ? new Date(sentMs).toISOString() : undefined;
  const receiveCount = Number(attributes.ApproximateReceiveCount);
  const reason = message.MessageAttributes?.[DLQ_ATTRIBUTES.reason]?.StringValue;
  const runtimeError = message.MessageAttributes?.[DLQ_ATTRIBUTES.error]?.StringValue;
  const base = {
    messageId: message.MessageId ?? '',
    ...(sentAt !== undefined && { sentAt }),
    ...(Number.isFinite(receiveCount) && { receiveCount }),
    ...(reason !== undefined && { reason }),
  };
  // Set by the handler runtime when it sent the message here itself (permanent or unreadable).
  const fromRuntime =
    runtimeError === undefined || sentAt === undefined
      ? undefined
      : { ...(reason !== undefined && { name: reason }), message: runtimeError, at: sentAt };
  try {
    const envelope = parseEnvelope(message.Body ?? '');
    return {
      base: { ...base, eventId: envelope.id, route: envelope.route },
      eventId: envelope.id,
      ...(fromRuntime !== undefined && { fromRuntime }),
    };
  } catch (error: unknown) {
    const unreadable = errorMessage(error);
    return { base: { ...base, unreadable }, ...(fromRuntime !== undefined && { fromRuntime }) };
  }
}

function describe(message: ReadMessage, states: ReadonlyMap<string, DlqEventState>): DlqMessageInfo {
  const event = message.eventId === undefined ? undefined : states.get(message.eventId);
  const lastError = lastFailure(event?.attempts ?? []) ?? message.fromRuntime;
  return {
    ...message.base,
    ...(event !== undefined && { status: event.status }),
    attempts: event?.attempts.length ?? 0,
    ...(lastError !== undefined && { lastError }),
  };
}

function lastFailure(attempts: readonly AttemptRecord[]): DlqMessageInfo['lastError'] {
  const failed = attempts.findLast(
    (attempt) => attempt.errorName !== undefined || attempt.errorMessage !== undefined,
  );
  if (failed === undefined) return undefined;
  return {
    ...(failed.errorName !== undefined && { name: failed.errorName }),
    ...(failed.errorMessage !== undefined && { message: failed.errorMessage }),
    at: failed.startedAt,
  };
}

/** A redrive could not start because one is already moving messages out of this DLQ. */
export class RedriveRunningError extends HooklineError<'redrive_running'> {
  override name = 'RedriveRunningError';

  constructor(dlqArn: string, options?: ErrorOptions) {
    super('redrive_running', `a redrive of ${dlqArn} is already running; wait for it to finish`, options);
  }
}

/**
 * SQS answered a redrive call without the task handle it must return: a fault on SQS's side the
 * caller may retry (the admin API answers 503 `queue_unavailable`).
 */
export class RedriveUnavailableError extends HooklineError<'redrive_unavailable'> {
  override name = 'RedriveUnavailableError';

  constructor(message: string, options?: ErrorOptions) {
    super('redrive_unavailable', message, options);
  }
}

/** Where `startRedrive` reports `Redriven`, and for which route. */
export interface RedriveMetrics {
  readonly metrics: Metrics;
  readonly route: string;
}

/** Which DLQ `startRedrive` empties, where to, and how fast. */
export interface RedriveInput {
  /** The DLQ the messages leave. */
  readonly dlqArn: string;
  /** The route's queue they go back to. */
  readonly sourceArn: string;
  /** Messages moved per second (1–500). @default SQS's own pace (up to 500 per second) */
  readonly ratePerSecond?: number;
}

/**
 * Starts moving every message of the DLQ back to the route's queue (`StartMessageMoveTask`). The
 * messages get new SQS message ids; their envelopes, and so their event ids, are unchanged.
 * @throws RedriveRunningError when a redrive of this DLQ is already running
 * @throws RedriveUnavailableError when SQS answers without a task handle
 */
export async function startRedrive(
  sqs: Pick<SQSClient, 'send'>,
  input: RedriveInput,
  metrics: RedriveMetrics = { metrics: silentMetrics, route: '' },
): Promise<{ taskHandle: string }> {
  let taskHandle: string | undefined;
  try {
    const { TaskHandle } = await sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: input.dlqArn,
        DestinationArn: input.sourceArn,
        ...(input.ratePerSecond !== undefined && { MaxNumberOfMessagesPerSecond: input.ratePerSecond }),
      }),
    );
    taskHandle = TaskHandle;
  } catch (error: unknown) {
    if (error instanceof SQSServiceException && /already a task running/i.test(error.message)) {
      throw new RedriveRunningError(input.dlqArn, { cause: error });
    }
    throw error;
  }
  if (taskHandle === undefined || taskHandle === '') {
    throw new RedriveUnavailableError(`StartMessageMoveTask returned no task handle for ${input.dlqArn}`);
  }
  // One per redrive started: how many messages it moves is known only as the task runs.
  metrics.metrics.publish([count(OPERATION_METRICS.redriven, { route: metrics.route })]);
  return { taskHandle };
}

/** One redrive of a DLQ, as `ListMessageMoveTasks` reports it. */
export interface RedriveTask {
  /** Only while the task runs. */
  readonly taskHandle?: string;
  /** `RUNNING`, `COMPLETED`, `CANCELLING`, `CANCELLED` or `FAILED`. */
  readonly status: string;
  readonly moved: number;
  /** Messages in the DLQ when the task started. */
  readonly toMove?: number;
  readonly ratePerSecond?: number;
  /** ISO 8601. */
  readonly startedAt?: string;
  readonly failureReason?: string;
}

/** The DLQ's most recent redrives (SQS keeps the last 10), newest first. */
export async function redriveTasks(sqs: Pick<SQSClient, 'send'>, dlqArn: string): Promise<RedriveTask[]> {
  const { Results = [] } = await sqs.send(
    new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 10 }),
  );
  return Results.map((task) => ({
    ...(task.TaskHandle !== undefined && { taskHandle: task.TaskHandle }),
    status: task.Status ?? 'UNKNOWN',
    moved: task.ApproximateNumberOfMessagesMoved ?? 0,
    ...(task.ApproximateNumberOfMessagesToMove !== undefined && {
      toMove: task.ApproximateNumberOfMessagesToMove,
    }),
    ...(task.MaxNumberOfMessagesPerSecond !== undefined && {
      ratePerSecond: task.MaxNumberOfMessagesPerSecond,
    }),
    ...(task.StartedTimestamp !== undefined && { startedAt: new Date(task.StartedTimestamp).toISOString() }),
    ...(task.FailureReason !== undefined && { failureReason: task.FailureReason }),
  }));
}
