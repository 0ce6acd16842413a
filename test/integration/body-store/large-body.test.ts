/**
 * Bodies over the inline limit through the real ingress (HTTP), DynamoDB Local, the SQS emulator,
 * a `DirectoryBodyStore` on disk and the handler runtime: the claim check end to end.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BodyPutInput, BodyStore } from '../../../shared/body-store/body-store.js';
import { DirectoryBodyStore } from '../../../shared/body-store/directory-body-store.js';
import { BodyStoreError } from '../../../shared/body-store/errors.js';
import type { ResolvedRoute } from '../../../shared/config/types.js';
import type { BodyReference } from '../../../shared/envelope.js';
import { defineHandler } from '../../../shared/handler/define-handler.js';
import { DLQ_ATTRIBUTES } from '../../../shared/handler/queue.js';
import { processBatch, type RuntimeDependencies } from '../../../shared/handler/runtime.js';
import type { HooklineEvent } from '../../../shared/handler/types.js';
import { silentLog } from '../../../shared/logger.js';
import { INLINE_BODY_LIMIT_BYTES } from '../../../shared/resources.js';
import { testEnvelopeKeys } from '../../helpers/envelope-keys.js';
import {
  connectEmulators,
  drainQueue,
  type Emulators,
  type IngressUnderTest,
  requireQueues,
  scanEvents,
  startIngress,
} from '../../helpers/ingress-stack.js';
import { makeRoute } from '../../helpers/routes.js';
import { githubHeaders } from '../../helpers/signers.js';
import { deleteSucceeded, receiveAtLeast } from '../../helpers/sqs-records.js';

const SECRET = "It's a Secret to Everybody";
const HMAC_SECRET = 'large-binary-secret';
const SIX_MB = 6 * 1024 * 1024;
const THREE_MB = 3 * 1024 * 1024;
const PUBLIC_URL = 'http://hooks.example.test:8080/';
const FAST_RETRY = { maxAttempts: 5, initialDelaySeconds: 2, multiplier: 2, maxDelaySeconds: 900 };

function githubRoute(path: string, overrides: Partial<ResolvedRoute> = {}): ResolvedRoute {
  return makeRoute({
    path,
    verify: { scheme: 'github', secret: { name: 'GITHUB_WEBHOOK_SECRET' } },
    maxBodyBytes: SIX_MB,
    retry: FAST_RETRY,
    ...overrides,
  });
}

const routes = {
  json: githubRoute('/large/json/'),
  binary: githubRoute('/large/binary/', {
    verify: { scheme: 'hmac', secret: { name: 'BINARY_SECRET' }, header: 'x-signature' },
    expectJson: false,
    dedupe: { source: 'bodyHash', windowSeconds: 3600 },
  }),
  inline: githubRoute('/large/inline/'),
  limited: githubRoute('/large/limited/', { maxBodyBytes: 1024 * 1024 }),
  missing: githubRoute('/large/missing/'),
  unconfigured: githubRoute('/large/unconfigured/'),
  transient: githubRoute('/large/transient/'),
};
const secrets = { GITHUB_WEBHOOK_SECRET: SECRET, BINARY_SECRET: HMAC_SECRET };

let emulators: Emulators;
let ingress: IngressUnderTest;
let base: string;
let bodies: DirectoryBodyStore;
const puts: BodyPutInput[] = [];

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'hookline-large-'));
  bodies = new DirectoryBodyStore({ root: join(base, 'bodies') });
  const counting: Pick<BodyStore, 'put'> = {
    put: (input) => {
      puts.push(input);
      return bodies.put(input);
    },
  };
  emulators = await connectEmulators();
  ingress = await startIngress(emulators, Object.values(routes), {
    secrets,
    override: () => ({ bodyStore: counting, publicUrl: PUBLIC_URL }),
  });
});

afterAll(async () => {
  await ingress?.close();
  emulators?.close();
  if (base !== undefined) await rm(base, { recursive: true, force: true });
});

/** A JSON document of exactly `size` bytes. */
function jsonOfSize(size: number, fields: Record<string, unknown> = {}): string {
  const head = JSON.stringify({ ...fields, filler: '' });
  return `${head.slice(0, -2)}${'x'.repeat(size - head.length)}"}`;
}

async function postGithub(route: ResolvedRoute, body: string, delivery = randomUUID()) {
  return ingress.post(route.path, body, await githubHeaders(SECRET, body, delivery));
}

function queuesOf(route: ResolvedRoute) {
  return requireQueues(ingress.queues, route.path);
}

/** Runtime dependencies reading bodies from `bodyStore` (`'none'`: no body store configured). */
function depsFor(
  route: ResolvedRoute,
  bodyStore: Pick<BodyStore, 'get'> | 'none' = bodies,
): RuntimeDependencies {
  const { queueUrl, dlqUrl } = queuesOf(route);
  return {
    route,
    store: ingress.store,
    sqs: emulators.sqs.client,
    queueUrl,
    dlqUrl,
    envelopeKeys: testEnvelopeKeys,
    log: silentLog,
    random: () => 0.5,
    ...(bodyStore !== 'none' && { bodyStore }),
  };
}

function receive(route: ResolvedRoute): Promise<SQSRecord[]> {
  return receiveAtLeast(emulators.sqs.client, queuesOf(route), 1);
}

async function runBatch(records: SQSRecord[], fn: (event: HooklineEvent) => void, deps: RuntimeDependencies) {
  const response = await processBatch(records, defineHandler(fn).definition, deps);
  await deleteSucceeded(emulators.sqs.client, deps.queueUrl, records, response);
  return response;
}

async function filesOf(route: ResolvedRoute): Promise<string[]> {
  return readdir(join(bodies.root, route.queueName)).catch(() => []);
}

describe('ingress with a body store', () => {
  it('keeps a 3 MB JSON body in the store once: the envelope and the record carry bodyRef, not the body', async () => {
    const body = jsonOfSize(THREE_MB, { ref: 'refs/heads/big' });
    const delivery = randomUUID();

    const reply = await postGithub(routes.json, body, delivery);

    expect(reply.status).toBe(202);
    const id = String(reply.json.id);
    expect(reply.json).toEqual({
      id,
      status: 'queued',
      statusUrl: `http://hooks.example.test:8080/_hookline/events/${id}`,
    });
    const expectedRef: BodyReference = {
      store: 'local',
      bucket: 'local',
      key: `large_json/${id}`,
      size: THREE_MB,
    };
    expect(puts.filter((put) => put.eventId === id)).toHaveLength(1);
    expect(await filesOf(routes.json)).toEqual([id]);
    const [envelope, ...others] = await drainQueue(emulators.sqs.client, queuesOf(routes.json).queueUrl);
    expect(others).toHaveLength(0);
    expect(envelope?.bodyRef).toEqual(expectedRef);
    expect(envelope).not.toHaveProperty('body');
    expect(envelope).not.toHaveProperty('bodyBase64');
    const record = await ingress.store.getEvent(id);
    expect(record).toMatchObject({ status: 'queued', bodyRef: expectedRef, contentType: 'application/json' });
    expect(record).not.toHaveProperty('body');
    expect(record).not.toHaveProperty('bodyBase64');
    expect(Buffer.from(await bodies.get(expectedRef)).toString('utf8')).toBe(body);

    const again = await postGithub(routes.json, body, delivery);

    expect(again.status).toBe(200);
    expect(again.json).toEqual({
      id,
      duplicate: true,
      statusUrl: `http://hooks.example.test:8080/_hookline/events/${id}`,
    });
    expect(puts.filter((put) => put.eventId === id)).toHaveLength(1);
    expect(await drainQueue(emulators.sqs.client, queuesOf(routes.json).queueUrl)).toHaveLength(0);
  });

  it('delivers the exact 3 MB JSON bytes and the parsed payload to the handler', async () => {
    const body = jsonOfSize(THREE_MB, { ref: 'refs/heads/deliver' });
    const reply = await postGithub(routes.json, body);
    const id = String(reply.json.id);
    const seen: HooklineEvent[] = [];

    const response = await runBatch(
      await receive(routes.json),
      (event) => void seen.push(event),
      depsFor(routes.json),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ id, type: 'push', payload: { ref: 'refs/heads/deliver' } });
    expect(seen[0]?.payload).toEqual(JSON.parse(body));
    expect(Buffer.from(seen[0]?.rawBody ?? []).toString('utf8')).toBe(body);
    expect((await ingress.store.getEvent(id))?.status).toBe('delivered');
  });

  it('verifies a 3 MB binary body on all its bytes, stores it, and hands the handler the same bytes', async () => {
    const bytes = randomBytes(THREE_MB);
    const signature = createHmac('sha256', HMAC_SECRET).update(bytes).digest('hex');
    const tampered = Buffer.from(bytes);
    tampered[THREE_MB - 1] = (tampered[THREE_MB - 1] ?? 0) ^ 0xff;

    const rejected = await ingress.post(routes.binary.path, tampered, {
      'content-type': 'application/octet-stream',
      'x-signature': signature,
    });
    const reply = await ingress.post(routes.binary.path, bytes, {
      'content-type': 'application/octet-stream',
      'x-signature': signature,
    });

    expect(rejected.status).toBe(401);
    expect(reply.status).toBe(202);
    const id = String(reply.json.id);
    expect(await filesOf(routes.binary)).toEqual([id]);
    const record = await ingress.store.getEvent(id);
    expect(record?.bodyRef).toMatchObject({ store: 'local', size: THREE_MB });
    expect(record).not.toHaveProperty('bodyBase64');
    const seen: HooklineEvent[] = [];
    const response = await runBatch(
      await receive(routes.binary),
      (event) => void seen.push(event),
      depsFor(routes.binary),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(Buffer.from(seen[0]?.rawBody ?? []).equals(bytes)).toBe(true);
    expect(seen[0]?.payload).toBeUndefined();
  });

  it('keeps a body of exactly the inline limit inline, storing nothing', async () => {
    const body = jsonOfSize(INLINE_BODY_LIMIT_BYTES);

    const reply = await postGithub(routes.inline, body);

    expect(reply.status).toBe(202);
    expect(await filesOf(routes.inline)).toEqual([]);
    const [envelope] = await drainQueue(emulators.sqs.client, queuesOf(routes.inline).queueUrl);
    expect(envelope?.body).toBe(body);
    expect(envelope).not.toHaveProperty('bodyRef');
    expect((await ingress.store.getEvent(String(reply.json.id)))?.body).toBe(body);
  });

  it('refuses a body over the route maxBodyBytes with 413, storing nothing', async () => {
    const body = jsonOfSize(2 * 1024 * 1024);

    const reply = await postGithub(routes.limited, body);

    expect(reply.status).toBe(413);
    expect(reply.json).toEqual({
      error: { code: 'body_too_large', message: expect.stringMatching(/1048576/) },
    });
    expect(await filesOf(routes.limited)).toEqual([]);
  });

  it('answers 503 body_store_unavailable when the store fails, queues nothing, and the provider retry succeeds', async () => {
    const route = githubRoute('/large/flaky/');
    const blocked = join(base, 'blocked');
    await writeFile(blocked, '');
    const broken = await startIngress(emulators, [route], {
      secrets,
      override: () => ({ bodyStore: new DirectoryBodyStore({ root: blocked }) }),
    });
    const body = jsonOfSize(THREE_MB);
    const headers = await githubHeaders(SECRET, body, randomUUID());

    const failed = await broken.post(route.path, body, headers);

    expect(failed.status).toBe(503);
    expect(failed.json).toEqual({ error: { code: 'body_store_unavailable', message: expect.any(String) } });
    expect(await drainQueue(emulators.sqs.client, requireQueues(broken.queues, route.path).queueUrl)).toEqual(
      [],
    );
    // The claim, which holds the request data but the body, is left: the event is received, never
    // queued, shown nowhere, and the provider's retry resumes it.
    const [claimed, ...others] = await scanEvents(emulators.dynamo.client, broken.tableName);
    expect(others).toEqual([]);
    expect(claimed?.status).toBe('received');
    await broken.close();

    const healthy = await startIngress(emulators, [route], {
      secrets,
      provisioned: { tableName: broken.tableName, queues: broken.queues },
      override: () => ({ bodyStore: bodies }),
    });
    const retried = await healthy.post(route.path, body, headers);

    expect(retried.status).toBe(202);
    expect(retried.json.id).toBe(claimed?.id);
    expect(retried.json.statusUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/_hookline\/events\/evt_/);
    const queued = await drainQueue(emulators.sqs.client, requireQueues(healthy.queues, route.path).queueUrl);
    expect(queued.map((envelope) => [envelope.id, envelope.bodyRef?.size])).toEqual([
      [retried.json.id, THREE_MB],
    ]);
    await healthy.close();
  });
});

describe('handler runtime reading bodies from the store', () => {
  it('dead-letters an event whose stored body is gone, with body_unavailable, without running the handler', async () => {
    const reply = await postGithub(routes.missing, jsonOfSize(THREE_MB));
    const id = String(reply.json.id);
    await unlink(join(bodies.root, routes.missing.queueName, id));
    let calls = 0;

    const response = await runBatch(
      await receive(routes.missing),
      () => {
        calls += 1;
      },
      depsFor(routes.missing),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(calls).toBe(0);
    expect(await ingress.store.getEvent(id)).toMatchObject({
      status: 'dead_lettered',
      attempts: [{ attempt: 1, outcome: 'permanent_failure', errorName: 'BodyUnavailableError' }],
    });
    const { dlqUrl, dlqArn } = queuesOf(routes.missing);
    const [dead] = await receiveAtLeast(emulators.sqs.client, { queueUrl: dlqUrl, queueArn: dlqArn }, 1);
    expect(dead?.messageAttributes[DLQ_ATTRIBUTES.reason]?.stringValue).toBe('body_unavailable');
    expect(JSON.parse(dead?.body ?? '{}')).toMatchObject({ id, bodyRef: { key: `large_missing/${id}` } });
  });

  it('dead-letters a bodyRef event when the runtime has no body store', async () => {
    const reply = await postGithub(routes.unconfigured, jsonOfSize(THREE_MB));
    const id = String(reply.json.id);

    const response = await runBatch(
      await receive(routes.unconfigured),
      () => {},
      depsFor(routes.unconfigured, 'none'),
    );

    expect(response.batchItemFailures).toEqual([]);
    const record = await ingress.store.getEvent(id);
    expect(record?.status).toBe('dead_lettered');
    expect(record?.attempts[0]?.errorMessage).toMatch(/no body store.*HOOKLINE_BODY_BUCKET/);
  });

  it('retries with backoff when the store fails for a moment, then delivers', async () => {
    const body = jsonOfSize(THREE_MB, { ref: 'refs/heads/transient' });
    const reply = await postGithub(routes.transient, body);
    const id = String(reply.json.id);
    let reads = 0;
    const flaky: Pick<BodyStore, 'get'> = {
      get: (ref) => {
        reads += 1;
        if (reads === 1)
          return Promise.reject(new BodyStoreError('body_store_failed', 'store briefly unreachable'));
        return bodies.get(ref);
      },
    };
    const seen: HooklineEvent[] = [];
    const deps = depsFor(routes.transient, flaky);
    const first = await receive(routes.transient);

    const failed = await runBatch(first, (event) => void seen.push(event), deps);

    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: first[0]?.messageId }]);
    expect(await ingress.store.getEvent(id)).toMatchObject({
      status: 'retrying',
      attempts: [
        {
          attempt: 1,
          outcome: 'failed',
          errorName: 'BodyStoreError',
          errorMessage: 'store briefly unreachable',
        },
      ],
    });

    const delivered = await runBatch(await receive(routes.transient), (event) => void seen.push(event), deps);

    expect(delivered.batchItemFailures).toEqual([]);
    expect(
      seen.map((event) => [event.id, event.attempt, Buffer.from(event.rawBody).toString('utf8') === body]),
    ).toEqual([[id, 2, true]]);
    expect((await ingress.store.getEvent(id))?.status).toBe('delivered');
  });
});
