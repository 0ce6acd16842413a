import { describe, expect, it } from 'vitest';
import type { BodyPutInput } from '../../../../shared/body-store/body-store.js';
import type { BodyReference } from '../../../../shared/envelope.js';
import type { Claimed, Identified } from '../../../../shared/ingress/context.js';
import { record } from '../../../../shared/ingress/steps/record.js';
import { newEventRecord } from '../../../helpers/event-records.js';
import {
  added,
  answered,
  awsDown,
  fakeStore,
  incoming,
  ORIGIN,
  recordingLog,
  verified,
} from '../../../helpers/ingress-steps.js';
import { makeRoute } from '../../../helpers/routes.js';

const route = makeRoute({ path: '/orders/', verify: { scheme: 'none' }, maxBodyBytes: 1024 * 1024 });
const request = incoming({ path: route.path, headers: { 'content-type': 'application/octet-stream' } });
const REF: BodyReference = { store: 's3', bucket: 'bodies', key: 'orders/evt_1', size: 15 };

/** A body store that records what it was given, before `calls` (the event store's) goes on. */
function recordingBodyStore(calls: [string, unknown][], fail = false) {
  return {
    async put(input: BodyPutInput): Promise<BodyReference> {
      calls.push(['put', input]);
      if (fail) throw awsDown();
      return REF;
    },
  };
}

const CLAIM_KEY = 'DEDUPE#/orders/#header:d-1';

function claimed(overrides: Partial<Identified & Claimed> = {}): Identified & Claimed {
  return {
    dedupeKey: 'header:d-1',
    eventId: 'evt_1',
    requestKey: CLAIM_KEY,
    recorded: undefined,
    resuming: false,
    ...overrides,
  };
}

describe('record()', () => {
  it('keeps the request data dedupe already wrote, writing nothing more', async () => {
    const store = fakeStore();
    const written = newEventRecord(0, { id: 'evt_1' });

    const result = await added(record({ store, log: recordingLog().log }), {
      ...(await verified(route, request)),
      ...claimed({ recorded: written }),
    });

    expect(result).toEqual({ record: written, requestKey: CLAIM_KEY });
    expect(store.calls).toEqual([]);
  });

  it('stores a large body first, then adds its reference to the request data of the claim', async () => {
    const { log, entries } = recordingLog();
    const store = fakeStore();
    const bodyStore = recordingBodyStore(store.calls);

    const result = await added(record({ store, log }), {
      ...(await verified(route, request, bodyStore)),
      ...claimed(),
    });

    expect(store.calls.map(([method]) => method)).toEqual(['put', 'rewriteRequest']);
    expect(store.callArgs.at(-1)).toEqual([
      'rewriteRequest',
      [result.record, CLAIM_KEY, { unlessQueued: false }],
    ]);
    expect(store.calls[0]?.[1]).toEqual({
      route: '/orders/',
      eventId: 'evt_1',
      body: request.body,
      contentType: 'application/octet-stream',
    });
    expect(result.record).toMatchObject({ id: 'evt_1', bodyRef: REF, dedupeKey: 'header:d-1' });
    expect(result.record).not.toHaveProperty('body');
    expect(store.calls[1]?.[1]).toBe(result.record);
    expect(entries).toEqual([
      {
        level: 'info',
        message: 'body stored',
        attributes: { eventId: 'evt_1', route: '/orders/', store: 's3', size: 15 },
      },
    ]);
  });

  it("stores a large body first, then writes the event's own request item on a route without dedupe", async () => {
    const store = fakeStore();
    const bodyStore = recordingBodyStore(store.calls);

    const result = await added(record({ store, log: recordingLog().log }), {
      ...(await verified(route, request, bodyStore)),
      ...claimed({ dedupeKey: undefined, requestKey: 'REQUEST#evt_1' }),
    });

    expect(store.calls.map(([method]) => method)).toEqual(['put', 'putRequest']);
    expect(result).toEqual({
      record: expect.objectContaining({ id: 'evt_1', bodyRef: REF }),
      requestKey: 'REQUEST#evt_1',
    });
  });

  it('answers 503 store_unavailable when the claim no longer holds the event', async () => {
    const store = fakeStore({ rewriteRequest: async () => false });
    const context = { ...(await verified(route, request, recordingBodyStore([]))), ...claimed() };

    const error = await Promise.resolve(record({ store, log: recordingLog().log })(context)).catch(
      (thrown: unknown) => thrown,
    );

    expect(error).toMatchObject({ status: 503, code: 'store_unavailable' });
  });

  it('rewrites the request data of a resumed event while it has no state', async () => {
    const store = fakeStore();

    const result = await added(record({ store, log: recordingLog().log }), {
      ...(await verified(route, request)),
      ...claimed({ eventId: 'evt_first', requestKey: 'REQUEST#evt_first', resuming: true }),
    });

    expect(store.callArgs).toEqual([
      ['rewriteRequest', [result.record, 'REQUEST#evt_first', { unlessQueued: true }]],
    ]);
    expect(result.record).toMatchObject({ id: 'evt_first', body: '{"order":"o-1"}' });
    expect(result.requestKey).toBe('REQUEST#evt_first');
  });

  it('answers 200 duplicate when a concurrent delivery queued the resumed event meanwhile', async () => {
    const store = fakeStore({ rewriteRequest: async () => false });

    const reply = await answered(record({ store, log: recordingLog().log }), {
      ...(await verified(route, request)),
      ...claimed({ eventId: 'evt_first', resuming: true }),
    });

    expect(reply.statusCode).toBe(200);
    expect(reply.json).toEqual({
      id: 'evt_first',
      duplicate: true,
      statusUrl: `${ORIGIN}/_hookline/events/evt_first`,
    });
  });

  it('answers 503 body_store_unavailable when the body cannot be stored, writing no request data', async () => {
    const { log, entries } = recordingLog();
    const store = fakeStore();
    const context = {
      ...(await verified(route, request, recordingBodyStore(store.calls, true))),
      ...claimed(),
    };

    const error = await Promise.resolve(record({ store, log })(context)).catch((thrown: unknown) => thrown);

    expect(error).toMatchObject({ status: 503, code: 'body_store_unavailable' });
    expect(store.calls.map(([method]) => method)).toEqual(['put']);
    expect(entries).toEqual([
      {
        level: 'error',
        message: 'body store failed',
        attributes: {
          eventId: 'evt_1',
          route: '/orders/',
          size: request.body.length,
          error: 'TimeoutError: connect ECONNREFUSED 127.0.0.1:1',
        },
      },
    ]);
  });

  it('answers 503 store_unavailable when the request data cannot be written', async () => {
    const store = fakeStore({
      putRequest: async () => {
        throw awsDown();
      },
    });
    const context = {
      ...(await verified(route, request, recordingBodyStore([]))),
      ...claimed({ requestKey: 'REQUEST#evt_1' }),
    };

    const error = await Promise.resolve(record({ store, log: recordingLog().log })(context)).catch(
      (thrown: unknown) => thrown,
    );

    expect(error).toMatchObject({ status: 503, code: 'store_unavailable' });
  });
});
