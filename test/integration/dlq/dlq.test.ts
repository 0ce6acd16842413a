/**
 * `listDlqMessages`, `startRedrive` and `redriveTasks` against the SQS emulator and DynamoDB Local:
 * dead-lettered events come from the real ingress and the real handler runtime (through the local
 * poller), so the DLQ holds what it holds in production.
 */

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ChangeMessageVisibilityBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAdminHttpError } from '../../../shared/admin/errors.js';
import type { ResolvedRoute } from '../../../shared/config/types.js';
import {
  listDlqMessages,
  RedriveRunningError,
  RedriveUnavailableError,
  redriveTasks,
  startRedrive,
} from '../../../shared/dlq/dlq.js';
import { EventStore } from '../../../shared/event-store/event-store.js';
import { EventHistory } from '../../../shared/event-store/history.js';
import { defineHandler } from '../../../shared/handler/define-handler.js';
import { PermanentError } from '../../../shared/handler/errors.js';
import { newEventId } from '../../../shared/ids.js';
import type { RouteQueues } from '../../../shared/local/create-queues.js';
import { silentLog } from '../../../shared/logger.js';
import { createPoller } from '../../../shared/worker/poller.js';
import { testEnvelopeKeys } from '../../helpers/envelope-keys.js';
import {
  connectEmulators,
  type Emulators,
  type IngressUnderTest,
  requireQueues,
  startIngress,
} from '../../helpers/ingress-stack.js';
import { capturedEmf, emfTotal } from '../../helpers/metrics.js';
import { makeRoute } from '../../helpers/routes.js';
import { queueDepth } from '../../helpers/sqs-records.js';

/** One attempt: a failure dead-letters at once, so each test fills its DLQ quickly. */
function deadEndRoute(name: string): ResolvedRoute {
  return makeRoute({
    path: `/${name}/`,
    verify: { scheme: 'none' },
    retry: { maxAttempts: 1, initialDelaySeconds: 1, multiplier: 2, maxDelaySeconds: 60 },
  });
}

const routes = {
  listing: deadEndRoute('listing'),
  capped: deadEndRoute('capped'),
  redrive: deadEndRoute('redrive'),
  throttled: deadEndRoute('throttled'),
};

let emulators: Emulators;
let ingress: IngressUnderTest;
/** The event history, over a client that records the name of every command sent. */
let events: EventHistory;
const tableCommands: string[] = [];

beforeAll(async () => {
  emulators = await connectEmulators();
  ingress = await startIngress(emulators, Object.values(routes));
  const client = emulators.dynamo.client;
  const recording: Pick<DynamoDBClient, 'send'> = {
    send: ((command: { constructor: { name: string } }, ...rest: unknown[]) => {
      tableCommands.push(command.constructor.name);
      return (client.send as (...args: unknown[]) => unknown)(command, ...rest);
    }) as DynamoDBClient['send'],
  };
  const store = new EventStore({ client: recording as DynamoDBClient, tableName: ingress.tableName });
  events = new EventHistory({ client: recording as DynamoDBClient, tableName: ingress.tableName, store });
  // The table's layout is read once per client and table, before the first read: not counted below.
  await store.checkLayout();
  tableCommands.length = 0;
});

afterAll(async () => {
  await ingress?.close();
  emulators?.close();
});

function queuesOf(route: ResolvedRoute): RouteQueues {
  return requireQueues(ingress.queues, route.path);
}

async function post(route: ResolvedRoute, payload: unknown): Promise<string> {
  const reply = await ingress.post(route.path, JSON.stringify(payload), {
    'content-type': 'application/json',
  });
  expect(reply.status).toBe(202);
  return String(reply.json.id);
}

/** Runs the route's queue once through the real runtime with `handler`, as the local stack does. */
async function consume(route: ResolvedRoute, count: number, handler: () => void): Promise<void> {
  const queues = queuesOf(route);
  const poller = createPoller({
    route,
    definition: defineHandler(async () => handler()).definition,
    sqs: emulators.sqs.client,
    queueUrl: queues.queueUrl,
    dlqUrl: queues.dlqUrl,
    envelopeKeys: testEnvelopeKeys,
    store: ingress.store,
    log: silentLog,
  });
  let processed = 0;
  const deadline = Date.now() + 10_000;
  while (processed < count && Date.now() < deadline) {
    processed += await poller.runOnce({ maxMessages: count - processed, waitSeconds: 1 });
  }
  expect(processed).toBe(count);
}

async function until(probe: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function waitForDepth(queueUrl: string, depth: number): Promise<void> {
  await until(
    async () => (await queueDepth(emulators.sqs.client, queueUrl)).visible === depth,
    `depth ${depth}`,
  );
}

/** Receives every visible message (hiding each), then makes them all visible again. */
async function receiveAllVisible(queueUrl: string): Promise<Message[]> {
  const seen = new Map<string, Message>();
  for (;;) {
    const { Messages = [] } = await emulators.sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }),
    );
    if (Messages.length === 0) break;
    for (const message of Messages) seen.set(message.MessageId ?? '', message);
  }
  const messages = [...seen.values()];
  for (let start = 0; start < messages.length; start += 10) {
    await emulators.sqs.client.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.slice(start, start + 10).map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
  return messages;
}

/** Three failed events, one permanent failure, one message that is not an envelope. */
async function fillDlq(route: ResolvedRoute): Promise<{ failed: string[]; permanent: string }> {
  const { dlqUrl } = queuesOf(route);
  const failed = [await post(route, { n: 1 }), await post(route, { n: 2 }), await post(route, { n: 3 })];
  await consume(route, 3, () => {
    throw new Error('downstream unavailable');
  });
  await waitForDepth(dlqUrl, 3);
  const permanent = await post(route, { n: 4 });
  await consume(route, 1, () => {
    throw new PermanentError('customer does not exist', { code: 'unknown_customer' });
  });
  await emulators.sqs.client.send(
    new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: 'not an envelope' }),
  );
  await waitForDepth(dlqUrl, 5);
  return { failed, permanent };
}

describe('listDlqMessages()', () => {
  it('lists every message with its event, status, attempts and last error, and leaves all of them visible', async () => {
    // Arrange
    const { failed, permanent } = await fillDlq(routes.listing);
    const { dlqUrl } = queuesOf(routes.listing);

    tableCommands.length = 0;

    // Act
    const messages = await listDlqMessages({ sqs: emulators.sqs.client, events }, dlqUrl);

    // Assert: five distinct messages, described from the envelope and the history.
    expect(new Set(messages.map((message) => message.messageId)).size).toBe(5);
    const byEvent = new Map(messages.map((message) => [message.eventId, message]));
    for (const id of failed) {
      expect(byEvent.get(id)).toMatchObject({
        eventId: id,
        route: '/listing/',
        status: 'dead_lettered',
        attempts: 1,
        lastError: { name: 'Error', message: 'downstream unavailable' },
      });
      expect(byEvent.get(id)?.sentAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(byEvent.get(id)?.receiveCount).toBeGreaterThanOrEqual(1);
    }
    expect(byEvent.get(permanent)).toMatchObject({
      status: 'dead_lettered',
      attempts: 1,
      reason: 'unknown_customer',
      lastError: { name: 'PermanentError', message: 'customer does not exist' },
    });
    const unreadable = messages.filter((message) => message.eventId === undefined);
    expect(unreadable).toEqual([
      expect.objectContaining({ attempts: 0, unreadable: 'envelope is not JSON' }),
    ]);

    // Assert: the four events' states came from one BatchGetItem (no request item, no replay chain).
    expect(tableCommands).toEqual(['BatchGetItemCommand']);

    // Assert: nothing consumed or left hidden; receiving again finds all five at once.
    const again = await receiveAllVisible(dlqUrl);
    expect(again.map((message) => message.MessageId).sort()).toEqual(
      messages.map((message) => message.messageId).sort(),
    );
  });

  it('stops at max and still leaves every message in the queue', async () => {
    await fillDlq(routes.capped);
    const { dlqUrl } = queuesOf(routes.capped);

    const messages = await listDlqMessages({ sqs: emulators.sqs.client, events }, dlqUrl, { max: 2 });

    expect(messages).toHaveLength(2);
    expect(await receiveAllVisible(dlqUrl)).toHaveLength(5);
  });

  it('returns an empty list for an empty DLQ', async () => {
    const { dlqUrl } = queuesOf(routes.redrive);

    expect(await listDlqMessages({ sqs: emulators.sqs.client, events }, dlqUrl, { waitSeconds: 0 })).toEqual(
      [],
    );
  });
});

describe('event states of a DLQ listing', () => {
  it('reads state items only, in batches of 100, and leaves out ids without an event', async () => {
    // Arrange: one real event among 150 ids.
    const id = await post(routes.capped, { n: 'states' });
    const missing = Array.from({ length: 149 }, () => newEventId(new Date(), routes.capped));
    tableCommands.length = 0;

    // Act
    const states = await events.getStates([...missing.slice(0, 120), id, ...missing.slice(120)]);

    // Assert
    expect(tableCommands).toEqual(['BatchGetItemCommand', 'BatchGetItemCommand']);
    expect([...states.keys()]).toEqual([id]);
    expect(states.get(id)).toMatchObject({ status: 'queued', attempts: [] });
    expect(states.get(id)).not.toHaveProperty('body');
  });

  it('lists the messages without statuses, and warns, when the table stays throttled', async () => {
    // Arrange: a dead-lettered event, and a history whose table never processes a key.
    const id = await post(routes.throttled, { n: 'throttled' });
    await consume(routes.throttled, 1, () => {
      throw new PermanentError('customer does not exist', { code: 'unknown_customer' });
    });
    await waitForDepth(queuesOf(routes.throttled).dlqUrl, 1);
    const throttled = {
      send: async (command: { input: { RequestItems: Record<string, unknown> } }) => ({
        Responses: {},
        UnprocessedKeys: command.input.RequestItems,
      }),
    } as unknown as DynamoDBClient;
    const warnings: unknown[] = [];
    const log = { ...silentLog, warn: (...args: unknown[]) => warnings.push(args) };

    // Act
    const messages = await listDlqMessages(
      {
        sqs: emulators.sqs.client,
        events: new EventHistory({
          client: throttled,
          tableName: 'events',
          store: new EventStore({ client: throttled, tableName: 'events' }),
        }),
        log,
      },
      queuesOf(routes.throttled).dlqUrl,
      { waitSeconds: 0 },
    );

    // Assert
    const listed = messages.find((message) => message.eventId === id);
    expect(listed).toBeDefined();
    expect(listed).not.toHaveProperty('status');
    expect(warnings).toEqual([
      ['dlq event states not read', expect.objectContaining({ events: expect.any(Number) })],
    ]);
  }, 30_000);
});

describe('startRedrive() and redriveTasks()', () => {
  it('throws RedriveUnavailableError, answered 503 by the admin API, when SQS returns no task handle', async () => {
    const sqs = { send: async () => ({}) };

    const started = startRedrive(sqs, {
      dlqArn: 'arn:aws:sqs:eu-west-1:1:dlq',
      sourceArn: 'arn:aws:sqs:eu-west-1:1:q',
    });

    await expect(started).rejects.toBeInstanceOf(RedriveUnavailableError);
    const error = await started.catch((caught: unknown) => caught);
    expect(toAdminHttpError(error, 'queue_unavailable')).toMatchObject({
      status: 503,
      code: 'queue_unavailable',
    });
  });

  it('moves every DLQ message back to the route queue with its envelope, and reports the task', async () => {
    // Arrange
    const { failed } = await fillDlq(routes.redrive);
    const queues = queuesOf(routes.redrive);

    const { metrics, lines } = capturedEmf();
    const counted = { metrics, route: routes.redrive.path };

    // Act
    const { taskHandle } = await startRedrive(
      emulators.sqs.client,
      { dlqArn: queues.dlqArn, sourceArn: queues.queueArn, ratePerSecond: 50 },
      counted,
    );
    // The emulator moves messages once a second: the first task still runs.
    await expect(
      startRedrive(emulators.sqs.client, { dlqArn: queues.dlqArn, sourceArn: queues.queueArn }, counted),
    ).rejects.toBeInstanceOf(RedriveRunningError);
    // One Redriven for the task started, none for the one refused.
    expect(emfTotal(lines, 'Redriven', { Route: routes.redrive.path })).toBe(1);
    await waitForDepth(queues.queueUrl, 5);

    // Assert: the messages are back on the source queue, the DLQ is empty.
    expect(taskHandle).not.toBe('');
    expect(await queueDepth(emulators.sqs.client, queues.dlqUrl)).toEqual({ visible: 0, inFlight: 0 });
    const redriven = await receiveAllVisible(queues.queueUrl);
    const ids = redriven.flatMap((message) => {
      try {
        return [String(JSON.parse(message.Body ?? '').id)];
      } catch {
        return [];
      }
    });
    expect(ids).toEqual(expect.arrayContaining(failed));
    await until(
      async () => (await redriveTasks(emulators.sqs.client, queues.dlqArn))[0]?.status === 'COMPLETED',
      'the redrive task to complete',
    );
    const [task] = await redriveTasks(emulators.sqs.client, queues.dlqArn);
    expect(task).toMatchObject({ status: 'COMPLETED', moved: 5, toMove: 5, ratePerSecond: 50 });
    expect(task?.startedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(task).not.toHaveProperty('taskHandle');
  });
});
