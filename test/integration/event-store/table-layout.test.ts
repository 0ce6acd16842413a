/**
 * Table layout v2 against DynamoDB Local: a route's events in its shard partitions, listed newest
 * (or oldest) first across shards with cursors that continue every shard, by status through the
 * sharded status index; the TTL attribute on every item; and the merge of shards checked against a
 * plain sort of the same events (a property test).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStore } from '../../../shared/event-store/event-store.js';
import { EventHistory } from '../../../shared/event-store/history.js';
import type { EventState } from '../../../shared/event-store/items.js';
import type { EventQuery } from '../../../shared/event-store/listing-plan.js';
import type { EventStatus, NewEventRecord } from '../../../shared/event-store/types.js';
import { newEventId, parseEventId, routeTag, shardCode } from '../../../shared/ids.js';
import { createEventTable } from '../../../shared/local/create-table.js';
import { EVENT_TABLE } from '../../../shared/resources.js';
import { newEventRecord, storeEventIn } from '../../helpers/event-records.js';
import { connectDynamoDb, type EmulatorConnection, uniqueName } from '../../helpers/shared-emulators.js';

const TABLE = uniqueName('table-layout');
const START = Date.parse('2030-01-01T00:00:00.000Z');

let dynamo: EmulatorConnection<DynamoDBClient> | undefined;
let store: EventStore;
/** Shard counts of the routes the tests make, by path. */
const shardCounts = new Map<string, number>();
let history: EventHistory;

beforeAll(async () => {
  dynamo = await connectDynamoDb();
  await createEventTable(dynamo.client, TABLE);
  store = new EventStore({ client: dynamo.client, tableName: TABLE });
  history = new EventHistory({
    client: dynamo.client,
    tableName: TABLE,
    store,
    shardsOf: (route) => shardCounts.get(route) ?? 32,
  });
});

afterAll(() => {
  dynamo?.close();
});

function client(): DynamoDBClient {
  if (dynamo === undefined) throw new Error('DynamoDB Local is not running');
  return dynamo.client;
}

/** A route of its own, with `shards` shards. */
function freshRoute(shards: number): string {
  const route = `/layout/${randomUUID().slice(0, 8)}/`;
  shardCounts.set(route, shards);
  return route;
}

interface Seed {
  /** Milliseconds after START. */
  readonly ms: number;
  /** The shard the event is put in. */
  readonly shard: number;
  readonly status?: EventStatus;
}

/** An id of `route` received at `atMs` in shard `shard` (the shard's random bytes chosen to land there). */
function idInShard(atMs: number, route: string, shards: number, shard: number): string {
  const id = newEventId(new Date(atMs), { path: route, shards }, (size) =>
    size === 2 ? Uint8Array.from([0, shard]) : randomBytes(size),
  );
  expect(parseEventId(id)?.shard).toBe(shard);
  return id;
}

async function seed(route: string, seeds: readonly Seed[]): Promise<NewEventRecord[]> {
  const shards = shardCounts.get(route) ?? 32;
  const events = seeds.map(({ ms, shard }) =>
    newEventRecord(START + ms, { route, path: route, id: idInShard(START + ms, route, shards, shard) }),
  );
  for (let offset = 0; offset < events.length; offset += 25) {
    await Promise.all(
      events
        .slice(offset, offset + 25)
        .map((event, index) => storeEventIn(store, event, seeds[offset + index]?.status ?? 'delivered')),
    );
  }
  return events;
}

async function allPages(query: EventQuery): Promise<{ pages: EventState[][] }> {
  const pages: EventState[][] = [];
  let cursor: string | undefined;
  do {
    const page = await history.listEvents({ ...query, ...(cursor !== undefined && { cursor }) });
    pages.push(page.events);
    cursor = page.nextCursor;
  } while (cursor !== undefined && pages.length < 200);
  return { pages };
}

const ids = (events: readonly { id: string }[]) => events.map((event) => event.id);
/** The sorted merge: ids sort by time across shards (ULID first). */
const newestFirst = (events: readonly { id: string }[]) => ids(events).sort().reverse();
const oldestFirst = (events: readonly { id: string }[]) => ids(events).sort();

describe('table layout v2', () => {
  describe("a route's events in its shard partitions", () => {
    it('keys each state by its shard and id, where a Query of the shard finds it', async () => {
      const route = freshRoute(4);
      const [event] = await seed(route, [{ ms: 1, shard: 3 }]);

      const { Items } = await client().send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: `ROUTE#${routeTag(route)}#${shardCode(3)}` } },
        }),
      );

      expect(Items?.map((item) => item.sk?.S)).toEqual([event?.id]);
    });

    it('lists newest first across shards, pages ending mid-shard, with empty shards among them', async () => {
      // 8 shards, events in shards 1, 2 and 6 only, interleaved in time.
      const route = freshRoute(8);
      const events = await seed(
        route,
        Array.from({ length: 17 }, (_, i) => ({ ms: i * 10, shard: [1, 2, 6][i % 3] ?? 0 })),
      );

      const { pages } = await allPages({ route, limit: 4 });

      expect(pages.map((page) => page.length)).toEqual([4, 4, 4, 4, 1]);
      expect(pages.flat().map((event) => event.id)).toEqual(newestFirst(events));
    });

    it('lists oldest first across shards, a shard holding a long run of them', async () => {
      const route = freshRoute(4);
      const events = await seed(route, [
        ...Array.from({ length: 9 }, (_, i) => ({ ms: i, shard: 0 })),
        { ms: 100, shard: 2 },
        { ms: 101, shard: 3 },
        ...Array.from({ length: 5 }, (_, i) => ({ ms: 200 + i, shard: 0 })),
      ]);

      const { pages } = await allPages({ route, order: 'oldest', limit: 3 });

      expect(pages.flat().map((event) => event.id)).toEqual(oldestFirst(events));
      expect(pages.every((page) => page.length <= 3)).toBe(true);
    });

    it('keeps events of the same millisecond in different shards apart, across pages', async () => {
      const route = freshRoute(6);
      const events = await seed(
        route,
        Array.from({ length: 12 }, (_, i) => ({ ms: 50, shard: i % 6 })),
      );

      const newest = await allPages({ route, limit: 5 });
      const oldest = await allPages({ route, order: 'oldest', limit: 5 });

      expect(newest.pages.flat().map((event) => event.id)).toEqual(newestFirst(events));
      expect(oldest.pages.flat().map((event) => event.id)).toEqual(oldestFirst(events));
    });

    it('lists by an indexed status across the shards of the status index', async () => {
      const route = freshRoute(5);
      const events = await seed(
        route,
        Array.from({ length: 15 }, (_, i) => ({
          ms: i,
          shard: (i * 2) % 5,
          status: i % 3 === 0 ? ('dead_lettered' as const) : ('delivered' as const),
        })),
      );

      const { pages } = await allPages({ route, status: 'dead_lettered', limit: 2 });

      expect(pages.flat().map((event) => event.id)).toEqual(
        newestFirst(events.filter((_, i) => i % 3 === 0)),
      );
    });

    it('counts by status over every shard', async () => {
      const route = freshRoute(3);
      await seed(route, [
        { ms: 1, shard: 0, status: 'delivered' },
        { ms: 2, shard: 1, status: 'retrying' },
        { ms: 3, shard: 2, status: 'delivered' },
        { ms: 4, shard: 2, status: 'queued' },
      ]);

      expect(await history.countByStatus(route)).toMatchObject({ delivered: 2, retrying: 1, queued: 1 });
    });

    it('spreads the events of a busy route evenly over its shards', async () => {
      const shards = 32;
      const counts = new Map<number, number>();
      for (let i = 0; i < 32_000; i += 1) {
        const shard = parseEventId(newEventId(new Date(START), { path: '/busy/', shards }))?.shard ?? -1;
        counts.set(shard, (counts.get(shard) ?? 0) + 1);
      }

      expect(counts.size).toBe(shards);
      // 1 000 expected per shard; 5 standard deviations (~31) either side.
      for (const count of counts.values()) expect(Math.abs(count - 1000)).toBeLessThan(160);
    });
  });

  describe('the listing across shards is the sorted merge of its events', () => {
    const statuses: readonly EventStatus[] = ['delivered', 'retrying', 'dead_lettered', 'ignored', 'queued'];

    it('for any events, shard counts, page sizes, orders and status filters (fast-check)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 9 }).chain((shards) =>
            fc.record({
              shards: fc.constant(shards),
              seeds: fc.array(
                fc.record({
                  ms: fc.integer({ min: 0, max: 40 }),
                  shard: fc.integer({ min: 0, max: shards - 1 }),
                  status: fc.constantFrom(...statuses),
                }),
                { maxLength: 24 },
              ),
              limit: fc.integer({ min: 1, max: 8 }),
              order: fc.constantFrom('newest' as const, 'oldest' as const),
              status: fc.option(fc.constantFrom(...statuses), { nil: undefined }),
            }),
          ),
          async ({ shards, seeds, limit, order, status }) => {
            const route = freshRoute(shards);
            const events = await seed(route, seeds);
            const matching = events.filter((_, i) => status === undefined || seeds[i]?.status === status);

            const { pages } = await allPages({
              route,
              limit,
              order,
              ...(status !== undefined && { status }),
            });

            const listed = pages.flat().map((event) => event.id);
            expect(listed).toEqual(order === 'newest' ? newestFirst(matching) : oldestFirst(matching));
            expect(pages.every((page) => page.length <= limit)).toBe(true);
          },
        ),
        { numRuns: 25, seed: 20261207 },
      );
    }, 120_000);
  });

  describe('TTL', () => {
    async function rawItem(pk: string, sk: string) {
      const { Item } = await client().send(
        new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk }, sk: { S: sk } }, ConsistentRead: true }),
      );
      return Item;
    }

    it(`puts ${EVENT_TABLE.ttlAttribute} on the state, the request item and the dedupe claim`, async () => {
      const route = freshRoute(2);
      const event = {
        ...newEventRecord(START, { route, path: route }, 2),
        dedupeKey: `header:${randomUUID()}`,
      };
      const atStart = new EventStore({ client: client(), tableName: TABLE, now: () => new Date(START) });
      const claim = await atStart.claimRequest({ record: event, windowSeconds: 3600 });
      if (!claim.claimed) throw new Error('not claimed');
      await store.putQueued(event, claim.requestKey);
      const [unkeyed] = await seed(route, [{ ms: 5, shard: 1 }]);
      const parts = parseEventId(event.id);

      const state = await rawItem(`ROUTE#${routeTag(route)}#${parts?.shardCode}`, event.id);
      const claimItem = await rawItem(claim.requestKey, 'REQUEST');
      const request = await rawItem(`REQUEST#${unkeyed?.id}`, 'REQUEST');

      expect(state?.expiresAt).toEqual({ N: String(event.expiresAt) });
      // The claim holds the request data, so it lives as long as the event; its window is apart.
      expect(claimItem?.expiresAt).toEqual({ N: String(event.expiresAt) });
      expect(claimItem?.claimedUntil).toEqual({ N: String(START / 1000 + 3600) });
      expect(request?.expiresAt).toEqual({ N: String(unkeyed?.expiresAt) });
    });
  });
});
