import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../shared/http/errors.js';
import { createIngress } from '../../../shared/ingress/ingress.js';
import { answer, IngressPipeline } from '../../../shared/ingress/pipeline.js';
import { testEnvelopeKeys } from '../../helpers/envelope-keys.js';
import {
  fakeStore,
  gatewayEvent,
  QUEUE_URL,
  RECEIVED_AT,
  recordingLog,
} from '../../helpers/ingress-steps.js';
import { makeRoute } from '../../helpers/routes.js';

const event = gatewayEvent('/orders/', '{}');

describe('IngressPipeline', () => {
  it('runs the steps in order, each reading what the ones before it added', async () => {
    const seen: string[] = [];
    const handler = IngressPipeline.start()
      .step(({ event }) => ({ path: event.rawPath }))
      .step(({ path }) => {
        seen.push(`check ${path}`);
        return undefined;
      })
      .step(async ({ path }) => ({ length: path.length }))
      .finish(
        ({ path, length }) => answer({ statusCode: 200, body: `${path}:${length}` }),
        recordingLog().log,
      );

    const result = await handler(event);

    expect(seen).toEqual(['check /orders/']);
    expect(result).toEqual({ statusCode: 200, body: '/orders/:8' });
  });

  it('ends at the first step that answers', async () => {
    const ran: string[] = [];
    const handler = IngressPipeline.start()
      .step(() => answer({ statusCode: 202, body: 'early' }))
      .step(() => {
        ran.push('later');
        return undefined;
      })
      .finish(() => answer({ statusCode: 500 }), recordingLog().log);

    expect(await handler(event)).toEqual({ statusCode: 202, body: 'early' });
    expect(ran).toEqual([]);
  });

  it('answers a refusal (HttpError) with its status, code, message and headers', async () => {
    const { log, entries } = recordingLog();
    const handler = IngressPipeline.start().finish(() => {
      throw new HttpError(405, 'method_not_allowed', 'PUT is not allowed', { headers: { allow: 'POST' } });
    }, log);

    expect(await handler(event)).toEqual({
      statusCode: 405,
      headers: { 'content-type': 'application/json', allow: 'POST' },
      body: JSON.stringify({ error: { code: 'method_not_allowed', message: 'PUT is not allowed' } }),
    });
    expect(entries).toEqual([]);
  });

  it('answers any other error 500 internal_error and logs it', async () => {
    const { log, entries } = recordingLog();
    const handler = IngressPipeline.start().finish(async () => {
      throw new TypeError('boom');
    }, log);

    const result = await handler(event);

    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body ?? '')).toEqual({
      error: { code: 'internal_error', message: 'internal error; retry later' },
    });
    expect(entries).toEqual([
      { level: 'error', message: 'ingress failed', attributes: { error: 'TypeError: boom' } },
    ]);
  });
});

describe('createIngress()', () => {
  const route = makeRoute({
    path: '/orders/',
    verify: { scheme: 'none' },
    dedupe: { source: 'bodyHash', windowSeconds: 60 },
    filters: { payload: { kind: 'order' } },
  });

  function ingress() {
    const store = fakeStore();
    const sent: string[] = [];
    const { log, entries } = recordingLog();
    const handler = createIngress({
      targets: [{ route, queueUrl: QUEUE_URL }],
      store,
      queue: { send: async (queueUrl) => void sent.push(queueUrl) },
      secrets: { resolve: async () => [] },
      envelopeKeys: testEnvelopeKeys,
      log,
      now: () => RECEIVED_AT,
      newId: () => 'evt_1',
    });
    return { handler, store, sent, entries };
  }

  it('queues an accepted delivery: claim and request data, then the message, then the state', async () => {
    const { handler, store, sent, entries } = ingress();

    const result = await handler(gatewayEvent('/orders/', '{"kind":"order"}'));

    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body ?? '')).toEqual({
      id: 'evt_1',
      status: 'queued',
      statusUrl: 'https://api.example.com/_hookline/events/evt_1',
    });
    expect(store.calls.map(([method]) => method)).toEqual(['claimRequest', 'putQueued']);
    expect(sent).toEqual([QUEUE_URL]);
    expect(entries.map((entry) => entry.message)).toEqual(['event queued']);
  });

  it('stores and sends nothing for a filtered event', async () => {
    const { handler, store, sent } = ingress();

    const result = await handler(gatewayEvent('/orders/', '{"kind":"refund"}'));

    expect(JSON.parse(result.body ?? '')).toEqual({ status: 'filtered' });
    expect(store.calls).toEqual([]);
    expect(sent).toEqual([]);
  });

  it('refuses before touching the store: 404 for an unknown route', async () => {
    const { handler, store } = ingress();

    const result = await handler(gatewayEvent('/nope/', '{}'));

    expect(result.statusCode).toBe(404);
    expect(store.calls).toEqual([]);
  });
});
