import { describe, expect, it } from 'vitest';
import type { ResolvedRoute } from '../../../shared/config/types.js';
import { createIngress } from '../../../shared/ingress/ingress.js';
import { RequestLog, requestLogKeys } from '../../../shared/ingress/request-log.js';
import { testEnvelopeKeys } from '../../helpers/envelope-keys.js';
import {
  fakeStore,
  gatewayEvent,
  QUEUE_URL,
  RECEIVED_AT,
  recordingLog,
} from '../../helpers/ingress-steps.js';
import { makeRoute } from '../../helpers/routes.js';

const TRACE_ID = '1-67891233-abcdef012345678912345678';
const TRACE_HEADER = `Root=${TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1`;

const plain = makeRoute({
  path: '/orders/',
  verify: { scheme: 'none' },
  dedupe: { source: 'bodyHash', windowSeconds: 60 },
});
const traced = makeRoute({ ...plain, path: '/traced/', queueName: 'traced', tracing: true });
const signed = makeRoute({ path: '/signed/', queueName: 'signed', tracing: true });

function ingress(store = fakeStore(), ids = ['evt_1', 'evt_2', 'evt_3']) {
  const { log, entries } = recordingLog();
  const handler = createIngress({
    targets: [plain, traced, signed].map((route: ResolvedRoute) => ({ route, queueUrl: QUEUE_URL })),
    store,
    queue: { send: async () => {} },
    secrets: { resolve: async () => ['secret'] },
    envelopeKeys: testEnvelopeKeys,
    log,
    traceHeader: () => TRACE_HEADER,
    now: () => RECEIVED_AT,
    newId: () => ids.shift() ?? 'evt_x',
  });
  return { handler, entries };
}

describe('the ingress log keys', () => {
  it('put route, eventId and the event id as traceId on a route without tracing', async () => {
    const { handler, entries } = ingress();

    expect((await handler(gatewayEvent('/orders/', '{"a":1}'))).statusCode).toBe(202);

    expect(entries).toEqual([
      expect.objectContaining({
        message: 'event queued',
        attributes: expect.objectContaining({ route: '/orders/', eventId: 'evt_1', traceId: 'evt_1' }),
      }),
    ]);
  });

  it('put the X-Ray trace id of the invocation on every line of a traced route, the event id once claimed', async () => {
    const store = fakeStore({
      putQueued: async () => {
        throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
      },
    });
    const { handler, entries } = ingress(store);

    expect((await handler(gatewayEvent('/traced/', '{"a":1}'))).statusCode).toBe(503);

    // Written by the store call wrapper, which passes no keys of its own.
    expect(entries.map((entry) => entry.message)).toEqual(['event store failed']);
    expect(entries[0]?.attributes).toMatchObject({ route: '/traced/', eventId: 'evt_1', traceId: TRACE_ID });
  });

  it('put route and trace id on a line written before the event id is known', async () => {
    const { handler, entries } = ingress();

    const result = await handler(gatewayEvent('/signed/', '{}', { 'x-hub-signature-256': 'sha256=00' }));

    expect(result.statusCode).toBe(401);
    expect(entries.map((entry) => entry.message)).toEqual(['verification failed']);
    expect(entries[0]?.attributes).toMatchObject({ route: '/signed/', traceId: TRACE_ID });
    expect(entries[0]?.attributes).not.toHaveProperty('eventId');
  });

  it('keep each request’s keys apart when requests run concurrently', async () => {
    const { handler, entries } = ingress();

    await Promise.all([
      handler(gatewayEvent('/orders/', '{"a":1}')),
      handler(gatewayEvent('/traced/', '{"a":2}')),
      handler(gatewayEvent('/orders/', '{"a":3}')),
    ]);

    const keys = entries.map(({ attributes: { route, eventId, traceId } }) => ({ route, eventId, traceId }));
    expect(keys).toHaveLength(3);
    for (const { route, eventId, traceId } of keys) {
      expect(traceId).toBe(route === '/traced/' ? TRACE_ID : eventId);
    }
    expect(new Set(keys.map((key) => key.eventId)).size).toBe(3);
  });

  it('are none before a route is matched', async () => {
    const { handler, entries } = ingress();

    expect((await handler(gatewayEvent('/nope/', '{}'))).statusCode).toBe(404);
    expect(entries).toEqual([]);
  });
});

describe('requestLogKeys()', () => {
  const target = (route: ResolvedRoute) => ({
    target: { route, queueUrl: QUEUE_URL, passesFilters: () => true, sourceIpAllowed: () => true },
  });

  it('read route, eventId and traceId from the context as far as it goes', () => {
    expect(requestLogKeys({}, () => TRACE_HEADER)).toEqual({});
    expect(requestLogKeys(target(plain), () => TRACE_HEADER)).toEqual({ route: '/orders/' });
    expect(requestLogKeys(target(traced), () => TRACE_HEADER)).toEqual({
      route: '/traced/',
      traceId: TRACE_ID,
    });
    expect(requestLogKeys({ ...target(traced), eventId: 'evt_9' }, () => undefined)).toEqual({
      route: '/traced/',
      eventId: 'evt_9',
      traceId: 'evt_9',
    });
  });
});

describe('RequestLog', () => {
  it('adds nothing outside a request', () => {
    const { log, entries } = recordingLog();
    const requestLog = new RequestLog(log);

    requestLog.add({ route: '/x/' });
    requestLog.log.info('outside', { a: 1 });

    expect(entries).toEqual([{ level: 'info', message: 'outside', attributes: { a: 1 } }]);
  });

  it('lets a line’s own attribute win over a key of the same name', async () => {
    const { log, entries } = recordingLog();
    const requestLog = new RequestLog(log);

    await requestLog.run(async () => {
      requestLog.add({ eventId: 'evt_request' });
      requestLog.log.info('duplicate delivery', { eventId: 'evt_holder' });
    });

    expect(entries[0]?.attributes).toEqual({ eventId: 'evt_holder' });
  });
});
