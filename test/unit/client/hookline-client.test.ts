import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { HooklineClient, HooklineClientError, signStandardWebhook } from '../../../shared/client/index.js';
import { verifyStandardWebhooks } from '../../../shared/verify/standard-webhooks.js';

// The example secret from the Standard Webhooks documentation.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NOW = new Date('2025-03-01T12:00:00.000Z');

interface Recorded {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** A fetch that records requests and answers from a script (a status, or an error to throw). */
function scriptedFetch(
  script: readonly (number | Error)[],
  reply: Record<string, unknown> = { id: 'evt_1', status: 'queued' },
) {
  const requests: Recorded[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    requests.push({ url, headers: { ...(init.headers as Record<string, string>) }, body: String(init.body) });
    const step = script[Math.min(requests.length, script.length) - 1];
    if (step instanceof Error) throw step;
    const status = step ?? 500;
    const body =
      status < 400
        ? reply
        : { error: { code: status === 401 ? 'invalid_signature' : 'queue_unavailable', message: 'nope' } };
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
  return { fetch, requests };
}

function client(fetch: ReturnType<typeof scriptedFetch>['fetch'], sleeps: number[] = [], random = () => 0.5) {
  return new HooklineClient({
    baseUrl: 'http://gateway.test/',
    secret: SECRET,
    fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random,
    now: () => NOW,
  });
}

describe('signStandardWebhook()', () => {
  it('produces request headers the standardwebhooks reference library verifies', async () => {
    // Arrange: the reference library checks the timestamp against the real clock.
    const { fetch, requests } = scriptedFetch([202]);
    const realClock = new HooklineClient({ baseUrl: 'http://gateway.test', secret: SECRET, fetch });
    // Act
    await realClock.send('/order/status/', { order: 42, state: 'paid' });
    // Assert
    const request = requests[0];
    if (request === undefined) throw new Error('no request sent');
    expect(new Webhook(SECRET).verify(request.body, request.headers)).toEqual({ order: 42, state: 'paid' });
  });

  it('signs exactly what the reference library signs for the same message', () => {
    const body = '{"hello":"world"}';
    const seconds = Math.floor(NOW.getTime() / 1000);
    expect(signStandardWebhook(SECRET, 'msg_1', seconds, body)).toBe(
      new Webhook(SECRET).sign('msg_1', NOW, body),
    );
  });

  it('passes the gateway verifier', async () => {
    const { fetch, requests } = scriptedFetch([202]);
    await client(fetch).send('/order/status/', { a: 1 });
    const request = requests[0];
    if (request === undefined) throw new Error('no request sent');
    const result = verifyStandardWebhooks(
      { body: Buffer.from(request.body), headers: request.headers, secrets: [SECRET], now: NOW },
      { scheme: 'standardWebhooks', secret: { name: 'S' } },
    );
    expect(result).toMatchObject({ ok: true });
  });
});

describe('HooklineClient', () => {
  it('posts JSON with the Standard Webhooks headers and a msg_ id', async () => {
    const { fetch, requests } = scriptedFetch([202]);
    const result = await client(fetch).send('order/status/', { a: 1 });
    expect(requests[0]?.url).toBe('http://gateway.test/order/status/');
    expect(requests[0]?.headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': expect.stringMatching(/^msg_[0-9A-Z]{26}$/),
      'webhook-timestamp': String(NOW.getTime() / 1000),
      'webhook-signature': expect.stringMatching(/^v1,[A-Za-z0-9+/]+=*$/),
    });
    expect(result).toMatchObject({ id: 'evt_1', status: 'queued', duplicate: false, attempts: 1 });
  });

  it('wraps data in the { type, timestamp, data } payload when a type is given', async () => {
    const { fetch, requests } = scriptedFetch([202]);
    await client(fetch).send('/r/', { a: 1 }, { type: 'order.paid', id: 'msg_fixed' });
    expect(JSON.parse(requests[0]?.body ?? '')).toEqual({
      type: 'order.paid',
      timestamp: NOW.toISOString(),
      data: { a: 1 },
    });
    expect(requests[0]?.headers['webhook-id']).toBe('msg_fixed');
  });

  it('retries 503 and 429 with the same id and body, with full-jitter backoff', async () => {
    const sleeps: number[] = [];
    const { fetch, requests } = scriptedFetch([503, 429, 202]);
    const result = await client(fetch, sleeps, () => 0.5).send('/r/', { a: 1 });
    expect(result.attempts).toBe(3);
    expect(new Set(requests.map((request) => request.headers['webhook-id'])).size).toBe(1);
    expect(new Set(requests.map((request) => request.body)).size).toBe(1);
    // Half of 200 ms, then half of 400 ms.
    expect(sleeps).toEqual([100, 200]);
  });

  it('caps the backoff ceiling at backoffMaxMs', async () => {
    const sleeps: number[] = [];
    const { fetch } = scriptedFetch([503, 503, 503, 503, 202]);
    const capped = new HooklineClient({
      baseUrl: 'http://gateway.test',
      secret: SECRET,
      retries: 5,
      backoffBaseMs: 1000,
      backoffMaxMs: 2500,
      fetch,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.999_999,
    });
    await capped.send('/r/', {});
    expect(sleeps).toEqual([999, 1999, 2499, 2499]);
  });

  it('does not retry a 4xx and reports the gateway error code', async () => {
    const { fetch, requests } = scriptedFetch([401]);
    const error = await client(fetch)
      .send('/r/', {})
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HooklineClientError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_signature', retryable: false, attempts: 1 });
    expect(requests).toHaveLength(1);
  });

  it('gives up after the configured retries with the last status', async () => {
    const { fetch, requests } = scriptedFetch([503]);
    const error = await client(fetch)
      .send('/r/', {})
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 503, code: 'queue_unavailable', retryable: true, attempts: 4 });
    expect(requests).toHaveLength(4);
  });

  it('reports a duplicate delivery', async () => {
    const { fetch } = scriptedFetch([200], { id: 'evt_9', duplicate: true });
    await expect(client(fetch).send('/r/', {})).resolves.toMatchObject({
      id: 'evt_9',
      status: 'duplicate',
      duplicate: true,
    });
  });

  describe('aborting', () => {
    /** Timers holding the event loop open (a cleared one is gone at once). */
    const pendingTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

    it('stops a backoff wait as soon as the signal aborts, rejecting with its reason and leaving no timer', async () => {
      // Arrange: a 503, then a 30 s backoff (default sleep) that the abort cuts short.
      const controller = new AbortController();
      const reason = new Error('shutting down');
      const { fetch: answer503, requests } = scriptedFetch([503, 202]);
      const fetch: typeof answer503 = async (url, init) => {
        setImmediate(() => controller.abort(reason));
        return answer503(url, init);
      };
      const slow = new HooklineClient({
        baseUrl: 'http://gateway.test',
        secret: SECRET,
        backoffBaseMs: 60_000,
        backoffMaxMs: 60_000,
        fetch,
        random: () => 0.5,
      });
      const timersBefore = pendingTimers();
      const started = performance.now();
      // Act
      const error = await slow
        .send('/r/', {}, { signal: controller.signal })
        .catch((caught: unknown) => caught);
      // Assert
      expect(error).toBe(reason);
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(requests).toHaveLength(1);
      expect(pendingTimers()).toBe(timersBefore);
    });

    it('hands the signal to a custom sleep and makes no further attempt once it has aborted', async () => {
      const controller = new AbortController();
      const { fetch, requests } = scriptedFetch([503, 202]);
      const signals: (AbortSignal | undefined)[] = [];
      const patient = new HooklineClient({
        baseUrl: 'http://gateway.test',
        secret: SECRET,
        fetch,
        // Ignores the abort and resolves: the client must still stop.
        sleep: async (_ms, signal) => {
          signals.push(signal);
          controller.abort();
        },
      });
      const error = await patient
        .send('/r/', {}, { signal: controller.signal })
        .catch((caught: unknown) => caught);
      expect(signals).toEqual([controller.signal]);
      expect(error).toMatchObject({ name: 'AbortError' });
      expect(requests).toHaveLength(1);
    });

    it('does not send at all with an already aborted signal', async () => {
      const { fetch, requests } = scriptedFetch([202]);
      const send = client(fetch).send('/r/', {}, { signal: AbortSignal.abort(new Error('never mind')) });
      await expect(send).rejects.toThrow('never mind');
      expect(requests).toHaveLength(0);
    });
  });

  it('rejects a secret that is not whsec_ base64', () => {
    expect(() => new HooklineClient({ baseUrl: 'http://x', secret: 'whsec_***' })).toThrow(/whsec_/);
  });
});
