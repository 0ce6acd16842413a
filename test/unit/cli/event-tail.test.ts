import { describe, expect, it } from 'vitest';
import { AdminApiError } from '../../../shared/cli/admin-client.js';
import type { EventChange, TailedEvent } from '../../../shared/cli/tail/event-changes.js';
import {
  EventTail,
  type FollowOptions,
  followEvents,
  type TailSource,
} from '../../../shared/cli/tail/event-tail.js';

const ROUTE = '/order/status/';

/** A gateway in memory: what each route lists, what each id reads, and every call made. */
class FakeGateway implements TailSource {
  readonly listed = new Map<string, TailedEvent[]>();
  readonly stored = new Map<string, TailedEvent>();
  readonly calls: string[] = [];
  failNext: Error | undefined;

  async list(route: string, sinceSeconds: number): Promise<TailedEvent[]> {
    this.calls.push(`list ${route} ${sinceSeconds}s`);
    this.throwIfFailing();
    return this.listed.get(route) ?? [];
  }

  async get(id: string): Promise<TailedEvent | undefined> {
    this.calls.push(`get ${id}`);
    this.throwIfFailing();
    return this.stored.get(id);
  }

  /** Puts `event` in its route's listing and in the store. */
  put(event: TailedEvent, listed = true): void {
    this.stored.set(event.id, event);
    const others = (this.listed.get(event.route) ?? []).filter((item) => item.id !== event.id);
    this.listed.set(event.route, listed ? [event, ...others] : others);
  }

  private throwIfFailing(): void {
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure !== undefined) throw failure;
  }
}

function tailed(
  id: string,
  status: TailedEvent['status'],
  updatedAt: string,
  extra: Partial<TailedEvent> = {},
) {
  return { id, route: ROUTE, status, updatedAt, attempts: [], ...extra } satisfies TailedEvent;
}

function setUp(options: { maxReadsPerPoll?: number; forgetSettledAfterMs?: number } = {}) {
  const clock = { ms: Date.parse('2025-03-01T12:00:00.000Z') };
  const gateway = new FakeGateway();
  const tail = new EventTail({ routes: [ROUTE], source: gateway, now: () => clock.ms, ...options });
  return { clock, gateway, tail };
}

const statuses = (changes: readonly EventChange[]) =>
  changes.map((change) => `${change.id}:${change.status}`);

describe('EventTail.poll()', () => {
  it('lists each route since the previous poll began, plus the overlap, on the gateway clock', async () => {
    // Arrange
    const { clock, gateway, tail } = setUp();
    // Act
    await tail.poll();
    clock.ms += 1_500;
    await tail.poll();
    // Assert
    expect(gateway.calls).toEqual([`list ${ROUTE} 5s`, `list ${ROUTE} 7s`]);
  });

  it('prints a new event once, then only its changes', async () => {
    const { gateway, tail } = setUp();
    gateway.put(tailed('evt_a', 'queued', 't1'));
    expect(statuses(await tail.poll())).toEqual(['evt_a:queued']);
    expect(await tail.poll()).toEqual([]);
    gateway.put(tailed('evt_a', 'delivered', 't2'));
    expect(await tail.poll()).toEqual([
      { at: 't2', route: ROUTE, id: 'evt_a', status: 'delivered', previousStatus: 'queued' },
    ]);
  });

  it('reads an unsettled event by id once the listing window has passed it, until it settles', async () => {
    // Arrange: seen queued, then out of the window.
    const { gateway, tail } = setUp();
    gateway.put(tailed('evt_a', 'queued', 't1'));
    await tail.poll();
    gateway.put(tailed('evt_a', 'processing', 't2'), false);
    // Act
    const first = await tail.poll();
    gateway.put(tailed('evt_a', 'delivered', 't3'), false);
    const second = await tail.poll();
    gateway.calls.length = 0;
    const third = await tail.poll();
    // Assert
    expect(statuses(first)).toEqual(['evt_a:processing']);
    expect(second).toMatchObject([{ status: 'delivered', previousStatus: 'processing' }]);
    expect(third).toEqual([]);
    expect(gateway.calls).toEqual([`list ${ROUTE} 5s`]);
    expect(tail.watching()).toEqual([]);
  });

  it('does not read a retrying event before its next try is due', async () => {
    const { clock, gateway, tail } = setUp();
    const nextTry = new Date(clock.ms + 10_000).toISOString();
    const attempt = {
      attempt: 1,
      startedAt: new Date(clock.ms).toISOString(),
      durationMs: 5,
      outcome: 'failed' as const,
      nextVisibleAt: nextTry,
    };
    gateway.put(tailed('evt_a', 'retrying', 't1', { attempts: [attempt] }));
    await tail.poll();
    gateway.put(tailed('evt_a', 'retrying', 't1', { attempts: [attempt] }), false);
    gateway.calls.length = 0;
    clock.ms += 5_000;
    await tail.poll();
    expect(gateway.calls).toEqual([`list ${ROUTE} 10s`]);
    clock.ms += 5_000;
    await tail.poll();
    expect(gateway.calls).toContain('get evt_a');
  });

  it('reads at most maxReadsPerPoll events by id a poll, the longest unread first', async () => {
    const { clock, gateway, tail } = setUp({ maxReadsPerPoll: 2 });
    for (const id of ['evt_a', 'evt_b', 'evt_c']) gateway.put(tailed(id, 'queued', 't1'));
    await tail.poll();
    for (const id of ['evt_a', 'evt_b', 'evt_c']) gateway.put(tailed(id, 'queued', 't1'), false);
    gateway.calls.length = 0;
    clock.ms += 1_000;
    await tail.poll();
    clock.ms += 1_000;
    await tail.poll();
    const reads = gateway.calls.filter((call) => call.startsWith('get'));
    expect(reads).toHaveLength(4);
    expect(new Set(reads)).toEqual(new Set(['get evt_a', 'get evt_b', 'get evt_c']));
  });

  it('forgets an event the gateway no longer has', async () => {
    const { gateway, tail } = setUp();
    gateway.put(tailed('evt_a', 'queued', 't1'));
    await tail.poll();
    gateway.listed.clear();
    gateway.stored.clear();
    expect(await tail.poll()).toEqual([]);
    expect(tail.size).toBe(0);
  });

  it('remembers nothing of a failed poll: the next one covers its window and reports its changes', async () => {
    const { clock, gateway, tail } = setUp();
    await tail.poll();
    gateway.put(tailed('evt_a', 'queued', 't1'));
    gateway.failNext = new AdminApiError(503, 'store_unavailable', 'down');
    clock.ms += 1_000;
    await expect(tail.poll()).rejects.toThrow('down');
    clock.ms += 1_000;
    expect(statuses(await tail.poll())).toEqual(['evt_a:queued']);
    expect(gateway.calls.at(-1)).toBe(`list ${ROUTE} 7s`);
  });

  it('forgets a settled event once no listing has shown it for a while', async () => {
    const { clock, gateway, tail } = setUp({ forgetSettledAfterMs: 10_000 });
    gateway.put(tailed('evt_a', 'delivered', 't1'));
    await tail.poll();
    gateway.listed.clear();
    clock.ms += 5_000;
    await tail.poll();
    expect(tail.size).toBe(1);
    clock.ms += 5_000;
    await tail.poll();
    expect(tail.size).toBe(0);
    expect(gateway.calls.some((call) => call.startsWith('get'))).toBe(false);
  });
});

/** `followEvents` on a scripted tail: each poll's answer in turn, a clock that sleeps instantly. */
function follow(polls: (() => Promise<EventChange[]>)[], options: Partial<FollowOptions> = {}) {
  const clock = { ms: 0 };
  const controller = new AbortController();
  const printed: string[][] = [];
  const warnings: string[] = [];
  let next = 0;
  const done = followEvents({
    tail: {
      poll: () => {
        const answer = polls[next];
        next += 1;
        if (answer === undefined) {
          controller.abort();
          return new Promise(() => {});
        }
        return answer();
      },
    },
    signal: controller.signal,
    print: (changes) => printed.push(changes.map((change) => change.id)),
    warn: (text) => warnings.push(text),
    now: () => clock.ms,
    sleep: async (ms) => {
      clock.ms += ms;
    },
    ...options,
  });
  return { done, printed, warnings, controller };
}

const change = (id: string): EventChange => ({ at: 't', route: ROUTE, id, status: 'queued' });
const unavailable = () => Promise.reject(new AdminApiError(0, 'gateway_unreachable', 'no answer'));

describe('followEvents()', () => {
  it('prints each poll until stopped, and nothing of a poll still running when stopped', async () => {
    const { done, printed } = follow([async () => [change('evt_a')], async () => [change('evt_b')]]);
    await expect(done).resolves.toBeUndefined();
    expect(printed).toEqual([['evt_a'], ['evt_b']]);
  });

  it('retries a failed poll quietly, and warns once when failures persist, then when it recovers', async () => {
    const quiet = follow([unavailable, async () => [change('evt_a')]]);
    await quiet.done;
    expect(quiet.warnings).toEqual([]);
    expect(quiet.printed).toEqual([['evt_a']]);

    const persistent = follow([unavailable, unavailable, unavailable, unavailable, async () => []]);
    await persistent.done;
    expect(persistent.warnings).toEqual(['no answer; still trying every 1 s', 'the gateway answers again']);
  });

  it('stops at once with an error the gateway gives for good (not transient)', async () => {
    const refused = new AdminApiError(403, 'http_403', 'forbidden');
    const { done } = follow([() => Promise.reject(refused)]);
    await expect(done).rejects.toBe(refused);
  });

  it('stops with the error `gone` gives when the gateway went away', async () => {
    const stopped = new Error('no local stack running');
    const { done, warnings } = follow([unavailable], { gone: () => stopped });
    await expect(done).rejects.toBe(stopped);
    expect(warnings).toEqual([]);
  });

  it('gives up with the last error after giveUpAfterMs of failed polls', async () => {
    const { done } = follow(Array(10).fill(unavailable), { giveUpAfterMs: 3_000 });
    await expect(done).rejects.toThrow('no answer');
  });

  it('resolves when stopped while a poll is running, even if that poll fails later', async () => {
    let fail: (error: Error) => void = () => {};
    const { done, controller, printed } = follow([
      () =>
        new Promise<EventChange[]>((_resolve, reject) => {
          fail = reject;
        }),
    ]);
    controller.abort();
    await expect(done).resolves.toBeUndefined();
    fail(new Error('late'));
    expect(printed).toEqual([]);
  });
});
