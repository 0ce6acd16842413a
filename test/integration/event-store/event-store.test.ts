import { randomBytes, randomUUID } from 'node:crypto';
import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  EventNotFoundError,
  EventStoreError,
  InvalidTransitionError,
  RouteMismatchError,
} from '../../../shared/event-store/errors.js';
import { EventStore } from '../../../shared/event-store/event-store.js';
import { eventKeys } from '../../../shared/event-store/items.js';
import { marshallItem } from '../../../shared/event-store/marshal.js';
import { ERROR_MESSAGE_LIMIT_BYTES } from '../../../shared/event-store/state-update.js';
import { canTransition, EVENT_STATUSES, sourcesFor } from '../../../shared/event-store/transitions.js';
import type { AttemptRecord, EventStatus, NewEventRecord } from '../../../shared/event-store/types.js';
import { createEventTable } from '../../../shared/local/create-table.js';
import { EVENT_TABLE, STATUS_INDEXED } from '../../../shared/resources.js';
import { createDynamoDbClient, freePort } from '../../helpers/emulators.js';
import { attemptRecord, newEventRecord, rawEventItem, storeEventIn } from '../../helpers/event-records.js';
import { connectDynamoDb, type EmulatorConnection, uniqueName } from '../../helpers/shared-emulators.js';
import { transition } from '../../helpers/transition.js';

const TABLE = uniqueName('event-store');
const ROUTE = '/order/status/';
const START = Date.parse('2030-01-01T00:00:00.000Z');

let dynamo: EmulatorConnection<DynamoDBClient> | undefined;
let store: EventStore;
let clockMs = START;

function client(): DynamoDBClient {
  if (dynamo === undefined) throw new Error('DynamoDB Local is not running');
  return dynamo.client;
}

beforeAll(async () => {
  dynamo = await connectDynamoDb();
  await createEventTable(dynamo.client, TABLE);
  store = new EventStore({ client: dynamo.client, tableName: TABLE, now: () => new Date(clockMs) });
});

afterAll(() => {
  dynamo?.close();
});

beforeEach(() => {
  clockMs = START;
});

function newEvent(overrides: Partial<NewEventRecord> = {}): NewEventRecord {
  return newEventRecord(clockMs, overrides);
}

function attempt(
  n: number,
  outcome: AttemptRecord['outcome'],
  extra: Partial<AttemptRecord> = {},
): AttemptRecord {
  return attemptRecord(clockMs, n, outcome, extra);
}

function eventIn(status: EventStatus): Promise<NewEventRecord> {
  return storeEventIn(store, newEvent(), status);
}

/** Writes `event` as ingress does: request data, then (its message sent) the queued state. */
async function accept(event: NewEventRecord): Promise<void> {
  await store.putRequest(event);
  await store.putQueued(event);
}

function rawItem(id: string) {
  return rawEventItem(client(), TABLE, id);
}

async function rawRequestItem(id: string) {
  const { Item } = await client().send(
    new GetItemCommand({ TableName: TABLE, Key: marshallItem(eventKeys.request(id)), ConsistentRead: true }),
  );
  return Item;
}

// An event is `received` while it has request data and no state item yet: no status change
// starts there (ingress writes its state as `queued`; a lock creates it as `processing`).
const pairs = EVENT_STATUSES.filter((from) => from !== 'received').flatMap((from) =>
  EVENT_STATUSES.map((to) => ({ from, to })),
);
const allowed = pairs.filter(({ from, to }) => canTransition(from, to));
const forbidden = pairs.filter(({ from, to }) => !canTransition(from, to));

describe('EventStore', () => {
  describe('claimDedupeKey()', () => {
    it('claims an unused key', async () => {
      const result = await store.claimDedupeKey({
        route: ROUTE,
        key: randomUUID(),
        eventId: 'evt-1',
        windowSeconds: 60,
      });

      expect(result).toEqual({ claimed: true });
    });

    it('returns the first event id to a later claim of the same key', async () => {
      const key = randomUUID();
      await store.claimDedupeKey({ route: ROUTE, key, eventId: 'evt-first', windowSeconds: 60 });

      const again = await store.claimDedupeKey({
        route: ROUTE,
        key,
        eventId: 'evt-second',
        windowSeconds: 60,
      });

      expect(again).toEqual({ claimed: false, eventId: 'evt-first' });
    });

    it('keeps the claim until the window has passed, then lets it be taken again', async () => {
      const key = randomUUID();
      await store.claimDedupeKey({ route: ROUTE, key, eventId: 'evt-old', windowSeconds: 60 });

      clockMs = START + 59_000;
      const inside = await store.claimDedupeKey({
        route: ROUTE,
        key,
        eventId: 'evt-early',
        windowSeconds: 60,
      });
      clockMs = START + 61_000;
      const after = await store.claimDedupeKey({ route: ROUTE, key, eventId: 'evt-new', windowSeconds: 60 });
      const later = await store.claimDedupeKey({
        route: ROUTE,
        key,
        eventId: 'evt-later',
        windowSeconds: 60,
      });

      expect(inside).toEqual({ claimed: false, eventId: 'evt-old' });
      expect(after).toEqual({ claimed: true });
      expect(later).toEqual({ claimed: false, eventId: 'evt-new' });
    });

    it('lets a claim with a zero window be taken again at once', async () => {
      const key = randomUUID();
      await store.claimDedupeKey({ route: ROUTE, key, eventId: 'evt-a', windowSeconds: 0 });

      const again = await store.claimDedupeKey({ route: ROUTE, key, eventId: 'evt-b', windowSeconds: 0 });

      expect(again).toEqual({ claimed: true });
    });

    it('stores the window end as the TTL attribute', async () => {
      const key = randomUUID();
      clockMs = START + 500;

      await store.claimDedupeKey({ route: ROUTE, key, eventId: 'evt-ttl', windowSeconds: 60 });

      const { pk, sk } = eventKeys.dedupe(ROUTE, key);
      const { Item } = await client().send(
        new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk }, sk: { S: sk } }, ConsistentRead: true }),
      );
      // Rounded up: the claim lasts at least the window.
      expect(Item?.[EVENT_TABLE.ttlAttribute]).toEqual({ N: String(START / 1000 + 61) });
      expect(Item?.eventId).toEqual({ S: 'evt-ttl' });
    });

    it('keeps the same key on different routes apart', async () => {
      const key = randomUUID();
      await store.claimDedupeKey({ route: ROUTE, key, eventId: 'evt-1', windowSeconds: 60 });

      const other = await store.claimDedupeKey({
        route: '/other/',
        key,
        eventId: 'evt-2',
        windowSeconds: 60,
      });

      expect(other).toEqual({ claimed: true });
    });

    it('rejects a negative window', async () => {
      await expect(
        store.claimDedupeKey({ route: ROUTE, key: 'k', eventId: 'e', windowSeconds: -1 }),
      ).rejects.toThrow(RangeError);
    });
  });

  describe('putRequest() and putQueued()', () => {
    it('write a queued record that getEvent() reads back without key attributes', async () => {
      const event = newEvent();
      clockMs = START + 1_000;

      await store.putRequest(event);
      const written = await store.putQueued(event);
      const stored = await store.getEvent(event.id);

      expect(written).toBe(true);
      expect(stored).toEqual({
        ...event,
        status: 'queued',
        updatedAt: new Date(START + 1_000).toISOString(),
        attempts: [],
      });
      expect(Object.keys(stored ?? {})).not.toContain('pk');
      expect(Object.keys(stored ?? {})).not.toContain('gsi2pk');
    });

    it('write the byRoute keys and leave queued out of the sparse status index', async () => {
      const event = newEvent();

      await accept(event);

      const item = await rawItem(event.id);
      expect(item?.gsi1pk).toEqual({ S: `ROUTE#${ROUTE}` });
      expect(item?.gsi1sk).toEqual({ S: `${event.receivedAt}#${event.id}` });
      expect(item?.gsi2pk).toBeUndefined();
      expect(item?.gsi2sk).toEqual(item?.gsi1sk);
      expect(item?.expiresAt).toEqual({ N: String(event.expiresAt) });
    });

    it('keeps the request data in its own item, out of the state item', async () => {
      const event = newEvent();

      await accept(event);

      const state = await rawItem(event.id);
      for (const name of ['headers', 'body', 'query', 'contentType']) expect(state?.[name]).toBeUndefined();
      const request = await rawRequestItem(event.id);
      expect(request?.body).toEqual({ S: event.body });
      expect(request?.query).toEqual({ S: event.query });
      expect(request?.contentType).toEqual({ S: event.contentType });
      expect(request?.headers?.M?.['x-github-delivery']).toEqual({ S: 'd-1' });
      expect(request?.expiresAt).toEqual({ N: String(event.expiresAt) });
      expect(request?.status).toBeUndefined();
    });

    it('compresses large request data into one attribute and reads it back exactly', async () => {
      const body = JSON.stringify({
        type: 'order.updated',
        data: Array.from({ length: 30 }, (_, i) => ({
          sku: `SKU-${i}`,
          quantity: i % 4,
          shipped: i % 2 === 0,
        })),
      });
      const event = newEvent({
        body,
        headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1' },
      });

      await accept(event);

      const request = await rawRequestItem(event.id);
      expect(request?.body).toBeUndefined();
      expect(request?.headers).toBeUndefined();
      const compressed = request?.requestBr?.B;
      expect(compressed).toBeInstanceOf(Uint8Array);
      expect(compressed?.length).toBeLessThan(body.length / 2);
      expect(request?.expiresAt).toEqual({ N: String(event.expiresAt) });
      const stored = await store.getEvent(event.id);
      expect(stored?.body).toBe(body);
      expect(stored?.headers).toEqual(event.headers);
      expect(stored?.query).toBe(event.query);
      expect(stored?.contentType).toBe(event.contentType);
    });

    it('compresses a binary body kept as base64 and gives back the same bytes', async () => {
      const bytes = Buffer.alloc(4096, 0x5a);
      const event = newEvent({ body: undefined, bodyBase64: bytes.toString('base64') });

      await accept(event);

      expect((await rawRequestItem(event.id))?.requestBr?.B).toBeInstanceOf(Uint8Array);
      const stored = await store.getEvent(event.id);
      expect(Buffer.from(stored?.bodyBase64 ?? '', 'base64').equals(bytes)).toBe(true);
      expect(stored?.body).toBeUndefined();
    });

    it('keeps a small request as plain attributes', async () => {
      const event = newEvent({ body: '{"ok":true}' });

      await accept(event);

      const request = await rawRequestItem(event.id);
      expect(request?.requestBr).toBeUndefined();
      expect(request?.body).toEqual({ S: event.body });
      expect((await store.getEvent(event.id))?.body).toBe(event.body);
    });

    it('round-trips a body of random characters, which compresses least', async () => {
      const event = newEvent({ body: randomBytes(3000).toString('base64') });

      await accept(event);

      expect((await rawRequestItem(event.id))?.requestBr?.B).toBeInstanceOf(Uint8Array);
      expect((await store.getEvent(event.id))?.body).toBe(event.body);
    });

    it('names the event when its compressed request data cannot be decoded', async () => {
      const event = newEvent();
      await accept(event);
      await client().send(
        new PutItemCommand({
          TableName: TABLE,
          Item: {
            ...marshallItem(eventKeys.request(event.id)),
            requestBr: { B: new Uint8Array([1, 2, 3, 4]) },
          },
        }),
      );

      await expect(store.getEvent(event.id)).rejects.toThrow(
        `event ${event.id}: its stored request data cannot be decoded`,
      );
    });

    it('leave an event with only its request data out of getEvent(): it is received, not queued', async () => {
      const event = newEvent();

      await store.putRequest(event);

      expect(await rawRequestItem(event.id)).toBeDefined();
      expect(await rawItem(event.id)).toBeUndefined();
      expect(await store.getEvent(event.id)).toBeUndefined();
    });

    it("putRequest() replaces an earlier attempt's request data", async () => {
      const first = newEvent({ body: 'first' });
      await store.putRequest(first);

      await store.putRequest({ ...first, body: 'retry' });
      await store.putQueued(first);

      expect((await store.getEvent(first.id))?.body).toBe('retry');
    });

    it('resumeRequest() rewrites the request data of an event without a state', async () => {
      const event = newEvent({ body: 'first' });
      await store.putRequest(event);

      const resumed = await store.resumeRequest({ ...event, body: 'retry' });
      await store.putQueued(event);

      expect(resumed).toBe(true);
      expect((await store.getEvent(event.id))?.body).toBe('retry');
    });

    it('resumeRequest() writes nothing once the event has a state, and says so', async () => {
      const event = newEvent({ body: 'original' });
      await accept(event);

      const resumed = await store.resumeRequest({ ...event, body: 'late duplicate' });

      expect(resumed).toBe(false);
      expect((await store.getEvent(event.id))?.body).toBe('original');
    });

    it("deleteRequest() removes a duplicate's copy of the request data", async () => {
      const copy = newEvent();
      await store.putRequest(copy);

      await store.deleteRequest(copy.id);

      expect(await rawRequestItem(copy.id)).toBeUndefined();
    });

    it('putQueued() reports a state being created by a lock transaction as already there', async () => {
      const event = newEvent();
      await store.putRequest(event);
      const conflicted = createDynamoDbClient(dynamo?.endpoint ?? '');
      conflicted.middlewareStack.add(
        () => async () => {
          throw new TransactionConflictException({
            message: 'Transaction is ongoing for the item',
            $metadata: {},
          });
        },
        { step: 'initialize', name: 'conflict' },
      );
      const conflictedStore = new EventStore({ client: conflicted, tableName: TABLE });

      const written = await conflictedStore.putQueued(event);
      conflicted.destroy();

      expect(written).toBe(false);
    });

    it('putQueued() leaves a state that moved on as it is and says so', async () => {
      const event = newEvent();
      await accept(event);
      await transition(store, event.id, 'processing');

      const written = await store.putQueued(event);

      expect(written).toBe(false);
      expect((await store.getEvent(event.id))?.status).toBe('processing');
    });
  });

  describe('getEvent()', () => {
    it('returns undefined for an unknown id', async () => {
      expect(await store.getEvent(randomUUID())).toBeUndefined();
    });
  });

  describe('transition()', () => {
    it('walks queued → processing → retrying → processing → delivered, appending attempts', async () => {
      const event = newEvent();
      await accept(event);
      const failed = attempt(1, 'failed', {
        errorName: 'TypeError',
        errorMessage: 'boom',
        nextVisibleAt: new Date(START + 10_000).toISOString(),
      });
      const delivered = attempt(2, 'delivered');

      await transition(store, event.id, 'processing');
      const retrying = await transition(store, event.id, 'retrying', { attempt: failed });
      await transition(store, event.id, 'processing', { route: ROUTE });
      const done = await transition(store, event.id, 'delivered', { attempt: delivered, route: ROUTE });

      expect(retrying.attempts).toEqual([failed]);
      expect(done.status).toBe('delivered');
      expect(done.attempts).toEqual([failed, delivered]);
      expect(await store.getEvent(event.id)).toEqual({ ...event, ...done });
    });

    it('lists only events needing attention in byRouteStatus, moving them as their status changes', async () => {
      const route = `/gsi/${randomUUID()}/`;
      const event = newEvent({ route, path: route });
      const byStatus = async (status: EventStatus) => {
        const { Items } = await client().send(
          new QueryCommand({
            TableName: TABLE,
            IndexName: EVENT_TABLE.indexes.byRouteStatus.name,
            KeyConditionExpression: 'gsi2pk = :pk',
            ExpressionAttributeValues: { ':pk': { S: eventKeys.routeStatus(route, status) } },
          }),
        );
        return (Items ?? []).map((item) => item.pk?.S);
      };
      await accept(event);
      await transition(store, event.id, 'processing');

      await transition(store, event.id, 'retrying');
      const whileRetrying = await byStatus('retrying');
      await transition(store, event.id, 'processing');
      const afterRetry = await byStatus('retrying');
      await transition(store, event.id, 'dead_lettered');

      expect(whileRetrying).toEqual([`EVENT#${event.id}`]);
      expect(afterRetry).toEqual([]);
      expect(await byStatus('dead_lettered')).toEqual([`EVENT#${event.id}`]);
      expect(await byStatus('queued')).toEqual([]);
    });

    it(`truncates an attempt's error message to ${ERROR_MESSAGE_LIMIT_BYTES} bytes of UTF-8`, async () => {
      const event = await eventIn('processing');
      // 3-byte characters: 1024 is not a multiple of 3, so a naive cut would split one.
      const message = '€'.repeat(1_000);

      const updated = await transition(store, event.id, 'retrying', {
        attempt: attempt(1, 'failed', { errorMessage: message }),
      });

      const stored = updated.attempts[0]?.errorMessage ?? '';
      expect(Buffer.byteLength(stored, 'utf8')).toBeLessThanOrEqual(ERROR_MESSAGE_LIMIT_BYTES);
      expect(stored).toBe('€'.repeat(Math.floor(ERROR_MESSAGE_LIMIT_BYTES / 3)));
    });

    it.each(allowed)('allows $from → $to', async ({ from, to }) => {
      const event = await eventIn(from);

      const updated = await transition(store, event.id, to);

      expect(updated.status).toBe(to);
      const indexed = STATUS_INDEXED.has(to) ? { S: eventKeys.routeStatus(ROUTE, to) } : undefined;
      expect((await rawItem(event.id))?.gsi2pk).toEqual(indexed);
    });

    it.each(forbidden)('refuses $from → $to and leaves the record unchanged', async ({ from, to }) => {
      const event = await eventIn(from);
      const before = await store.getEvent(event.id);

      // Without the route the store reads first; with it the conditional write refuses.
      const results = await Promise.allSettled([
        transition(store, event.id, to),
        transition(store, event.id, to, { route: ROUTE }),
      ]);

      for (const result of results) {
        expect(result.status).toBe('rejected');
        const reason: unknown = result.status === 'rejected' ? result.reason : undefined;
        expect(reason).toBeInstanceOf(InvalidTransitionError);
        expect(reason).toMatchObject({ id: event.id, to, actual: from, expected: sourcesFor(to) });
      }
      expect(await store.getEvent(event.id)).toEqual(before);
    });

    it('lets only one of two concurrent deliveries win', async () => {
      const event = await eventIn('processing');

      const results = await Promise.allSettled([
        transition(store, event.id, 'delivered', { attempt: attempt(1, 'delivered') }),
        transition(store, event.id, 'delivered', { attempt: attempt(1, 'delivered') }),
      ]);

      const rejected = results.filter((result) => result.status === 'rejected');
      expect(rejected).toHaveLength(1);
      expect(rejected[0]?.reason).toMatchObject({ code: 'invalid_transition', actual: 'delivered' });
      expect((await store.getEvent(event.id))?.attempts).toHaveLength(1);
    });

    it('refuses a forbidden change when given the route, reporting the actual status', async () => {
      const event = await eventIn('delivered');

      const result = transition(store, event.id, 'processing', { route: ROUTE });

      await expect(result).rejects.toMatchObject({ code: 'invalid_transition', actual: 'delivered' });
    });

    it('refuses a route that is not the event’s and leaves the record unchanged', async () => {
      const event = await eventIn('queued');

      const result = transition(store, event.id, 'processing', { route: '/somewhere/else/' });

      await expect(result).rejects.toBeInstanceOf(RouteMismatchError);
      await expect(result).rejects.toMatchObject({ code: 'route_mismatch', actualRoute: ROUTE });
      expect((await store.getEvent(event.id))?.status).toBe('queued');
    });

    it.each([
      { label: 'without', changes: {} },
      { label: 'with', changes: { route: ROUTE } },
    ])('throws EventNotFoundError for an unknown id ($label a route)', async ({ changes }) => {
      const id = randomUUID();

      const result = transition(store, id, 'processing', changes);

      await expect(result).rejects.toBeInstanceOf(EventNotFoundError);
      await expect(result).rejects.toMatchObject({ code: 'event_not_found', id });
      expect(await rawItem(id)).toBeUndefined();
    });
  });

  describe('when DynamoDB is unreachable', () => {
    it('rejects with the SDK error instead of hanging', async () => {
      const closedPort = await freePort();
      const unreachable = createDynamoDbClient(`http://127.0.0.1:${closedPort}`, {
        maxAttempts: 1,
        connectionTimeoutMs: 1_000,
        requestTimeoutMs: 2_000,
      });
      const offline = new EventStore({ client: unreachable, tableName: TABLE });
      const started = Date.now();

      try {
        const results = await Promise.allSettled([
          offline.getEvent('x'),
          offline.putRequest(newEvent()),
          offline.putQueued(newEvent()),
          offline.claimDedupeKey({ route: ROUTE, key: 'k', eventId: 'e', windowSeconds: 60 }),
          transition(offline, 'x', 'queued', { route: ROUTE }),
        ]);

        for (const result of results) {
          expect(result.status).toBe('rejected');
          if (result.status === 'rejected') {
            expect(result.reason).toBeInstanceOf(Error);
            expect(result.reason).not.toBeInstanceOf(EventStoreError);
          }
        }
        expect(Date.now() - started).toBeLessThan(5_000);
      } finally {
        unreachable.destroy();
      }
    });
  });
});
