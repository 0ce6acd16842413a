/**
 * The circuit breaker (issue 13 item 6) on the whole local stack: a route's handler fails while a
 * flag file exists. The route's poller opens its circuit after a few failed attempts, so the events
 * sent during the outage wait in the queue instead of spending their attempts: none reaches the
 * DLQ. Once the flag is gone, a probe closes the circuit and every event is delivered.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevStack } from '../../../shared/local/dev-stack.js';
import {
  DOWNSTREAM_FLAG,
  flakyHandlerSource,
  keptLog,
  postOrder,
  waitFor as waitForLogged,
} from '../../helpers/flaky-stack.js';
import { startProjectStack, writeEnvFile, writeTempProject } from '../../helpers/temp-project.js';

const ROUTE_PATH = '/breaker/orders/';
const QUEUE_NAME = 'breaker_orders';
const EVENTS = 10;
const MAX_ATTEMPTS = 5;

interface EventView {
  readonly status: string;
  readonly attempts?: readonly unknown[];
}

describe('circuit breaker on the local stack', () => {
  let folder: string;
  let stack: DevStack | undefined;
  const log = keptLog();
  const { lines } = log;
  const flag = () => join(folder, DOWNSTREAM_FLAG);
  const circuitLines = () => lines.filter((line) => line.message.startsWith('circuit '));

  beforeAll(async () => {
    folder = writeTempProject({
      prefix: 'hookline-circuit-',
      config: `{
  name: 'breaker${process.pid}',
  routes: [{
    path: '${ROUTE_PATH}',
    verify: { scheme: 'none' },
    handler: 'handlers/orders.ts',
    retry: { maxAttempts: ${MAX_ATTEMPTS}, initialDelaySeconds: 0, maxDelaySeconds: 0 },
    circuitBreaker: { consecutiveFailures: 3, coolDownSeconds: 2 },
  }],
}`,
      handlers: (projectFolder) => ({ 'orders.ts': flakyHandlerSource(projectFolder) }),
    });
    writeEnvFile(folder, {});
    writeFileSync(flag(), 'down\n');
    stack = await startProjectStack(folder, undefined, { log });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });

  async function admin<T>(path: string): Promise<T> {
    const response = await fetch(`${stack?.adminUrl}${path}`);
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  }

  async function event(id: string): Promise<EventView> {
    return (await admin<{ event: EventView }>(`/events/${id}`)).event;
  }

  const send = (order: number) => postOrder(`${stack?.url}${ROUTE_PATH}`, order);
  const waitFor = <T>(what: string, probe: () => Promise<T | undefined>) => waitForLogged(what, probe, lines);

  it('keeps events in the queue while the handler is down, then delivers them all', async () => {
    const ids = await Promise.all(Array.from({ length: EVENTS }, (_, order) => send(order)));

    // The circuit opens, a probe fails and opens it again for a doubled cool-down.
    await waitFor('a failed probe', async () =>
      circuitLines().filter((line) => line.message === 'circuit opened').length >= 2 ? true : undefined,
    );
    const opened = circuitLines()[0];
    expect(opened).toEqual({
      level: 'warn',
      message: 'circuit opened',
      fields: { route: ROUTE_PATH, failures: 3, coolDownSeconds: 2 },
    });
    expect(
      circuitLines()
        .slice(1, 3)
        .map((line) => [line.message, line.fields.coolDownSeconds]),
    ).toEqual([
      ['circuit half-open', 2],
      ['circuit opened', 4],
    ]);

    // `GET /_hookline/routes` (what `hookline status` reads) shows the open circuit.
    const status = await admin<{ routes: { route: string; circuit?: Record<string, unknown> }[] }>('/routes');
    expect(status.routes.find((route) => route.route === ROUTE_PATH)?.circuit).toMatchObject({
      state: 'open',
      coolDownSeconds: 4,
    });

    // During the outage: nothing dead-lettered, the DLQ empty, attempts to spare.
    const views = await Promise.all(ids.map(event));
    for (const view of views) expect(['queued', 'retrying']).toContain(view.status);
    for (const view of views) expect(view.attempts?.length ?? 0).toBeLessThan(MAX_ATTEMPTS);
    expect((await admin<{ messages: unknown[] }>(`/dlq/${QUEUE_NAME}`)).messages).toEqual([]);

    // The downstream is back: the next probe closes the circuit, every event is delivered.
    rmSync(flag());
    expect(existsSync(flag())).toBe(false);
    const delivered = await waitFor('every event delivered', async () => {
      const statuses = await Promise.all(ids.map(async (id) => (await event(id)).status));
      return statuses.every((status) => status === 'delivered') ? statuses : undefined;
    });
    expect(delivered).toHaveLength(EVENTS);
    expect(circuitLines().at(-1)).toMatchObject({
      message: 'circuit closed',
      fields: { route: ROUTE_PATH, failures: 0, coolDownSeconds: 2 },
    });
    expect((await admin<{ messages: unknown[] }>(`/dlq/${QUEUE_NAME}`)).messages).toEqual([]);
    const after = await admin<{ routes: { route: string; circuit?: Record<string, unknown> }[] }>('/routes');
    expect(after.routes.find((route) => route.route === ROUTE_PATH)?.circuit).toEqual({
      state: 'closed',
      failures: 0,
      coolDownSeconds: 2,
    });
  }, 60_000);
});
