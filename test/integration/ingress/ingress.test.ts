import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedRoute } from '../../../shared/config/types.js';
import { decodeBody } from '../../../shared/envelope.js';
import { EventStore } from '../../../shared/event-store/event-store.js';
import { EVENT_ID_PATTERN, parseEventId, routeTag } from '../../../shared/ids.js';
import type { IngressDependencies } from '../../../shared/ingress/ingress.js';
import { sqsQueueSender } from '../../../shared/ingress/sqs-sender.js';
import { createDynamoDbClient, createSqsClient, freePort } from '../../helpers/emulators.js';
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
import { githubHeaders, standardWebhooksHeaders, stripeHeaders } from '../../helpers/signers.js';

const GITHUB_SECRET = "It's a Secret to Everybody";
const STRIPE_SECRET = 'whsec_stripe_test_secret';
const ORDER_SECRET = `whsec_${Buffer.from('order-status-secret-32-bytes-long').toString('base64')}`;
const HMAC_SECRET = 'hmac-binary-secret';

const githubRoute = makeRoute({
  path: '/github/',
  verify: { scheme: 'github', secret: { name: 'GITHUB_WEBHOOK_SECRET' } },
  filters: { headers: { 'x-github-event': '^(push|ping)$' } },
});
const stripeRoute = makeRoute({
  path: '/stripe/',
  verify: { scheme: 'stripe', secret: { name: 'STRIPE_WEBHOOK_SECRET' } },
});
const orderRoute = makeRoute({
  path: '/order/status/',
  verify: { scheme: 'standardWebhooks', secret: { name: 'ORDER_STATUS_WEBHOOK_SECRET' } },
  maxBodyBytes: 1024,
});
const binaryRoute = makeRoute({
  path: '/binary/',
  verify: { scheme: 'hmac', secret: { name: 'BINARY_SECRET' }, header: 'x-signature' },
  expectJson: false,
});
const restrictedRoute = makeRoute({
  path: '/restricted/',
  verify: { scheme: 'none' },
  allowedSourceIps: ['10.0.0.0/8'],
});
const unconfiguredRoute = makeRoute({
  path: '/unconfigured/',
  verify: { scheme: 'github', secret: { name: 'NOT_SET_ANYWHERE' } },
});
const largeRoute = makeRoute({ path: '/large/', verify: { scheme: 'none' }, maxBodyBytes: 1024 * 1024 });
const disabledRoute = makeRoute({ path: '/disabled/', verify: { scheme: 'none' }, enabled: false });
const routes = [
  githubRoute,
  stripeRoute,
  orderRoute,
  binaryRoute,
  restrictedRoute,
  unconfiguredRoute,
  largeRoute,
  disabledRoute,
];
const secrets = {
  GITHUB_WEBHOOK_SECRET: GITHUB_SECRET,
  STRIPE_WEBHOOK_SECRET: STRIPE_SECRET,
  ORDER_STATUS_WEBHOOK_SECRET: ORDER_SECRET,
  BINARY_SECRET: HMAC_SECRET,
};

let emulators: Emulators;
let ingress: IngressUnderTest;

beforeAll(async () => {
  emulators = await connectEmulators();
  ingress = await startIngress(emulators, routes, { secrets });
});

afterAll(async () => {
  await ingress?.close();
  emulators?.close();
});

function queueOf(path: string): string {
  return requireQueues(ingress.queues, path).queueUrl;
}

async function closedEndpoint(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

describe('ingress accepting signed webhooks', () => {
  it('queues a GitHub delivery: 202, envelope on the route queue, record queued', async () => {
    const body = JSON.stringify({ ref: 'refs/heads/main', repository: { name: 'hookline' } });
    const delivery = randomUUID();

    const reply = await ingress.post('/github/', body, await githubHeaders(GITHUB_SECRET, body, delivery));

    expect(reply.status).toBe(202);
    expect(reply.json).toEqual({
      id: expect.stringMatching(EVENT_ID_PATTERN),
      status: 'queued',
      statusUrl: `https://${new URL(ingress.url).host}/_hookline/events/${String(reply.json.id)}`,
    });
    const [envelope, ...rest] = await drainQueue(emulators.sqs.client, queueOf('/github/'));
    expect(rest).toHaveLength(0);
    expect(envelope).toMatchObject({
      v: 3,
      sig: expect.stringMatching(/^hmac-sha256:/),
      id: reply.json.id,
      // The dedupe key's item: one conditional put claimed the delivery and stored its request.
      requestKey: `DEDUPE#/github/#github:${delivery}`,
      route: '/github/',
      method: 'POST',
      path: '/github/',
      body,
      verification: { scheme: 'github', keyId: '0' },
    });
    expect(envelope?.headers['x-github-delivery']).toBe(delivery);
    const record = await ingress.store.getEvent(String(reply.json.id));
    expect(record?.status).toBe('queued');
    expect(record?.dedupeKey).toBe(`github:${delivery}`);
    expect(parseEventId(String(reply.json.id))?.routeTag).toBe(routeTag('/github/'));
  });

  it('builds statusUrl on the configured public URL when there is one', async () => {
    const route = makeRoute({ path: '/public/', verify: { scheme: 'none' } });
    const behindProxy = await startIngress(emulators, [route], {
      override: () => ({ publicUrl: 'https://hooks.example.com/' }),
    });

    const reply = await behindProxy.post('/public/', '{"n":1}', { 'content-type': 'application/json' });
    const again = await behindProxy.post('/public/', '{"n":1}', { 'content-type': 'application/json' });

    expect(reply.status).toBe(202);
    expect(reply.json.statusUrl).toBe(`https://hooks.example.com/_hookline/events/${String(reply.json.id)}`);
    expect(again.json).toEqual({ id: reply.json.id, duplicate: true, statusUrl: reply.json.statusUrl });
    await behindProxy.close();
  });

  it('accepts the path with or without its trailing slash', async () => {
    const body = JSON.stringify({ zen: 'Keep it logically awesome.' });

    const reply = await ingress.post(
      '/github',
      body,
      await githubHeaders(GITHUB_SECRET, body, randomUUID(), 'ping'),
    );

    expect(reply.status).toBe(202);
    await drainQueue(emulators.sqs.client, queueOf('/github/'));
  });

  it('answers a repeated delivery 200 duplicate with the first id and enqueues nothing', async () => {
    const body = JSON.stringify({ ref: 'refs/heads/dup' });
    const headers = await githubHeaders(GITHUB_SECRET, body, randomUUID());
    const first = await ingress.post('/github/', body, headers);
    await drainQueue(emulators.sqs.client, queueOf('/github/'));

    const second = await ingress.post('/github/', body, headers);

    expect(second.status).toBe(200);
    expect(second.json).toEqual({ id: first.json.id, duplicate: true, statusUrl: first.json.statusUrl });
    expect(await drainQueue(emulators.sqs.client, queueOf('/github/'))).toHaveLength(0);
  });

  it('keeps no copy of a duplicate’s request data (its claim, which holds it, is refused whole)', async () => {
    const body = JSON.stringify({ ref: 'refs/heads/dup-copy' });
    const headers = await githubHeaders(GITHUB_SECRET, body, randomUUID());
    const before = new Set((await scanEvents(emulators.dynamo.client, ingress.tableName)).map((e) => e.id));

    const first = await ingress.post('/github/', body, headers);
    const second = await ingress.post('/github/', body, headers);

    expect(second.status).toBe(200);
    const added = (await scanEvents(emulators.dynamo.client, ingress.tableName)).filter(
      (event) => !before.has(event.id),
    );
    expect(added).toEqual([{ id: first.json.id, status: 'queued' }]);
    await drainQueue(emulators.sqs.client, queueOf('/github/'));
  });

  it('de-duplicates Stripe events by the event id in the body, whatever the signature', async () => {
    const body = JSON.stringify({ id: `evt_${randomUUID()}`, type: 'payment_intent.succeeded' });
    const first = await ingress.post('/stripe/', body, stripeHeaders(STRIPE_SECRET, body));

    const resent = await ingress.post(
      '/stripe/',
      body,
      stripeHeaders(STRIPE_SECRET, body, Math.floor(Date.now() / 1000) - 5),
    );

    expect(first.status).toBe(202);
    expect(resent.json).toEqual({ id: first.json.id, duplicate: true, statusUrl: first.json.statusUrl });
    expect(await drainQueue(emulators.sqs.client, queueOf('/stripe/'))).toHaveLength(1);
  });

  it('queues a Standard Webhooks event signed by the reference library', async () => {
    const body = JSON.stringify({ type: 'order.status', data: { orderId: 'ORD-1', status: 'shipped' } });

    const reply = await ingress.post(
      '/order/status/',
      body,
      standardWebhooksHeaders(ORDER_SECRET, body, 'msg_1'),
    );

    expect(reply.status).toBe(202);
    const [envelope] = await drainQueue(emulators.sqs.client, queueOf('/order/status/'));
    expect(envelope?.verification).toMatchObject({
      scheme: 'standardWebhooks',
      signedAt: expect.any(String),
    });
  });

  it('verifies a base64-encoded binary body on its exact bytes and carries it as bodyBase64', async () => {
    const bytes = Uint8Array.from([0xff, 0xfe, 0x00, 0x80, 0x41]);
    const signature = createHmac('sha256', HMAC_SECRET).update(bytes).digest('hex');

    const reply = await ingress.post('/binary/', bytes, {
      'content-type': 'application/octet-stream',
      'x-signature': signature,
    });

    expect(reply.status).toBe(202);
    const [envelope] = await drainQueue(emulators.sqs.client, queueOf('/binary/'));
    expect(envelope?.bodyBase64).toBeDefined();
    expect(Buffer.from(decodeBody(envelope ?? {}))).toEqual(Buffer.from(bytes));
  });

  it('drops a filtered event with 202 filtered, recording and enqueuing nothing', async () => {
    const body = JSON.stringify({ action: 'created' });
    const before = await scanEvents(emulators.dynamo.client, ingress.tableName);

    const reply = await ingress.post(
      '/github/',
      body,
      await githubHeaders(GITHUB_SECRET, body, randomUUID(), 'issues'),
    );

    expect(reply.status).toBe(202);
    expect(reply.json).toEqual({ status: 'filtered' });
    expect(await scanEvents(emulators.dynamo.client, ingress.tableName)).toHaveLength(before.length);
    expect(await drainQueue(emulators.sqs.client, queueOf('/github/'))).toHaveLength(0);
  });
});

describe('ingress error replies', () => {
  it.each([
    ['an unknown path', '/nope/', 'POST', {}, '{}', 404, 'route_not_found'],
    ['a method the route does not allow', '/github/', 'PUT', {}, '{}', 405, 'method_not_allowed'],
    ['a disabled route', '/disabled/', 'POST', {}, '{}', 404, 'route_not_found'],
    ['a body over maxBodyBytes', '/order/status/', 'POST', {}, 'x'.repeat(2048), 413, 'body_too_large'],
    [
      'a body over the inline limit',
      '/large/',
      'POST',
      {},
      JSON.stringify({ blob: 'x'.repeat(300 * 1024) }),
      413,
      'body_exceeds_inline_limit',
    ],
    ['a source IP outside allowedSourceIps', '/restricted/', 'POST', {}, '{}', 403, 'source_ip_not_allowed'],
    [
      'a missing signature',
      '/github/',
      'POST',
      { 'content-type': 'application/json' },
      '{}',
      401,
      'invalid_signature',
    ],
  ])('rejects %s', async (_case, path, method, headers, body, status, code) => {
    const reply = await ingress.post(path, body, headers as Record<string, string>, method);

    expect(reply.status).toBe(status);
    expect(reply.json).toEqual({ error: { code, message: expect.any(String) } });
  });

  it('names the allowed methods in a 405', async () => {
    const reply = await ingress.post('/github/', '{}', {}, 'PUT');

    expect(reply.headers.get('allow')).toBe('POST');
  });

  it('rejects a wrong signature with a generic 401 that echoes no secret or signature', async () => {
    const body = JSON.stringify({ ref: 'x' });
    const headers = await githubHeaders('wrong secret', body, randomUUID());
    const expected = (await githubHeaders(GITHUB_SECRET, body, 'x'))['x-hub-signature-256'];

    const reply = await ingress.post('/github/', body, headers);

    expect(reply.status).toBe(401);
    expect(reply.text).not.toContain(GITHUB_SECRET);
    expect(reply.text).not.toContain(expected.slice('sha256='.length));
    expect(reply.text).not.toContain(headers['x-hub-signature-256'].slice('sha256='.length));
  });

  it('rejects a signed body that is not JSON with 400 invalid_json', async () => {
    const body = 'not json';

    const reply = await ingress.post(
      '/github/',
      body,
      await githubHeaders(GITHUB_SECRET, body, randomUUID()),
    );

    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ error: { code: 'invalid_json' } });
  });

  it('answers 503 secret_unavailable when the route secret is not configured', async () => {
    const reply = await ingress.post('/unconfigured/', '{}', { 'x-hub-signature-256': 'sha256=00' });

    expect(reply.status).toBe(503);
    expect(reply.json).toMatchObject({ error: { code: 'secret_unavailable' } });
  });
});

/** Every store method ingress uses, bound to `store`, for overriding one at a time. */
function bindStore(store: IngressDependencies['store']): IngressDependencies['store'] {
  return {
    claimRequest: (input) => store.claimRequest(input),
    putRequest: (record) => store.putRequest(record),
    rewriteRequest: (record, requestKey, options) => store.rewriteRequest(record, requestKey, options),
    deleteRequest: (requestKey, id) => store.deleteRequest(requestKey, id),
    getState: (id) => store.getState(id),
    putQueued: (record, requestKey) => store.putQueued(record, requestKey),
  };
}

/** An ingress on a fresh table whose event store fails every `method` call to connect. */
async function ingressWhoseStoreFails(route: ResolvedRoute, method: 'claimRequest' | 'putQueued') {
  const down = new EventStore({
    client: createDynamoDbClient(await closedEndpoint(), { maxAttempts: 1, connectionTimeoutMs: 500 }),
    tableName: 'unreachable',
  });
  const failing: Partial<IngressDependencies['store']> =
    method === 'claimRequest'
      ? { claimRequest: (input) => down.claimRequest(input) }
      : { putQueued: (record, requestKey) => down.putQueued(record, requestKey) };
  return startIngress(emulators, [route], {
    secrets,
    override: (deps) => ({ store: { ...bindStore(deps.store), ...failing } }),
  });
}

describe('ingress when AWS calls fail', () => {
  it('answers 503 when SQS is down, leaves the event received (unqueued), and re-enqueues on the provider retry', async () => {
    const route = makeRoute({
      path: '/flaky/sqs/',
      verify: { scheme: 'github', secret: { name: 'GITHUB_WEBHOOK_SECRET' } },
    });
    const downSqs = createSqsClient(await closedEndpoint(), { maxAttempts: 1, connectionTimeoutMs: 500 });
    const broken = await startIngress(emulators, [route], {
      secrets,
      override: () => ({ queue: sqsQueueSender(downSqs) }),
    });
    const body = JSON.stringify({ ref: 'refs/heads/flaky' });
    const headers = await githubHeaders(GITHUB_SECRET, body, randomUUID());

    const failed = await broken.post('/flaky/sqs/', body, headers);

    expect(failed.status).toBe(503);
    expect(failed.json).toMatchObject({ error: { code: 'queue_unavailable' } });
    const [stuck, ...others] = await scanEvents(emulators.dynamo.client, broken.tableName);
    expect(others).toHaveLength(0);
    expect(stuck?.status).toBe('received');
    await broken.close();

    const healthy = await startIngress(emulators, [route], {
      secrets,
      provisioned: { tableName: broken.tableName, queues: broken.queues },
    });
    const retried = await healthy.post('/flaky/sqs/', body, headers);

    expect(retried.status).toBe(202);
    expect(retried.json.id).toBe(stuck?.id);
    expect((await healthy.store.getEvent(stuck?.id ?? ''))?.status).toBe('queued');
    // The retry wrote no request data of its own: it found the claim held and resumed it.
    expect(await scanEvents(emulators.dynamo.client, healthy.tableName)).toEqual([
      { id: stuck?.id, status: 'queued' },
    ]);
    const queued = await drainQueue(emulators.sqs.client, requireQueues(healthy.queues, route.path).queueUrl);
    expect(queued.map((envelope) => envelope.id)).toEqual([stuck?.id]);
    await healthy.close();
  });

  it('answers 503 when DynamoDB is down and enqueues nothing', async () => {
    const route = makeRoute({
      path: '/flaky/dynamo/',
      verify: { scheme: 'github', secret: { name: 'GITHUB_WEBHOOK_SECRET' } },
    });
    const downDynamo = createDynamoDbClient(await closedEndpoint(), {
      maxAttempts: 1,
      connectionTimeoutMs: 500,
    });
    const broken = await startIngress(emulators, [route], {
      secrets,
      override: () => ({ store: new EventStore({ client: downDynamo, tableName: 'unreachable' }) }),
    });
    const body = JSON.stringify({ ref: 'refs/heads/down' });

    const reply = await broken.post(
      '/flaky/dynamo/',
      body,
      await githubHeaders(GITHUB_SECRET, body, randomUUID()),
    );

    expect(reply.status).toBe(503);
    expect(reply.json).toMatchObject({ error: { code: 'store_unavailable' } });
    expect(
      await drainQueue(emulators.sqs.client, requireQueues(broken.queues, route.path).queueUrl),
    ).toHaveLength(0);
    await broken.close();
  });

  it('answers 503 when DynamoDB fails after the send, and the retry finishes the same event', async () => {
    const route = makeRoute({
      path: '/flaky/mark/',
      verify: { scheme: 'github', secret: { name: 'GITHUB_WEBHOOK_SECRET' } },
    });
    const broken = await ingressWhoseStoreFails(route, 'putQueued');
    const body = JSON.stringify({ ref: 'refs/heads/half' });
    const headers = await githubHeaders(GITHUB_SECRET, body, randomUUID());
    const queueUrl = requireQueues(broken.queues, route.path).queueUrl;

    const failed = await broken.post('/flaky/mark/', body, headers);

    expect(failed.status).toBe(503);
    const [record] = await scanEvents(emulators.dynamo.client, broken.tableName);
    expect(record?.status).toBe('received');
    await broken.close();
    const healthy = await startIngress(emulators, [route], {
      secrets,
      provisioned: { tableName: broken.tableName, queues: broken.queues },
    });

    const retried = await healthy.post('/flaky/mark/', body, headers);

    expect(retried.status).toBe(202);
    expect(retried.json.id).toBe(record?.id);
    // Both attempts enqueued the same event id: the handler runtime runs it once per id.
    const ids = (await drainQueue(emulators.sqs.client, queueUrl)).map((envelope) => envelope.id);
    expect(new Set(ids)).toEqual(new Set([record?.id]));
    expect((await healthy.store.getEvent(record?.id ?? ''))?.status).toBe('queued');
    await healthy.close();
  });

  it('answers 503 when the claim (with the request data) cannot be written; the retry claims it', async () => {
    const route = makeRoute({
      path: '/flaky/request/',
      verify: { scheme: 'github', secret: { name: 'GITHUB_WEBHOOK_SECRET' } },
    });
    const broken = await ingressWhoseStoreFails(route, 'claimRequest');
    const body = JSON.stringify({ ref: 'refs/heads/request' });
    const headers = await githubHeaders(GITHUB_SECRET, body, randomUUID());
    const queueUrl = requireQueues(broken.queues, route.path).queueUrl;

    const failed = await broken.post('/flaky/request/', body, headers);

    expect(failed.status).toBe(503);
    expect(failed.json).toMatchObject({ error: { code: 'store_unavailable' } });
    expect(await scanEvents(emulators.dynamo.client, broken.tableName)).toEqual([]);
    await broken.close();
    const healthy = await startIngress(emulators, [route], {
      secrets,
      provisioned: { tableName: broken.tableName, queues: broken.queues },
    });

    const retried = await healthy.post('/flaky/request/', body, headers);

    expect(retried.status).toBe(202);
    const [event, ...others] = await scanEvents(emulators.dynamo.client, broken.tableName);
    expect(others).toEqual([]);
    expect(event).toEqual({ id: retried.json.id, status: 'queued' });
    expect((await drainQueue(emulators.sqs.client, queueUrl)).map((envelope) => envelope.id)).toEqual([
      retried.json.id,
    ]);
    await healthy.close();
  });

  it('answers a duplicate that raced the first delivery past its read 200, leaving the first request data', async () => {
    const route = makeRoute({
      path: '/racing/dup/',
      verify: { scheme: 'github', secret: { name: 'GITHUB_WEBHOOK_SECRET' } },
    });
    const racing = await startIngress(emulators, [route], {
      secrets,
      // The duplicate read the event before the first delivery's state write landed.
      override: (deps) => ({ store: { ...bindStore(deps.store), getState: async () => undefined } }),
    });
    const body = JSON.stringify({ ref: 'refs/heads/race' });
    const delivery = randomUUID();
    const queueUrl = requireQueues(racing.queues, route.path).queueUrl;
    const first = await racing.post('/racing/dup/', body, await githubHeaders(GITHUB_SECRET, body, delivery));
    await drainQueue(emulators.sqs.client, queueUrl);

    const retryHeaders = { ...(await githubHeaders(GITHUB_SECRET, body, delivery)), 'x-retry': 'second' };
    const second = await racing.post('/racing/dup/', body, retryHeaders);

    expect(first.status).toBe(202);
    expect(second.status).toBe(200);
    expect(second.json).toMatchObject({ id: first.json.id, duplicate: true });
    expect(await drainQueue(emulators.sqs.client, queueUrl)).toEqual([]);
    expect((await racing.store.getEvent(String(first.json.id)))?.headers).not.toHaveProperty('x-retry');
    await racing.close();
  });
});
