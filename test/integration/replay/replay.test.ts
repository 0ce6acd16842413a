import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryBodyStore } from '../../../shared/body-store/directory-body-store.js';
import { BodyStoreError } from '../../../shared/body-store/errors.js';
import type { ResolvedRoute } from '../../../shared/config/types.js';
import { type BodyReference, decodeBody, type Envelope, parseEnvelope } from '../../../shared/envelope.js';
import { checkEnvelopeSignature } from '../../../shared/envelope-signature.js';
import { encodeCursor } from '../../../shared/event-store/cursor.js';
import { EventNotFoundError } from '../../../shared/event-store/errors.js';
import { EventStore } from '../../../shared/event-store/event-store.js';
import { EventHistory } from '../../../shared/event-store/history.js';
import { eventKeys } from '../../../shared/event-store/items.js';
import { marshallItem } from '../../../shared/event-store/marshal.js';
import type { EventStatus, NewEventRecord } from '../../../shared/event-store/types.js';
import { EVENT_ID_PATTERN, newEventId, parseEventId, routeTag } from '../../../shared/ids.js';
import type { QueueSender } from '../../../shared/ingress/ingress.js';
import { sqsQueueSender } from '../../../shared/ingress/sqs-sender.js';
import {
  InvalidReplayCursorError,
  ReplayBodyUnavailableError,
  ReplayConflictError,
  ReplayEnqueueError,
  RouteNotConfiguredError,
} from '../../../shared/replay/errors.js';
import { createReplayer } from '../../../shared/replay/replay.js';
import type {
  BulkReplayProgress,
  BulkReplayQuery,
  BulkReplayReport,
  ReplayerDependencies,
  ReplayTarget,
} from '../../../shared/replay/types.js';
import { bodyKey } from '../../../shared/resources.js';
import { TEST_ENVELOPE_KEY, testEnvelopeKeys } from '../../helpers/envelope-keys.js';
import { newEventRecord, storeEventIn } from '../../helpers/event-records.js';
import {
  connectEmulators,
  drainQueue,
  type Emulators,
  provisionRoutes,
  requireQueues,
  scanEvents,
} from '../../helpers/ingress-stack.js';
import { capturedEmf, emfTotal } from '../../helpers/metrics.js';
import { makeRoute } from '../../helpers/routes.js';
import { transition } from '../../helpers/transition.js';

const START = Date.parse('2030-01-01T00:00:00.000Z');
/** The replayer's clock: after every seeded event. */
const REPLAY_AT = START + 86_400_000;

let emulators: Emulators;
let store: EventStore;
let history: EventHistory;
let tableName: string;
let targets: ReplayTarget[];
let routeCounter = 0;
/** Where bodies kept by reference live (the local stack's store: a directory). */
let bodyDir: string;
let bodies: DirectoryBodyStore;

/** A route of its own (with its own queue) for each test. */
const routes: ResolvedRoute[] = Array.from({ length: 40 }, (_, i) =>
  makeRoute({ path: `/replay/r${i}/`, retentionDays: 7 }),
);

beforeAll(async () => {
  emulators = await connectEmulators();
  const provisioned = await provisionRoutes(emulators, routes);
  tableName = provisioned.tableName;
  targets = routes.map((route) => ({
    route,
    queueUrl: requireQueues(provisioned.queues, route.path).queueUrl,
  }));
  store = new EventStore({ client: emulators.dynamo.client, tableName });
  history = new EventHistory({ client: emulators.dynamo.client, tableName, store });
  bodyDir = await mkdtemp(join(tmpdir(), 'hookline-replay-bodies-'));
  bodies = new DirectoryBodyStore({ root: bodyDir });
}, 60_000);

afterAll(async () => {
  emulators?.close();
  if (bodyDir !== undefined) await rm(bodyDir, { recursive: true, force: true });
}, 30_000);

function nextTarget(): ReplayTarget {
  const target = targets[routeCounter];
  routeCounter += 1;
  if (target === undefined) throw new Error('add routes: every test takes one of its own');
  return target;
}

function replayer(overrides: Partial<ReplayerDependencies> = {}) {
  return createReplayer({
    store,
    history,
    targets,
    queue: sqsQueueSender(emulators.sqs.client),
    envelopeKeys: testEnvelopeKeys,
    now: () => new Date(REPLAY_AT),
    ...overrides,
  });
}

/** Stores events on `route` received one second apart, walked to the given statuses. */
async function seed(
  route: string,
  statuses: readonly EventStatus[],
  overrides: Partial<NewEventRecord> = {},
  startMs = START,
  shards?: number,
): Promise<NewEventRecord[]> {
  const events = statuses.map((_, i) => {
    const atMs = startMs + i * 1000;
    return newEventRecord(atMs, { route, path: route, ...overrides }, shards);
  });
  for (let offset = 0; offset < events.length; offset += 25) {
    await Promise.all(
      events
        .slice(offset, offset + 25)
        .map((event, index) => storeEventIn(store, event, statuses[offset + index] ?? 'delivered')),
    );
  }
  return events;
}

/**
 * Stores one event of `target` whose 300 KB binary body is kept in the body store (as the ingress
 * does for a body above the inline limit), walked to `status`.
 */
async function seedStoredBody(
  target: ReplayTarget,
  status: EventStatus = 'delivered',
  startMs = START,
): Promise<{ original: NewEventRecord; bytes: Buffer; bodyRef: BodyReference }> {
  const id = newEventId(new Date(startMs), target.route);
  const bytes = randomBytes(300_000);
  const bodyRef = await bodies.put({ route: target.route.path, eventId: id, body: bytes });
  const [original] = await seed(
    target.route.path,
    [status],
    { id, body: undefined, bodyRef, contentType: 'application/octet-stream' },
    startMs,
  );
  if (original === undefined) throw new Error('seed failed');
  return { original, bytes, bodyRef };
}

/** The files the body store holds for `target`'s route. */
async function storedBodies(target: ReplayTarget): Promise<string[]> {
  return (await readdir(join(bodyDir, target.route.queueName)).catch(() => [])).sort();
}

function drain(target: ReplayTarget): Promise<Envelope[]> {
  return drainQueue(emulators.sqs.client, target.queueUrl);
}

/** Every item (state, request) stored under event `id`'s partition. */
/** The event's state item and its own request item (a replay's), those that exist. */
async function itemsOf(id: string): Promise<unknown[]> {
  const keys = [eventKeys.state(id), eventKeys.request(id)];
  const items = await Promise.all(
    keys.map(async (key) =>
      key === undefined
        ? undefined
        : (
            await emulators.dynamo.client.send(
              new GetItemCommand({ TableName: tableName, Key: marshallItem(key), ConsistentRead: true }),
            )
          ).Item,
    ),
  );
  return items.filter((item) => item !== undefined);
}

async function itemCount(): Promise<number> {
  return (await scanEvents(emulators.dynamo.client, tableName)).length;
}

/** A virtual clock that moves only when the replayer sleeps; records each send's time. */
function virtualClock(inner: QueueSender) {
  let nowMs = REPLAY_AT;
  const sleeps: number[] = [];
  const sendTimes: number[] = [];
  return {
    now: () => new Date(nowMs),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      nowMs += ms;
    },
    /** Time passing outside the replayer's sleeps (slow reads). */
    advance: (ms: number) => {
      nowMs += ms;
    },
    queue: {
      async send(queueUrl: string, body: string) {
        sendTimes.push(nowMs);
        await inner.send(queueUrl, body);
      },
    } satisfies QueueSender,
    sleeps,
    sendTimes,
  };
}

describe('createReplayer()', () => {
  describe('replayEvent()', () => {
    it.each(['delivered', 'dead_lettered', 'retrying', 'ignored'] as const)(
      'replays a %s event as a new queued event linked to it',
      async (status) => {
        const target = nextTarget();
        const [original] = await seed(target.route.path, [status]);
        if (original === undefined) throw new Error('seed failed');

        const result = await replayer().replayEvent(original.id);

        expect(result).toEqual({
          id: expect.stringMatching(EVENT_ID_PATTERN),
          replayOf: original.id,
          status: 'queued',
        });
        expect(result.id).not.toBe(original.id);
        // A replay is an event of its route like any other: in one of its shards.
        expect(parseEventId(result.id)?.routeTag).toBe(routeTag(target.route.path));
        const replay = await store.getEvent(result.id);
        expect(replay).toMatchObject({
          id: result.id,
          route: original.route,
          queueName: target.route.queueName,
          status: 'queued',
          replayOf: original.id,
          receivedAt: new Date(REPLAY_AT).toISOString(),
          expiresAt: REPLAY_AT / 1000 + 7 * 86_400,
          method: original.method,
          path: original.path,
          query: original.query,
          headers: original.headers,
          contentType: original.contentType,
          body: original.body,
          verification: original.verification,
          attempts: [],
        });
        expect(replay).not.toHaveProperty('dedupeKey');
        const originalNow = await store.getEvent(original.id);
        expect(originalNow?.replays).toEqual([result.id]);
        expect(originalNow?.status).toBe(status);
        const envelopes = await drain(target);
        expect(envelopes).toHaveLength(1);
        expect(envelopes[0]).toMatchObject({
          v: 3,
          id: result.id,
          // A replay has no dedupe key: its request data is its own item.
          requestKey: `REQUEST#${result.id}`,
          route: original.route,
          replayOf: original.id,
          receivedAt: new Date(REPLAY_AT).toISOString(),
          headers: original.headers,
          verification: original.verification,
        });
        expect(checkEnvelopeSignature(parseEnvelope(JSON.stringify(envelopes[0])), [TEST_ENVELOPE_KEY])).toBe(
          'valid',
        );
        expect(Buffer.from(decodeBody(envelopes[0] ?? {}))).toEqual(Buffer.from(original.body ?? '', 'utf8'));
      },
    );

    it('replays the identical bytes of a binary body', async () => {
      const target = nextTarget();
      const bytes = Buffer.from([0, 255, 254, 10, 13, 128, 0x80, 0xc3]);
      const [original] = await seed(target.route.path, ['dead_lettered'], {
        body: undefined,
        bodyBase64: bytes.toString('base64'),
        contentType: 'application/octet-stream',
      });

      const result = await replayer().replayEvent(original?.id ?? '');

      const [envelope] = await drain(target);
      expect(envelope?.id).toBe(result.id);
      expect(envelope?.body).toBeUndefined();
      expect(Buffer.from(decodeBody(envelope ?? {}))).toEqual(bytes);
      expect((await store.getEvent(result.id))?.bodyBase64).toBe(bytes.toString('base64'));
    });

    it("counts each replay it queues as Replayed, on the replay's route", async () => {
      const target = nextTarget();
      const [original] = await seed(target.route.path, ['delivered']);
      if (original === undefined) throw new Error('seed failed');
      const { metrics, lines } = capturedEmf();

      await replayer({ metrics }).replayEvent(original.id);
      await replayer({ metrics }).replayEvent(original.id);

      expect(emfTotal(lines, 'Replayed', { Route: target.route.path })).toBe(2);
      await drain(target);
    });

    describe('of an event whose body is kept in the body store', () => {
      it('gives the replay its own copy of the body, under <queue>/<replayId>, that outlives the original’s', async () => {
        const target = nextTarget();
        const { original, bytes, bodyRef } = await seedStoredBody(target);

        const result = await replayer({ bodyStore: bodies }).replayEvent(original.id);

        const replayRef: BodyReference = {
          store: 'local',
          bucket: 'local',
          key: `${target.route.queueName}/${result.id}`,
          size: bytes.length,
        };
        expect(replayRef.key).toBe(bodyKey(target.route.path, result.id));
        expect(replayRef.key).not.toBe(bodyRef.key);
        expect((await store.getEvent(result.id))?.bodyRef).toEqual(replayRef);
        expect((await store.getEvent(original.id))?.bodyRef).toEqual(bodyRef);
        const [envelope] = await drain(target);
        expect(envelope).toMatchObject({ id: result.id, replayOf: original.id, bodyRef: replayRef });
        expect(envelope?.body).toBeUndefined();
        expect(Buffer.from(await bodies.get(replayRef)).equals(bytes)).toBe(true);
        // The original's object expires (or is deleted) first: the replay's body stays.
        await rm(join(bodyDir, bodyRef.key));
        expect(Buffer.from(await bodies.get(replayRef)).equals(bytes)).toBe(true);
        expect(await storedBodies(target)).toEqual([result.id]);
      });

      it('gives a replay of a replay a copy of its own too', async () => {
        const target = nextTarget();
        const { original, bytes } = await seedStoredBody(target, 'dead_lettered');
        const run = replayer({ bodyStore: bodies });
        const first = await run.replayEvent(original.id);
        await transition(store, first.id, 'processing');
        await transition(store, first.id, 'delivered');

        const second = await run.replayEvent(first.id);

        const secondRef = (await store.getEvent(second.id))?.bodyRef;
        if (secondRef === undefined) throw new Error('the replay of the replay has no bodyRef');
        expect(secondRef.key).toBe(bodyKey(target.route.path, second.id));
        expect(Buffer.from(await bodies.get(secondRef)).equals(bytes)).toBe(true);
        expect(await storedBodies(target)).toEqual([original.id, first.id, second.id].sort());
        await drain(target);
      });

      it('refuses with ReplayBodyUnavailableError when the body is gone, writing and sending nothing', async () => {
        const target = nextTarget();
        const { original, bodyRef } = await seedStoredBody(target);
        await rm(join(bodyDir, bodyRef.key));
        const before = await itemCount();

        const replay = replayer({ bodyStore: bodies }).replayEvent(original.id);

        await expect(replay).rejects.toBeInstanceOf(ReplayBodyUnavailableError);
        await expect(replay).rejects.toMatchObject({
          code: 'body_unavailable',
          reason: 'body_missing',
          id: original.id,
          cause: expect.any(BodyStoreError),
        });
        await expect(replay).rejects.toThrow(
          new RegExp(
            `^event ${original.id} cannot be replayed: its body is no longer in the body store \\(.*${bodyRef.key}`,
          ),
        );
        expect(await itemCount()).toBe(before);
        expect((await store.getEvent(original.id))?.replays).toBeUndefined();
        expect(await drain(target)).toEqual([]);
        expect(await storedBodies(target)).toEqual([]);
      });

      it('refuses with ReplayBodyUnavailableError when the replayer has no body store', async () => {
        const target = nextTarget();
        const { original, bodyRef } = await seedStoredBody(target);
        const before = await itemCount();

        const replay = replayer().replayEvent(original.id);

        await expect(replay).rejects.toMatchObject({
          name: 'ReplayBodyUnavailableError',
          code: 'body_unavailable',
          reason: 'body_store_not_configured',
          message: `event ${original.id} cannot be replayed: its body is kept in the body store (local:local/${bodyRef.key}) and this replayer has no body store to copy it with`,
        });
        expect(await itemCount()).toBe(before);
        expect(await drain(target)).toEqual([]);
        expect(await storedBodies(target)).toEqual([original.id]);
      });

      it('lets a body_store_failed error through when the copy cannot be made, writing no record', async () => {
        const target = nextTarget();
        const { original } = await seedStoredBody(target);
        // A store whose root is a file: no route folder can be made in it.
        const blocked = join(bodyDir, `blocked-${randomUUID()}`);
        await writeFile(blocked, '');
        const before = await itemCount();

        const replay = replayer({ bodyStore: new DirectoryBodyStore({ root: blocked }) }).replayEvent(
          original.id,
        );

        await expect(replay).rejects.toBeInstanceOf(BodyStoreError);
        await expect(replay).rejects.toMatchObject({ code: 'body_store_failed' });
        expect(await itemCount()).toBe(before);
        expect((await store.getEvent(original.id))?.replays).toBeUndefined();
        expect(await drain(target)).toEqual([]);
      });
    });

    it('links a replay of a replay so the chain shows both ancestors', async () => {
      const target = nextTarget();
      const [original] = await seed(target.route.path, ['dead_lettered']);
      const first = await replayer().replayEvent(original?.id ?? '');
      await transition(store, first.id, 'processing');
      await transition(store, first.id, 'delivered');

      const second = await replayer().replayEvent(first.id);

      const detail = await history.getEvent(second.id);
      expect(detail?.replayOf).toBe(first.id);
      expect(detail?.replayChain).toEqual([
        { id: original?.id, status: 'dead_lettered', receivedAt: original?.receivedAt },
        { id: first.id, status: 'delivered', receivedAt: new Date(REPLAY_AT).toISOString() },
      ]);
      expect((await store.getEvent(first.id))?.replays).toEqual([second.id]);
      expect((await drain(target)).map((envelope) => envelope.replayOf)).toEqual([original?.id, first.id]);
    });

    it.each(['unknown', 'received (never queued)'])(
      'throws EventNotFoundError for an %s id and sends nothing',
      async (kind) => {
        const target = nextTarget();
        const [unqueued] = kind === 'unknown' ? [] : await seed(target.route.path, ['received']);
        const before = await itemCount();

        const replay = replayer().replayEvent(unqueued?.id ?? newEventId(new Date(), target.route));

        await expect(replay).rejects.toBeInstanceOf(EventNotFoundError);
        await expect(replay).rejects.toMatchObject({ code: 'event_not_found' });
        expect(await itemCount()).toBe(before);
        expect(await drain(target)).toEqual([]);
      },
    );

    it.each(['queued', 'processing'] as const)(
      'refuses a %s event with ReplayConflictError and writes nothing',
      async (status) => {
        const target = nextTarget();
        const [original] = await seed(target.route.path, [status]);
        const before = await itemCount();

        const replay = replayer().replayEvent(original?.id ?? '');

        await expect(replay).rejects.toBeInstanceOf(ReplayConflictError);
        await expect(replay).rejects.toMatchObject({ code: 'event_in_flight', id: original?.id, status });
        expect(await itemCount()).toBe(before);
        expect((await store.getEvent(original?.id ?? ''))?.replays).toBeUndefined();
        expect(await drain(target)).toEqual([]);
      },
    );

    it('refuses an event whose route is not configured', async () => {
      const route = `/gone/${randomUUID().slice(0, 8)}/`;
      const [original] = await seed(route, ['delivered']);

      await expect(replayer().replayEvent(original?.id ?? '')).rejects.toMatchObject({
        name: 'RouteNotConfiguredError',
        code: 'route_not_found',
        route,
      });
      await expect(replayer().replayEvent(original?.id ?? '')).rejects.toBeInstanceOf(
        RouteNotConfiguredError,
      );
    });

    it('deletes the replay’s record, leaving nothing received or linked, when the queue refuses it', async () => {
      const target = nextTarget();
      const [original] = await seed(target.route.path, ['dead_lettered']);
      const replayId = newEventId(new Date(REPLAY_AT), target.route);
      const missingQueue = `${target.queueUrl}-missing`;
      const broken = createReplayer({
        store,
        history,
        targets: [{ ...target, queueUrl: missingQueue }],
        queue: sqsQueueSender(emulators.sqs.client),
        envelopeKeys: testEnvelopeKeys,
        now: () => new Date(REPLAY_AT),
        newId: () => replayId,
      });

      const replay = broken.replayEvent(original?.id ?? '');

      await expect(replay).rejects.toBeInstanceOf(ReplayEnqueueError);
      await expect(replay).rejects.toMatchObject({
        code: 'queue_unavailable',
        id: replayId,
        replayOf: original?.id,
        discarded: true,
        cause: expect.any(Error),
      });
      expect(await store.getEvent(replayId)).toBeUndefined();
      // Neither its state item nor its request item is left.
      expect(await itemsOf(replayId)).toEqual([]);
      expect((await store.getEvent(original?.id ?? ''))?.replays).toBeUndefined();
      expect(await history.listEvents({ route: target.route.path, status: 'received' })).toEqual({
        events: [],
      });
      expect(await history.listEvents({ route: target.route.path, status: 'queued' })).toEqual({
        events: [],
      });
      expect(await drain(target)).toEqual([]);
    });
  });

  describe('EventStore.discardUnqueued()', () => {
    it('keeps a replay a handler has taken since (the send went through after all)', async () => {
      const target = nextTarget();
      const [taken] = await seed(target.route.path, ['processing']);
      const [unqueued] = await seed(target.route.path, ['received'], {}, START + 1000);

      const keptTaken = await store.discardUnqueued(taken?.id ?? '');
      const deleted = await store.discardUnqueued(unqueued?.id ?? '');

      expect(keptTaken).toBe(false);
      const kept = await store.getEvent(taken?.id ?? '');
      expect(kept?.status).toBe('processing');
      expect(kept?.body).toBe(taken?.body);
      expect(kept?.headers).toEqual(taken?.headers);
      expect(deleted).toBe(true);
      expect(await itemsOf(unqueued?.id ?? '')).toEqual([]);
    });
  });

  describe('replayMany()', () => {
    it('replays 250 events (three listing pages) spaced to the rate, skipping those in flight, and reports it', async () => {
      const target = nextTarget();
      const statuses = Array.from({ length: 250 }, (_, i): EventStatus => {
        if (i % 50 === 7) return 'queued';
        if (i % 50 === 9) return 'processing';
        return i % 2 === 0 ? 'delivered' : 'dead_lettered';
      });
      const originals = await seed(target.route.path, statuses);
      const clock = virtualClock(sqsQueueSender(emulators.sqs.client));
      const progress: BulkReplayProgress[] = [];

      const report = await replayer({ now: clock.now, sleep: clock.sleep, queue: clock.queue }).replayMany(
        { route: target.route.path, ratePerSecond: 50 },
        (step) => progress.push(step),
      );

      const inFlight = originals.filter((_, i) => i % 50 === 7 || i % 50 === 9).map((event) => event.id);
      expect(report).toMatchObject({ matched: 250, enqueued: 240, skipped: 10, dryRun: false });
      expect(report.skippedEvents).toHaveLength(10);
      expect(new Set(report.skippedEvents.map((skip) => skip.id))).toEqual(new Set(inFlight));
      expect(report.skippedEvents.every((skip) => skip.reason === 'in_flight')).toBe(true);
      // Oldest original first, in the order received.
      expect(report.replays.map((replay) => replay.original)).toEqual(
        originals.filter((event) => !inFlight.includes(event.id)).map((event) => event.id),
      );
      expect(report.nextCursor).toBeUndefined();
      // 240 sends at 50/s: each 20 ms after the one before, on the replayer's clock.
      expect(clock.sendTimes).toHaveLength(240);
      const gaps = clock.sendTimes.slice(1).map((time, i) => time - (clock.sendTimes[i] ?? 0));
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(20);
      expect(clock.sleeps).toHaveLength(239);
      expect(progress).toHaveLength(250);
      expect(progress.at(-1)).toEqual({ matched: 250, enqueued: 240, skipped: 10 });
      const envelopes = await drain(target);
      expect(envelopes).toHaveLength(240);
      expect(new Set(envelopes.map((envelope) => envelope.replayOf))).toEqual(
        new Set(report.replays.map((replay) => replay.original)),
      );
      expect((await store.getEvent(report.replays[0]?.original ?? ''))?.replays).toEqual([
        report.replays[0]?.id,
      ]);
    }, 180_000);

    it('holds to the rate in real time', async () => {
      const target = nextTarget();
      // Received in the past: a run matches only events received before it started.
      await seed(
        target.route.path,
        Array.from({ length: 20 }, () => 'delivered'),
        {},
        Date.now() - 60_000,
      );
      const started = performance.now();

      const report = await replayer({ now: () => new Date() }).replayMany({
        route: target.route.path,
        ratePerSecond: 50,
      });

      const elapsed = performance.now() - started;
      expect(report.enqueued).toBe(20);
      // 19 gaps of 20 ms.
      expect(elapsed).toBeGreaterThanOrEqual(350);
      expect(await drain(target)).toHaveLength(20);
    });

    it('replays only events in the status and time range asked for', async () => {
      const target = nextTarget();
      const statuses = Array.from(
        { length: 12 },
        (_, i): EventStatus => (i % 3 === 0 ? 'dead_lettered' : 'delivered'),
      );
      const originals = await seed(target.route.path, statuses);

      const report = await replayer({ sleep: async () => {} }).replayMany({
        route: target.route.path,
        status: 'dead_lettered',
        since: new Date(START + 3000),
        until: new Date(START + 9000),
      });

      expect(report.replays.map((replay) => replay.original)).toEqual([originals[3]?.id, originals[6]?.id]);
      expect(report).toMatchObject({ matched: 2, enqueued: 2, skipped: 0 });
      expect(await drain(target)).toHaveLength(2);
    });

    it('stops after limit events', async () => {
      const target = nextTarget();
      await seed(
        target.route.path,
        Array.from({ length: 9 }, () => 'delivered'),
      );

      const report = await replayer({ sleep: async () => {} }).replayMany({
        route: target.route.path,
        limit: 4,
      });

      expect(report).toMatchObject({ matched: 4, enqueued: 4 });
      expect(await drain(target)).toHaveLength(4);
    });

    it('writes nothing and sends nothing in a dry run, but counts what it would do', async () => {
      const target = nextTarget();
      const originals = await seed(target.route.path, ['delivered', 'queued', 'dead_lettered', 'retrying']);
      const before = await itemCount();
      const sleeps: number[] = [];
      const progress: BulkReplayProgress[] = [];

      const report = await replayer({
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      }).replayMany({ route: target.route.path, dryRun: true }, (step) => progress.push(step));

      expect(report).toEqual({
        matched: 4,
        enqueued: 0,
        skipped: 1,
        dryRun: true,
        replays: [],
        skippedEvents: [{ id: originals[1]?.id, reason: 'in_flight' }],
      });
      expect(progress).toHaveLength(4);
      expect(sleeps).toEqual([]);
      expect(await itemCount()).toBe(before);
      expect(await drain(target)).toEqual([]);
      for (const original of originals) expect((await store.getEvent(original.id))?.replays).toBeUndefined();
    });

    it('skips events of a route that is not configured', async () => {
      const route = `/gone/${randomUUID().slice(0, 8)}/`;
      const originals = await seed(route, ['delivered', 'dead_lettered']);
      const before = await itemCount();

      const report = await replayer().replayMany({ route });

      expect(report).toMatchObject({ matched: 2, enqueued: 0, skipped: 2 });
      expect(report.skippedEvents).toEqual([
        { id: originals[0]?.id, reason: 'unknown_route' },
        { id: originals[1]?.id, reason: 'unknown_route' },
      ]);
      expect(await itemCount()).toBe(before);
    });

    it('skips events whose stored body is gone (body_unavailable), copying the others’ bodies', async () => {
      const target = nextTarget();
      const [inline] = await seed(target.route.path, ['delivered']);
      const kept = await seedStoredBody(target, 'delivered', START + 1000);
      const gone = await seedStoredBody(target, 'dead_lettered', START + 2000);
      await rm(join(bodyDir, gone.bodyRef.key));

      const report = await replayer({ bodyStore: bodies, sleep: async () => {} }).replayMany({
        route: target.route.path,
      });

      expect(report).toMatchObject({ matched: 3, enqueued: 2, skipped: 1 });
      expect(report.skippedEvents).toEqual([{ id: gone.original.id, reason: 'body_unavailable' }]);
      expect(report.replays.map((replay) => replay.original)).toEqual([inline?.id, kept.original.id]);
      const keptReplay = report.replays[1]?.id ?? '';
      expect((await store.getEvent(keptReplay))?.bodyRef?.key).toBe(bodyKey(target.route.path, keptReplay));
      expect((await store.getEvent(gone.original.id))?.replays).toBeUndefined();
      const envelopes = await drain(target);
      expect(envelopes.map((envelope) => envelope.replayOf)).toEqual([inline?.id, kept.original.id]);
    });

    it('stops with body_store_unavailable and a cursor when a body cannot be copied, then resumes', async () => {
      const target = nextTarget();
      const [inline] = await seed(target.route.path, ['delivered']);
      const stored = await seedStoredBody(target, 'delivered', START + 1000);
      const [last] = await seed(target.route.path, ['delivered'], {}, START + 2000);
      const blocked = join(bodyDir, `blocked-${randomUUID()}`);
      await writeFile(blocked, '');
      const progress: BulkReplayProgress[] = [];
      const query = { route: target.route.path };

      const report = await replayer({
        bodyStore: new DirectoryBodyStore({ root: blocked }),
        sleep: async () => {},
      }).replayMany(query, (step) => progress.push(step));
      const resumed = await replayer({ bodyStore: bodies, sleep: async () => {} }).replayMany({
        ...query,
        cursor: report.nextCursor ?? '',
      });

      expect(report).toMatchObject({
        matched: 1,
        enqueued: 1,
        skipped: 0,
        replays: [{ original: inline?.id }],
        error: { code: 'body_store_unavailable', message: expect.stringContaining(stored.original.id) },
        nextCursor: expect.any(String),
      });
      expect(progress).toEqual([{ matched: 1, enqueued: 1, skipped: 0 }]);
      expect(resumed).toMatchObject({ matched: 2, enqueued: 2, skipped: 0 });
      expect(resumed.error).toBeUndefined();
      expect(resumed.nextCursor).toBeUndefined();
      expect(resumed.replays.map((replay) => replay.original)).toEqual([stored.original.id, last?.id]);
      expect((await drain(target)).map((envelope) => envelope.replayOf)).toEqual([
        inline?.id,
        stored.original.id,
        last?.id,
      ]);
    });

    it('accepts the route path without its trailing slash', async () => {
      const target = nextTarget();
      await seed(target.route.path, ['delivered']);

      const report = await replayer().replayMany({ route: target.route.path.slice(0, -1) });

      expect(report.enqueued).toBe(1);
      expect(await drain(target)).toHaveLength(1);
    });

    describe('when a send fails partway', () => {
      /** A queue that takes `k` sends, then refuses every one. */
      function failingAfter(k: number): QueueSender {
        let sends = 0;
        return {
          async send(queueUrl, body) {
            sends += 1;
            if (sends > k) throw new Error('queue down');
            await sqsQueueSender(emulators.sqs.client).send(queueUrl, body);
          },
        };
      }

      it('returns the page so far with queue_unavailable and a cursor that resumes exactly once', async () => {
        const target = nextTarget();
        // An in-flight event among them: skipped events before the failure count as handled.
        const statuses: EventStatus[] = [
          'delivered',
          'queued',
          'delivered',
          'delivered',
          'delivered',
          'delivered',
        ];
        const originals = await seed(target.route.path, statuses);
        const progress: BulkReplayProgress[] = [];
        const query = { route: target.route.path, ratePerSecond: 500 };
        const before = await itemCount();

        const report = await replayer({ queue: failingAfter(2), sleep: async () => {} }).replayMany(
          query,
          (step) => progress.push(step),
        );
        const afterFailure = await itemCount();
        const resumed = await replayer({ sleep: async () => {} }).replayMany({
          ...query,
          cursor: report.nextCursor ?? '',
        });

        expect(report).toMatchObject({
          matched: 3,
          enqueued: 2,
          skipped: 1,
          replays: [{ original: originals[0]?.id }, { original: originals[2]?.id }],
          skippedEvents: [{ id: originals[1]?.id, reason: 'in_flight' }],
          error: { code: 'queue_unavailable', message: expect.stringContaining(originals[3]?.id ?? '?') },
          nextCursor: expect.any(String),
        });
        expect(progress.at(-1)).toEqual({ matched: 3, enqueued: 2, skipped: 1 });
        // Two replays recorded; the one whose send failed left no record behind.
        expect(afterFailure).toBe(before + 2);
        expect(resumed).toMatchObject({ matched: 3, enqueued: 3, skipped: 0 });
        expect(resumed.nextCursor).toBeUndefined();
        const replayed = [...report.replays, ...resumed.replays].map((replay) => replay.original);
        expect(replayed).toEqual(originals.filter((_, i) => i !== 1).map((event) => event.id));
        const envelopes = await drain(target);
        expect(envelopes.map((envelope) => envelope.replayOf)).toEqual(replayed);
        for (const original of originals) {
          expect((await store.getEvent(original.id))?.replays?.length ?? 0).toBeLessThanOrEqual(1);
        }
      });

      it('returns a cursor from the start of the run when the first send fails', async () => {
        const target = nextTarget();
        const originals = await seed(target.route.path, ['delivered', 'delivered']);
        const query = { route: target.route.path, since: new Date(START), ratePerSecond: 500 };

        const report = await replayer({ queue: failingAfter(0), sleep: async () => {} }).replayMany(query);
        const resumed = await replayer({ sleep: async () => {} }).replayMany({
          ...query,
          cursor: report.nextCursor ?? '',
        });

        expect(report).toMatchObject({
          matched: 0,
          enqueued: 0,
          replays: [],
          error: { code: 'queue_unavailable' },
        });
        expect(report.nextCursor).toEqual(expect.any(String));
        expect(resumed.replays.map((replay) => replay.original)).toEqual(originals.map((event) => event.id));
        expect(await drain(target)).toHaveLength(2);
      });

      it('resumes a queue deleted mid-run once it is back, replaying each event once', async () => {
        const target = nextTarget();
        const originals = await seed(target.route.path, ['delivered', 'delivered', 'delivered', 'delivered']);
        const real = sqsQueueSender(emulators.sqs.client);
        const gone = `${target.queueUrl}-deleted`;
        let sends = 0;
        // The queue "disappears" after two sends: later sends go to a queue that does not exist.
        const deleting: QueueSender = {
          send: (queueUrl, body) => {
            sends += 1;
            return real.send(sends > 2 ? gone : queueUrl, body);
          },
        };
        const query = { route: target.route.path, ratePerSecond: 500 };

        const report = await replayer({ queue: deleting, sleep: async () => {} }).replayMany(query);
        const resumed = await replayer({ sleep: async () => {} }).replayMany({
          ...query,
          cursor: report.nextCursor ?? '',
        });

        expect(report).toMatchObject({ matched: 2, enqueued: 2, error: { code: 'queue_unavailable' } });
        expect(resumed).toMatchObject({ matched: 2, enqueued: 2 });
        expect(resumed.error).toBeUndefined();
        const envelopes = await drain(target);
        expect(envelopes.map((envelope) => envelope.replayOf)).toEqual(originals.map((event) => event.id));
      });
    });

    it('matches nothing, and sends nothing, when since is at or after the run start', async () => {
      const target = nextTarget();
      await seed(target.route.path, ['delivered']);

      const future = await replayer().replayMany({ route: target.route.path, since: new Date('2099-01-01') });
      const now = await replayer().replayMany({ route: target.route.path, since: new Date(REPLAY_AT) });

      for (const report of [future, now]) {
        expect(report).toEqual({
          matched: 0,
          enqueued: 0,
          skipped: 0,
          dryRun: false,
          replays: [],
          skippedEvents: [],
        });
      }
      expect(await drain(target)).toEqual([]);
    });

    it('re-delivers oldest first: the replays reach the queue in the order the originals came in', async () => {
      const target = nextTarget();
      // Stored out of order, so neither write order nor id order gives the answer away.
      const seconds = [4, 0, 3, 1, 2];
      const originals: NewEventRecord[] = [];
      for (const second of seconds) {
        originals.push(...(await seed(target.route.path, ['delivered'], {}, START + second * 1000)));
      }
      const clock = virtualClock(sqsQueueSender(emulators.sqs.client));

      const report = await replayer({ now: clock.now, sleep: clock.sleep, queue: clock.queue }).replayMany({
        route: target.route.path,
        ratePerSecond: 10,
      });

      const received = [...originals].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
      expect(report.replays.map((replay) => replay.original)).toEqual(received.map((event) => event.id));
      const envelopes = await drain(target);
      const bySendTime = [...envelopes].sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
      expect(new Set(envelopes.map((envelope) => envelope.receivedAt)).size).toBe(5);
      expect(bySendTime.map((envelope) => envelope.replayOf)).toEqual(received.map((event) => event.id));
    });

    describe('in pages bounded by a time budget', () => {
      /** 60 events, every tenth still queued (skipped as in flight). */
      const STATUSES = Array.from(
        { length: 60 },
        (_, i): EventStatus => (i % 10 === 3 ? 'queued' : 'delivered'),
      );

      /** Runs page after page, following nextCursor, until there is none (at most 50 pages). */
      async function allReplayPages(
        run: (query: BulkReplayQuery) => Promise<BulkReplayReport>,
        query: BulkReplayQuery,
      ): Promise<BulkReplayReport[]> {
        const reports: BulkReplayReport[] = [];
        let cursor: string | undefined;
        do {
          const report = await run({ ...query, ...(cursor !== undefined && { cursor }) });
          reports.push(report);
          cursor = report.nextCursor;
        } while (cursor !== undefined && reports.length < 50);
        return reports;
      }

      function sum(reports: readonly BulkReplayReport[], field: 'matched' | 'enqueued' | 'skipped'): number {
        return reports.reduce((total, report) => total + report[field], 0);
      }

      it('replays every event exactly once across pages, never a replay of a replay', async () => {
        const target = nextTarget();
        const single = nextTarget();
        const originals = await seed(target.route.path, STATUSES);
        await seed(single.route.path, STATUSES);
        const clock = virtualClock(sqsQueueSender(emulators.sqs.client));
        const paged = replayer({ now: clock.now, sleep: clock.sleep, queue: clock.queue });
        const pageStarts: number[] = [];

        // 10 sends a second and 1.5 s a page: 15 sends a page.
        const reports = await allReplayPages(
          (query) => {
            pageStarts.push(clock.now().getTime());
            return paged.replayMany(query);
          },
          { route: target.route.path, ratePerSecond: 10, budgetMs: 1500 },
        );
        const singleRun = await replayer({ sleep: async () => {} }).replayMany({
          route: single.route.path,
          ratePerSecond: 500,
        });

        expect(reports.length).toBeGreaterThanOrEqual(3);
        expect(reports.map((report) => report.enqueued)).toEqual([15, 15, 15, 9]);
        expect(reports.slice(0, -1).every((report) => report.nextCursor !== undefined)).toBe(true);
        expect(reports.at(-1)?.nextCursor).toBeUndefined();
        for (const report of reports) {
          expect(report.replays).toHaveLength(report.enqueued);
          expect(report.skippedEvents).toHaveLength(report.skipped);
          expect(report.matched).toBe(report.enqueued + report.skipped);
        }
        expect({
          matched: sum(reports, 'matched'),
          enqueued: sum(reports, 'enqueued'),
          skipped: sum(reports, 'skipped'),
        }).toEqual({ matched: singleRun.matched, enqueued: singleRun.enqueued, skipped: singleRun.skipped });
        expect(singleRun).toMatchObject({ matched: 60, enqueued: 54, skipped: 6 });
        // Exactly once each, oldest first across pages, and only originals.
        const replayable = originals.filter((_, i) => STATUSES[i] === 'delivered').map((event) => event.id);
        expect(reports.flatMap((report) => report.replays.map((replay) => replay.original))).toEqual(
          replayable,
        );
        expect(reports.flatMap((report) => report.skippedEvents.map((skip) => skip.id))).toEqual(
          originals.filter((_, i) => STATUSES[i] === 'queued').map((event) => event.id),
        );
        const envelopes = await drain(target);
        expect(envelopes).toHaveLength(54);
        expect(new Set(envelopes.map((envelope) => envelope.replayOf))).toEqual(new Set(replayable));
        // Each page kept the rate and started no send once its budget was spent. Pages run back
        // to back: the next page's first send may follow the last one at once.
        let sent = 0;
        pageStarts.forEach((start, page) => {
          const count = reports[page]?.enqueued ?? 0;
          const sends = clock.sendTimes.slice(sent, sent + count);
          sent += count;
          expect(Math.min(...sends)).toBeGreaterThanOrEqual(start);
          expect(Math.max(...sends) - start).toBeLessThan(1500);
          const gaps = sends.slice(1).map((time, i) => time - (sends[i] ?? 0));
          expect(gaps.every((gap) => gap >= 100)).toBe(true);
        });
        expect(sent).toBe(clock.sendTimes.length);
      }, 120_000);

      it('holds the limit over the whole run, not each page', async () => {
        const target = nextTarget();
        await seed(target.route.path, STATUSES.slice(0, 30));
        const clock = virtualClock(sqsQueueSender(emulators.sqs.client));
        const paged = replayer({ now: clock.now, sleep: clock.sleep, queue: clock.queue });

        const reports = await allReplayPages((query) => paged.replayMany(query), {
          route: target.route.path,
          ratePerSecond: 10,
          budgetMs: 1000,
          limit: 22,
        });

        expect(reports.length).toBeGreaterThanOrEqual(2);
        expect(sum(reports, 'matched')).toBe(22);
        expect(reports.at(-1)?.nextCursor).toBeUndefined();
        expect(await drain(target)).toHaveLength(sum(reports, 'enqueued'));
      });

      it('ends a page between listing reads once the budget is spent, even with nothing matched', async () => {
        const target = nextTarget();
        // A rare status (not indexed) in a busy route: listings come back short or empty.
        const statuses = Array.from(
          { length: 30 },
          (_, i): EventStatus => (i === 27 ? 'ignored' : 'delivered'),
        );
        // One shard: a listing's first reads are one per shard, so a cap below the shard count
        // would be met by the first read alone.
        const originals = await seed(target.route.path, statuses, {}, START, 1);
        const clock = virtualClock(sqsQueueSender(emulators.sqs.client));
        const capped = new EventHistory({
          client: emulators.dynamo.client,
          tableName,
          store,
          maxKeysPerListing: 5,
          shardsOf: () => 1,
        });
        const readsPerPage: number[] = [];
        // Reads that examine 5 keys and take 600 ms each.
        const slowCapped: ReplayerDependencies['history'] = {
          async listEvents(query) {
            readsPerPage[readsPerPage.length - 1] = (readsPerPage.at(-1) ?? 0) + 1;
            clock.advance(600);
            return capped.listEvents(query);
          },
          cursorAfter: (scope, event) => capped.cursorAfter(scope, event),
        };
        const paged = replayer({
          now: clock.now,
          sleep: clock.sleep,
          queue: clock.queue,
          history: slowCapped,
        });

        const reports = await allReplayPages(
          (query) => {
            readsPerPage.push(0);
            return paged.replayMany(query);
          },
          { route: target.route.path, status: 'ignored', budgetMs: 1000 },
        );

        // A page reads at least once, and starts no read once 1 s is spent: at most two.
        expect(readsPerPage.every((reads) => reads >= 1 && reads <= 2)).toBe(true);
        expect(reports.length).toBeGreaterThanOrEqual(3);
        expect(reports.slice(0, -1).every((report) => report.nextCursor !== undefined)).toBe(true);
        expect(reports.flatMap((report) => report.replays.map((replay) => replay.original))).toEqual([
          originals[27]?.id,
        ]);
        expect(await drain(target)).toHaveLength(1);
      });

      it('pages a dry run too, without waiting or writing', async () => {
        const target = nextTarget();
        await seed(target.route.path, STATUSES);
        const before = await itemCount();
        const clock = virtualClock(sqsQueueSender(emulators.sqs.client));
        // Reads that take a second each and hold at most 25 events.
        const slowHistory: ReplayerDependencies['history'] = {
          async listEvents(query) {
            clock.advance(1000);
            return history.listEvents({ ...query, limit: Math.min(query.limit ?? 50, 25) });
          },
          cursorAfter: (scope, event) => history.cursorAfter(scope, event),
        };
        const dry = replayer({
          now: clock.now,
          sleep: clock.sleep,
          queue: clock.queue,
          history: slowHistory,
        });

        const reports = await allReplayPages((query) => dry.replayMany(query), {
          route: target.route.path,
          dryRun: true,
          budgetMs: 1000,
        });

        expect(reports.map((report) => report.matched)).toEqual([25, 25, 10]);
        expect(reports.map((report) => report.skipped)).toEqual([3, 2, 1]);
        expect(reports.every((report) => report.dryRun && report.enqueued === 0)).toBe(true);
        expect(reports.map((report) => report.nextCursor !== undefined)).toEqual([true, true, false]);
        expect(clock.sleeps).toEqual([]);
        expect(await itemCount()).toBe(before);
        expect(await drain(target)).toEqual([]);
        // A dry run's cursor does not continue a real run.
        await expect(
          dry.replayMany({ route: target.route.path, cursor: reports[0]?.nextCursor ?? '' }),
        ).rejects.toThrow(/invalid cursor: it continues a dry run, not a replay/);
      });

      describe('cursors', () => {
        const SINCE = new Date(START);
        let target: ReplayTarget;
        let cursor: string;

        beforeAll(async () => {
          target = nextTarget();
          await seed(target.route.path, ['delivered', 'delivered', 'delivered']);
          const first = await replayer({ sleep: async () => {} }).replayMany({
            route: target.route.path,
            status: 'delivered',
            since: SINCE,
            budgetMs: 1,
          });
          if (first.nextCursor === undefined) throw new Error('expected a cursor');
          expect(first.matched).toBe(1);
          cursor = first.nextCursor;
        });

        it.each([
          {
            label: 'another route',
            change: { route: '/replay/r0/' },
            message: /of route \/replay\/r\d+\/, not/,
          },
          { label: 'no status', change: { status: undefined }, message: /of status delivered, not any/ },
          { label: 'another status', change: { status: 'dead_lettered' }, message: /status delivered, not/ },
          { label: 'no since', change: { since: undefined }, message: /since 2030-01-01T00:00:00.000Z, not/ },
          { label: 'another since', change: { since: new Date(START + 1) }, message: /since .*, not/ },
          {
            label: 'an until before the run started',
            change: { until: new Date(START + 1500) },
            message: /it continues a replay until .*, not 2030-01-01T00:00:01.500Z/,
          },
          { label: 'a dry run', change: { dryRun: true }, message: /it continues a replay, not a dry run/ },
        ] satisfies { label: string; change: Partial<BulkReplayQuery>; message: RegExp }[])(
          'refuses the cursor with $label (code invalid_cursor)',
          async ({ change, message }) => {
            const before = await itemCount();
            const run = replayer({ sleep: async () => {} }).replayMany({
              route: target.route.path,
              status: 'delivered',
              since: SINCE,
              cursor,
              ...change,
            });

            await expect(run).rejects.toBeInstanceOf(InvalidReplayCursorError);
            await expect(run).rejects.toMatchObject({ code: 'invalid_cursor' });
            await expect(run).rejects.toThrow(message);
            expect(await itemCount()).toBe(before);
          },
        );

        it.each([
          { label: 'text that is not base64url', text: 'not a cursor!' },
          {
            label: 'a listing cursor',
            text: encodeCursor({
              route: '/replay/r0/',
              order: 'oldest',
              after: new Date(START).toISOString(),
            }),
          },
          {
            label: 'a tampered listing position',
            text: Buffer.from(
              JSON.stringify({
                v: 1,
                route: '/replay/r0/',
                until: new Date(REPLAY_AT).toISOString(),
                matched: 1,
                listing: 'x',
              }),
            ).toString('base64url'),
          },
        ])('refuses $label', async ({ text }) => {
          const run = replayer({ sleep: async () => {} }).replayMany({ route: '/replay/r0/', cursor: text });

          await expect(run).rejects.toBeInstanceOf(InvalidReplayCursorError);
          await expect(run).rejects.toThrow(/^invalid cursor: /);
        });

        it('continues with the same filters, an until left out or later than the run start', async () => {
          const run = replayer({ sleep: async () => {} });
          const query = { route: target.route.path, status: 'delivered', since: SINCE } as const;

          const second = await run.replayMany({
            ...query,
            cursor,
            until: new Date(REPLAY_AT + 60_000),
            budgetMs: 1,
          });
          const third = await run.replayMany({ ...query, cursor: second.nextCursor ?? '' });

          expect(second).toMatchObject({ matched: 1, enqueued: 1 });
          expect(third).toMatchObject({ matched: 1, enqueued: 1 });
          expect(third.nextCursor).toBeUndefined();
        });
      });
    });

    it.each([
      {
        label: 'a rate of 0',
        query: { ratePerSecond: 0 },
        message: /ratePerSecond must be above 0 and at most 500/,
      },
      { label: 'a rate above 500', query: { ratePerSecond: 501 }, message: /ratePerSecond/ },
      { label: 'a limit of 0', query: { limit: 0 }, message: /limit must be an integer/ },
      {
        label: 'a budget of 0',
        query: { budgetMs: 0 },
        message: /budgetMs must be above 0 and at most 25000/,
      },
      { label: 'a budget above 25 s', query: { budgetMs: 25_001 }, message: /budgetMs/ },
      {
        label: 'an empty time range',
        query: { since: new Date(START + 2000), until: new Date(START + 1000) },
        message: /since .* must be earlier than until/,
      },
    ])('refuses $label with a RangeError', async ({ query, message }) => {
      const run = replayer().replayMany({ route: '/replay/r0/', ...query });

      await expect(run).rejects.toBeInstanceOf(RangeError);
      await expect(run).rejects.toThrow(message);
    });
  });
});
