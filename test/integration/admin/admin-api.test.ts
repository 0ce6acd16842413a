/**
 * The admin API over real HTTP, mounted with the webhook ingress on one server the way the dev
 * stack mounts it, against DynamoDB Local and the SQS emulator.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { ResourceConflictException } from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdminRouteTarget, createAdminApi } from '../../../shared/admin/admin-api.js';
import { toAdminHttpError } from '../../../shared/admin/errors.js';
import { MAX_SHOWN_BODY_BYTES } from '../../../shared/admin/event-endpoints.js';
import type { QueueAgeSource } from '../../../shared/admin/queue-age.js';
import { DirectoryBodyStore } from '../../../shared/body-store/directory-body-store.js';
import type { ConsumerRoute, RouteCircuit, RouteConsumers } from '../../../shared/circuit/route-consumers.js';
import type { ResolvedRoute } from '../../../shared/config/types.js';
import { EventStore } from '../../../shared/event-store/event-store.js';
import { EventHistory } from '../../../shared/event-store/history.js';
import { HistoryUnavailableError } from '../../../shared/event-store/state-reads.js';
import { createIngress, type QueueSender } from '../../../shared/ingress/ingress.js';
import { sqsQueueSender } from '../../../shared/ingress/sqs-sender.js';
import { type HttpApiHandler, localGateway, serveHttpApi } from '../../../shared/local/http-adapter.js';
import { silentLog } from '../../../shared/logger.js';
import { createReplayer } from '../../../shared/replay/replay.js';
import { INLINE_BODY_LIMIT_BYTES } from '../../../shared/resources.js';
import { EnvSecretResolver } from '../../../shared/secrets/env-resolver.js';
import { createDynamoDbClient, createSqsClient, freePort } from '../../helpers/emulators.js';
import { testEnvelopeKeys } from '../../helpers/envelope-keys.js';
import {
  connectEmulators,
  drainQueue,
  type Emulators,
  provisionRoutes,
  requireQueues,
} from '../../helpers/ingress-stack.js';
import { makeRoute } from '../../helpers/routes.js';
import { queueDepth } from '../../helpers/sqs-records.js';
import { transition } from '../../helpers/transition.js';

function route(path: string, overrides: Partial<ResolvedRoute> = {}): ResolvedRoute {
  return makeRoute({ path, verify: { scheme: 'none' }, ...overrides });
}

const routes = {
  orders: route('/orders/', { maxBodyBytes: 1024 * 1024 }),
  shop: route('/shop/events/'),
  listing: route('/listing/'),
  stats: route('/stats/'),
  dead: route('/dead/'),
  paged: route('/paged/'),
  bodies: route('/bodies/', { maxBodyBytes: 1024 * 1024 }),
  huge: route('/huge/', { maxBodyBytes: 6 * 1024 * 1024 }),
};

let emulators: Emulators;
let targets: AdminRouteTarget[];
let store: EventStore;
let history: EventHistory;
let bodyDir: string;
let server: Awaited<ReturnType<typeof serveHttpApi>>;
let gateway: HttpApiHandler;
let counter = 0;

/** A replayer over the shared table and targets, signing with the tests' envelope key. */
function replayerWith(
  queue: QueueSender = sqsQueueSender(emulators.sqs.client),
  bodyStore?: DirectoryBodyStore,
): ReturnType<typeof createReplayer> {
  return createReplayer({
    store,
    history,
    targets,
    queue,
    envelopeKeys: testEnvelopeKeys,
    ...(bodyStore !== undefined && { bodyStore }),
  });
}

beforeAll(async () => {
  emulators = await connectEmulators();
  const { tableName, queues } = await provisionRoutes(emulators, Object.values(routes));
  targets = Object.values(routes).map((route) => ({ route, ...requireQueues(queues, route.path) }));
  store = new EventStore({ client: emulators.dynamo.client, tableName });
  history = new EventHistory({ client: emulators.dynamo.client, tableName, store });
  bodyDir = mkdtempSync(join(tmpdir(), 'hookline-admin-'));
  const bodyStore = new DirectoryBodyStore({ root: bodyDir });
  const queue = sqsQueueSender(emulators.sqs.client);
  server = await serveHttpApi((event) => gateway(event));
  gateway = localGateway({
    webhooks: createIngress({
      targets,
      store,
      queue,
      secrets: new EnvSecretResolver({ env: {} }),
      envelopeKeys: testEnvelopeKeys,
      bodyStore,
      publicUrl: server.url,
    }),
    admin: createAdminApi({
      targets,
      history,
      replayer: replayerWith(queue, bodyStore),
      sqs: emulators.sqs.client,
      bodyStore,
      publicUrl: server.url,
    }),
  });
});

afterAll(async () => {
  await server?.close();
  emulators?.close();
  if (bodyDir !== undefined) rmSync(bodyDir, { recursive: true, force: true });
});

// --- helpers -------------------------------------------------------------------------------

interface Reply {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked field by field in each test.
  readonly json: any;
}

async function call(method: string, path: string, body?: unknown): Promise<Reply> {
  const response = await fetch(`${server.url}${path}`, {
    method,
    ...(body !== undefined && {
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text === '' ? undefined : JSON.parse(text),
  };
}

/** Posts a webhook with a body of its own (no two are duplicates); returns the 202 reply's JSON. */
async function post(target: ResolvedRoute, body?: string): Promise<{ id: string; statusUrl: string }> {
  counter += 1;
  const reply = await call('POST', target.path, body ?? JSON.stringify({ n: counter }));
  expect(reply.status).toBe(202);
  return reply.json;
}

function queuesOf(target: ResolvedRoute): AdminRouteTarget {
  const found = targets.find((candidate) => candidate.route === target);
  if (found === undefined) throw new Error(`no target for ${target.path}`);
  return found;
}

/** What the handler runtime would do for a successful attempt. */
async function deliver(id: string, target: ResolvedRoute): Promise<void> {
  await transition(store, id, 'processing', { route: target.path });
  await transition(store, id, 'delivered', { route: target.path });
}

function expectError(reply: Reply, status: number, code: string, message?: RegExp): void {
  expect(reply.status).toBe(status);
  expect(reply.json.error.code).toBe(code);
  if (message !== undefined) expect(reply.json.error.message).toMatch(message);
}

/** An API Gateway event from `sourceIp`, for calling the handlers without a socket. */
function fakeEvent(method: string, rawPath: string, sourceIp = '127.0.0.1'): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: '',
    headers: {},
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'admin.example.com',
      domainPrefix: 'admin',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp, userAgent: 'test' },
      requestId: 'test',
      routeKey: '$default',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  };
}

/** A log that keeps its lines. */
function recordingLog() {
  const lines: { level: string; message: string; attributes: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (message: string, ...attributes: Record<string, unknown>[]) => {
      lines.push({ level, message, attributes: Object.assign({}, ...attributes) });
    };
  return { lines, log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

/**
 * A stand-in for the routes' consumers: records every call (with the route and queue ARN it was
 * given) and answers `circuits[path]`, or throws what `fail` gives for the call.
 */
function recordingConsumers(
  options: {
    readonly circuits?: Readonly<Record<string, RouteCircuit>>;
    readonly fail?: (call: string, target: ConsumerRoute) => unknown;
  } = {},
) {
  const calls: { call: string; route: string; queueArn: string }[] = [];
  const answer = (call: string, target: ConsumerRoute, circuit: RouteCircuit | undefined) => {
    calls.push({ call, route: target.route.path, queueArn: target.queueArn });
    const failure = options.fail?.(call, target);
    if (failure !== undefined) throw failure;
    return circuit;
  };
  const consumers: RouteConsumers = {
    circuit: async (target) => answer('circuit', target, options.circuits?.[target.route.path]),
    pause: async (target) =>
      answer('pause', target, { state: 'paused', pausedAt: '2026-12-07T10:00:00.000Z' }) ?? {
        state: 'paused',
      },
    resume: async (target) => answer('resume', target, { state: 'closed' }) ?? { state: 'closed' },
  };
  return { consumers, calls };
}

// --- tests ---------------------------------------------------------------------------------

describe('GET /_hookline/events/{id}', () => {
  it('answers the event a webhook reply points to, without its body unless asked', async () => {
    const { id, statusUrl } = await post(routes.orders, '{"order":"o-1"}');

    const plain = await fetch(statusUrl).then(async (response) => ({
      status: response.status,
      json: (await response.json()) as { event: Record<string, unknown> },
    }));
    const withBody = await call('GET', `/_hookline/events/${id}?include=body`);

    expect(statusUrl).toBe(`${server.url}/_hookline/events/${id}`);
    expect(plain.status).toBe(200);
    expect(plain.json.event).toMatchObject({
      id,
      route: '/orders/',
      status: 'queued',
      attempts: [],
      replayChain: [],
      links: { self: `/_hookline/events/${id}`, replays: [] },
    });
    expect(plain.json.event).not.toHaveProperty('body');
    expect(withBody.status).toBe(200);
    expect(withBody.json.event.body).toBe('{"order":"o-1"}');
  });

  it('fetches a body kept in the body store for include=body', async () => {
    const large = JSON.stringify({ blob: 'x'.repeat(INLINE_BODY_LIMIT_BYTES + 10) });
    const { id } = await post(routes.orders, large);

    const plain = await call('GET', `/_hookline/events/${id}`);
    const withBody = await call('GET', `/_hookline/events/${id}?include=body`);

    expect(plain.json.event.bodyRef).toMatchObject({ store: 'local', size: large.length });
    expect(withBody.status).toBe(200);
    expect(withBody.json.event.body).toBe(large);
  });

  it('names a body too large for an answer instead of sending it', async () => {
    const large = JSON.stringify({ blob: 'x'.repeat(MAX_SHOWN_BODY_BYTES) });
    const { id } = await post(routes.huge, large);

    const withBody = await call('GET', `/_hookline/events/${id}?include=body`);

    expect(withBody.status).toBe(200);
    expect(withBody.json.event).not.toHaveProperty('body');
    expect(withBody.json.event.bodyError).toEqual({
      code: 'body_too_large',
      message: expect.stringMatching(
        new RegExp(
          `^the body is ${large.length} bytes, .*read it from the local body store under huge/${id}$`,
        ),
      ),
    });
  });

  it('answers 404 event_not_found for an unknown id and 400 for an unknown include', async () => {
    const { id } = await post(routes.orders);

    expectError(
      await call('GET', '/_hookline/events/evt_01HZZZZZZZZZZZZZZZZZZZZZZZ'),
      404,
      'event_not_found',
    );
    expectError(
      await call('GET', `/_hookline/events/${id}?include=headers`),
      400,
      'invalid_request',
      /^include:/,
    );
  });
});

describe('GET /_hookline/events', () => {
  it('lists a route newest first, named by queue name or URL-encoded path, page by page', async () => {
    const ids = [
      (await post(routes.listing)).id,
      (await post(routes.listing)).id,
      (await post(routes.listing)).id,
    ];

    const all = await call('GET', '/_hookline/events?route=listing');
    const byPath = await call(
      'GET',
      `/_hookline/events?route=${encodeURIComponent('/listing/')}&status=queued`,
    );
    const first = await call('GET', '/_hookline/events?route=listing&limit=2&since=1h');
    const second = await call(
      'GET',
      `/_hookline/events?route=listing&limit=2&since=1h&cursor=${encodeURIComponent(first.json.nextCursor)}`,
    );

    expect(all.status).toBe(200);
    expect(all.json.events.map((event: { id: string }) => event.id)).toEqual([...ids].reverse());
    expect(byPath.json.events).toHaveLength(3);
    expect(first.json.events.map((event: { id: string }) => event.id)).toEqual([ids[2], ids[1]]);
    expect(second.json.events.map((event: { id: string }) => event.id)).toEqual([ids[0]]);
    expect(second.json).not.toHaveProperty('nextCursor');
  });

  it.each([
    ['', 400, 'invalid_request', /^route: is required/],
    ['?route=nope', 404, 'route_not_found', /no configured route "nope"/],
    ['?route=listing&status=lost', 400, 'invalid_request', /^status: must be one of/],
    ['?route=listing&since=yesterday', 400, 'invalid_request', /^since: .*24h/],
    ['?route=listing&since=1h&until=2h', 400, 'invalid_request', /^until: must be later/],
    ['?route=listing&limit=0', 400, 'invalid_request', /^limit: must be an integer from 1 to 1000/],
    ['?route=listing&cursor=not-a-cursor', 400, 'invalid_request', /^cursor:/],
  ])('answers %s with %i %s', async (query, status, code, message) => {
    expectError(await call('GET', `/_hookline/events${query}`), status, code, message);
  });
});

describe('POST /_hookline/replay', () => {
  it('replays one settled event as a new queued event linked both ways', async () => {
    const { id } = await post(routes.shop);
    await drainQueue(emulators.sqs.client, queuesOf(routes.shop).queueUrl);
    await deliver(id, routes.shop);

    const reply = await call('POST', '/_hookline/replay', { id });

    expect(reply.status).toBe(202);
    const replay = reply.json.replay;
    expect(replay).toMatchObject({ replayOf: id, status: 'queued' });
    expect(replay.statusUrl).toBe(`${server.url}/_hookline/events/${replay.id}`);
    const shown = (await fetch(replay.statusUrl).then((response) => response.json())) as Reply['json'];
    expect(shown.event).toMatchObject({
      id: replay.id,
      status: 'queued',
      replayOf: id,
      replayChain: [expect.objectContaining({ id, status: 'delivered' })],
      links: { replayOf: `/_hookline/events/${id}` },
    });
    const original = await call('GET', `/_hookline/events/${id}`);
    expect(original.json.event.links.replays).toEqual([`/_hookline/events/${replay.id}`]);
    const [envelope] = await drainQueue(emulators.sqs.client, queuesOf(routes.shop).queueUrl);
    expect(envelope).toMatchObject({ id: replay.id, replayOf: id });
  });

  it('answers 409 event_in_flight for an event still queued, 404 for an unknown one', async () => {
    const { id } = await post(routes.shop);
    await drainQueue(emulators.sqs.client, queuesOf(routes.shop).queueUrl);

    expectError(await call('POST', '/_hookline/replay', { id }), 409, 'event_in_flight');
    expectError(await call('POST', '/_hookline/replay', { id: 'evt_unknown' }), 404, 'event_not_found');
  });

  it('replays a route in bulk: a dry run counts (200), a real run enqueues (202)', async () => {
    const ids = [(await post(routes.shop)).id, (await post(routes.shop)).id];
    await drainQueue(emulators.sqs.client, queuesOf(routes.shop).queueUrl);
    for (const id of ids) await deliver(id, routes.shop);
    const query = { route: '/shop/events/', status: 'delivered', since: '1h', ratePerSecond: 100 };

    const dry = await call('POST', '/_hookline/replay', { ...query, dryRun: true });
    const real = await call('POST', '/_hookline/replay', query);

    expect(dry.status).toBe(200);
    expect(dry.json.report).toMatchObject({ dryRun: true, enqueued: 0 });
    expect(dry.json.report.matched).toBeGreaterThanOrEqual(2);
    expect(real.status).toBe(202);
    expect(real.json.report.dryRun).toBe(false);
    expect(real.json.report.replays.map((replay: { original: string }) => replay.original)).toEqual(
      expect.arrayContaining(ids),
    );
    const sent = await drainQueue(emulators.sqs.client, queuesOf(routes.shop).queueUrl);
    expect(sent.map((envelope) => envelope.replayOf)).toEqual(expect.arrayContaining(ids));
    expect(real.json.report).not.toHaveProperty('nextCursor');
  });

  it('replays a route in pages: nextCursor continues the run, oldest first, each event once', async () => {
    const ids: string[] = [];
    for (let n = 0; n < 3; n += 1) ids.push((await post(routes.paged)).id);
    await drainQueue(emulators.sqs.client, queuesOf(routes.paged).queueUrl);
    for (const id of ids) await deliver(id, routes.paged);
    // One send a second with a 1 ms budget: one replay a page.
    const query = {
      route: 'paged',
      status: 'delivered',
      since: new Date(Date.now() - 3_600_000).toISOString(),
      ratePerSecond: 1,
      budgetMs: 1,
    };

    const first = await call('POST', '/_hookline/replay', query);
    const second = await call('POST', '/_hookline/replay', {
      ...query,
      cursor: first.json.report.nextCursor,
    });
    const third = await call('POST', '/_hookline/replay', {
      ...query,
      cursor: second.json.report.nextCursor,
    });

    for (const reply of [first, second, third]) {
      expect(reply.status).toBe(202);
      expect(reply.json.report).toMatchObject({ matched: 1, enqueued: 1, skipped: 0, dryRun: false });
    }
    expect(first.json.report.nextCursor).toEqual(expect.any(String));
    expect(second.json.report.nextCursor).toEqual(expect.any(String));
    expect(third.json.report).not.toHaveProperty('nextCursor');
    const originals = [first, second, third].map((reply) => reply.json.report.replays[0].original);
    const detail = await Promise.all(originals.map((id) => store.getEvent(id)));
    const receivedAt = detail.map((event) => `${event?.receivedAt}#${event?.id}`);
    expect(receivedAt).toEqual([...receivedAt].sort());
    expect([...originals].sort()).toEqual([...ids].sort());
    const sent = await drainQueue(emulators.sqs.client, queuesOf(routes.paged).queueUrl);
    expect(sent.map((envelope) => envelope.replayOf).sort()).toEqual([...ids].sort());
  });

  it('answers 400 naming cursor for a cursor that is not one, or continues other filters', async () => {
    const ids = [(await post(routes.paged)).id, (await post(routes.paged)).id];
    await drainQueue(emulators.sqs.client, queuesOf(routes.paged).queueUrl);
    for (const id of ids) await deliver(id, routes.paged);
    const since = new Date(Date.now() - 3_600_000).toISOString();
    const query = { route: 'paged', since, status: 'delivered', ratePerSecond: 1, budgetMs: 1 };
    const first = await call('POST', '/_hookline/replay', query);
    const cursor = first.json.report.nextCursor;
    expect(first.status).toBe(202);
    expect(cursor).toEqual(expect.any(String));

    const garbage = await call('POST', '/_hookline/replay', { ...query, cursor: 'not a cursor!' });
    const otherStatus = await call('POST', '/_hookline/replay', { ...query, status: 'retrying', cursor });
    const dry = await call('POST', '/_hookline/replay', { ...query, dryRun: true, cursor });
    const same = await call('POST', '/_hookline/replay', { ...query, cursor, budgetMs: 20_000 });

    expectError(garbage, 400, 'invalid_request', /^cursor: invalid cursor: not base64url/);
    expectError(
      otherStatus,
      400,
      'invalid_request',
      /^cursor: invalid cursor: .*status delivered, not retrying/,
    );
    expectError(dry, 400, 'invalid_request', /^cursor: invalid cursor: it continues a replay, not a dry run/);
    expect(same.status).toBe(202);
    expect(same.json.report.matched).toBeGreaterThanOrEqual(1);
    expect(same.json.report).not.toHaveProperty('nextCursor');
    await drainQueue(emulators.sqs.client, queuesOf(routes.paged).queueUrl);
  });

  it.each([
    ['not JSON', '{', 'body'],
    ['an array', '[]', 'body'],
    ['neither id nor route', {}, 'id'],
    ['both id and route', { id: 'evt_x', route: 'shop_events' }, 'id'],
    ['a rate of 0', { route: 'shop_events', ratePerSecond: 0 }, 'ratePerSecond'],
    ['a rate over 500', { route: 'shop_events', ratePerSecond: 501 }, 'ratePerSecond'],
    ['a limit that is not an integer', { route: 'shop_events', limit: 1.5 }, 'limit'],
    ['dryRun that is not a boolean', { route: 'shop_events', dryRun: 'yes' }, 'dryRun'],
    ['an unknown status', { route: 'shop_events', status: 'gone' }, 'status'],
    ['an invalid since', { route: 'shop_events', since: 'last week' }, 'since'],
    ['a budget of 0', { route: 'shop_events', budgetMs: 0 }, 'budgetMs'],
    ['a budget over 25 s', { route: 'shop_events', budgetMs: 25_001 }, 'budgetMs'],
    ['a cursor that is not a string', { route: 'shop_events', cursor: 7 }, 'cursor'],
  ])('answers 400 naming the field for %s', async (_, body, field) => {
    expectError(
      await call('POST', '/_hookline/replay', body),
      400,
      'invalid_request',
      new RegExp(`^${field}: `),
    );
  });

  it('answers 404 route_not_found for a bulk replay of an unknown route', async () => {
    expectError(await call('POST', '/_hookline/replay', { route: '/nowhere/' }), 404, 'route_not_found');
  });

  describe('of an event whose body is kept in the body store', () => {
    /** A delivered event with a body above the inline limit; returns its id, body and bodyRef key. */
    async function largeEvent(): Promise<{ id: string; body: string; key: string }> {
      counter += 1;
      const body = JSON.stringify({ n: counter, blob: 'x'.repeat(INLINE_BODY_LIMIT_BYTES + 10) });
      const { id } = await post(routes.bodies, body);
      await drainQueue(emulators.sqs.client, queuesOf(routes.bodies).queueUrl);
      await deliver(id, routes.bodies);
      const { json } = await call('GET', `/_hookline/events/${id}`);
      return { id, body, key: json.event.bodyRef.key };
    }

    /** Ids of the route's events that are replays of `id`. */
    async function replaysOf(id: string): Promise<string[]> {
      const { json } = await call('GET', '/_hookline/events?route=bodies&limit=1000');
      return json.events
        .filter((event: { replayOf?: string }) => event.replayOf === id)
        .map((event: { id: string }) => event.id);
    }

    it('gives the replay its own copy of the body, still shown once the original’s is gone', async () => {
      const { id, body, key } = await largeEvent();

      const reply = await call('POST', '/_hookline/replay', { id });

      expect(reply.status).toBe(202);
      const replayId = reply.json.replay.id;
      const replay = await call('GET', `/_hookline/events/${replayId}`);
      expect(replay.json.event.bodyRef).toEqual({
        store: 'local',
        bucket: 'local',
        key: `bodies/${replayId}`,
        size: Buffer.byteLength(body),
      });
      expect(replay.json.event.bodyRef.key).not.toBe(key);
      rmSync(join(bodyDir, key));
      const original = await call('GET', `/_hookline/events/${id}?include=body`);
      const shown = await call('GET', `/_hookline/events/${replayId}?include=body`);
      expect(original.json.event.bodyError.code).toBe('body_missing');
      expect(shown.json.event.body).toBe(body);
      const [envelope] = await drainQueue(emulators.sqs.client, queuesOf(routes.bodies).queueUrl);
      expect(envelope).toMatchObject({ id: replayId, replayOf: id, bodyRef: { key: `bodies/${replayId}` } });
    });

    it('answers 409 body_unavailable when the body is gone, recording and sending nothing', async () => {
      const { id, key } = await largeEvent();
      rmSync(join(bodyDir, key));

      const reply = await call('POST', '/_hookline/replay', { id });

      expectError(
        reply,
        409,
        'body_unavailable',
        new RegExp(`^event ${id} cannot be replayed: its body is no longer in the body store`),
      );
      expect(await replaysOf(id)).toEqual([]);
      expect((await call('GET', `/_hookline/events/${id}`)).json.event.links.replays).toEqual([]);
      expect(await drainQueue(emulators.sqs.client, queuesOf(routes.bodies).queueUrl)).toEqual([]);
    });

    it('skips such events in a bulk replay with reason body_unavailable', async () => {
      const kept = await largeEvent();
      const gone = await largeEvent();
      rmSync(join(bodyDir, gone.key));
      const since = new Date(Date.now() - 3_600_000).toISOString();

      const reply = await call('POST', '/_hookline/replay', {
        route: 'bodies',
        status: 'delivered',
        since,
        ratePerSecond: 100,
      });

      expect(reply.status).toBe(202);
      expect(reply.json.report.skippedEvents).toEqual(
        expect.arrayContaining([{ id: gone.id, reason: 'body_unavailable' }]),
      );
      expect(reply.json.report.replays.map((replay: { original: string }) => replay.original)).toContain(
        kept.id,
      );
      expect(await replaysOf(gone.id)).toEqual([]);
      await drainQueue(emulators.sqs.client, queuesOf(routes.bodies).queueUrl);
    });

    it('answers 503 body_store_unavailable when the copy fails, recording nothing', async () => {
      const { id } = await largeEvent();
      // A body store whose root is a file: no copy can be written.
      const blocked = join(bodyDir, 'blocked-root');
      writeFileSync(blocked, '');
      const api = createAdminApi({
        targets,
        history,
        replayer: createReplayer({
          envelopeKeys: testEnvelopeKeys,
          store,
          history,
          targets,
          queue: sqsQueueSender(emulators.sqs.client),
          bodyStore: new DirectoryBodyStore({ root: blocked }),
        }),
        sqs: emulators.sqs.client,
      });

      const reply = await api({
        ...fakeEvent('POST', '/_hookline/replay'),
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id }),
      });

      expect(reply.statusCode).toBe(503);
      expect(JSON.parse(reply.body ?? '{}').error).toEqual({
        code: 'body_store_unavailable',
        message: 'the body store is unavailable; retry later',
      });
      expect(await replaysOf(id)).toEqual([]);
      expect(await drainQueue(emulators.sqs.client, queuesOf(routes.bodies).queueUrl)).toEqual([]);
    });
  });
});

describe('GET /_hookline/routes', () => {
  it('counts queued, in-flight and dead-lettered messages per route, and events by status on request', async () => {
    const { queueUrl, dlqUrl } = queuesOf(routes.stats);
    for (let n = 0; n < 3; n += 1) await post(routes.stats);
    for (let n = 0; n < 2; n += 1) {
      await emulators.sqs.client.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: `dead ${n}` }));
    }

    const before = await call('GET', '/_hookline/routes');
    await emulators.sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 60 }),
    );
    const after = await call('GET', '/_hookline/routes?counts=1');

    const stats = (reply: Reply) =>
      reply.json.routes.find((entry: { route: string }) => entry.route === '/stats/');
    expect(before.status).toBe(200);
    expect(before.json.routes.map((entry: { route: string }) => entry.route)).toEqual(
      Object.values(routes).map((route) => route.path),
    );
    expect(stats(before)).toEqual({
      route: '/stats/',
      queueName: 'stats',
      queued: 3,
      inFlight: 0,
      delayed: 0,
      dlqDepth: 2,
    });
    expect(stats(after)).toMatchObject({
      inFlight: 1,
      dlqDepth: 2,
      counts: expect.objectContaining({ queued: 3 }),
    });
    // SQS counts only visible messages here (2); the emulator also counts in-flight ones (3).
    expect(stats(after).queued).toBeGreaterThanOrEqual(2);
    // No queue attribute gives the oldest message's age (a CloudWatch metric in AWS) and the local
    // stack has no CloudWatch, so without a QueueAgeSource it is left out.
    expect(stats(after)).not.toHaveProperty('oldestMessageAgeSeconds');
    expect(stats(before)).not.toHaveProperty('counts');
  });

  describe('with a source of queue ages (CloudWatch in AWS)', () => {
    /** The full SQS queue name, as CloudWatch's QueueName dimension has it. */
    const queueName = (url: string) => url.split('/').at(-1) ?? '';
    const warnings: { message: string; attributes: Record<string, unknown>[] }[] = [];
    const log = {
      ...silentLog,
      warn: (message: string, ...attributes: Record<string, unknown>[]) => {
        warnings.push({ message, attributes });
      },
    };

    function adminWith(queueAges: QueueAgeSource) {
      return createAdminApi({
        targets,
        history,
        replayer: replayerWith(),
        sqs: emulators.sqs.client,
        queueAges,
        log,
      });
    }

    async function routesReply(api: ReturnType<typeof createAdminApi>) {
      const reply = await api(fakeEvent('GET', '/_hookline/routes'));
      const json = JSON.parse(reply.body ?? '{}') as { routes: Record<string, unknown>[] };
      return { status: reply.statusCode, byRoute: new Map(json.routes.map((entry) => [entry.route, entry])) };
    }

    it('reports the oldest message ages of each route queue and DLQ, asked in one request', async () => {
      // Arrange
      const { queueUrl, dlqUrl } = queuesOf(routes.orders);
      const asked: (readonly string[])[] = [];
      const api = adminWith({
        oldestMessageAges: async (names) => {
          asked.push(names);
          return new Map([
            [queueName(queueUrl), 42],
            [queueName(dlqUrl), 86_400],
          ]);
        },
      });

      // Act
      const { status, byRoute } = await routesReply(api);

      // Assert
      expect(status).toBe(200);
      expect(asked).toEqual([
        targets.flatMap((target) => [queueName(target.queueUrl), queueName(target.dlqUrl)]),
      ]);
      expect(byRoute.get('/orders/')).toMatchObject({
        queueName: 'orders',
        oldestMessageAgeSeconds: 42,
        dlqOldestMessageAgeSeconds: 86_400,
      });
      // A queue CloudWatch has no datapoint for has no age.
      expect(byRoute.get('/stats/')).not.toHaveProperty('oldestMessageAgeSeconds');
      expect(byRoute.get('/stats/')).not.toHaveProperty('dlqOldestMessageAgeSeconds');
    });

    it('still answers 200 with the depths, without ages, when the source fails, and logs a warning', async () => {
      // Arrange
      warnings.length = 0;
      const api = adminWith({
        oldestMessageAges: async () => {
          throw new Error('User is not authorized to perform: cloudwatch:GetMetricData');
        },
      });

      // Act
      const { status, byRoute } = await routesReply(api);

      // Assert
      expect(status).toBe(200);
      expect(byRoute.size).toBe(targets.length);
      for (const entry of byRoute.values()) {
        expect(entry).toEqual(
          expect.objectContaining({ queued: expect.any(Number), dlqDepth: expect.any(Number) }),
        );
        expect(entry).not.toHaveProperty('oldestMessageAgeSeconds');
        expect(entry).not.toHaveProperty('dlqOldestMessageAgeSeconds');
      }
      expect(warnings).toEqual([
        {
          message: 'queue ages unavailable',
          attributes: [{ error: 'User is not authorized to perform: cloudwatch:GetMetricData' }],
        },
      ]);
    });
  });

  it('answers 400 for counts that is not a boolean', async () => {
    expectError(await call('GET', '/_hookline/routes?counts=maybe'), 400, 'invalid_request', /^counts:/);
  });

  describe("with the routes' consumers", () => {
    const open = {
      state: 'open',
      failures: 3,
      coolDownSeconds: 4,
      openedAt: '2026-12-07T10:00:00.000Z',
      halfOpensAt: '2026-12-07T10:00:04.000Z',
    } as const;

    async function routesOf(consumers: RouteConsumers, log = recordingLog().log) {
      const api = createAdminApi({
        targets,
        history,
        replayer: replayerWith(),
        sqs: emulators.sqs.client,
        consumers,
        log,
      });
      const reply = await api(fakeEvent('GET', '/_hookline/routes'));
      const json = JSON.parse(reply.body ?? '{}') as { routes: Record<string, unknown>[] };
      return { status: reply.statusCode, byRoute: new Map(json.routes.map((entry) => [entry.route, entry])) };
    }

    it("reports each route's circuit as its consumer gives it, leaving routes without one", async () => {
      // Arrange
      const paused = { state: 'paused', pausedAt: '2026-12-07T11:00:00.000Z' } as const;
      const { consumers, calls } = recordingConsumers({ circuits: { '/orders/': open, '/dead/': paused } });

      // Act
      const { status, byRoute } = await routesOf(consumers);

      // Assert
      expect(status).toBe(200);
      expect(byRoute.get('/orders/')).toMatchObject({ queueName: 'orders', circuit: open });
      expect(byRoute.get('/dead/')).toMatchObject({ circuit: paused });
      expect(byRoute.get('/stats/')).not.toHaveProperty('circuit');
      expect(calls).toEqual(
        targets.map((target) => ({ call: 'circuit', route: target.route.path, queueArn: target.queueArn })),
      );
    });

    it('still answers 200, without the circuits it could not read, and logs a warning for each', async () => {
      // Arrange
      const { lines, log } = recordingLog();
      const { consumers } = recordingConsumers({
        circuits: { '/orders/': open, '/stats/': open },
        fail: (call, target) =>
          call === 'circuit' && target.route.path === '/orders/'
            ? new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} })
            : undefined,
      });

      // Act
      const { status, byRoute } = await routesOf(consumers, log);

      // Assert
      expect(status).toBe(200);
      expect(byRoute.size).toBe(targets.length);
      expect(byRoute.get('/orders/')).not.toHaveProperty('circuit');
      expect(byRoute.get('/orders/')).toMatchObject({ queued: expect.any(Number) });
      expect(byRoute.get('/stats/')).toMatchObject({ circuit: open });
      expect(lines).toEqual([
        {
          level: 'warn',
          message: 'circuit unavailable',
          attributes: { route: '/orders/', error: 'Rate exceeded' },
        },
      ]);
    });
  });
});

describe('POST /_hookline/routes/{route}/pause|resume', () => {
  function adminWith(consumers: RouteConsumers, log = recordingLog().log) {
    return createAdminApi({
      targets,
      history,
      replayer: replayerWith(),
      sqs: emulators.sqs.client,
      consumers,
      log,
    });
  }

  async function send(api: ReturnType<typeof createAdminApi>, method: string, path: string) {
    const reply = await api(fakeEvent(method, path));
    return { status: reply.statusCode, headers: reply.headers, json: JSON.parse(reply.body ?? '{}') };
  }

  it("pauses the route's consumer and answers the route with its circuit", async () => {
    // Arrange
    const { consumers, calls } = recordingConsumers();

    // Act
    const reply = await send(adminWith(consumers), 'POST', '/_hookline/routes/orders/pause');

    // Assert
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      route: '/orders/',
      circuit: { state: 'paused', pausedAt: '2026-12-07T10:00:00.000Z' },
    });
    expect(calls).toEqual([{ call: 'pause', route: '/orders/', queueArn: queuesOf(routes.orders).queueArn }]);
  });

  it.each([
    ['its queue name', 'shop_events'],
    ['its deployed queue name', 'DEPLOYED'],
    ['its URL-encoded path', encodeURIComponent('/shop/events/')],
    ['its path, slashes decoded by a proxy', '/shop/events/'],
  ])('resumes a route named by %s', async (_, name) => {
    // Arrange
    const { consumers, calls } = recordingConsumers();
    const route = name === 'DEPLOYED' ? (queuesOf(routes.shop).queueUrl.split('/').at(-1) ?? '') : name;

    // Act
    const reply = await send(adminWith(consumers), 'POST', `/_hookline/routes/${route}/resume`);

    // Assert
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ route: '/shop/events/', circuit: { state: 'closed' } });
    expect(calls.map((entry) => [entry.call, entry.route])).toEqual([['resume', '/shop/events/']]);
  });

  it('answers 404 route_not_found for a route the config does not have, steering nothing', async () => {
    const { consumers, calls } = recordingConsumers();

    const reply = await send(adminWith(consumers), 'POST', '/_hookline/routes/nowhere/pause');

    expect(reply.status).toBe(404);
    expect(reply.json.error).toMatchObject({
      code: 'route_not_found',
      message: expect.stringMatching(/^no configured route "nowhere"; routes: orders \(\/orders\/\)/),
    });
    expect(calls).toEqual([]);
  });

  it.each(['pause', 'resume'])('answers 501 pause_unsupported to %s without consumers', async (action) => {
    expectError(await call('POST', `/_hookline/routes/orders/${action}`), 501, 'pause_unsupported');
  });

  it('answers 405 with Allow: POST for a GET', async () => {
    const reply = await call('GET', '/_hookline/routes/orders/pause');

    expectError(reply, 405, 'method_not_allowed');
    expect(reply.headers.get('allow')).toBe('POST');
  });

  it.each([
    ['Lambda', new ResourceConflictException({ message: 'mapping is being updated', $metadata: {} })],
    ['DynamoDB', new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} })],
  ])('answers 503 consumer_unavailable when %s fails, logging the cause', async (_, failure) => {
    // Arrange
    const { lines, log } = recordingLog();
    const { consumers } = recordingConsumers({ fail: () => failure });

    // Act
    const paused = await send(adminWith(consumers, log), 'POST', '/_hookline/routes/orders/pause');
    const resumed = await send(adminWith(consumers, log), 'POST', '/_hookline/routes/orders/resume');

    // Assert
    for (const reply of [paused, resumed]) {
      expect(reply.status).toBe(503);
      expect(reply.json.error).toEqual({
        code: 'consumer_unavailable',
        message: "the route's consumer could not be read or changed; retry later",
      });
    }
    expect(lines[0]).toEqual({
      level: 'error',
      message: 'admin request failed',
      attributes: {
        method: 'POST',
        path: '/_hookline/routes/orders/pause',
        code: 'consumer_unavailable',
        error: failure.message,
      },
    });
  });

  it('answers 500 internal_error for a failure that is no AWS call (a bug), exposing nothing', async () => {
    const { consumers } = recordingConsumers({ fail: () => new TypeError('cannot read x of undefined') });

    const reply = await send(adminWith(consumers), 'POST', '/_hookline/routes/orders/pause');

    expect(reply.status).toBe(500);
    expect(reply.json.error).toEqual({ code: 'internal_error', message: 'internal error' });
  });
});

describe('/_hookline/dlq/{route}', () => {
  /** Moves the route's queued messages to its DLQ as SQS would after the last failed receive. */
  async function deadLetter(target: ResolvedRoute, count: number): Promise<string[]> {
    const { queueUrl, dlqUrl } = queuesOf(target);
    const ids: string[] = [];
    for (let n = 0; n < count; n += 1) ids.push((await post(target)).id);
    while (ids.length > 0) {
      const { Messages = [] } = await emulators.sqs.client.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
      );
      if (Messages.length === 0) break;
      for (const message of Messages) {
        await emulators.sqs.client.send(
          new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: message.Body }),
        );
        await emulators.sqs.client.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
      }
    }
    return ids;
  }

  it('lists the DLQ by queue name or path, redrives it (202, then 409 while running) and reports the task', async () => {
    const ids = await deadLetter(routes.dead, 2);
    const { queueUrl, dlqUrl } = queuesOf(routes.dead);

    const listed = await call('GET', '/_hookline/dlq/dead');
    const byPath = await call('GET', `/_hookline/dlq/${encodeURIComponent('/dead/')}?max=1`);
    // Listing hides messages for a moment: the task counts only the visible ones when it starts.
    const listedUntil = Date.now() + 10_000;
    while ((await queueDepth(emulators.sqs.client, dlqUrl)).visible < 2 && Date.now() < listedUntil) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const started = await call('POST', '/_hookline/dlq/dead/redrive', { ratePerSecond: 10 });
    const again = await call('POST', `/_hookline/dlq/${encodeURIComponent('/dead/')}/redrive`);
    const deadline = Date.now() + 10_000;
    while ((await queueDepth(emulators.sqs.client, queueUrl)).visible < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const tasks = await call('GET', '/_hookline/dlq/dead/redrive');

    expect(listed.status).toBe(200);
    expect(listed.json.route).toBe('/dead/');
    expect(listed.json.messages.map((message: { eventId: string }) => message.eventId).sort()).toEqual(
      [...ids].sort(),
    );
    expect(listed.json.messages[0]).toMatchObject({ status: 'queued', attempts: 0, route: '/dead/' });
    expect(byPath.json.messages).toHaveLength(1);
    expect(started.status).toBe(202);
    expect(started.json).toEqual({ route: '/dead/', taskHandle: expect.any(String) });
    expectError(again, 409, 'redrive_running');
    expect((await queueDepth(emulators.sqs.client, queueUrl)).visible).toBe(2);
    expect(tasks.status).toBe(200);
    expect(tasks.json.route).toBe('/dead/');
    expect(tasks.json.tasks[0]).toMatchObject({ ratePerSecond: 10, toMove: 2 });
  });

  it.each([
    ['GET', '/_hookline/dlq/nowhere', undefined, 404, 'route_not_found'],
    ['GET', '/_hookline/dlq/dead?max=0', undefined, 400, 'invalid_request'],
    ['GET', '/_hookline/dlq/dead?max=1001', undefined, 400, 'invalid_request'],
    ['POST', '/_hookline/dlq/dead/redrive', { ratePerSecond: 0 }, 400, 'invalid_request'],
    ['POST', '/_hookline/dlq/nowhere/redrive', {}, 404, 'route_not_found'],
    ['GET', '/_hookline/dlq/%E0%A4%A/redrive', undefined, 400, 'invalid_request'],
  ])('%s %s answers %i %s', async (method, path, body, status, code) => {
    expectError(await call(method, path, body), status, code);
  });
});

describe('admin routing', () => {
  it('answers 404 not_found for an unknown admin path and 405 with Allow for a wrong method', async () => {
    const unknown = await call('GET', '/_hookline/nope');
    const wrongMethod = await call('DELETE', '/_hookline/routes');
    const redrive = await call('PUT', '/_hookline/dlq/dead/redrive', {});

    expectError(unknown, 404, 'not_found');
    expectError(wrongMethod, 405, 'method_not_allowed');
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    expect(redrive.headers.get('allow')).toBe('GET, POST');
  });

  it('refuses admin requests from other machines (403 admin_local_only) but not their webhooks', async () => {
    const remoteAdmin = await gateway(fakeEvent('GET', '/_hookline/routes', '203.0.113.7'));
    const remoteWebhook = await gateway(fakeEvent('GET', '/orders/', '203.0.113.7'));
    const localIpv6 = await gateway(fakeEvent('GET', '/_hookline/routes', '::1'));

    expect(remoteAdmin.statusCode).toBe(403);
    expect(JSON.parse(remoteAdmin.body ?? '{}').error.code).toBe('admin_local_only');
    expect(remoteWebhook.statusCode).toBe(405);
    expect(localIpv6.statusCode).toBe(200);
  });

  it.each([
    ['a browser page (Origin header)', { origin: 'https://evil.example' }],
    ['a DNS-rebound host name', { host: 'evil.example:3000' }],
  ])('refuses admin requests from loopback made by %s', async (_, headers) => {
    const event = { ...fakeEvent('POST', '/_hookline/replay'), headers };

    const reply = await gateway(event);

    expect(reply.statusCode).toBe(403);
    expect(JSON.parse(reply.body ?? '{}').error.code).toBe('admin_local_only');
  });

  it.each(['localhost:3000', '127.0.0.1:3000', '[::1]:3000', 'localhost'])(
    'accepts loopback requests to host %s',
    async (host) => {
      const reply = await gateway({ ...fakeEvent('GET', '/_hookline/routes'), headers: { host } });

      expect(reply.statusCode).toBe(200);
    },
  );
});

describe('when AWS is unavailable', () => {
  let deadSqs: SQSClient;
  let api: HttpApiHandler;

  beforeAll(async () => {
    const port = await freePort();
    deadSqs = createSqsClient(`http://127.0.0.1:${port}`, { maxAttempts: 1 });
    const deadDynamo = createDynamoDbClient(`http://127.0.0.1:${port}`, { maxAttempts: 1 });
    const deadStore = new EventStore({ client: deadDynamo, tableName: 'missing' });
    const deadHistory = new EventHistory({ client: deadDynamo, tableName: 'missing', store: deadStore });
    api = createAdminApi({
      targets,
      history: deadHistory,
      replayer: createReplayer({
        envelopeKeys: testEnvelopeKeys,
        store: deadStore,
        history: deadHistory,
        targets,
        queue: sqsQueueSender(deadSqs),
      }),
      sqs: deadSqs,
    });
  });

  it.each([
    ['GET', '/_hookline/routes', 'queue_unavailable'],
    ['GET', '/_hookline/dlq/dead', 'queue_unavailable'],
    ['GET', '/_hookline/dlq/dead/redrive', 'queue_unavailable'],
    ['GET', '/_hookline/events/evt_x', 'store_unavailable'],
  ])('%s %s answers 503 %s', async (method, path, code) => {
    const reply = await api(fakeEvent(method, path));

    expect(reply.statusCode).toBe(503);
    expect(JSON.parse(reply.body ?? '{}').error.code).toBe(code);
  });

  it('answers 503 store_unavailable for a listing when the table is missing', async () => {
    const missingTable = createAdminApi({
      targets,
      history: new EventHistory({
        client: emulators.dynamo.client,
        tableName: 'no-such-table',
        store: new EventStore({ client: emulators.dynamo.client, tableName: 'no-such-table' }),
      }),
      replayer: replayerWith(),
      sqs: emulators.sqs.client,
    });
    const event = { ...fakeEvent('GET', '/_hookline/events'), queryStringParameters: { route: 'orders' } };

    const reply = await missingTable(event);

    expect(reply.statusCode).toBe(503);
    expect(JSON.parse(reply.body ?? '{}').error.code).toBe('store_unavailable');
  });
});

describe('POST /_hookline/replay in bulk, at the edges', () => {
  it('answers an empty report, not a 500, for a since in the future', async () => {
    const reply = await call('POST', '/_hookline/replay', { route: '/shop/events/', since: '2099-01-01' });

    expect(reply.status).toBe(202);
    expect(reply.json.report).toEqual({
      matched: 0,
      enqueued: 0,
      skipped: 0,
      dryRun: false,
      replays: [],
      skippedEvents: [],
    });
  });

  it('answers 202 with the report so far, its error and a cursor when the queue fails partway', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const ids: string[] = [];
    for (let n = 0; n < 3; n += 1) ids.push((await post(routes.listing)).id);
    await drainQueue(emulators.sqs.client, queuesOf(routes.listing).queueUrl);
    for (const id of ids) await deliver(id, routes.listing);
    const real = sqsQueueSender(emulators.sqs.client);
    let sends = 0;
    const failingAfterOne = {
      send: (queueUrl: string, body: string) => {
        sends += 1;
        return sends > 1 ? Promise.reject(new Error('queue down')) : real.send(queueUrl, body);
      },
    };
    const flaky = createAdminApi({
      targets,
      history,
      replayer: replayerWith(failingAfterOne),
      sqs: emulators.sqs.client,
    });
    const query = { route: '/listing/', since, ratePerSecond: 500 };
    const request = (body: unknown) => ({
      ...fakeEvent('POST', '/_hookline/replay'),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

    const reply = await flaky(request(query));
    const report = JSON.parse(reply.body ?? '{}').report;
    const resumed = await call('POST', '/_hookline/replay', { ...query, cursor: report.nextCursor });

    expect(reply.statusCode).toBe(202);
    expect(report).toMatchObject({
      matched: 1,
      enqueued: 1,
      replays: [{ original: ids[0] }],
      error: { code: 'queue_unavailable', message: expect.stringContaining(ids[1] ?? '?') },
      nextCursor: expect.any(String),
    });
    expect(resumed.status).toBe(202);
    expect(resumed.json.report).toMatchObject({ matched: 2, enqueued: 2 });
    expect(resumed.json.report.replays.map((replay: { original: string }) => replay.original)).toEqual(
      ids.slice(1),
    );
    const sent = await drainQueue(emulators.sqs.client, queuesOf(routes.listing).queueUrl);
    expect(sent.map((envelope) => envelope.replayOf)).toEqual(ids);
  });
});

describe('toAdminHttpError()', () => {
  it('answers 400 invalid_request with the message of a RangeError (a query refused)', () => {
    const error = toAdminHttpError(new RangeError('since must be a valid date'), 'store_unavailable');

    expect(error).toMatchObject({
      status: 400,
      code: 'invalid_request',
      message: 'since must be a valid date',
    });
  });

  it('answers 503 store_unavailable when the history cannot read events (throttling)', () => {
    const error = toAdminHttpError(new HistoryUnavailableError(3, 8), 'queue_unavailable');

    expect(error).toMatchObject({ status: 503, code: 'store_unavailable' });
    expect(error.message).not.toMatch(/BatchGetItem/);
  });
});
