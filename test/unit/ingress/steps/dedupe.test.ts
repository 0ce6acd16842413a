import { describe, expect, it } from 'vitest';
import type { RequestClaim } from '../../../../shared/event-store/dedupe.js';
import type { EventState } from '../../../../shared/event-store/items.js';
import type { EventStatus, NewEventRecord } from '../../../../shared/event-store/types.js';
import { dedupe } from '../../../../shared/ingress/steps/dedupe.js';
import { identify } from '../../../../shared/ingress/steps/identify.js';
import {
  added,
  answered,
  awsDown,
  fakeStore,
  incoming,
  ORIGIN,
  RECEIVED_AT,
  recordingLog,
  verified,
} from '../../../helpers/ingress-steps.js';
import { makeRoute } from '../../../helpers/routes.js';

const route = makeRoute({
  path: '/orders/',
  verify: { scheme: 'none' },
  dedupe: { source: 'header', header: 'x-delivery', windowSeconds: 600 },
});
const request = incoming({ path: route.path, headers: { 'x-delivery': 'd-1' } });
const bodyStore = { put: async () => ({ store: 's3' as const, bucket: 'b', key: 'k', size: 1 }) };
const CLAIM_KEY = 'DEDUPE#/orders/#header:d-1';

/** New ids evt_1, evt_2, … in the order the step asks for them. */
function sequentialIds(): (now: Date) => string {
  let next = 0;
  return () => `evt_${++next}`;
}

/** The context `dedupe` gets: verified, parsed, and its key found by `identify`. */
async function identified(on: typeof route, large = false) {
  const parsed = { ...(await verified(on, request, large ? bodyStore : undefined)), payload: undefined };
  return { ...parsed, ...(await added(identify, parsed)) };
}

function context(options: { large?: boolean } = {}) {
  return identified(route, options.large);
}

function heldBy(eventId: string, extra: Partial<RequestClaim> = {}): () => Promise<RequestClaim> {
  return async () => ({ claimed: false, eventId, requestKey: CLAIM_KEY, ...extra }) as RequestClaim;
}

function stateIn(status: EventStatus, id: string): () => Promise<EventState> {
  return async () => ({ id, status }) as EventState;
}

describe('dedupe()', () => {
  it('claims the key for a new id and writes the request data in the same call', async () => {
    const store = fakeStore();
    const step = dedupe({ store, log: recordingLog().log, newId: sequentialIds() });

    const claimed = await added(step, await context());

    expect(store.calls.map(([method]) => method)).toEqual(['claimRequest']);
    const { record, windowSeconds } = (store.calls[0]?.[1] ?? {}) as {
      record: NewEventRecord;
      windowSeconds: number;
    };
    expect(windowSeconds).toBe(600);
    expect(record).toMatchObject({
      id: 'evt_1',
      route: '/orders/',
      dedupeKey: 'header:d-1',
      receivedAt: RECEIVED_AT.toISOString(),
      body: '{"order":"o-1"}',
    });
    expect(claimed).toEqual({ eventId: 'evt_1', requestKey: CLAIM_KEY, recorded: record, resuming: false });
  });

  it('asks newId for an id of the route (its path and shards)', async () => {
    const routes: unknown[] = [];
    const step = dedupe({
      store: fakeStore(),
      log: recordingLog().log,
      newId: (_now, placement) => {
        routes.push(placement);
        return 'evt_1';
      },
    });

    await added(step, await context());

    expect(routes).toEqual([expect.objectContaining({ path: '/orders/', shards: 32 })]);
  });

  it('claims a body bound for the body store without it (its reference comes after the upload)', async () => {
    const store = fakeStore();
    const step = dedupe({ store, log: recordingLog().log, newId: sequentialIds() });

    const claimed = await added(step, await context({ large: true }));

    expect(store.calls.map(([method]) => method)).toEqual(['claimRequest']);
    const { record } = (store.calls[0]?.[1] ?? {}) as { record: NewEventRecord };
    expect(record).toMatchObject({ id: 'evt_1', dedupeKey: 'header:d-1' });
    expect(record).not.toHaveProperty('body');
    expect(record).not.toHaveProperty('bodyRef');
    expect(claimed).toEqual({
      eventId: 'evt_1',
      requestKey: CLAIM_KEY,
      recorded: undefined,
      resuming: false,
    });
  });

  it("writes the request data to the event's own item on a route without dedupe", async () => {
    const store = fakeStore();
    const open = makeRoute({ ...route, dedupe: { source: 'none', windowSeconds: 600 } });
    const step = dedupe({ store, log: recordingLog().log, newId: sequentialIds() });

    const claimed = await added(step, await identified(open));

    expect(store.calls.map(([method]) => method)).toEqual(['putRequest']);
    expect(claimed).toMatchObject({ eventId: 'evt_1', requestKey: 'REQUEST#evt_1', resuming: false });
  });

  it('writes nothing yet for a large body on a route without dedupe', async () => {
    const store = fakeStore();
    const open = makeRoute({ ...route, dedupe: { source: 'none', windowSeconds: 600 } });
    const step = dedupe({ store, log: recordingLog().log, newId: sequentialIds() });

    const claimed = await added(step, await identified(open, true));

    expect(store.calls).toEqual([]);
    expect(claimed).toEqual({
      eventId: 'evt_1',
      requestKey: 'REQUEST#evt_1',
      recorded: undefined,
      resuming: false,
    });
  });

  it.each(['queued', 'delivered'] as const)(
    'answers 200 duplicate for a key held by a %s event, having written nothing',
    async (status) => {
      const { log, entries } = recordingLog();
      const store = fakeStore({ claimRequest: heldBy('evt_first'), getState: stateIn(status, 'evt_first') });
      const step = dedupe({ store, log, newId: sequentialIds() });

      const reply = await answered(step, await context());

      expect(reply.statusCode).toBe(200);
      expect(reply.json).toEqual({
        id: 'evt_first',
        duplicate: true,
        statusUrl: `${ORIGIN}/_hookline/events/evt_first`,
      });
      expect(
        store.calls.map(([method, argument]) => [method, method === 'getState' ? argument : 'claim']),
      ).toEqual([
        ['claimRequest', 'claim'],
        ['getState', 'evt_first'],
      ]);
      expect(entries).toEqual([
        {
          level: 'info',
          message: 'duplicate delivery',
          attributes: { eventId: 'evt_first', route: '/orders/' },
        },
      ]);
    },
  );

  it('resumes an earlier attempt that has no state yet under its id and its request item', async () => {
    const { log, entries } = recordingLog();
    const store = fakeStore({ claimRequest: heldBy('evt_first', { requestKey: 'REQUEST#evt_first' }) });
    const step = dedupe({ store, log, newId: sequentialIds() });

    const claimed = await added(step, await context());

    expect(claimed).toEqual({
      eventId: 'evt_first',
      requestKey: 'REQUEST#evt_first',
      recorded: undefined,
      resuming: true,
    });
    expect(store.calls.map(([method]) => method)).toEqual(['claimRequest', 'getState']);
    expect(entries).toEqual([
      {
        level: 'info',
        message: 'resuming half-accepted event',
        attributes: { eventId: 'evt_first', route: '/orders/' },
      },
    ]);
  });

  it('discards the request data a delivery wrote before losing the key to a concurrent one', async () => {
    const store = fakeStore({
      claimRequest: heldBy('evt_other', { leftover: 'REQUEST#evt_1' }),
      getState: stateIn('queued', 'evt_other'),
    });
    const step = dedupe({ store, log: recordingLog().log, newId: sequentialIds() });

    const reply = await answered(step, await context());

    expect(reply.statusCode).toBe(200);
    expect(store.callArgs).toContainEqual(['deleteRequest', ['REQUEST#evt_1', 'evt_1']]);
  });

  it('leaves such a copy to expire when it cannot be deleted, and still answers', async () => {
    const { log, entries } = recordingLog();
    const store = fakeStore({
      claimRequest: heldBy('evt_other', { leftover: 'REQUEST#evt_1' }),
      getState: stateIn('queued', 'evt_other'),
      deleteRequest: async () => {
        throw awsDown();
      },
    });
    const step = dedupe({ store, log, newId: sequentialIds() });

    const reply = await answered(step, await context());

    expect(reply.statusCode).toBe(200);
    expect(entries[0]).toEqual({
      level: 'warn',
      message: 'duplicate request data left to expire',
      attributes: { copyId: 'evt_1', error: 'TimeoutError: connect ECONNREFUSED 127.0.0.1:1' },
    });
  });

  it('answers 503 store_unavailable when the claim cannot be made', async () => {
    const { log, entries } = recordingLog();
    const store = fakeStore({
      claimRequest: async () => {
        throw awsDown();
      },
    });
    const step = dedupe({ store, log, newId: sequentialIds() });

    const error = await Promise.resolve(step(await context())).catch((thrown: unknown) => thrown);

    expect(error).toMatchObject({ status: 503, code: 'store_unavailable' });
    expect(entries).toEqual([
      {
        level: 'error',
        message: 'event store failed',
        attributes: { error: 'TimeoutError: connect ECONNREFUSED 127.0.0.1:1' },
      },
    ]);
  });
});
