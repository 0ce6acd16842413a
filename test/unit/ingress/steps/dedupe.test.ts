import { describe, expect, it } from 'vitest';
import type { DedupeClaim } from '../../../../shared/event-store/dedupe.js';
import type { EventRecord, EventStatus, NewEventRecord } from '../../../../shared/event-store/types.js';
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

function heldBy(eventId: string): () => Promise<DedupeClaim> {
  return async () => ({ claimed: false, eventId });
}

function eventIn(status: EventStatus, id: string): () => Promise<EventRecord> {
  return async () => ({ id, status }) as EventRecord;
}

describe('dedupe()', () => {
  it('claims the key for a new id while writing an inline body’s request data, both at once', async () => {
    let releaseClaim: (claim: DedupeClaim) => void = () => {};
    const store = fakeStore({ claimDedupeKey: () => new Promise((resolve) => (releaseClaim = resolve)) });
    const step = dedupe({ store, log: recordingLog().log, newId: sequentialIds() });

    const running = Promise.resolve(step(await context()));
    await new Promise((resolve) => setImmediate(resolve));
    expect(store.calls.map(([method]) => method)).toEqual(['claimDedupeKey', 'putRequest']);
    releaseClaim({ claimed: true });
    const claimed = await running;

    expect(store.calls[0]?.[1]).toEqual({
      route: '/orders/',
      key: 'header:d-1',
      eventId: 'evt_1',
      windowSeconds: 600,
    });
    const written = store.calls[1]?.[1] as NewEventRecord;
    expect(written).toMatchObject({
      id: 'evt_1',
      dedupeKey: 'header:d-1',
      receivedAt: RECEIVED_AT.toISOString(),
    });
    expect(claimed).toEqual({
      eventId: 'evt_1',
      recorded: written,
      resuming: false,
    });
  });

  it('only claims for a body bound for the body store (its request data comes after the upload)', async () => {
    const store = fakeStore();
    const step = dedupe({ store, log: recordingLog().log, newId: sequentialIds() });

    const claimed = await added(step, await context({ large: true }));

    expect(store.calls.map(([method]) => method)).toEqual(['claimDedupeKey']);
    expect(claimed).toEqual({
      eventId: 'evt_1',
      recorded: undefined,
      resuming: false,
    });
  });

  it('claims nothing on a route without dedupe', async () => {
    const store = fakeStore();
    const open = makeRoute({ ...route, dedupe: { source: 'none', windowSeconds: 600 } });
    const step = dedupe({ store, log: recordingLog().log, newId: sequentialIds() });

    const claimed = await added(step, await identified(open));

    expect(store.calls.map(([method]) => method)).toEqual(['putRequest']);
    expect(claimed).toMatchObject({ eventId: 'evt_1', resuming: false });
  });

  it.each(['queued', 'delivered'] as const)(
    'answers 200 duplicate for a key held by a %s event, discarding its own copy',
    async (status) => {
      const { log, entries } = recordingLog();
      const store = fakeStore({
        claimDedupeKey: heldBy('evt_first'),
        getEvent: eventIn(status, 'evt_first'),
      });
      const step = dedupe({ store, log, newId: sequentialIds() });

      const reply = await answered(step, await context());

      expect(reply.statusCode).toBe(200);
      expect(reply.json).toEqual({
        id: 'evt_first',
        duplicate: true,
        statusUrl: `${ORIGIN}/_hookline/events/evt_first`,
      });
      expect(
        store.calls.map(([method, argument]) => [method, method === 'putRequest' ? 'record' : argument]),
      ).toEqual([
        ['claimDedupeKey', expect.anything()],
        ['putRequest', 'record'],
        ['deleteRequest', 'evt_1'],
        ['getEvent', 'evt_first'],
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

  it('resumes an earlier attempt that has no state yet under its id', async () => {
    const { log, entries } = recordingLog();
    const store = fakeStore({ claimDedupeKey: heldBy('evt_first'), getEvent: async () => undefined });
    const step = dedupe({ store, log, newId: sequentialIds() });

    const claimed = await added(step, await context());

    expect(claimed).toEqual({
      eventId: 'evt_first',
      recorded: undefined,
      resuming: true,
    });
    expect(store.calls.map(([method]) => method)).toEqual([
      'claimDedupeKey',
      'putRequest',
      'deleteRequest',
      'getEvent',
    ]);
    expect(entries).toEqual([
      {
        level: 'info',
        message: 'resuming half-accepted event',
        attributes: { eventId: 'evt_first', route: '/orders/' },
      },
    ]);
  });

  it('leaves a duplicate’s copy to expire when it cannot be deleted, and still answers', async () => {
    const { log, entries } = recordingLog();
    const store = fakeStore({
      claimDedupeKey: heldBy('evt_first'),
      getEvent: eventIn('queued', 'evt_first'),
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
      claimDedupeKey: async () => {
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
