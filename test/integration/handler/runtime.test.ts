import { randomUUID } from 'node:crypto';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import {
  ChangeMessageVisibilityCommand,
  ListMessageMoveTasksCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { S3BodyStore } from '../../../shared/body-store/s3-body-store.js';
import type { ResolvedRoute } from '../../../shared/config/types.js';
import { ENV } from '../../../shared/env-names.js';
import { parseEnvelope } from '../../../shared/envelope.js';
import { LockLostError } from '../../../shared/event-store/errors.js';
import { EventStore } from '../../../shared/event-store/event-store.js';
import { eventKeys } from '../../../shared/event-store/items.js';
import { marshallItem } from '../../../shared/event-store/marshal.js';
import type { EventRecord } from '../../../shared/event-store/types.js';
import { defineHandler } from '../../../shared/handler/define-handler.js';
import { PermanentError } from '../../../shared/handler/errors.js';
import { DLQ_ATTRIBUTES } from '../../../shared/handler/queue.js';
import { router } from '../../../shared/handler/router.js';
import { processBatch, type RuntimeDependencies } from '../../../shared/handler/runtime.js';
import type { HandlerDefinition, HandlerFunction, HooklineEvent } from '../../../shared/handler/types.js';
import { newEventId } from '../../../shared/ids.js';
import type { RouteQueues } from '../../../shared/local/create-queues.js';
import type { Log } from '../../../shared/logger.js';
import { awsTestCredentials, createDynamoDbClient, freePort } from '../../helpers/emulators.js';
import { signedForTests, TEST_ENVELOPE_KEY, testEnvelopeKeys } from '../../helpers/envelope-keys.js';
import { rawEventItem } from '../../helpers/event-records.js';
import { type FakeS3, startFakeS3 } from '../../helpers/fake-s3.js';
import {
  connectEmulators,
  type Emulators,
  type IngressUnderTest,
  requireQueues,
  startIngress,
} from '../../helpers/ingress-stack.js';
import { makeRoute } from '../../helpers/routes.js';
import { githubHeaders } from '../../helpers/signers.js';
import { deleteSucceeded, queueDepth, receiveAtLeast, receiveRecords } from '../../helpers/sqs-records.js';

const SECRET = "It's a Secret to Everybody";

/** Retries: 2 s × 2^(n−1) with the injected random 0.5 → 1 s, then 2 s. */
const FAST_RETRY = { maxAttempts: 5, initialDelaySeconds: 2, multiplier: 2, maxDelaySeconds: 900 };
const HALF = () => 0.5;

function githubRoute(name: string, overrides: Partial<ResolvedRoute> = {}): ResolvedRoute {
  return makeRoute({
    path: `/${name}/`,
    verify: { scheme: 'github', secret: { name: 'GITHUB_WEBHOOK_SECRET' } },
    handler: `functions/handlers/${name}.ts`,
    retry: FAST_RETRY,
    ...overrides,
  });
}

const routes = {
  success: githubRoute('success'),
  retry: githubRoute('retry'),
  exhaust: githubRoute('exhaust', { retry: { ...FAST_RETRY, maxAttempts: 3, multiplier: 1 } }),
  exhaustRedrive: githubRoute('exhaust-redrive', { retry: { ...FAST_RETRY, maxAttempts: 2, multiplier: 1 } }),
  lastLapsed: githubRoute('last-lapsed', { retry: { ...FAST_RETRY, maxAttempts: 3, multiplier: 1 } }),
  permanent: githubRoute('permanent'),
  schema: githubRoute('schema'),
  duplicates: githubRoute('duplicates'),
  crash: githubRoute('crash'),
  race: githubRoute('race'),
  mixed: githubRoute('mixed'),
  concurrent: githubRoute('concurrent'),
  routed: githubRoute('routed'),
  redrive: githubRoute('redrive'),
  poison: githubRoute('poison'),
  outage: githubRoute('outage'),
  blip: githubRoute('blip'),
  refused: githubRoute('refused'),
  lambda: githubRoute('lambda'),
  lambdaLarge: githubRoute('lambda-large', { maxBodyBytes: 1024 * 1024 }),
  example: githubRoute('example'),
  traced: githubRoute('traced', { tracing: true }),
};

/** The X-Ray trace header of the ingress's invocation, as Lambda sets `_X_AMZN_TRACE_ID` (traced route). */
const TRACE_ID = '1-67891233-abcdef012345678912345678';
const TRACE_HEADER = `Root=${TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1`;

const BODY_BUCKET = 'hookline-bodies';

let emulators: Emulators;
let ingress: IngressUnderTest;
let s3: FakeS3;
let s3Client: S3Client;
/** Every line the ingress wrote. */
const ingressLog = captureLog();

beforeAll(async () => {
  emulators = await connectEmulators();
  s3 = await startFakeS3();
  s3Client = new S3Client({ ...awsTestCredentials, endpoint: s3.endpoint, forcePathStyle: true });
  ingress = await startIngress(emulators, Object.values(routes), {
    secrets: { GITHUB_WEBHOOK_SECRET: SECRET },
    override: () => ({
      bodyStore: new S3BodyStore({ client: s3Client, bucket: BODY_BUCKET }),
      log: ingressLog,
      traceHeader: () => TRACE_HEADER,
    }),
  });
});

afterAll(async () => {
  await ingress?.close();
  emulators?.close();
  s3Client?.destroy();
  await s3?.stop();
});

// --- helpers -------------------------------------------------------------------------------

interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly attributes: Record<string, unknown>;
}

function captureLog(): Log & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const push =
    (level: LogLine['level']) =>
    (message: string, ...attributes: Record<string, unknown>[]) => {
      lines.push({ level, message, attributes: Object.assign({}, ...attributes) });
    };
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

function queuesOf(route: ResolvedRoute): RouteQueues {
  return requireQueues(ingress.queues, route.path);
}

function depsFor(route: ResolvedRoute, overrides: Partial<RuntimeDependencies> = {}) {
  const queues = queuesOf(route);
  const log = captureLog();
  const deps: RuntimeDependencies = {
    route,
    store: ingress.store,
    sqs: emulators.sqs.client,
    queueUrl: queues.queueUrl,
    dlqUrl: queues.dlqUrl,
    envelopeKeys: testEnvelopeKeys,
    log,
    random: HALF,
    ...overrides,
  };
  return { deps, log };
}

/** Sends a signed GitHub webhook through the real ingress over HTTP; returns the event id. */
async function post(route: ResolvedRoute, payload: unknown, githubEvent = 'push'): Promise<string> {
  const body = JSON.stringify(payload);
  const reply = await ingress.post(
    route.path,
    body,
    await githubHeaders(SECRET, body, randomUUID(), githubEvent),
  );
  expect(reply.status).toBe(202);
  return String(reply.json.id);
}

function receive(route: ResolvedRoute, count = 1): Promise<SQSRecord[]> {
  return receiveAtLeast(emulators.sqs.client, queuesOf(route), count);
}

async function receiveDlq(route: ResolvedRoute, count = 1): Promise<SQSRecord[]> {
  const { dlqUrl, dlqArn } = queuesOf(route);
  return receiveAtLeast(emulators.sqs.client, { queueUrl: dlqUrl, queueArn: dlqArn }, count);
}

/** processBatch, then what the event source mapping does: delete the messages that succeeded. */
async function runBatch<T>(
  records: SQSRecord[],
  definition: HandlerDefinition<T>,
  deps: RuntimeDependencies,
  invocation?: Parameters<typeof processBatch>[3],
): Promise<SQSBatchResponse> {
  const response = await processBatch(records, definition, deps, invocation);
  await deleteSucceeded(emulators.sqs.client, deps.queueUrl, records, response);
  return response;
}

function definitionOf<T>(fn: HandlerFunction<T>, options = {}): HandlerDefinition<T> {
  return defineHandler(fn, options).definition;
}

async function record(id: string): Promise<EventRecord> {
  const found = await ingress.store.getEvent(id);
  if (found === undefined) throw new Error(`no record for ${id}`);
  return found;
}

const failures = (response: SQSBatchResponse) =>
  response.batchItemFailures.map((item) => item.itemIdentifier);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function depth(route: ResolvedRoute) {
  return queueDepth(emulators.sqs.client, queuesOf(route).queueUrl);
}

// --- tests ---------------------------------------------------------------------------------

describe('processBatch()', () => {
  it('delivers an event: handler runs once with the typed event, record delivered with one attempt', async () => {
    const payload = { ref: 'refs/heads/main', repository: { name: 'hookline' } };
    const id = await post(routes.success, payload);
    const seen: HooklineEvent[] = [];
    const { deps, log } = depsFor(routes.success);
    const records = await receive(routes.success);

    const response = await runBatch(
      records,
      definitionOf((event, context) => {
        seen.push(event);
        context.log.info('handled');
      }),
      deps,
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ id, route: '/success/', type: 'push', payload, attempt: 1 });
    expect(Buffer.from(seen[0]?.rawBody ?? []).toString('utf8')).toBe(JSON.stringify(payload));
    expect(seen[0]?.headers['x-github-event']).toBe('push');
    const stored = await record(id);
    expect(stored).toMatchObject({ status: 'delivered', attempts: [{ attempt: 1, outcome: 'delivered' }] });
    expect(stored.attempts[0]?.durationMs).toBeGreaterThanOrEqual(0);
    expect(stored).not.toHaveProperty('lockOwner');
    expect(await depth(routes.success)).toEqual({ visible: 0, inFlight: 0 });
    const states = log.lines.filter((line) => line.message === 'event state');
    // A first attempt's start is a DEBUG line: at INFO, a delivered event is one line.
    expect(states).toEqual([
      expect.objectContaining({
        level: 'debug',
        attributes: expect.objectContaining({
          eventId: id,
          route: '/success/',
          status: 'processing',
          attempt: 1,
        }),
      }),
      expect.objectContaining({
        level: 'info',
        attributes: expect.objectContaining({
          eventId: id,
          route: '/success/',
          status: 'delivered',
          attempt: 1,
        }),
      }),
    ]);
    // Every line of the event carries its id, route and (tracing off) the event id as `traceId`,
    // the handler's own lines too.
    const keys = { eventId: id, route: '/success/', traceId: id, messageId: records[0]?.messageId };
    expect(log.lines.map((line) => line.message)).toEqual(['event state', 'handled', 'event state']);
    for (const line of log.lines) expect(line.attributes).toMatchObject(keys);
    expect(log.lines[1]?.attributes).toMatchObject({ attempt: 1 });
    // The ingress's lines of the same event carry the same keys.
    const accepted = ingressLog.lines.filter((line) => line.attributes.eventId === id);
    expect(accepted.map((line) => line.message)).toEqual(['event queued']);
    expect(accepted[0]?.attributes).toMatchObject({ eventId: id, route: '/success/', traceId: id });
  });

  it('joins the ingress and handler lines of a traced route on the X-Ray trace id of AWSTraceHeader', async () => {
    const id = await post(routes.traced, { ref: 'refs/heads/traced' });
    const { deps, log } = depsFor(routes.traced);
    // SQS sets AWSTraceHeader from the trace header of the ingress's SendMessage call; the local
    // SQS emulator does not, so the record gets it as the event source mapping would hand it over.
    const records = (await receive(routes.traced)).map((received) => ({
      ...received,
      attributes: { ...received.attributes, AWSTraceHeader: TRACE_HEADER },
    }));

    const response = await runBatch(
      records,
      definitionOf((_event, context) => context.log.info('handled')),
      deps,
    );

    expect(response.batchItemFailures).toEqual([]);
    const keys = { eventId: id, route: '/traced/', traceId: TRACE_ID };
    expect(log.lines.map((line) => line.message)).toEqual(['event state', 'handled', 'event state']);
    for (const line of log.lines) expect(line.attributes).toMatchObject(keys);
    const accepted = ingressLog.lines.filter((line) => line.attributes.eventId === id);
    expect(accepted.map((line) => line.message)).toEqual(['event queued']);
    expect(accepted[0]?.attributes).toMatchObject(keys);
  });

  it('uses the event id as traceId on a traced route whose record has no AWSTraceHeader', async () => {
    const id = await post(routes.traced, { ref: 'refs/heads/untraced' });
    const { deps, log } = depsFor(routes.traced);

    await runBatch(
      await receive(routes.traced),
      definitionOf(() => {}),
      deps,
    );

    expect(log.lines.length).toBeGreaterThan(0);
    for (const line of log.lines) expect(line.attributes).toMatchObject({ eventId: id, traceId: id });
  });

  it('delivers an event whose message arrives before ingress has written its state', async () => {
    const id = await post(routes.success, { ref: 'refs/heads/early' });
    const accepted = await record(id);
    const stateKey = eventKeys.state(id);
    if (stateKey === undefined) throw new Error(`${id} is not an event id`);
    const requestKey =
      (await rawEventItem(emulators.dynamo.client, ingress.tableName, id))?.requestKey?.S ?? '';
    // As if the handler took the message between ingress's SendMessage and its state write.
    await emulators.dynamo.client.send(
      new DeleteItemCommand({ TableName: ingress.tableName, Key: marshallItem(stateKey) }),
    );
    const seen: string[] = [];

    const response = await runBatch(
      await receive(routes.success),
      definitionOf((event) => void seen.push(event.id)),
      depsFor(routes.success).deps,
    );

    expect(response).toEqual({ batchItemFailures: [] });
    expect(seen).toEqual([id]);
    const { updatedAt, status, attempts, ...fromMessage } = accepted;
    expect(await record(id)).toEqual({
      ...fromMessage,
      updatedAt: expect.any(String),
      status: 'delivered',
      attempts: [expect.objectContaining({ attempt: 1, outcome: 'delivered' })],
    });
    // Ingress's own write, landing late, leaves the settled state alone.
    expect(requestKey).toMatch(/^DEDUPE#\/success\/#/);
    expect(await ingress.store.putQueued({ ...accepted }, requestKey)).toBe(false);
    expect((await record(id)).status).toBe('delivered');
  });

  it('retries a failing handler with backoff and delivers on the third attempt', async () => {
    const id = await post(routes.retry, { n: 1 });
    let calls = 0;
    const definition = definitionOf((event) => {
      calls += 1;
      if (event.attempt < 3) throw new TypeError(`flaky ${event.attempt}`);
    });
    const { deps } = depsFor(routes.retry);
    const statuses: string[] = [];

    let records = await receive(routes.retry);
    for (const expectedDelayS of [1, 2]) {
      const response = await runBatch(records, definition, deps);
      const changedAt = Date.now();
      expect(failures(response)).toEqual([records[0]?.messageId]);
      statuses.push((await record(id)).status);
      // Hidden until the backoff has passed, then received again.
      expect(await receiveRecords(emulators.sqs.client, queuesOf(routes.retry))).toEqual([]);
      expect((await depth(routes.retry)).inFlight).toBe(1);
      records = await receiveRecords(emulators.sqs.client, queuesOf(routes.retry), { waitSeconds: 5 });
      expect(Date.now() - changedAt).toBeGreaterThanOrEqual(expectedDelayS * 1000 - 100);
      expect(records).toHaveLength(1);
    }
    expect(records[0]?.attributes.ApproximateReceiveCount).toBe('3');
    const response = await runBatch(records, definition, deps);

    expect(response.batchItemFailures).toEqual([]);
    expect(calls).toBe(3);
    expect(statuses).toEqual(['retrying', 'retrying']);
    const stored = await record(id);
    expect(stored.status).toBe('delivered');
    expect(stored.attempts).toMatchObject([
      { attempt: 1, outcome: 'failed', errorName: 'TypeError', errorMessage: 'flaky 1' },
      { attempt: 2, outcome: 'failed', errorName: 'TypeError', errorMessage: 'flaky 2' },
      { attempt: 3, outcome: 'delivered' },
    ]);
    const [first, second] = stored.attempts;
    const delay = (attempt: typeof first) =>
      Date.parse(attempt?.nextVisibleAt ?? '') -
      Date.parse(attempt?.startedAt ?? '') -
      (attempt?.durationMs ?? 0);
    expect(delay(first)).toBeGreaterThanOrEqual(900);
    expect(delay(first)).toBeLessThan(1_500);
    expect(delay(second)).toBeGreaterThanOrEqual(1_900);
    expect(delay(second)).toBeLessThan(2_500);
    expect(await depth(routes.retry)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('dead-letters an always-failing event itself after exactly maxAttempts attempts', async () => {
    const id = await post(routes.exhaust, { n: 1 });
    let calls = 0;
    const definition = definitionOf(() => {
      calls += 1;
      throw new Error('downstream unavailable');
    });
    const { deps } = depsFor(routes.exhaust);
    const receiveCounts: string[] = [];
    const answers: string[][] = [];

    for (let round = 1; round <= 3; round += 1) {
      const records = await receive(routes.exhaust);
      expect(records).toHaveLength(1);
      receiveCounts.push(records[0]?.attributes.ApproximateReceiveCount ?? '');
      answers.push(failures(await runBatch(records, definition, deps)));
    }

    // The first two are retried; the third, the last attempt, is sent to the DLQ by the runtime
    // (the queue keeps a spare receive, so SQS's redrive never has to) and deleted.
    expect(answers.map((failed) => failed.length)).toEqual([1, 1, 0]);
    const dead = await receiveDlq(routes.exhaust);
    expect(calls).toBe(3);
    expect(receiveCounts).toEqual(['1', '2', '3']);
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0]?.body ?? '{}')).toMatchObject({ v: 3, id });
    expect(dead[0]?.messageAttributes[DLQ_ATTRIBUTES.reason]?.stringValue).toBe('attempts_exhausted');
    expect(await depth(routes.exhaust)).toEqual({ visible: 0, inFlight: 0 });
    const stored = await record(id);
    expect(stored.status).toBe('dead_lettered');
    expect(stored.attempts.map((attempt) => [attempt.attempt, attempt.outcome])).toEqual([
      [1, 'failed'],
      [2, 'failed'],
      [3, 'failed'],
    ]);
    expect(stored.attempts[2]).not.toHaveProperty('nextVisibleAt');
  });

  it('dead-letters on the spare receive an event whose last attempt never settled, without running it', async () => {
    const id = await post(routes.lastLapsed, { n: 1 });
    let calls = 0;
    const failing = definitionOf(() => {
      calls += 1;
      throw new Error('downstream unavailable');
    });
    const { deps } = depsFor(routes.lastLapsed);
    await runBatch(await receive(routes.lastLapsed), failing, deps);
    await runBatch(await receive(routes.lastLapsed), failing, deps);
    // The last attempt takes the lock and dies before settling: its lock lapses at once.
    const last = await receive(routes.lastLapsed);
    await ingress.store.acquireLock({
      id,
      route: routes.lastLapsed.path,
      owner: `${last[0]?.messageId}/crashed`,
      expiresAt: new Date(),
    });
    await emulators.sqs.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queuesOf(routes.lastLapsed).queueUrl,
        ReceiptHandle: last[0]?.receiptHandle,
        VisibilityTimeout: 0,
      }),
    );

    const spare = await receive(routes.lastLapsed);
    const response = await runBatch(spare, failing, deps);

    expect(spare[0]?.attributes.ApproximateReceiveCount).toBe('4');
    expect(failures(response)).toEqual([]);
    expect(calls).toBe(2);
    const dead = await receiveDlq(routes.lastLapsed);
    expect(dead[0]?.messageAttributes[DLQ_ATTRIBUTES.reason]?.stringValue).toBe('attempts_exhausted');
    const stored = await record(id);
    expect(stored.status).toBe('dead_lettered');
    expect(stored.attempts.map((attempt) => [attempt.attempt, attempt.outcome, attempt.errorName])).toEqual([
      [1, 'failed', 'Error'],
      [2, 'failed', 'Error'],
      [3, 'failed', 'LockExpiredError'],
    ]);
  });

  it('sends a PermanentError straight to the DLQ with its reason, without retrying', async () => {
    const id = await post(routes.permanent, { customer: 'cus_unknown' });
    let calls = 0;
    const definition = definitionOf(() => {
      calls += 1;
      throw new PermanentError('customer cus_unknown does not exist', { code: 'unknown_customer' });
    });
    const { deps } = depsFor(routes.permanent);
    const records = await receive(routes.permanent);

    const response = await runBatch(records, definition, deps);

    expect(response.batchItemFailures).toEqual([]);
    expect(calls).toBe(1);
    const dead = await receiveDlq(routes.permanent);
    expect(JSON.parse(dead[0]?.body ?? '{}')).toMatchObject({ id });
    expect(dead[0]?.messageAttributes[DLQ_ATTRIBUTES.reason]?.stringValue).toBe('unknown_customer');
    expect(dead[0]?.messageAttributes[DLQ_ATTRIBUTES.error]?.stringValue).toBe(
      'customer cus_unknown does not exist',
    );
    expect(await depth(routes.permanent)).toEqual({ visible: 0, inFlight: 0 });
    expect(await record(id)).toMatchObject({
      status: 'dead_lettered',
      attempts: [
        {
          attempt: 1,
          outcome: 'permanent_failure',
          errorName: 'PermanentError',
          errorMessage: 'customer cus_unknown does not exist',
        },
      ],
    });
  });

  it('treats a payload failing the schema as permanent, keeping the validation message', async () => {
    const id = await post(routes.schema, { action: 42 });
    let calls = 0;
    const schema = z.object({ action: z.enum(['opened', 'closed']), number: z.number() });
    const definition = definitionOf(
      (event: HooklineEvent<z.infer<typeof schema>>) => {
        calls += 1;
        return event.payload.action;
      },
      { schema },
    );
    const { deps } = depsFor(routes.schema);

    const response = await runBatch(await receive(routes.schema), definition, deps);

    expect(response.batchItemFailures).toEqual([]);
    expect(calls).toBe(0);
    const [attempt] = (await record(id)).attempts;
    expect((await record(id)).status).toBe('dead_lettered');
    expect(attempt).toMatchObject({ outcome: 'permanent_failure', errorName: 'PayloadValidationError' });
    expect(attempt?.errorMessage).toMatch(/^payload failed validation: action: .+; number: .+/);
    const dead = await receiveDlq(routes.schema);
    expect(dead[0]?.messageAttributes[DLQ_ATTRIBUTES.reason]?.stringValue).toBe('invalid_payload');
  });

  it('passes the validated payload to the handler', async () => {
    await post(routes.schema, { action: 'opened', number: 7, extra: 'dropped by zod' });
    const seen: unknown[] = [];
    const schema = z.object({ action: z.string(), number: z.number() });
    const definition = definitionOf(
      (event: HooklineEvent<z.infer<typeof schema>>) => void seen.push(event.payload),
      {
        schema,
      },
    );

    await runBatch(await receive(routes.schema), definition, depsFor(routes.schema).deps);

    expect(seen).toEqual([{ action: 'opened', number: 7 }]);
  });

  describe('duplicates', () => {
    it('runs the handler once for the same message twice in one batch', async () => {
      const id = await post(routes.duplicates, { n: 1 });
      let calls = 0;
      const [message] = await receive(routes.duplicates);
      if (message === undefined) throw new Error('no message');

      const response = await runBatch(
        [message, message],
        definitionOf(() => {
          calls += 1;
        }),
        depsFor(routes.duplicates).deps,
      );

      expect(response.batchItemFailures).toEqual([]);
      expect(calls).toBe(1);
      expect((await record(id)).attempts).toHaveLength(1);
    });

    it('runs the handler once for two copies (two SQS messages) of one event in one batch', async () => {
      const id = await post(routes.duplicates, { n: 2 });
      const [original] = await receive(routes.duplicates);
      await emulators.sqs.client.send(
        new SendMessageCommand({
          QueueUrl: queuesOf(routes.duplicates).queueUrl,
          MessageBody: original?.body,
        }),
      );
      const [copy] = await receive(routes.duplicates);
      if (original === undefined || copy === undefined) throw new Error('missing message');
      let calls = 0;

      const response = await runBatch(
        [original, copy],
        definitionOf(() => {
          calls += 1;
        }),
        depsFor(routes.duplicates).deps,
      );

      expect(copy.messageId).not.toBe(original.messageId);
      expect(response.batchItemFailures).toEqual([]);
      expect(calls).toBe(1);
      expect(await depth(routes.duplicates)).toEqual({ visible: 0, inFlight: 0 });
      expect((await record(id)).status).toBe('delivered');
    });

    it('drops a redelivered copy of a delivered event without running the handler', async () => {
      const id = await post(routes.duplicates, { n: 3 });
      const [original] = await receive(routes.duplicates);
      if (original === undefined) throw new Error('no message');
      let calls = 0;
      const definition = definitionOf(() => {
        calls += 1;
      });
      await runBatch([original], definition, depsFor(routes.duplicates).deps);
      await emulators.sqs.client.send(
        new SendMessageCommand({
          QueueUrl: queuesOf(routes.duplicates).queueUrl,
          MessageBody: original.body,
        }),
      );

      const response = await runBatch(
        await receive(routes.duplicates),
        definition,
        depsFor(routes.duplicates).deps,
      );

      expect(response.batchItemFailures).toEqual([]);
      expect(calls).toBe(1);
      expect((await record(id)).attempts).toHaveLength(1);
    });

    it('after a crash that held the lock: not run while the lock lives, run exactly once more after it lapses', async () => {
      const id = await post(routes.crash, { n: 1 });
      const [message] = await receive(routes.crash);
      if (message === undefined) throw new Error('no message');
      // The crashed attempt took the lock (as processBatch does first) and never settled.
      const crashedLock = new Date(Date.now() + 1_500);
      await ingress.store.acquireLock({
        id,
        route: routes.crash.path,
        owner: `${message.messageId}/crashed-attempt`,
        expiresAt: crashedLock,
      });
      let calls = 0;
      const definition = definitionOf(() => {
        calls += 1;
      });
      const { deps } = depsFor(routes.crash);

      // SQS delivers the same message again while the crashed attempt's lock still lives.
      const early = await runBatch([message], definition, deps);

      expect(calls).toBe(0);
      expect(failures(early)).toEqual([message.messageId]);
      expect(await receiveRecords(emulators.sqs.client, queuesOf(routes.crash))).toEqual([]);

      const [redelivered] = await receiveAtLeast(emulators.sqs.client, queuesOf(routes.crash), 1, 5_000);
      if (redelivered === undefined) throw new Error('message was not redelivered');
      expect(Date.now()).toBeGreaterThanOrEqual(crashedLock.getTime());
      const late = await runBatch([redelivered], definition, deps);

      expect(late.batchItemFailures).toEqual([]);
      expect(calls).toBe(1);
      const stored = await record(id);
      expect(stored.status).toBe('delivered');
      expect(stored.attempts).toMatchObject([
        { attempt: 1, outcome: 'failed', errorName: 'LockExpiredError' },
        { attempt: 2, outcome: 'delivered' },
      ]);
    });

    it('drops another copy of an event whose lock another consumer holds, without running it', async () => {
      const id = await post(routes.crash, { n: 2 });
      const [held] = await receive(routes.crash);
      await ingress.store.acquireLock({
        id,
        route: routes.crash.path,
        owner: `${held?.messageId}/other-consumer`,
        expiresAt: new Date(Date.now() + 30_000),
      });
      await emulators.sqs.client.send(
        new SendMessageCommand({ QueueUrl: queuesOf(routes.crash).queueUrl, MessageBody: held?.body }),
      );
      const [copy] = await receive(routes.crash);
      let calls = 0;

      const response = await runBatch(
        copy ? [copy] : [],
        definitionOf(() => {
          calls += 1;
        }),
        depsFor(routes.crash).deps,
      );

      expect(response.batchItemFailures).toEqual([]);
      expect(calls).toBe(0);
      expect((await record(id)).lockOwner).toBe(`${held?.messageId}/other-consumer`);
    });

    it('runs the handler once when two consumers race on copies of the same event', async () => {
      const id = await post(routes.race, { n: 1 });
      const [first] = await receive(routes.race);
      await emulators.sqs.client.send(
        new SendMessageCommand({ QueueUrl: queuesOf(routes.race).queueUrl, MessageBody: first?.body }),
      );
      const [second] = await receive(routes.race);
      if (first === undefined || second === undefined) throw new Error('missing message');
      let calls = 0;
      const definition = definitionOf(async () => {
        calls += 1;
        await sleep(200);
      });

      const responses = await Promise.all([
        runBatch([first], definition, depsFor(routes.race).deps),
        runBatch([second], definition, depsFor(routes.race).deps),
      ]);

      expect(calls).toBe(1);
      expect(responses.map((response) => response.batchItemFailures)).toEqual([[], []]);
      expect(await record(id)).toMatchObject({ status: 'delivered', attempts: [{ attempt: 1 }] });
      expect(await depth(routes.race)).toEqual({ visible: 0, inFlight: 0 });
    });
  });

  it('reports only the failed messages of a batch with mixed outcomes', async () => {
    const ids = {
      ok: await post(routes.mixed, { mode: 'ok' }),
      fail: await post(routes.mixed, { mode: 'fail' }),
      permanent: await post(routes.mixed, { mode: 'permanent' }),
      ignored: await post(routes.mixed, { mode: 'ignored' }),
    };
    const records = await receive(routes.mixed, 4);
    const definition = definitionOf(
      router<{ mode: string }>()
        .on({ payload: { mode: 'ok' } }, () => 'done')
        .on({ payload: { mode: 'fail' } }, () => {
          throw new Error('try later');
        })
        .on({ payload: { mode: 'permanent' } }, () => {
          throw new PermanentError('never');
        }),
    );

    const outcomes: string[] = [];
    const response = await runBatch(records, definition, depsFor(routes.mixed).deps, {
      onAttempt: (outcome) => {
        outcomes.push(outcome);
        throw new Error('an observer failure changes nothing');
      },
    });

    // Every settled attempt is reported to the observer (a consumer's circuit breaker).
    expect(outcomes.sort()).toEqual(['delivered', 'failed', 'ignored', 'permanent']);
    const failedRecord = records.find((item) => JSON.parse(item.body).id === ids.fail);
    expect(records).toHaveLength(4);
    expect(failures(response)).toEqual([failedRecord?.messageId]);
    expect((await record(ids.ok)).status).toBe('delivered');
    expect((await record(ids.fail)).status).toBe('retrying');
    expect((await record(ids.permanent)).status).toBe('dead_lettered');
    expect((await record(ids.ignored)).status).toBe('ignored');
    expect((await depth(routes.mixed)).inFlight).toBe(1);
    expect(await receiveRecords(emulators.sqs.client, queuesOf(routes.mixed))).toEqual([]);
  });

  it.each([
    [undefined, 4],
    [1, 1],
  ])(
    'runs a batch with recordConcurrency %s: at most %i records at once',
    async (recordConcurrency, expected) => {
      const ids: string[] = [];
      for (let n = 0; n < 4; n++) ids.push(await post(routes.concurrent, { n }));
      const records = await receive(routes.concurrent, 4);
      let inFlight = 0;
      let peak = 0;
      const started: number[] = [];
      const definition = definitionOf<{ n: number }>(
        async (event) => {
          started.push(event.payload.n);
          inFlight += 1;
          peak = Math.max(peak, inFlight);
          // Hold until as many records as may run at once have started (or 2 s passed), so the peak
          // does not depend on how fast a loaded machine takes each record's lock.
          const deadline = Date.now() + 2_000;
          await sleep(50);
          while (inFlight < expected && Date.now() < deadline) await sleep(10);
          inFlight -= 1;
        },
        recordConcurrency === undefined ? {} : { recordConcurrency },
      );

      const response = await runBatch(records, definition, depsFor(routes.concurrent).deps);

      expect(failures(response)).toEqual([]);
      expect(peak).toBe(expected);
      const order = records.map((item) => ids.indexOf(JSON.parse(item.body).id));
      if (recordConcurrency === 1) expect(started).toEqual(order);
      for (const id of ids) expect((await record(id)).status).toBe('delivered');
    },
  );

  it('records an event no router rule matches as ignored, not failed', async () => {
    const id = await post(routes.routed, { zen: 'Design for failure.' }, 'ping');
    let calls = 0;
    const definition = definitionOf(
      router().on('push', () => {
        calls += 1;
      }),
    );

    const response = await runBatch(await receive(routes.routed), definition, depsFor(routes.routed).deps);

    expect(response.batchItemFailures).toEqual([]);
    expect(calls).toBe(0);
    expect(await record(id)).toMatchObject({
      status: 'ignored',
      attempts: [{ attempt: 1, outcome: 'ignored' }],
    });
    expect(await depth(routes.routed)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('processes a message redriven from the DLQ (StartMessageMoveTask): new attempt in the history', async () => {
    const id = await post(routes.redrive, { n: 1 });
    let fixed = false;
    const definition = definitionOf(() => {
      if (!fixed) throw new PermanentError('bad configuration');
    });
    const { deps } = depsFor(routes.redrive);
    const [original] = await receive(routes.redrive);
    await runBatch(original ? [original] : [], definition, deps);
    expect((await record(id)).status).toBe('dead_lettered');
    fixed = true;

    const queues = queuesOf(routes.redrive);
    await emulators.sqs.client.send(
      new StartMessageMoveTaskCommand({ SourceArn: queues.dlqArn, DestinationArn: queues.queueArn }),
    );
    const redriven = await receiveAtLeast(emulators.sqs.client, queues, 1, 10_000);
    const response = await runBatch(redriven, definition, deps);

    expect(redriven).toHaveLength(1);
    expect(redriven[0]?.messageId).not.toBe(original?.messageId);
    expect(response.batchItemFailures).toEqual([]);
    const stored = await record(id);
    expect(stored.status).toBe('delivered');
    expect(stored.attempts.map((attempt) => [attempt.attempt, attempt.outcome])).toEqual([
      [1, 'permanent_failure'],
      [2, 'delivered'],
    ]);
    expect(stored.attempts[0]).not.toHaveProperty('redriven');
    expect(stored.attempts[1]?.redriven).toBe(true);
    const { Results = [] } = await emulators.sqs.client.send(
      new ListMessageMoveTasksCommand({ SourceArn: queues.dlqArn }),
    );
    expect(Results[0]?.ApproximateNumberOfMessagesMoved).toBe(1);
  });

  it('runs an event dead-lettered after all its attempts again once it is redriven', async () => {
    const id = await post(routes.exhaustRedrive, { n: 1 });
    let fixed = false;
    const definition = definitionOf(() => {
      if (!fixed) throw new Error('downstream unavailable');
    });
    const { deps } = depsFor(routes.exhaustRedrive);
    for (let round = 1; round <= 2; round += 1)
      await runBatch(await receive(routes.exhaustRedrive), definition, deps);
    expect((await record(id)).status).toBe('dead_lettered');
    fixed = true;

    const queues = queuesOf(routes.exhaustRedrive);
    await emulators.sqs.client.send(
      new StartMessageMoveTaskCommand({ SourceArn: queues.dlqArn, DestinationArn: queues.queueArn }),
    );
    const redriven = await receiveAtLeast(emulators.sqs.client, queues, 1, 10_000);
    const response = await runBatch(redriven, definition, deps);

    // Its receive count starts again: the redriven message is a new attempt, not one past the last.
    expect(response.batchItemFailures).toEqual([]);
    const stored = await record(id);
    expect(stored.status).toBe('delivered');
    expect(stored.attempts.map((attempt) => [attempt.attempt, attempt.outcome, attempt.redriven])).toEqual([
      [1, 'failed', undefined],
      [2, 'failed', undefined],
      [3, 'delivered', true],
    ]);
  });

  describe('messages it cannot process', () => {
    it('sends an envelope of an unknown version to the DLQ without throwing', async () => {
      const queues = queuesOf(routes.poison);
      const body = JSON.stringify({ v: 99, id: 'evt_future', route: routes.poison.path });
      await emulators.sqs.client.send(
        new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: body }),
      );
      const { deps, log } = depsFor(routes.poison);
      let calls = 0;

      const response = await runBatch(
        await receive(routes.poison),
        definitionOf(() => {
          calls += 1;
        }),
        deps,
      );

      expect(response.batchItemFailures).toEqual([]);
      expect(calls).toBe(0);
      const [dead] = await receiveDlq(routes.poison);
      expect(dead?.body).toBe(body);
      expect(dead?.messageAttributes[DLQ_ATTRIBUTES.reason]?.stringValue).toBe(
        'unsupported_envelope_version',
      );
      expect(log.lines).toContainEqual(
        expect.objectContaining({ level: 'warn', message: 'unreadable message sent to the dlq' }),
      );
    });

    it('sends a message that is not JSON to the DLQ', async () => {
      const queues = queuesOf(routes.poison);
      await emulators.sqs.client.send(
        new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: 'hello' }),
      );

      const response = await runBatch(
        await receive(routes.poison),
        definitionOf(() => {}),
        depsFor(routes.poison).deps,
      );

      expect(response.batchItemFailures).toEqual([]);
      const [dead] = await receiveDlq(routes.poison);
      expect(dead?.messageAttributes[DLQ_ATTRIBUTES.reason]?.stringValue).toBe('malformed_envelope');
    });

    it('sends an envelope whose event has no record to the DLQ', async () => {
      const id = await post(routes.poison, { n: 1 });
      const [message] = await receive(routes.poison);
      // An id of the route no event has, naming another event's request item.
      const queued = parseEnvelope(message?.body ?? '{}');
      if (queued.v !== 3) throw new Error('the ingress wrote an older envelope');
      const orphan = signedForTests({ ...queued, id: newEventId(new Date(), routes.poison) });
      await runBatch(
        message ? [message] : [],
        definitionOf(() => {}),
        depsFor(routes.poison).deps,
      );
      await emulators.sqs.client.send(
        new SendMessageCommand({
          QueueUrl: queuesOf(routes.poison).queueUrl,
          MessageBody: JSON.stringify(orphan),
        }),
      );

      const response = await runBatch(
        await receive(routes.poison),
        definitionOf(() => {}),
        depsFor(routes.poison).deps,
      );

      expect(response.batchItemFailures).toEqual([]);
      expect((await record(id)).status).toBe('delivered');
      const [dead] = await receiveDlq(routes.poison);
      expect(JSON.parse(dead?.body ?? '{}').id).toBe(orphan.id);
      expect(dead?.messageAttributes[DLQ_ATTRIBUTES.reason]?.stringValue).toBe('event_not_found');
    });
  });

  it('reports the message failed (not lost) when DynamoDB fails while settling', async () => {
    const id = await post(routes.outage, { n: 1 });
    const broken = createDynamoDbClient(`http://127.0.0.1:${await freePort()}`, {
      maxAttempts: 1,
      connectionTimeoutMs: 200,
    });
    const brokenStore = new EventStore({ client: broken, tableName: ingress.tableName });
    const flakyStore: RuntimeDependencies['store'] = {
      acquireLock: (input) => ingress.store.acquireLock(input),
      settle: (input) => brokenStore.settle(input),
      getEvent: (id) => ingress.store.getEvent(id),
    };
    let calls = 0;
    const definition = definitionOf(() => {
      calls += 1;
    });
    const { deps, log } = depsFor(routes.outage, { store: flakyStore });
    const records = await receive(routes.outage);

    const response = await runBatch(records, definition, deps, { deadlineMs: Date.now() + 1_000 });
    broken.destroy();

    expect(failures(response)).toEqual([records[0]?.messageId]);
    expect(calls).toBe(1);
    expect(log.lines).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'settle failed; left for redelivery' }),
    );
    expect((await depth(routes.outage)).inFlight).toBe(1);
    expect(await receiveRecords(emulators.sqs.client, queuesOf(routes.outage))).toEqual([]);
    expect((await record(id)).status).toBe('processing');

    // The visibility timeout passes (simulated), the lock has lapsed: the event is delivered.
    await emulators.sqs.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queuesOf(routes.outage).queueUrl,
        ReceiptHandle: records[0]?.receiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    await sleep(1_100);
    const retry = depsFor(routes.outage);
    const again = await runBatch(await receive(routes.outage), definition, retry.deps);

    expect(again.batchItemFailures).toEqual([]);
    // A retry's start is news, unlike a first attempt's: an INFO line, naming the lapsed lock.
    expect(retry.log.lines.find((line) => line.attributes.status === 'processing')).toMatchObject({
      level: 'info',
      attributes: { attempt: 2, lapsedLockExpiredAt: expect.any(String) },
    });
    expect(await record(id)).toMatchObject({
      status: 'delivered',
      attempts: [
        { attempt: 1, outcome: 'failed', errorName: 'LockExpiredError' },
        { attempt: 2, outcome: 'delivered' },
      ],
    });
  });

  it('writes a settle again that DynamoDB failed for a moment, so the handler does not run twice', async () => {
    const id = await post(routes.blip, { n: 1 });
    let settles = 0;
    const blinkingStore: RuntimeDependencies['store'] = {
      acquireLock: (input) => ingress.store.acquireLock(input),
      settle: (input) => {
        settles += 1;
        if (settles > 2) return ingress.store.settle(input);
        const throttled = Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
          name: 'ThrottlingException',
        });
        return Promise.reject(throttled);
      },
      getEvent: (eventId) => ingress.store.getEvent(eventId),
    };
    let calls = 0;
    const definition = definitionOf(() => {
      calls += 1;
    });
    const { deps, log } = depsFor(routes.blip, { store: blinkingStore });

    const response = await runBatch(await receive(routes.blip), definition, deps);

    expect(response.batchItemFailures).toEqual([]);
    expect(calls).toBe(1);
    expect(settles).toBe(3);
    expect(log.lines.filter((line) => line.message === 'settle write failed; trying again')).toHaveLength(2);
    expect(await record(id)).toMatchObject({
      status: 'delivered',
      attempts: [{ attempt: 1, outcome: 'delivered' }],
    });
  });

  it('does not write a settle again that the store refused because the lock was lost', async () => {
    await post(routes.refused, { n: 1 });
    let settles = 0;
    const refusingStore: RuntimeDependencies['store'] = {
      acquireLock: (input) => ingress.store.acquireLock(input),
      settle: (input) => {
        settles += 1;
        return Promise.reject(new LockLostError(input.id, input.owner, 'processing', 'another-owner'));
      },
      getEvent: (eventId) => ingress.store.getEvent(eventId),
    };
    const { deps, log } = depsFor(routes.refused, { store: refusingStore });
    const records = await receive(routes.refused);

    const response = await runBatch(
      records,
      definitionOf(() => {}),
      deps,
    );

    expect(failures(response)).toEqual([records[0]?.messageId]);
    expect(settles).toBe(1);
    expect(log.lines).toContainEqual(
      expect.objectContaining({ level: 'error', message: 'settle failed; left for redelivery' }),
    );
  });
});

describe('defineHandler() Lambda handler', () => {
  const saved = { ...process.env };

  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  function lambdaContext(): Context {
    return {
      callbackWaitsForEmptyEventLoop: false,
      functionName: 'hookline-lambda-handler',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:hookline-lambda-handler',
      memoryLimitInMB: '512',
      awsRequestId: randomUUID(),
      logGroupName: '/aws/lambda/hookline-lambda-handler',
      logStreamName: 'stream',
      getRemainingTimeInMillis: () => 20_000,
      done: () => {},
      fail: () => {},
      succeed: () => {},
    };
  }

  it('reads its environment on the first invocation, not at definition, and delivers the batch', async () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    const seen: string[] = [];
    const handler = defineHandler((event) => void seen.push(event.id));
    const id = await post(routes.lambda, { n: 1 });
    const queues = queuesOf(routes.lambda);
    Object.assign(process.env, {
      [ENV.route]: JSON.stringify(routes.lambda),
      [ENV.tableName]: ingress.tableName,
      [ENV.queueUrl]: queues.queueUrl,
      [ENV.dlqUrl]: queues.dlqUrl,
      HOOKLINE_ENVELOPE_KEY: TEST_ENVELOPE_KEY,
      AWS_ENDPOINT_URL_SQS: emulators.sqs.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamo.endpoint,
      AWS_REGION: awsTestCredentials.region,
      AWS_ACCESS_KEY_ID: awsTestCredentials.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: awsTestCredentials.credentials.secretAccessKey,
    });
    const records = await receive(routes.lambda);

    const response = await handler({ Records: records }, lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(seen).toEqual([id]);
    expect((await record(id)).status).toBe('delivered');
    expect(handler.definition.fn).toBeTypeOf('function');
  });

  it('reads a body kept in S3 from the bucket named by HOOKLINE_BODY_BUCKET', async () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    const seen: HooklineEvent[] = [];
    const handler = defineHandler((event) => void seen.push(event));
    const payload = { ref: 'refs/heads/large', filler: 'x'.repeat(300 * 1024) };
    const id = await post(routes.lambdaLarge, payload);
    expect(s3.objects.has(`${BODY_BUCKET}/lambda_large/${id}`)).toBe(true);
    const queues = queuesOf(routes.lambdaLarge);
    Object.assign(process.env, {
      [ENV.route]: JSON.stringify(routes.lambdaLarge),
      [ENV.tableName]: ingress.tableName,
      [ENV.queueUrl]: queues.queueUrl,
      [ENV.dlqUrl]: queues.dlqUrl,
      HOOKLINE_ENVELOPE_KEY: TEST_ENVELOPE_KEY,
      [ENV.bodyBucket]: BODY_BUCKET,
      AWS_ENDPOINT_URL_SQS: emulators.sqs.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamo.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: awsTestCredentials.region,
      AWS_ACCESS_KEY_ID: awsTestCredentials.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: awsTestCredentials.credentials.secretAccessKey,
    });
    const records = await receive(routes.lambdaLarge);
    expect(JSON.parse(records[0]?.body ?? '{}')).toMatchObject({
      id,
      bodyRef: { store: 's3', bucket: BODY_BUCKET },
    });

    const response = await handler({ Records: records }, lambdaContext());

    expect(response).toEqual({ batchItemFailures: [] });
    expect(seen.map((event) => event.payload)).toEqual([payload]);
    expect(Buffer.from(seen[0]?.rawBody ?? []).toString('utf8')).toBe(JSON.stringify(payload));
    expect((await record(id)).status).toBe('delivered');
  });

  it('fails the invocation with the missing variable named when the environment is incomplete', async () => {
    delete process.env[ENV.route];
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    const handler = defineHandler(() => {});

    await expect(handler({ Records: [] }, lambdaContext())).rejects.toThrow(/HOOKLINE_ROUTE/);
  });
});

describe('example handlers', () => {
  it('github-events routes push, pull_request and anything else, delivering each', async () => {
    const { handler } = await import('../../../functions/handlers/github-events.js');
    const ids = [
      await post(routes.example, { ref: 'refs/heads/main' }, 'push'),
      await post(routes.example, { action: 'opened' }, 'pull_request'),
      await post(routes.example, { zen: 'Practicality beats purity.' }, 'ping'),
    ];
    const { deps, log } = depsFor(routes.example);

    const response = await runBatch(await receive(routes.example, 3), handler.definition, deps);

    expect(response.batchItemFailures).toEqual([]);
    for (const id of ids) expect((await record(id)).status).toBe('delivered');
    const messages = log.lines.map((line) => line.message);
    expect(messages).toEqual(
      expect.arrayContaining(['push received', 'pull request event received', 'other github event received']),
    );
  });
});
