/**
 * The local poller against the real emulators (DynamoDB Local, the patched SQS emulator): events go
 * in through the real ingress, the poller hands them to the real handler runtime, and what is
 * observed is what SQS and the event table hold afterwards.
 */
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedRoute } from '../../../shared/config/types.js';
import { defineHandler } from '../../../shared/handler/define-handler.js';
import type { HandlerFunction } from '../../../shared/handler/types.js';
import { type Log, silentLog } from '../../../shared/logger.js';
import type { MetricValue } from '../../../shared/metrics/metrics.js';
import {
  type BatchReport,
  createPoller,
  type Poller,
  type PollerOptions,
} from '../../../shared/worker/poller.js';
import { regionOfArn, toSqsRecord } from '../../../shared/worker/sqs-records.js';
import { testEnvelopeKeys } from '../../helpers/envelope-keys.js';
import {
  connectEmulators,
  type Emulators,
  type IngressUnderTest,
  requireQueues,
  startIngress,
} from '../../helpers/ingress-stack.js';
import { makeRoute } from '../../helpers/routes.js';

let emulators: Emulators;
const running: Poller[] = [];
const ingresses: IngressUnderTest[] = [];
let routeCounter = 0;

beforeAll(async () => {
  emulators = await connectEmulators();
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((poller) => poller.stop()));
  await Promise.all(ingresses.splice(0).map((ingress) => ingress.close()));
});

afterAll(() => {
  emulators?.close();
});

/** A route with its own table and queues, unsigned (`none`), fed through the real ingress. */
function testRoute(overrides: Partial<ResolvedRoute> = {}): ResolvedRoute {
  routeCounter += 1;
  return makeRoute({
    path: `/poller/r${routeCounter}/`,
    verify: { scheme: 'none' },
    dedupe: { source: 'bodyHash', windowSeconds: 3600 },
    retry: { maxAttempts: 5, initialDelaySeconds: 60, multiplier: 2, maxDelaySeconds: 600 },
    timeoutSeconds: 10,
    ...overrides,
  });
}

interface Harness {
  readonly ingress: IngressUnderTest;
  readonly route: ResolvedRoute;
  readonly queueUrl: string;
  readonly batches: BatchReport[];
  /** Posts events with payloads `{ n }` and returns their ids. */
  send(...payloads: Record<string, unknown>[]): Promise<string[]>;
  poller(options?: Partial<PollerOptions>): Poller;
}

async function harness(route: ResolvedRoute, fn: HandlerFunction): Promise<Harness> {
  const ingress = await startIngress(emulators, [route]);
  ingresses.push(ingress);
  const { queueUrl, dlqUrl } = requireQueues(ingress.queues, route.path);
  const batches: BatchReport[] = [];
  const definition = defineHandler(fn).definition;
  return {
    ingress,
    route,
    queueUrl,
    batches,
    async send(...payloads) {
      const ids: string[] = [];
      for (const payload of payloads) {
        const reply = await ingress.post(route.path, JSON.stringify(payload), {
          'content-type': 'application/json',
        });
        expect(reply.status).toBe(202);
        ids.push(String(reply.json.id));
      }
      return ids;
    },
    poller(options = {}) {
      const poller = createPoller({
        route,
        definition,
        sqs: emulators.sqs.client,
        queueUrl,
        dlqUrl,
        store: ingress.store,
        envelopeKeys: testEnvelopeKeys,
        log: silentLog,
        waitSeconds: 1,
        // Backoff uses full jitter; a fixed draw keeps a failed message's delay above 0 s, so it is
        // never received again within the same test step.
        random: () => 0.5,
        onBatch: (batch) => batches.push(batch),
        ...options,
      });
      running.push(poller);
      return poller;
    },
  };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function queueCounts(sqs: SQSClient, queueUrl: string): Promise<{ total: number; inFlight: number }> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  // The emulator counts in-flight messages in ApproximateNumberOfMessages too: it is the total.
  return {
    total: Number(Attributes.ApproximateNumberOfMessages),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
  };
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

describe('createPoller()', () => {
  it('hands the runtime batches no larger than the route batch size and deletes them', async () => {
    // Arrange
    const seen: unknown[] = [];
    const h = await harness(testRoute({ batchSize: 3 }), (event) => {
      seen.push(event.payload);
    });
    const ids = await h.send(...Array.from({ length: 7 }, (_, n) => ({ n })));

    // Act
    h.poller().start();
    await until(() => sum(h.batches.map((b) => b.size)) === 7);

    // Assert
    expect(h.batches.every((batch) => batch.size <= 3)).toBe(true);
    expect(h.batches.length).toBeGreaterThanOrEqual(3);
    expect(seen).toHaveLength(7);
    expect(await queueCounts(emulators.sqs.client, h.queueUrl)).toEqual({ total: 0, inFlight: 0 });
    for (const id of ids) expect((await h.ingress.store.getEvent(id))?.status).toBe('delivered');
  });

  it('gathers messages arriving within the batching window into one batch', async () => {
    // Arrange
    const h = await harness(testRoute({ batchSize: 5, maxBatchingWindowSeconds: 2 }), () => {});
    h.poller().start();

    // Act: one event, then two more 300 ms later: all inside the 2 s window.
    await h.send({ n: 1 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await h.send({ n: 2 }, { n: 3 });
    await until(() => sum(h.batches.map((b) => b.size)) === 3);

    // Assert
    expect(h.batches.map((b) => b.size)).toEqual([3]);
  });

  it('closes the batch as soon as batchSize messages are gathered, before the window ends', async () => {
    // Arrange: a 15 s window, batches of 12 (more than one receive of 10).
    const h = await harness(testRoute({ batchSize: 12, maxBatchingWindowSeconds: 15 }), () => {});
    await h.send(...Array.from({ length: 12 }, (_, n) => ({ n })));
    const started = Date.now();

    // Act
    h.poller().start();
    await until(() => h.batches.length === 1);

    // Assert
    expect(h.batches[0]?.size).toBe(12);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('deletes only the successful messages of a batch with failures', async () => {
    // Arrange: events with `fail: true` throw; the runtime backs them off with ChangeMessageVisibility.
    const h = await harness(testRoute({ batchSize: 10 }), (event) => {
      if ((event.payload as { fail?: boolean }).fail) throw new Error('downstream unavailable');
    });
    const [ok1, bad, ok2] = await h.send({ n: 1 }, { n: 2, fail: true }, { n: 3 });

    // Act
    const processed = await h.poller().runOnce({ maxMessages: 10, waitSeconds: 1 });

    // Assert
    expect(processed).toBe(3);
    expect(h.batches).toHaveLength(1);
    expect(h.batches[0]?.failedMessageIds).toHaveLength(1);
    expect(await queueCounts(emulators.sqs.client, h.queueUrl)).toEqual({ total: 1, inFlight: 1 });
    expect((await h.ingress.store.getEvent(ok1 ?? ''))?.status).toBe('delivered');
    expect((await h.ingress.store.getEvent(ok2 ?? ''))?.status).toBe('delivered');
    const failed = await h.ingress.store.getEvent(bad ?? '');
    expect(failed?.status).toBe('retrying');
    expect(failed?.attempts.at(-1)).toMatchObject({ attempt: 1, outcome: 'failed', errorName: 'Error' });
  });

  it('leaves every message on the queue when the batch cannot be processed, and logs it', async () => {
    // Arrange: the queue ARN lookup (needed to build the Lambda records) fails.
    const h = await harness(testRoute(), () => {});
    await h.send({ n: 1 }, { n: 2 });
    const errors: { message: string; fields?: Record<string, unknown> }[] = [];
    const log: Log = { ...silentLog, error: (message, fields) => errors.push({ message, fields }) };
    const failingSqs: Pick<SQSClient, 'send'> = {
      send: ((command: unknown, options?: unknown) => {
        if (command instanceof GetQueueAttributesCommand) return Promise.reject(new Error('throttled'));
        return (emulators.sqs.client.send as (c: unknown, o?: unknown) => Promise<unknown>)(command, options);
      }) as SQSClient['send'],
    };

    // Act
    const processed = await h.poller({ sqs: failingSqs, log }).runOnce({ maxMessages: 10 });

    // Assert
    expect(processed).toBe(0);
    // The error goes in its own fields: a `message` field would replace the log line's message.
    expect(errors).toContainEqual({
      message: 'batch failed; messages left for redelivery',
      fields: { route: h.route.path, messages: 2, errorName: 'Error', errorMessage: 'throttled' },
    });
    expect(await queueCounts(emulators.sqs.client, h.queueUrl)).toEqual({ total: 2, inFlight: 2 });
  });

  it('stops receiving while its circuit is open, then probes one message after the cool-down', async () => {
    // Arrange: every attempt fails while `down`; failed messages are visible again at once.
    let down = true;
    let clockMs = 1_000_000;
    const lines: { message: string; fields: Record<string, unknown> }[] = [];
    const log: Log = {
      ...silentLog,
      info: (message, ...attributes) => lines.push({ message, fields: Object.assign({}, ...attributes) }),
      warn: (message, ...attributes) => lines.push({ message, fields: Object.assign({}, ...attributes) }),
    };
    const h = await harness(
      testRoute({
        retry: { maxAttempts: 5, initialDelaySeconds: 0, multiplier: 2, maxDelaySeconds: 0 },
        circuitBreaker: { consecutiveFailures: 2, coolDownSeconds: 5 },
      }),
      () => {
        if (down) throw new Error('downstream unavailable');
      },
    );
    const ids = await h.send({ n: 1 }, { n: 2 }, { n: 3 });
    const published: MetricValue[] = [];
    const poller = h.poller({
      log,
      clock: () => clockMs,
      metrics: { publish: (values) => published.push(...values) },
    });
    const circuitLog = () => lines.filter((line) => line.message.startsWith('circuit '));
    const circuitOpenings = () => published.filter((value) => value.name === 'CircuitOpened');

    // Act / Assert: failures open the circuit; while open nothing is received.
    await until(async () => {
      await poller.runOnce({ maxMessages: 10, waitSeconds: 1 });
      return poller.stats().circuit?.state === 'open';
    });
    expect(circuitLog()).toEqual([
      { message: 'circuit opened', fields: { route: h.route.path, failures: 2, coolDownSeconds: 5 } },
    ]);
    expect(circuitOpenings()).toEqual([
      { name: 'CircuitOpened', unit: 'Count', value: 1, dimensions: { route: h.route.path } },
    ]);
    const batchesWhenOpened = h.batches.length;
    expect(await poller.runOnce({ maxMessages: 10, waitSeconds: 0 })).toBe(0);
    clockMs += 4_999;
    expect(await poller.runOnce({ maxMessages: 10, waitSeconds: 0 })).toBe(0);
    expect(h.batches).toHaveLength(batchesWhenOpened);

    // A failed probe (one message) opens it again for twice the cool-down.
    clockMs += 1;
    expect(await poller.runOnce({ maxMessages: 10, waitSeconds: 1 })).toBe(1);
    expect(h.batches.at(-1)?.size).toBe(1);
    expect(poller.stats().circuit).toMatchObject({ state: 'open', coolDownSeconds: 10 });
    expect(circuitOpenings()).toHaveLength(2);
    clockMs += 9_999;
    expect(await poller.runOnce({ maxMessages: 10, waitSeconds: 0 })).toBe(0);

    // A delivered probe closes it; the rest of the queue follows.
    down = false;
    clockMs += 1;
    await until(async () => {
      await poller.runOnce({ maxMessages: 10, waitSeconds: 1 });
      const events = await Promise.all(ids.map((id) => h.ingress.store.getEvent(id)));
      return events.every((event) => event?.status === 'delivered');
    });
    expect(circuitLog().map((line) => line.message)).toEqual([
      'circuit opened',
      'circuit half-open',
      'circuit opened',
      'circuit half-open',
      'circuit closed',
    ]);
    expect(poller.stats().circuit).toEqual({ state: 'closed', failures: 0, coolDownSeconds: 5 });
  });

  describe('pause() and resume()', () => {
    it('takes nothing while paused, still alive, and delivers everything once resumed', async () => {
      // Arrange
      const lines: string[] = [];
      const log: Log = { ...silentLog, info: (message) => lines.push(message) };
      const h = await harness(testRoute(), () => {});
      const poller = h.poller({ log, concurrency: 2, clock: () => Date.parse('2026-12-07T10:00:00.000Z') });
      poller.start();

      // Act: paused, then events arrive.
      await poller.pause();
      const ids = await h.send({ n: 1 }, { n: 2 }, { n: 3 });
      const control = await harness(testRoute(), () => {});
      const [controlId] = await control.send({ n: 0 });
      control.poller().start();
      await until(
        async () => (await control.ingress.store.getEvent(controlId ?? ''))?.status === 'delivered',
      );

      // Assert: none received, the loops alive, the pause in the stats.
      expect(h.batches).toEqual([]);
      expect(await queueCounts(emulators.sqs.client, h.queueUrl)).toEqual({ total: 3, inFlight: 0 });
      expect(poller.isAlive()).toBe(true);
      expect(poller.stats()).toMatchObject({ processed: 0, pausedAt: '2026-12-07T10:00:00.000Z' });
      expect(await poller.runOnce({ maxMessages: 10, waitSeconds: 0 })).toBe(0);

      // Act: resumed.
      poller.resume();

      // Assert
      await until(async () => {
        const events = await Promise.all(ids.map((id) => h.ingress.store.getEvent(id)));
        return events.every((event) => event?.status === 'delivered');
      });
      expect(poller.stats()).not.toHaveProperty('pausedAt');
      expect(lines.filter((line) => line.startsWith('consumer '))).toEqual([
        'consumer paused',
        'consumer resumed',
      ]);
    });

    it('resolves once the long poll under way has returned, delivering what it brought', async () => {
      // Arrange: both loops in a long poll of an empty queue.
      const h = await harness(testRoute(), () => {});
      const poller = h.poller({ waitSeconds: 2, concurrency: 2 });
      poller.start();
      await new Promise((resolve) => setTimeout(resolve, 300));

      // Act: an event arrives during the pause's wait, another after it.
      let paused = false;
      const pausing = poller.pause().then(() => {
        paused = true;
      });
      const [during] = await h.send({ n: 1 });
      await pausing;
      const [after] = await h.send({ n: 2 });

      // Assert
      expect(paused).toBe(true);
      await until(async () => (await h.ingress.store.getEvent(during ?? ''))?.status === 'delivered');
      expect((await h.ingress.store.getEvent(after ?? ''))?.status).toBe('queued');
      expect(h.batches.map((batch) => batch.size)).toEqual([1]);
    });

    it('closes an open circuit on resume, with the configured cool-down', async () => {
      // Arrange: the circuit open after two failed attempts.
      const lines: string[] = [];
      const log: Log = {
        ...silentLog,
        info: (message) => lines.push(message),
        warn: (message) => lines.push(message),
      };
      const h = await harness(
        testRoute({
          retry: { maxAttempts: 5, initialDelaySeconds: 0, multiplier: 2, maxDelaySeconds: 0 },
          circuitBreaker: { consecutiveFailures: 2, coolDownSeconds: 300 },
        }),
        () => {
          throw new Error('downstream unavailable');
        },
      );
      await h.send({ n: 1 }, { n: 2 });
      const poller = h.poller({ log });
      await until(async () => {
        await poller.runOnce({ maxMessages: 10, waitSeconds: 1 });
        return poller.stats().circuit?.state === 'open';
      });

      // Act
      await poller.pause();
      const whilePaused = poller.stats();
      poller.resume();

      // Assert
      expect(whilePaused).toMatchObject({ circuit: { state: 'open' }, pausedAt: expect.any(String) });
      expect(poller.stats().circuit).toEqual({ state: 'closed', failures: 0, coolDownSeconds: 300 });
      expect(lines.filter((line) => !line.startsWith('event '))).toEqual([
        'circuit opened',
        'consumer paused',
        'circuit closed',
        'consumer resumed',
      ]);
    });
  });

  it('stops promptly during an idle long poll', async () => {
    // Arrange: a 20 s long poll on an empty queue.
    const h = await harness(testRoute(), () => {});
    const poller = h.poller({ waitSeconds: 20 });
    poller.start();
    await new Promise((resolve) => setTimeout(resolve, 300));

    // Act
    const started = Date.now();
    await poller.stop();

    // Assert
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(poller.isAlive()).toBe(false);
  });

  it('finishes the in-flight batch before stop() resolves', async () => {
    // Arrange: a handler that takes a while.
    let entered = false;
    let finished = false;
    const h = await harness(testRoute(), async () => {
      entered = true;
      await new Promise((resolve) => setTimeout(resolve, 800));
      finished = true;
    });
    const [id] = await h.send({ n: 1 });
    const poller = h.poller();
    poller.start();
    await until(() => entered);

    // Act
    await poller.stop();

    // Assert
    expect(finished).toBe(true);
    expect(h.batches).toHaveLength(1);
    expect((await h.ingress.store.getEvent(id ?? ''))?.status).toBe('delivered');
    expect(await queueCounts(emulators.sqs.client, h.queueUrl)).toEqual({ total: 0, inFlight: 0 });
  });

  it('reports isAlive() only while its loop runs', async () => {
    // Arrange
    const h = await harness(testRoute(), () => {});
    const poller = h.poller({ waitSeconds: 1 });

    // Act / Assert
    expect(poller.isAlive()).toBe(false);
    poller.start();
    expect(poller.isAlive()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // past one idle long poll
    expect(poller.isAlive()).toBe(true);
    await poller.stop();
    expect(poller.isAlive()).toBe(false);
  });

  it('runOnce() processes at most maxMessages and returns how many', async () => {
    // Arrange
    const h = await harness(testRoute({ batchSize: 2 }), () => {});
    await h.send(...Array.from({ length: 5 }, (_, n) => ({ n })));
    const poller = h.poller();

    // Act
    const first = await poller.runOnce({ maxMessages: 3, waitSeconds: 1 });
    const second = await poller.runOnce({ maxMessages: 10, waitSeconds: 0 });
    const third = await poller.runOnce({ maxMessages: 10, waitSeconds: 0 });

    // Assert
    expect([first, second, third]).toEqual([3, 2, 0]);
    expect(h.batches.every((batch) => batch.size <= 2)).toBe(true);
  });

  it('converts received messages to Lambda SQSRecords', async () => {
    // Arrange
    const { queueUrl, queueArn } = (await startIngressQueues()).queues;
    await emulators.sqs.client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: '{"a":1}',
        MessageAttributes: {
          reason: { DataType: 'String', StringValue: 'why' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
        },
      }),
    );
    const { Messages = [] } = await emulators.sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
        WaitTimeSeconds: 1,
      }),
    );
    const [message] = Messages;
    if (message === undefined) throw new Error('no message received');

    // Act
    const record = toSqsRecord(message, { queueArn });

    // Assert
    expect(record).toMatchObject({
      messageId: message.MessageId,
      receiptHandle: message.ReceiptHandle,
      body: '{"a":1}',
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: regionOfArn(queueArn),
      md5OfBody: message.MD5OfBody,
      messageAttributes: {
        reason: { dataType: 'String', stringValue: 'why', stringListValues: [], binaryListValues: [] },
        blob: { dataType: 'Binary', binaryValue: 'AQID' },
      },
    });
    expect(record.attributes.ApproximateReceiveCount).toBe('1');
    expect(Number(record.attributes.SentTimestamp)).toBeGreaterThan(0);
    expect(record.awsRegion).not.toBe('');
  });
});

async function startIngressQueues(): Promise<{ queues: { queueUrl: string; queueArn: string } }> {
  const route = testRoute();
  const ingress = await startIngress(emulators, [route]);
  ingresses.push(ingress);
  return { queues: requireQueues(ingress.queues, route.path) };
}
