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
import type { EventHistory } from '../event-store/history.js';
import type { AttemptRecord, EventStatus } from '../event-store/types.js';
import { DLQ_ATTRIBUTES } from '../handler/queue.js';
import { type Log, silentLog } from '../logger.js';

/** SQS limits: messages per receive and entries per batch call; the highest redrive rate. */
const SQS_BATCH = 10;
export const MAX_REDRIVE_RATE_PER_SECOND = 500;
/** Messages listed when the caller does not say. */
export const DEFAULT_DLQ_LIST_MAX = 100;
/** How long a listed message stays hidden if restoring its visibility fails (it comes back then). */
const PEEK_VISIBILITY_SECONDS = 30;
/** Events read from the history at once while enriching a listing. */
const ENRICH_CONCURRENCY = 10;

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

export interface DlqDependencies {
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly history: Pick<EventHistory, 'getEvent'>;
  /** Where restore failures are reported. @default silent */
  readonly log?: Log;
}

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
 * receive per 10 messages plus one per 10 to restore, and a history read per event.
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
  return mapLimit([...received.values()], ENRICH_CONCURRENCY, (message) => describe(deps, message));
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
        error: error instanceof Error ? error.message : String(error),
        visibleInSeconds: PEEK_VISIBILITY_SECONDS,
      });
    }
  }
}

async function describe(deps: DlqDependencies, message: Message): Promise<DlqMessageInfo> {
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

  let envelope: ReturnType<typeof parseEnvelope>;
  try {
    envelope = parseEnvelope(message.Body ?? '');
  } catch (error: unknown) {
    return {
      ...base,
      attempts: 0,
      unreadable: error instanceof Error ? error.message : String(error),
      ...(fromRuntime !== undefined && { lastError: fromRuntime }),
    };
  }
  const event = await deps.history.getEvent(envelope.id);
  const lastError = lastFailure(event?.attempts ?? []) ?? fromRuntime;
  return {
    ...base,
    eventId: envelope.id,
    route: envelope.route,
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
export class RedriveRunningError extends Error {
  readonly code = 'redrive_running';

  constructor(dlqArn: string, options?: ErrorOptions) {
    super(`a redrive of ${dlqArn} is already running; wait for it to finish`, options);
    this.name = 'RedriveRunningError';
  }
}

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
 */
export async function startRedrive(
  sqs: Pick<SQSClient, 'send'>,
  input: RedriveInput,
): Promise<{ taskHandle: string }> {
  try {
    const { TaskHandle } = await sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: input.dlqArn,
        DestinationArn: input.sourceArn,
        ...(input.ratePerSecond !== undefined && { MaxNumberOfMessagesPerSecond: input.ratePerSecond }),
      }),
    );
    if (TaskHandle === undefined)
      throw new Error(`StartMessageMoveTask returned no task handle for ${input.dlqArn}`);
    return { taskHandle: TaskHandle };
  } catch (error: unknown) {
    if (error instanceof SQSServiceException && /already a task running/i.test(error.message)) {
      throw new RedriveRunningError(input.dlqArn, { cause: error });
    }
    throw error;
  }
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

/** `map` with at most `limit` calls in flight, results in input order. */
async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  map: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
