/**
 * An operator pausing and resuming route consumers (issue 13 item 6) on the whole local stack, with
 * `hookline route pause|resume` and `hookline status` run as the operator runs them. A paused
 * route's events wait in its queue while the other routes deliver; resumed, they are all
 * delivered. Resuming a route whose breaker opened closes the circuit at once, long before its
 * cool-down would have.
 */
import { rmSync, writeFileSync } from 'node:fs';
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
import { runCli, runCliJson } from '../../helpers/local-cli.js';
import { startProjectStack, writeEnvFile, writeTempProject } from '../../helpers/temp-project.js';

const PLAIN = '/pause/plain/';
const CONTROL = '/pause/control/';
const BREAKER = '/pause/breaker/';
/** Long enough that only a resume can close the breaker's circuit within the test. */
const COOL_DOWN_SECONDS = 300;

interface RouteView {
  readonly route: string;
  readonly queued: number;
  readonly inFlight: number;
  readonly dlqDepth: number;
  readonly circuit?: Record<string, unknown>;
}

describe('pausing and resuming route consumers on the local stack', () => {
  let folder: string;
  let configFile: string;
  let stack: DevStack | undefined;
  const log = keptLog();
  const { lines } = log;
  const flag = () => join(folder, DOWNSTREAM_FLAG);

  beforeAll(async () => {
    const route = (path: string, extra = '') => `{
    path: '${path}',
    verify: { scheme: 'none' },
    handler: 'handlers/flaky.ts',
    maxBatchingWindowSeconds: 0,
    retry: { maxAttempts: 10, initialDelaySeconds: 0, maxDelaySeconds: 0 },${extra}
  }`;
    folder = writeTempProject({
      prefix: 'hookline-pause-',
      config: `{
  name: 'pause${process.pid}',
  routes: [
    ${route(PLAIN)},
    ${route(CONTROL)},
    ${route(BREAKER, `\n    circuitBreaker: { consecutiveFailures: 2, coolDownSeconds: ${COOL_DOWN_SECONDS} },`)},
  ],
}`,
      handlers: (projectFolder) => ({ 'flaky.ts': flakyHandlerSource(projectFolder) }),
    });
    configFile = join(folder, 'hookline.config.ts');
    writeEnvFile(folder, {});
    stack = await startProjectStack(folder, configFile, { log });
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });

  const cli = (args: readonly string[]) => runCli(args, { folder, configFile });
  const cliJson = <T>(args: readonly string[]) => runCliJson<T>(args, { folder, configFile });

  const send = (path: string, order: number) => postOrder(`${stack?.url}${path}`, order);

  async function statusOf(id: string): Promise<string> {
    const response = await fetch(`${stack?.adminUrl}/events/${id}`);
    return ((await response.json()) as { event: { status: string } }).event.status;
  }

  async function routeView(path: string): Promise<RouteView> {
    const response = await fetch(`${stack?.adminUrl}/routes`);
    const { routes } = (await response.json()) as { routes: RouteView[] };
    const view = routes.find((candidate) => candidate.route === path);
    if (view === undefined) throw new Error(`no route ${path} in the status`);
    return view;
  }

  const waitFor = <T>(what: string, probe: () => Promise<T | undefined>) => waitForLogged(what, probe, lines);

  const allDelivered = (ids: readonly string[]) => async () => {
    const statuses = await Promise.all(ids.map(statusOf));
    return statuses.every((status) => status === 'delivered') ? statuses : undefined;
  };

  it('keeps a paused route’s events in its queue, then delivers them all once resumed', async () => {
    // Arrange: the route paused by the operator.
    const paused = await cli(['route', 'pause', PLAIN]);
    expect(paused.stderr).toBe('');
    expect(paused.code).toBe(0);
    expect(lines.filter((line) => line.message === 'consumer paused')).toEqual([
      { level: 'info', message: 'consumer paused', fields: { route: PLAIN } },
    ]);

    // Act: events for the paused route and for another one, sent together.
    const ids = await Promise.all([1, 2, 3, 4, 5].map((order) => send(PLAIN, order)));
    const control = await send(CONTROL, 0);
    await waitFor('the other route’s event delivered', allDelivered([control]));

    // Assert: none taken, all still visible in the queue, the route shown paused.
    expect(await Promise.all(ids.map(statusOf))).toEqual(ids.map(() => 'queued'));
    expect(await routeView(PLAIN)).toMatchObject({ queued: 5, inFlight: 0, dlqDepth: 0 });
    const table = await cli(['status']);
    expect(table.stdout).toMatch(/^\/pause\/plain\/\s+pause_plain\s+5\s+0\s+0\s+0\s+-\s+paused$/m);
    expect(table.stdout).toMatch(/^\/pause\/control\/\s+.*\s+-\s+-$/m);
    const status = await cliJson<{ routes: RouteView[] }>(['status']);
    expect(status.routes.find((route) => route.route === PLAIN)?.circuit).toEqual({
      state: 'paused',
      pausedAt: expect.stringMatching(/Z$/),
    });

    // Act: resumed.
    const resumed = await cliJson<{ route: string; circuit: unknown }>(['route', 'resume', 'pause_plain']);

    // Assert: every event delivered, the route without a circuit again.
    expect(resumed).toEqual({ route: PLAIN, circuit: { state: 'closed' } });
    expect(await waitFor('the paused route’s events delivered', allDelivered(ids))).toHaveLength(5);
    expect(await routeView(PLAIN)).not.toHaveProperty('circuit');
    expect(lines.filter((line) => line.message === 'consumer resumed')).toEqual([
      { level: 'info', message: 'consumer resumed', fields: { route: PLAIN } },
    ]);
  }, 60_000);

  it('closes an open circuit on resume, long before its cool-down ends', async () => {
    // Arrange: the downstream down, the breaker open.
    writeFileSync(flag(), 'down\n');
    const ids = await Promise.all([1, 2, 3].map((order) => send(BREAKER, order)));
    const open = await waitFor('the circuit open', async () => {
      const { circuit } = await routeView(BREAKER);
      return circuit?.state === 'open' ? circuit : undefined;
    });
    expect(open).toMatchObject({ failures: 2, coolDownSeconds: COOL_DOWN_SECONDS });
    const table = await cli(['status']);
    expect(table.stdout).toMatch(/^\/pause\/breaker\/\s+.*\s+open$/m);

    // Act: the downstream back, the operator resumes the route.
    rmSync(flag());
    const resumed = await cli(['route', 'resume', BREAKER]);

    // Assert: closed at once, every event delivered, none dead-lettered.
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toBe(
      `resumed ${BREAKER}: circuit closed, its queued events are delivered again\n`,
    );
    expect((await routeView(BREAKER)).circuit).toEqual({
      state: 'closed',
      failures: 0,
      coolDownSeconds: COOL_DOWN_SECONDS,
    });
    expect(await waitFor('the events delivered', allDelivered(ids))).toHaveLength(3);
    expect((await routeView(BREAKER)).dlqDepth).toBe(0);
    expect(lines.filter((line) => line.message.startsWith('circuit ')).map((line) => line.message)).toEqual([
      'circuit opened',
      'circuit closed',
    ]);
  }, 60_000);

  it('pauses a route with a breaker too, and a resume after that closes its circuit', async () => {
    const paused = await cliJson<{ circuit: Record<string, unknown> }>(['route', 'pause', BREAKER]);
    expect(paused.circuit).toEqual({ state: 'paused', pausedAt: expect.stringMatching(/Z$/) });
    const id = await send(BREAKER, 9);
    await waitFor('the other route’s event delivered', allDelivered([await send(CONTROL, 9)]));
    expect(await statusOf(id)).toBe('queued');
    expect((await routeView(BREAKER)).queued).toBe(1);

    const resumed = await cliJson<{ circuit: Record<string, unknown> }>(['route', 'resume', BREAKER]);

    expect(resumed.circuit).toEqual({ state: 'closed', failures: 0, coolDownSeconds: COOL_DOWN_SECONDS });
    await waitFor('the event delivered', allDelivered([id]));
  }, 60_000);
});
