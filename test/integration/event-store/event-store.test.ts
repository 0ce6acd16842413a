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
import { parseEventId, routeTag } from '../../../shared/ids.js';
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

/** Writes `event` as ingress does without a dedupe key: request data, then (its message sent) the queued state. */
async function accept(event: NewEventRecord): Promise<string> {
  const requestKey = await store.putRequest(event);
  await store.putQueued(event, requestKey);
  return requestKey;
}

function rawItem(id: string) {
  return rawEventItem(client(), TABLE, id);
}

async function rawRequestItem(requestKey: string) {
  const { Item } = await client().send(
    new GetItemCommand({
      TableName: TABLE,
      Key: marshallItem(eventKeys.requestAt(requestKey)),
      ConsistentRead: true,
    }),
  );
  return Item;
}

/** A new event with a fresh dedupe key, received now. */
function keyedEvent(overrides: Partial<NewEventRecord> = {}): NewEventRecord {
  return newEvent({ dedupeKey: `header:${randomUUID()}`, ...overrides });
}

/** A client of the same DynamoDB Local that records the name of every command it sends. */
function countingClient(): { client: DynamoDBClient; calls: string[] } {
  const counted = createDynamoDbClient(dynamo?.endpoint ?? '');
  const calls: string[] = [];
  counted.middlewareStack.add(
    (next, context) => (args) => {
      calls.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );
  return { client: counted, calls };
}

function claim(record: NewEventRecord, windowSeconds = 60) {
  return store.claimRequest({ record, windowSeconds });
}

// An event is `received` while it has request data and no state item yet: no status change
// starts there (ingress writes its state as `queued`; a lock creates it as `processing`).
const pairs = EVENT_STATUSES.filter((from) => from !== 'received').flatMap((from) =>
  EVENT_STATUSES.map((to) => ({ from, to })),
);
const allowed = pairs.filter(({ from, to }) => canTransition(from, to));
const forbidden = pairs.filter(({ from, to }) => !canTransition(from, to));

describe('EventStore', () => {
  describe('claimRequest()', () => {
    it('claims an unused key and writes the request data in the same item', async () => {
      const event = keyedEvent();

      const result = await claim(event);

      const requestKey = `DEDUPE#${ROUTE}#${event.dedupeKey}`;
      expect(result).toEqual({ claimed: true, requestKey });
      const item = await rawRequestItem(requestKey);
      expect(item).toMatchObject({
        eventId: { S: event.id },
        claimedUntil: { N: String(START / 1000 + 60) },
        expiresAt: { N: String(event.expiresAt) },
        body: { S: event.body },
      });
      // Nothing twice: the holder owns the data, the key is the item's own.
      expect(item?.requestOf).toBeUndefined();
      expect(item?.dedupeKey).toBeUndefined();
    });

    it('returns the holder, and its request item, to a later claim of the same key, writing nothing', async () => {
      const first = keyedEvent({ body: 'first' });
      await claim(first);

      const again = await claim({ ...first, id: newEvent().id, body: 'second' });

      const requestKey = `DEDUPE#${ROUTE}#${first.dedupeKey}`;
      expect(again).toEqual({ claimed: false, eventId: first.id, requestKey });
      expect((await rawRequestItem(requestKey))?.body).toEqual({ S: 'first' });
    });

    it('keeps the claim until the window has passed, then moves it to a new event', async () => {
      const old = keyedEvent({ body: 'old' });
      await claim(old);

      clockMs = START + 59_000;
      const inside = await claim({ ...old, id: newEvent().id });
      clockMs = START + 61_000;
      const repeat = { ...newEvent(), dedupeKey: old.dedupeKey, body: 'repeat' };
      const after = await claim(repeat);
      const later = await claim({ ...old, id: newEvent().id });

      const claimKey = `DEDUPE#${ROUTE}#${old.dedupeKey}`;
      expect(inside).toEqual({ claimed: false, eventId: old.id, requestKey: claimKey });
      expect(after).toEqual({ claimed: true, requestKey: `REQUEST#${repeat.id}` });
      expect(later).toEqual({ claimed: false, eventId: repeat.id, requestKey: `REQUEST#${repeat.id}` });
    });

    it("repeats a key after its window without overwriting the first event's request data", async () => {
      const first = keyedEvent({ body: 'first' });
      await claim(first);
      await store.putQueued(first, `DEDUPE#${ROUTE}#${first.dedupeKey}`);
      clockMs = START + 120_000;
      const repeat = { ...newEvent(), dedupeKey: first.dedupeKey, body: 'repeat' };

      const result = await claim(repeat);
      if (!result.claimed) throw new Error('the repeat did not claim the key');
      await store.putQueued(repeat, result.requestKey);

      expect((await store.getEvent(first.id))?.body).toBe('first');
      expect((await store.getEvent(repeat.id))?.body).toBe('repeat');
      const claimItem = await rawRequestItem(`DEDUPE#${ROUTE}#${first.dedupeKey}`);
      expect(claimItem).toMatchObject({
        eventId: { S: repeat.id },
        requestOf: { S: first.id },
        claimedUntil: { N: String((START + 120_000) / 1000 + 60) },
        // The later of the first event's retention and the new window.
        expiresAt: { N: String(first.expiresAt) },
      });
      expect((await rawRequestItem(`REQUEST#${repeat.id}`))?.expiresAt).toEqual({
        N: String(repeat.expiresAt),
      });
    });

    it('keeps a repeated claim at least until its window ends', async () => {
      const first = keyedEvent({ expiresAt: START / 1000 + 100 });
      await claim(first, 10);
      clockMs = START + 50_000;

      await claim({ ...newEvent(), dedupeKey: first.dedupeKey }, 80);

      const claimItem = await rawRequestItem(`DEDUPE#${ROUTE}#${first.dedupeKey}`);
      expect(claimItem?.expiresAt).toEqual({ N: String(START / 1000 + 50 + 80) });
    });

    it('lets one of two concurrent repeats after the window take the key, the other seeing it held', async () => {
      const first = keyedEvent();
      await claim(first);
      clockMs = START + 61_000;
      const [a, b] = [newEvent(), newEvent()].map((event) => ({ ...event, dedupeKey: first.dedupeKey }));
      if (a === undefined || b === undefined) throw new Error('no events');

      const results = await Promise.all([claim(a), claim(b)]);

      const won = results.filter((result) => result.claimed);
      const lost = results.filter((result) => !result.claimed);
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      const winner = won[0]?.requestKey === `REQUEST#${a.id}` ? a : b;
      const loser = winner === a ? b : a;
      expect(lost[0]).toEqual({
        claimed: false,
        eventId: winner.id,
        requestKey: `REQUEST#${winner.id}`,
        leftover: `REQUEST#${loser.id}`,
      });
    });

    it('replaces a claim item past its retention (TTL not run yet) whole', async () => {
      const first = keyedEvent({ expiresAt: START / 1000 + 10 });
      await claim(first, 5);
      clockMs = START + 20_000;
      const next = { ...newEvent(), dedupeKey: first.dedupeKey, body: 'next' };

      const result = await claim(next);

      const requestKey = `DEDUPE#${ROUTE}#${first.dedupeKey}`;
      expect(result).toEqual({ claimed: true, requestKey });
      expect(await rawRequestItem(requestKey)).toMatchObject({
        eventId: { S: next.id },
        body: { S: 'next' },
      });
      expect((await rawRequestItem(requestKey))?.requestOf).toBeUndefined();
    });

    it('lets a claim with a zero window be taken again at once', async () => {
      const first = keyedEvent();
      await claim(first, 0);

      const again = await claim({ ...newEvent(), dedupeKey: first.dedupeKey }, 0);

      expect(again.claimed).toBe(true);
    });

    it('stores the window end, rounded up, and the retention as the TTL attribute', async () => {
      clockMs = START + 500;
      const event = keyedEvent();

      await claim(event);

      const item = await rawRequestItem(`DEDUPE#${ROUTE}#${event.dedupeKey}`);
      // Rounded up: the claim lasts at least the window.
      expect(item?.claimedUntil).toEqual({ N: String(START / 1000 + 61) });
      expect(item?.[EVENT_TABLE.ttlAttribute]).toEqual({ N: String(event.expiresAt) });
    });

    it('keeps the same key on different routes apart', async () => {
      const event = keyedEvent();
      await claim(event);

      const other = await claim({ ...newEvent({ route: '/other/' }), dedupeKey: event.dedupeKey });

      expect(other).toEqual({ claimed: true, requestKey: `DEDUPE#/other/#${event.dedupeKey}` });
    });

    it('rejects a negative window and an event without a dedupe key', async () => {
      await expect(claim(keyedEvent(), -1)).rejects.toThrow(RangeError);
      await expect(claim(newEvent({ dedupeKey: undefined }))).rejects.toThrow(RangeError);
    });
  });

  describe('putRequest() and putQueued()', () => {
    it('write a queued record that getEvent() reads back without key attributes', async () => {
      const event = newEvent();
      clockMs = START + 1_000;

      const requestKey = await store.putRequest(event);
      const written = await store.putQueued(event, requestKey);
      const stored = await store.getEvent(event.id);

      expect(requestKey).toBe(`REQUEST#${event.id}`);
      expect(written).toBe(true);
      expect(stored).toEqual({
        ...event,
        status: 'queued',
        updatedAt: new Date(START + 1_000).toISOString(),
        attempts: [],
      });
      for (const key of ['pk', 'sk', 'gsi2pk', 'requestKey'])
        expect(Object.keys(stored ?? {})).not.toContain(key);
    });

    it("key the state by the route's shard and the id, and leave queued out of the sparse status index", async () => {
      const event = newEvent();

      const requestKey = await accept(event);

      const item = await rawItem(event.id);
      const parts = parseEventId(event.id);
      expect(item?.pk).toEqual({ S: `ROUTE#${routeTag(ROUTE)}#${parts?.shardCode}` });
      expect(item?.sk).toEqual({ S: event.id });
      expect(item?.requestKey).toEqual({ S: requestKey });
      expect(item?.gsi2pk).toBeUndefined();
      for (const v1 of ['gsi1pk', 'gsi1sk', 'gsi2sk']) expect(item?.[v1]).toBeUndefined();
      expect(item?.expiresAt).toEqual({ N: String(event.expiresAt) });
    });

    it('reads an event by id in two GetItems: its state, then its request item', async () => {
      const event = keyedEvent();
      const result = await claim(event);
      if (!result.claimed) throw new Error('not claimed');
      await store.putQueued(event, result.requestKey);
      const { client: counted, calls } = countingClient();
      const reader = new EventStore({ client: counted, tableName: TABLE });
      await reader.checkLayout();
      calls.length = 0;

      const stored = await reader.getEvent(event.id);
      counted.destroy();

      expect(stored).toMatchObject({
        id: event.id,
        body: event.body,
        dedupeKey: event.dedupeKey,
        status: 'queued',
      });
      expect(calls).toEqual(['GetItem', 'GetItem']);
    });

    it('keeps the request data in its own item, out of the state item', async () => {
      const event = newEvent();

      const requestKey = await accept(event);

      const state = await rawItem(event.id);
      for (const name of ['headers', 'body', 'query', 'contentType']) expect(state?.[name]).toBeUndefined();
      const request = await rawRequestItem(requestKey);
      expect(request?.body).toEqual({ S: event.body });
      expect(request?.query).toEqual({ S: event.query });
      expect(request?.contentType).toEqual({ S: event.contentType });
      expect(request?.headers?.M?.['x-github-delivery']).toEqual({ S: 'd-1' });
      expect(request?.expiresAt).toEqual({ N: String(event.expiresAt) });
      // Whose it is is in its key (`REQUEST#<id>`).
      expect(request?.pk).toEqual({ S: `REQUEST#${event.id}` });
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

      const requestKey = await accept(event);

      const request = await rawRequestItem(requestKey);
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

      const requestKey = await accept(event);

      expect((await rawRequestItem(requestKey))?.requestBr?.B).toBeInstanceOf(Uint8Array);
      const stored = await store.getEvent(event.id);
      expect(Buffer.from(stored?.bodyBase64 ?? '', 'base64').equals(bytes)).toBe(true);
      expect(stored?.body).toBeUndefined();
    });

    it('keeps a small request as plain attributes', async () => {
      const event = newEvent({ body: '{"ok":true}' });

      const requestKey = await accept(event);

      const request = await rawRequestItem(requestKey);
      expect(request?.requestBr).toBeUndefined();
      expect(request?.body).toEqual({ S: event.body });
      expect((await store.getEvent(event.id))?.body).toBe(event.body);
    });

    it('round-trips a body of random characters, which compresses least', async () => {
      const event = newEvent({ body: randomBytes(3000).toString('base64') });

      const requestKey = await accept(event);

      expect((await rawRequestItem(requestKey))?.requestBr?.B).toBeInstanceOf(Uint8Array);
      expect((await store.getEvent(event.id))?.body).toBe(event.body);
    });

    it('names the event when its compressed request data cannot be decoded', async () => {
      const event = newEvent();
      const requestKey = await accept(event);
      await client().send(
        new PutItemCommand({
          TableName: TABLE,
          Item: {
            ...marshallItem(eventKeys.requestAt(requestKey)),
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

      const requestKey = await store.putRequest(event);

      expect(await rawRequestItem(requestKey)).toBeDefined();
      expect(await rawItem(event.id)).toBeUndefined();
      expect(await store.getEvent(event.id)).toBeUndefined();
      expect(await store.getState(event.id)).toBeUndefined();
    });

    it("putRequest() replaces an earlier attempt's request data", async () => {
      const first = newEvent({ body: 'first' });
      const requestKey = await store.putRequest(first);

      await store.putRequest({ ...first, body: 'retry' });
      await store.putQueued(first, requestKey);

      expect((await store.getEvent(first.id))?.body).toBe('retry');
    });

    it('rewriteRequest() rewrites the request data of an event without a state, keeping its claim', async () => {
      const event = keyedEvent({ body: 'first' });
      const result = await claim(event);
      if (!result.claimed) throw new Error('not claimed');
      const large = {
        ...event,
        body: undefined,
        bodyRef: { store: 's3', bucket: 'bodies', key: `order_status/${event.id}`, size: 300_000 },
      } as const;

      const resumed = await store.rewriteRequest(large, result.requestKey, { unlessQueued: true });
      await store.putQueued(event, result.requestKey);

      expect(resumed).toBe(true);
      const stored = await store.getEvent(event.id);
      expect(stored?.bodyRef).toEqual(large.bodyRef);
      expect(stored?.body).toBeUndefined();
      expect(await rawRequestItem(result.requestKey)).toMatchObject({
        eventId: { S: event.id },
        claimedUntil: { N: String(START / 1000 + 60) },
      });
    });

    it('rewriteRequest() writes nothing once the event has a state, and says so', async () => {
      const event = newEvent({ body: 'original' });
      const requestKey = await accept(event);

      const resumed = await store.rewriteRequest({ ...event, body: 'late duplicate' }, requestKey, {
        unlessQueued: true,
      });

      expect(resumed).toBe(false);
      expect((await store.getEvent(event.id))?.body).toBe('original');
    });

    it("rewriteRequest() leaves another event's request data alone", async () => {
      const first = keyedEvent({ body: 'first' });
      await claim(first);
      const other = { ...newEvent(), dedupeKey: first.dedupeKey, body: 'other' };

      const rewritten = await store.rewriteRequest(other, `DEDUPE#${ROUTE}#${first.dedupeKey}`, {
        unlessQueued: false,
      });

      expect(rewritten).toBe(false);
      expect((await rawRequestItem(`DEDUPE#${ROUTE}#${first.dedupeKey}`))?.body).toEqual({ S: 'first' });
    });

    it("deleteRequest() removes a lost race's copy of the request data, and only its own", async () => {
      const copy = newEvent();
      const requestKey = await store.putRequest(copy);

      await store.deleteRequest(requestKey, newEvent().id);
      const kept = await rawRequestItem(requestKey);
      await store.deleteRequest(requestKey, copy.id);

      expect(kept).toBeDefined();
      expect(await rawRequestItem(requestKey)).toBeUndefined();
    });

    it('putQueued() reports a state being created by a lock transaction as already there', async () => {
      const event = newEvent();
      const requestKey = await store.putRequest(event);
      const conflicted = createDynamoDbClient(dynamo?.endpoint ?? '');
      const conflictedStore = new EventStore({ client: conflicted, tableName: TABLE });
      await conflictedStore.checkLayout();
      conflicted.middlewareStack.add(
        () => async () => {
          throw new TransactionConflictException({
            message: 'Transaction is ongoing for the item',
            $metadata: {},
          });
        },
        { step: 'initialize', name: 'conflict' },
      );

      const written = await conflictedStore.putQueued(event, requestKey);
      conflicted.destroy();

      expect(written).toBe(false);
    });

    it('putQueued() leaves a state that moved on as it is and says so', async () => {
      const event = newEvent();
      const requestKey = await accept(event);
      await transition(store, event.id, 'processing');

      const written = await store.putQueued(event, requestKey);

      expect(written).toBe(false);
      expect((await store.getEvent(event.id))?.status).toBe('processing');
    });
  });

  describe('getEvent()', () => {
    it('returns undefined for an unknown id, and for a string that is no id of this layout', async () => {
      expect(await store.getEvent(newEvent().id)).toBeUndefined();
      expect(await store.getEvent('evt_01ARYZ6S41TSV4RRFFQ69G5FAV')).toBeUndefined();
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

    it("lists only events needing attention in byRouteStatus, under the event's shard, moving them as their status changes", async () => {
      const route = `/gsi/${randomUUID()}/`;
      const event = newEvent({ route, path: route });
      const shard = parseEventId(event.id)?.shardCode ?? '';
      const byStatus = async (status: EventStatus) => {
        const { Items } = await client().send(
          new QueryCommand({
            TableName: TABLE,
            IndexName: EVENT_TABLE.indexes.byRouteStatus.name,
            KeyConditionExpression: 'gsi2pk = :pk',
            ExpressionAttributeValues: {
              ':pk': { S: eventKeys.routeStatus(routeTag(route), status, shard) },
            },
          }),
        );
        return (Items ?? []).map((item) => item.sk?.S);
      };
      await accept(event);
      await transition(store, event.id, 'processing');

      await transition(store, event.id, 'retrying');
      const whileRetrying = await byStatus('retrying');
      await transition(store, event.id, 'processing');
      const afterRetry = await byStatus('retrying');
      await transition(store, event.id, 'dead_lettered');

      expect(whileRetrying).toEqual([event.id]);
      expect(afterRetry).toEqual([]);
      expect(await byStatus('dead_lettered')).toEqual([event.id]);
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
      const shard = parseEventId(event.id)?.shardCode ?? '';
      const indexed = STATUS_INDEXED.has(to)
        ? { S: eventKeys.routeStatus(routeTag(ROUTE), to, shard) }
        : undefined;
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
      const id = newEvent().id;

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
          offline.getEvent(newEvent().id),
          offline.putRequest(newEvent()),
          offline.putQueued(newEvent(), 'REQUEST#x'),
          offline.claimRequest({ record: keyedEvent(), windowSeconds: 60 }),
          transition(offline, newEvent().id, 'queued', { route: ROUTE }),
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
