import { randomUUID } from 'node:crypto';
import { BatchGetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BodyReference } from '../../../shared/envelope.js';
import { encodeCursor } from '../../../shared/event-store/cursor.js';
import { EventNotFoundError, InvalidCursorError } from '../../../shared/event-store/errors.js';
import { EventStore } from '../../../shared/event-store/event-store.js';
import { EventHistory, MAX_KEYS_EXAMINED_PER_LISTING } from '../../../shared/event-store/history.js';
import type { EventState } from '../../../shared/event-store/items.js';
import type { EventQuery } from '../../../shared/event-store/listing-plan.js';
import { HistoryUnavailableError } from '../../../shared/event-store/state-reads.js';
import { EVENT_STATUSES } from '../../../shared/event-store/transitions.js';
import type { EventStatus, NewEventRecord } from '../../../shared/event-store/types.js';
import { createEventTable } from '../../../shared/local/create-table.js';
import { newEventRecord, rawEventItem, storeEventIn } from '../../helpers/event-records.js';
import { connectDynamoDb, type EmulatorConnection, uniqueName } from '../../helpers/shared-emulators.js';
import { transition } from '../../helpers/transition.js';

const TABLE = uniqueName('event-history');
const START = Date.parse('2030-01-01T00:00:00.000Z');

let dynamo: EmulatorConnection<DynamoDBClient> | undefined;
let store: EventStore;
let history: EventHistory;
/** Names of the DynamoDB commands `history` sent. */
const commandsSent: string[] = [];

beforeAll(async () => {
  dynamo = await connectDynamoDb();
  await createEventTable(dynamo.client, TABLE);
  store = new EventStore({ client: dynamo.client, tableName: TABLE });
  const real = dynamo.client;
  const spy = {
    send: (command: { constructor: { name: string } }) => {
      commandsSent.push(command.constructor.name);
      return real.send(command as Parameters<DynamoDBClient['send']>[0]);
    },
  } as unknown as DynamoDBClient;
  history = new EventHistory({
    client: spy,
    tableName: TABLE,
    store: new EventStore({ client: spy, tableName: TABLE }),
  });
});

afterAll(() => {
  dynamo?.close();
});

/** A route of its own for each test, so listings see only that test's events. */
function freshRoute(): string {
  return `/history/${randomUUID().slice(0, 8)}/`;
}

function at(seconds: number): number {
  return START + seconds * 1000;
}

interface Seed {
  /** Seconds after START. */
  readonly second: number;
  readonly status?: EventStatus;
  readonly overrides?: Partial<NewEventRecord>;
}

/**
 * Stores the events (in parallel, a few at a time) and returns them in the order given; their ids
 * spread over `shards` shards of the route (32, every route's default, unless given).
 */
async function seed(route: string, seeds: readonly Seed[], shards?: number): Promise<NewEventRecord[]> {
  const events = seeds.map(({ second, overrides }) =>
    newEventRecord(at(second), { route, path: route, ...overrides }, shards),
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

/** Every page of a listing, following nextCursor. */
async function allPages(query: EventQuery): Promise<{ pages: EventState[][]; cursors: string[] }> {
  const pages: EventState[][] = [];
  const cursors: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await history.listEvents({ ...query, ...(cursor !== undefined && { cursor }) });
    pages.push(page.events);
    cursor = page.nextCursor;
    if (cursor !== undefined) cursors.push(cursor);
  } while (cursor !== undefined && pages.length < 100);
  return { pages, cursors };
}

function ids(events: readonly { id: string }[]): string[] {
  return events.map((event) => event.id);
}

/** Ids newest first (by receivedAt, then id, as the index orders them). */
function newestFirst(events: readonly NewEventRecord[]): string[] {
  return [...events]
    .sort((a, b) => `${b.receivedAt}#${b.id}`.localeCompare(`${a.receivedAt}#${a.id}`))
    .map((event) => event.id);
}

/** Ids oldest first (by receivedAt, then id). */
function oldestFirst(events: readonly NewEventRecord[]): string[] {
  return newestFirst(events).reverse();
}

describe('EventHistory', () => {
  describe('listEvents()', () => {
    it("lists a route's events newest first, as state without request data", async () => {
      const route = freshRoute();
      const events = await seed(route, [{ second: 1 }, { second: 3 }, { second: 2 }]);
      await seed(freshRoute(), [{ second: 4 }]);

      const page = await history.listEvents({ route });

      expect(ids(page.events)).toEqual(newestFirst(events));
      expect(page.nextCursor).toBeUndefined();
      expect(page.events[0]).toMatchObject({
        route,
        status: 'delivered',
        receivedAt: new Date(at(3)).toISOString(),
      });
      for (const event of page.events) {
        expect(event).not.toHaveProperty('body');
        expect(event).not.toHaveProperty('headers');
        expect(event).not.toHaveProperty('pk');
        expect(event).not.toHaveProperty('gsi1sk');
      }
    });

    it('pages through more than one page without duplicates or gaps', async () => {
      const route = freshRoute();
      const events = await seed(
        route,
        Array.from({ length: 23 }, (_, i) => ({ second: i })),
      );

      const { pages } = await allPages({ route, limit: 5 });

      expect(pages.map((page) => page.length)).toEqual([5, 5, 5, 5, 3]);
      expect(pages.flatMap(ids)).toEqual(newestFirst(events));
    });

    it('keeps events received in the same millisecond apart across pages', async () => {
      const route = freshRoute();
      const events = await seed(
        route,
        Array.from({ length: 7 }, () => ({ second: 10 })),
      );

      const { pages } = await allPages({ route, limit: 3 });

      expect(pages.flatMap(ids)).toEqual(newestFirst(events));
      expect(new Set(pages.flatMap(ids)).size).toBe(7);
    });

    it('hands out no cursor when the last page is exactly full', async () => {
      const route = freshRoute();
      await seed(
        route,
        Array.from({ length: 6 }, (_, i) => ({ second: i })),
      );

      const { pages } = await allPages({ route, limit: 3 });

      expect(pages.map((page) => page.length)).toEqual([3, 3]);
    });

    it('returns an empty page for a route without events', async () => {
      expect(await history.listEvents({ route: freshRoute() })).toEqual({ events: [] });
    });

    describe.each(['retrying', 'dead_lettered', 'delivered', 'queued'] as const)('status %s', (status) => {
      it('lists only events in that status, newest first, across pages', async () => {
        const route = freshRoute();
        const statuses: EventStatus[] = ['delivered', 'retrying', 'dead_lettered', 'queued', 'received'];
        const events = await seed(
          route,
          Array.from({ length: 25 }, (_, i) => ({ second: i, status: statuses[i % statuses.length] })),
        );
        const expected = newestFirst(events.filter((_, i) => statuses[i % statuses.length] === status));

        const { pages } = await allPages({ route, status, limit: 2 });

        expect(pages.flat().every((event) => event.status === status)).toBe(true);
        expect(pages.flatMap(ids)).toEqual(expected);
      });
    });

    it('lists an event by the status it is in now, not the one it was indexed under', async () => {
      const route = freshRoute();
      const [moved, stays] = await seed(route, [
        { second: 1, status: 'retrying' },
        { second: 2, status: 'retrying' },
      ]);
      if (moved === undefined || stays === undefined) throw new Error('seed failed');
      await transition(store, moved.id, 'processing');
      await transition(store, moved.id, 'delivered');

      const retrying = await history.listEvents({ route, status: 'retrying' });
      const delivered = await history.listEvents({ route, status: 'delivered' });

      expect(ids(retrying.events)).toEqual([stays.id]);
      expect(ids(delivered.events)).toEqual([moved.id]);
    });

    it('bounds by time: since inclusive, until exclusive', async () => {
      const route = freshRoute();
      const events = await seed(
        route,
        Array.from({ length: 10 }, (_, i) => ({ second: i })),
      );

      const page = await history.listEvents({ route, since: new Date(at(3)), until: new Date(at(7)) });
      const sinceOnly = await history.listEvents({ route, since: new Date(at(8)) });
      const untilOnly = await history.listEvents({ route, until: new Date(at(2)) });

      expect(ids(page.events)).toEqual(newestFirst(events.slice(3, 7)));
      expect(ids(sinceOnly.events)).toEqual(newestFirst(events.slice(8)));
      expect(ids(untilOnly.events)).toEqual(newestFirst(events.slice(0, 2)));
    });

    it('pages through a time range and a status together', async () => {
      const route = freshRoute();
      const events = await seed(
        route,
        Array.from({ length: 20 }, (_, i) => ({
          second: i,
          status: i % 2 === 0 ? 'dead_lettered' : 'delivered',
        })),
      );
      const expected = newestFirst(events.filter((_, i) => i % 2 === 0 && i >= 4 && i < 16));

      const { pages } = await allPages({
        route,
        status: 'dead_lettered',
        since: new Date(at(4)),
        until: new Date(at(16)),
        limit: 4,
      });

      expect(pages.flatMap(ids)).toEqual(expected);
    });

    it("reads the route's shard partitions (and the status index's, with batched gets), never a scan", async () => {
      const route = freshRoute();
      await seed(route, [{ second: 1, status: 'retrying' }, { second: 2 }]);
      commandsSent.length = 0;

      await history.listEvents({ route });
      await history.listEvents({ route, status: 'retrying' });
      await history.listEvents({ route, status: 'delivered' });
      await history.countByStatus(route);

      expect(new Set(commandsSent)).toEqual(new Set(['QueryCommand', 'BatchGetItemCommand']));
    });

    describe('oldest first', () => {
      it('pages through a route oldest first without duplicates or gaps', async () => {
        const route = freshRoute();
        const events = await seed(
          route,
          Array.from({ length: 23 }, (_, i) => ({ second: (i * 7) % 23 })),
        );

        const { pages } = await allPages({ route, order: 'oldest', limit: 5 });

        expect(pages.map((page) => page.length)).toEqual([5, 5, 5, 5, 3]);
        expect(pages.flatMap(ids)).toEqual(oldestFirst(events));
      });

      it('keeps events received in the same millisecond apart across pages', async () => {
        const route = freshRoute();
        const events = await seed(route, [
          { second: 9 },
          ...Array.from({ length: 7 }, () => ({ second: 10 })),
          { second: 11 },
        ]);

        const { pages } = await allPages({ route, order: 'oldest', limit: 3 });

        expect(pages.map((page) => page.length)).toEqual([3, 3, 3]);
        expect(pages.flatMap(ids)).toEqual(oldestFirst(events));
      });

      it('pages through a time range and a status together', async () => {
        const route = freshRoute();
        const events = await seed(
          route,
          Array.from({ length: 20 }, (_, i) => ({
            second: i,
            status: i % 2 === 0 ? 'dead_lettered' : 'delivered',
          })),
        );
        const inRange = (i: number) => i >= 4 && i < 16;

        const indexed = await allPages({
          route,
          status: 'dead_lettered',
          since: new Date(at(4)),
          until: new Date(at(16)),
          order: 'oldest',
          limit: 4,
        });
        const filtered = await allPages({
          route,
          status: 'delivered',
          since: new Date(at(4)),
          until: new Date(at(16)),
          order: 'oldest',
          limit: 4,
        });

        expect(indexed.pages.flatMap(ids)).toEqual(
          oldestFirst(events.filter((_, i) => i % 2 === 0 && inRange(i))),
        );
        expect(filtered.pages.flatMap(ids)).toEqual(
          oldestFirst(events.filter((_, i) => i % 2 === 1 && inRange(i))),
        );
      });

      it('continues right after an event with cursorAfter, as if a page had ended there', async () => {
        const route = freshRoute();
        const events = await seed(
          route,
          Array.from({ length: 6 }, (_, i) => ({ second: i })),
        );
        const page = await history.listEvents({ route, order: 'oldest' });
        const third = page.events[2];
        if (third === undefined) throw new Error('seed failed');

        const cursor = history.cursorAfter({ route, order: 'oldest' }, third);
        const rest = await history.listEvents({ route, order: 'oldest', cursor });
        const newestCursor = history.cursorAfter({ route }, third);
        const older = await history.listEvents({ route, cursor: newestCursor });

        expect(ids(rest.events)).toEqual(oldestFirst(events).slice(3));
        expect(ids(older.events)).toEqual(newestFirst(events).slice(4));
      });

      it('refuses a newest-first cursor for an oldest-first listing, and the other way round', async () => {
        const route = freshRoute();
        await seed(
          route,
          Array.from({ length: 3 }, (_, i) => ({ second: i })),
        );
        const newest = await history.listEvents({ route, limit: 1 });
        const oldest = await history.listEvents({ route, order: 'oldest', limit: 1 });
        if (newest.nextCursor === undefined || oldest.nextCursor === undefined) {
          throw new Error('expected cursors');
        }

        const mixedUp = history.listEvents({ route, order: 'oldest', cursor: newest.nextCursor });
        const mixedDown = history.listEvents({ route, cursor: oldest.nextCursor });

        await expect(mixedUp).rejects.toBeInstanceOf(InvalidCursorError);
        await expect(mixedUp).rejects.toThrow(/it continues a listing newest first, not oldest first/);
        await expect(mixedDown).rejects.toMatchObject({ code: 'invalid_cursor' });
        await expect(mixedDown).rejects.toThrow(/it continues a listing oldest first, not newest first/);
      });

      it('returns an empty page for a cursor past the end of the time range', async () => {
        const route = freshRoute();
        const events = await seed(
          route,
          Array.from({ length: 4 }, (_, i) => ({ second: i })),
        );
        const last = events[3];
        if (last === undefined) throw new Error('seed failed');
        const cursor = history.cursorAfter({ route, order: 'oldest' }, last);

        const page = await history.listEvents({ route, order: 'oldest', until: new Date(at(2)), cursor });

        expect(page).toEqual({ events: [] });
      });
    });

    describe('cursors', () => {
      it('refuses text that is not a cursor', async () => {
        const listing = history.listEvents({ route: freshRoute(), cursor: 'garbage!' });

        await expect(listing).rejects.toBeInstanceOf(InvalidCursorError);
        await expect(listing).rejects.toMatchObject({ code: 'invalid_cursor' });
      });

      it("refuses another route's cursor", async () => {
        const route = freshRoute();
        await seed(
          route,
          Array.from({ length: 3 }, (_, i) => ({ second: i })),
        );
        const { nextCursor } = await history.listEvents({ route, limit: 1 });
        if (nextCursor === undefined) throw new Error('expected a cursor');

        const other = history.listEvents({ route: freshRoute(), cursor: nextCursor });

        await expect(other).rejects.toThrow(/invalid cursor: it continues a listing of route/);
      });

      it("refuses another status filter's cursor", async () => {
        const route = freshRoute();
        const cursor = encodeCursor({
          route,
          status: 'retrying',
          order: 'newest',
          before: new Date(at(1)).toISOString(),
        });

        await expect(history.listEvents({ route, cursor })).rejects.toBeInstanceOf(InvalidCursorError);
        await expect(history.listEvents({ route, status: 'dead_lettered', cursor })).rejects.toBeInstanceOf(
          InvalidCursorError,
        );
      });
    });

    describe('input checks', () => {
      it.each([0, 1001, 2.5, -1])('refuses limit %s', async (limit) => {
        await expect(history.listEvents({ route: freshRoute(), limit })).rejects.toThrow(
          /limit must be an integer from 1 to 1000/,
        );
      });

      it('refuses since at or after until', async () => {
        const range = { since: new Date(at(5)), until: new Date(at(5)) };

        await expect(history.listEvents({ route: freshRoute(), ...range })).rejects.toThrow(RangeError);
        await expect(history.listEvents({ route: freshRoute(), ...range })).rejects.toThrow(
          /since .* must be earlier than until/,
        );
      });

      it('refuses an unknown order', async () => {
        await expect(
          history.listEvents({ route: freshRoute(), order: 'random' as EventQuery['order'] }),
        ).rejects.toThrow(/order must be newest or oldest/);
      });

      it('refuses an invalid date, an unknown status and an empty route', async () => {
        await expect(
          history.listEvents({ route: freshRoute(), since: new Date(Number.NaN) }),
        ).rejects.toThrow(/since must be a valid date/);
        await expect(
          history.listEvents({ route: freshRoute(), status: 'lost' as EventStatus }),
        ).rejects.toThrow(/status must be one of/);
        await expect(history.listEvents({ route: '' })).rejects.toThrow(RangeError);
      });
    });
  });

  describe('listEvents() with a cap on the items examined', () => {
    /** `history`'s table, listing at most `cap` items per call, over one shard per route unless told. */
    function cappedHistory(cap: number, shards = 1): EventHistory {
      if (dynamo === undefined) throw new Error('no emulator');
      return new EventHistory({
        client: dynamo.client,
        tableName: TABLE,
        store,
        maxKeysPerListing: cap,
        shardsOf: () => shards,
      });
    }

    it('defaults to MAX_KEYS_EXAMINED_PER_LISTING, 5 000', () => {
      expect(MAX_KEYS_EXAMINED_PER_LISTING).toBe(5000);
    });

    it.each(['newest', 'oldest'] as const)(
      'stops a rare-status listing (%s first) at the cap with a short or empty page and a cursor',
      async (order) => {
        const route = freshRoute();
        // 25 events, two of them ignored (not indexed by status): near each end.
        const events = await seed(
          route,
          Array.from({ length: 25 }, (_, i) => ({
            second: i,
            status: i === 2 || i === 22 ? ('ignored' as const) : ('delivered' as const),
          })),
          1,
        );
        const capped = cappedHistory(10);
        const pages: EventState[][] = [];
        let cursor: string | undefined;
        do {
          const page = await capped.listEvents({
            route,
            status: 'ignored',
            order,
            limit: 50,
            ...(cursor !== undefined && { cursor }),
          });
          pages.push(page.events);
          cursor = page.nextCursor;
        } while (cursor !== undefined && pages.length < 10);

        // 25 keys, 10 a call: three calls, the middle one finding nothing.
        expect(pages.map((page) => page.length)).toEqual([1, 0, 1]);
        const ignored = events.filter((_, i) => i === 2 || i === 22);
        expect(ids(pages.flat())).toEqual(order === 'oldest' ? oldestFirst(ignored) : newestFirst(ignored));
      },
    );

    it('returns an empty page with a cursor when none of the keys examined match', async () => {
      const route = freshRoute();
      await seed(
        route,
        Array.from({ length: 8 }, (_, i) => ({ second: i })),
        1,
      );

      const page = await cappedHistory(5).listEvents({ route, status: 'ignored' });
      const rest = await cappedHistory(5).listEvents({
        route,
        status: 'ignored',
        cursor: page.nextCursor ?? '',
      });

      expect(page.events).toEqual([]);
      expect(page.nextCursor).toEqual(expect.any(String));
      expect(rest).toEqual({ events: [] });
    });

    it('pages an unfiltered listing as usual when the limit fits under the cap', async () => {
      const route = freshRoute();
      const events = await seed(
        route,
        Array.from({ length: 12 }, (_, i) => ({ second: i })),
        1,
      );
      const capped = cappedHistory(5);

      const first = await capped.listEvents({ route, limit: 4 });
      const second = await capped.listEvents({ route, limit: 4, cursor: first.nextCursor ?? '' });

      expect(ids(first.events)).toEqual(newestFirst(events).slice(0, 4));
      expect(ids(second.events)).toEqual(newestFirst(events).slice(4, 8));
    });

    it('stops at the cap over several shards too, every event found once across pages', async () => {
      const route = freshRoute();
      const events = await seed(
        route,
        Array.from({ length: 40 }, (_, i) => ({ second: i, status: i % 9 === 0 ? 'ignored' : 'delivered' })),
        4,
      );
      const capped = cappedHistory(12, 4);
      const pages: EventState[][] = [];
      let cursor: string | undefined;
      do {
        const page = await capped.listEvents({
          route,
          status: 'ignored',
          ...(cursor !== undefined && { cursor }),
        });
        pages.push(page.events);
        cursor = page.nextCursor;
      } while (cursor !== undefined && pages.length < 20);

      expect(pages.length).toBeGreaterThan(2);
      expect(ids(pages.flat())).toEqual(newestFirst(events.filter((_, i) => i % 9 === 0)));
    });

    it('refuses a cap that is not a positive integer', () => {
      if (dynamo === undefined) throw new Error('no emulator');
      const client = dynamo.client;
      expect(() => new EventHistory({ client, tableName: TABLE, store, maxKeysPerListing: 0 })).toThrow(
        RangeError,
      );
    });
  });

  describe('when DynamoDB keeps leaving keys unprocessed (throttling)', () => {
    it('throws HistoryUnavailableError (store_unavailable) after its retries', async () => {
      const route = freshRoute();
      await seed(route, [
        { second: 0, status: 'retrying' },
        { second: 1, status: 'retrying' },
      ]);
      if (dynamo === undefined) throw new Error('no emulator');
      const real = dynamo.client;
      let batchGets = 0;
      // Answers every BatchGetItem with all its keys unprocessed, as DynamoDB does when throttled.
      const throttled = {
        send: (command: { constructor: { name: string }; input: unknown }) => {
          if (command instanceof BatchGetItemCommand) {
            batchGets += 1;
            return Promise.resolve({ Responses: {}, UnprocessedKeys: command.input.RequestItems });
          }
          return real.send(command as Parameters<DynamoDBClient['send']>[0]);
        },
      } as unknown as DynamoDBClient;
      const throttledHistory = new EventHistory({
        client: throttled,
        tableName: TABLE,
        store: new EventStore({ client: throttled, tableName: TABLE }),
      });

      // The states of a status listing are read by BatchGetItem; every other listing reads them itself.
      const listing = throttledHistory.listEvents({ route, status: 'retrying' });

      await expect(listing).rejects.toBeInstanceOf(HistoryUnavailableError);
      await expect(listing).rejects.toMatchObject({
        name: 'HistoryUnavailableError',
        code: 'store_unavailable',
        unprocessed: 2,
      });
      expect(batchGets).toBe(8);
      const [first] = await seed(route, [{ second: 2 }]);
      await expect(throttledHistory.getStates([first?.id ?? ''])).rejects.toBeInstanceOf(
        HistoryUnavailableError,
      );
    });
  });

  describe('countByStatus()', () => {
    it('counts every status, zero included', async () => {
      const route = freshRoute();
      await seed(route, [
        { second: 1, status: 'delivered' },
        { second: 2, status: 'delivered' },
        { second: 3, status: 'retrying' },
        { second: 4, status: 'dead_lettered' },
        { second: 5, status: 'queued' },
        // Never queued: it has no state, and the history does not count it.
        { second: 6, status: 'received' },
      ]);

      const counts = await history.countByStatus(route);

      expect(counts).toEqual({
        received: 0,
        queued: 1,
        processing: 0,
        retrying: 1,
        delivered: 2,
        dead_lettered: 1,
        ignored: 0,
      });
      expect(Object.keys(counts).sort()).toEqual([...EVENT_STATUSES].sort());
    });

    it("counts only events in the time range, across the route's shards", async () => {
      const route = freshRoute();
      await seed(
        route,
        Array.from({ length: 130 }, (_, i) => ({ second: i, status: i < 120 ? 'delivered' : 'ignored' })),
      );

      const all = await history.countByStatus(route);
      const late = await history.countByStatus(route, { since: new Date(at(110)) });
      const early = await history.countByStatus(route, { until: new Date(at(110)) });

      expect(all).toMatchObject({ delivered: 120, ignored: 10 });
      expect(late).toMatchObject({ delivered: 10, ignored: 10 });
      expect(early).toMatchObject({ delivered: 110, ignored: 0 });
    }, 60_000);

    it('refuses an empty time range', async () => {
      await expect(
        history.countByStatus(freshRoute(), { since: new Date(at(2)), until: new Date(at(1)) }),
      ).rejects.toThrow(RangeError);
    });
  });

  describe('getEvent()', () => {
    it('returns undefined for an unknown id', async () => {
      expect(await history.getEvent(`evt_${randomUUID()}`)).toBeUndefined();
    });

    it('returns the request data and an empty chain for an original', async () => {
      const route = freshRoute();
      const [event] = await seed(route, [{ second: 1 }]);

      const detail = await history.getEvent(event?.id ?? '');

      expect(detail).toMatchObject({ ...event, status: 'delivered', replayChain: [] });
      expect(detail?.body).toBe('{"ok":true}');
    });

    it('shows both ancestors of a replay of a replay, oldest first', async () => {
      const route = freshRoute();
      const [original] = await seed(route, [{ second: 1, status: 'dead_lettered' }]);
      const [replay] = await seed(route, [{ second: 2, overrides: { replayOf: original?.id } }]);
      const [replayOfReplay] = await seed(route, [
        { second: 3, status: 'queued', overrides: { replayOf: replay?.id } },
      ]);

      const detail = await history.getEvent(replayOfReplay?.id ?? '');

      expect(detail?.replayOf).toBe(replay?.id);
      expect(detail?.replayChain).toEqual([
        { id: original?.id, status: 'dead_lettered', receivedAt: new Date(at(1)).toISOString() },
        { id: replay?.id, status: 'delivered', receivedAt: new Date(at(2)).toISOString() },
      ]);
    });

    it('ends the chain at an ancestor that has expired', async () => {
      const route = freshRoute();
      const [replay] = await seed(route, [{ second: 2, overrides: { replayOf: `evt_${randomUUID()}` } }]);

      expect((await history.getEvent(replay?.id ?? ''))?.replayChain).toEqual([]);
    });
  });
});

describe('EventStore', () => {
  describe('bodyRef', () => {
    it('keeps a body reference with the request data, out of the state item', async () => {
      const bodyRef: BodyReference = {
        store: 's3',
        bucket: 'bodies',
        key: 'order_status/evt_1',
        size: 300_000,
      };
      const event = newEventRecord(at(1), { route: freshRoute(), body: undefined, bodyRef });

      const requestKey = await store.putRequest(event);
      await store.putQueued(event, requestKey);

      expect((await store.getEvent(event.id))?.bodyRef).toEqual(bodyRef);
      expect((await store.getEvent(event.id))?.body).toBeUndefined();
      const state = await rawEventItem(dynamoClient(), TABLE, event.id);
      expect(state?.bodyRef).toBeUndefined();
    });
  });

  describe('addReplay()', () => {
    it("appends replay ids to the original's replays and leaves its status", async () => {
      const route = freshRoute();
      const [original] = await seed(route, [{ second: 1, status: 'dead_lettered' }]);
      const id = original?.id ?? '';

      await store.addReplay(id, 'evt_replay_1');
      const state = await store.addReplay(id, 'evt_replay_2');

      expect(state.replays).toEqual(['evt_replay_1', 'evt_replay_2']);
      expect(state.status).toBe('dead_lettered');
      expect(state).not.toHaveProperty('pk');
      expect((await store.getEvent(id))?.replays).toEqual(['evt_replay_1', 'evt_replay_2']);
    });

    it('throws EventNotFoundError for an unknown original and writes nothing', async () => {
      const { id } = newEventRecord(at(1));

      await expect(store.addReplay(id, 'evt_replay')).rejects.toBeInstanceOf(EventNotFoundError);
      expect(await rawEventItem(dynamoClient(), TABLE, id)).toBeUndefined();
    });
  });
});

function dynamoClient(): DynamoDBClient {
  if (dynamo === undefined) throw new Error('DynamoDB Local is not running');
  return dynamo.client;
}
