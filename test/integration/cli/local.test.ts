/**
 * The operator commands against the whole local stack: `startDevStack` runs in this process with a
 * temporary project, and `hookline send|events|replay|dlq|route|status` run as child processes
 * (`node shared/cli/hookline.mjs ... --config <project>`), finding the stack through its state file.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevStack } from '../../../shared/local/dev-stack.js';
import { type CliRun, runCli, runCliJson, waitForEventStatus } from '../../helpers/local-cli.js';
import { startProjectStack, writeEnvFile } from '../../helpers/temp-project.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const ORDERS = '/cli/orders/';
const SECRETS = {
  CLI_ORDERS_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  CLI_GITHUB_SECRET: 'cli-github-secret',
  CLI_STRIPE_SECRET: 'whsec_cli_stripe_secret_0123456789',
  CLI_HMAC_SECRET: 'cli-hmac-secret',
};

let folder: string;
let configFile: string;
let stack: DevStack;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'hookline-cli-'));
  configFile = join(folder, 'hookline.config.ts');
  const source = (file: string) => JSON.stringify(pathToFileURL(join(ROOT, file)).href);
  mkdirSync(join(folder, 'handlers'));
  writeFileSync(join(folder, 'package.json'), `${JSON.stringify({ type: 'module', private: true })}\n`);
  writeEnvFile(folder, SECRETS);
  const route = (path: string, verify: string) => `{
      path: '${path}',
      verify: ${verify},
      handler: 'handlers/orders.ts',
      maxBatchingWindowSeconds: 0,
      retry: { maxAttempts: 2, initialDelaySeconds: 0, maxDelaySeconds: 0 },
    }`;
  writeFileSync(
    configFile,
    `import { defineConfig } from ${source('shared/config/types.ts')};
export default defineConfig({
  name: 'cli${process.pid}',
  routes: [
    ${route(ORDERS, "{ scheme: 'standardWebhooks', secret: { name: 'CLI_ORDERS_SECRET' } }")},
    ${route('/cli/github/', "{ scheme: 'github', secret: { name: 'CLI_GITHUB_SECRET' } }")},
    ${route('/cli/stripe/', "{ scheme: 'stripe', secret: { name: 'CLI_STRIPE_SECRET' } }")},
    ${route('/cli/hmac/', "{ scheme: 'hmac', secret: { name: 'CLI_HMAC_SECRET' }, header: 'x-signature', prefix: 'sha256=', timestampHeader: 'x-timestamp' }")},
    ${route('/cli/open/', "{ scheme: 'none' }")},
  ],
});
`,
  );
  // Fails events that carry `brokenUntil` until that flag file exists ("the fix is deployed").
  writeFileSync(
    join(folder, 'handlers/orders.ts'),
    `import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineHandler } from ${source('shared/handler/index.ts')};
export const handler = defineHandler(async (event) => {
  const payload = event.payload as { brokenUntil?: string } | undefined;
  if (payload?.brokenUntil !== undefined && !existsSync(join(${JSON.stringify(folder)}, payload.brokenUntil))) {
    throw new Error('order handler bug: not fixed yet');
  }
});
`,
  );
  stack = await startProjectStack(folder, configFile);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
});

function cli(args: readonly string[], options: { config?: string } = {}): Promise<CliRun> {
  return runCli(args, { folder, configFile: options.config ?? configFile });
}

function cliJson<T>(args: readonly string[]): Promise<T> {
  return runCliJson<T>(args, { folder, configFile });
}

function waitForStatus(id: string, status: string): Promise<void> {
  return waitForEventStatus(stack.url, id, status);
}

describe('hookline send (local stack)', () => {
  it('sends a signed webhook and prints its id and status URL', async () => {
    const run = await cli(['send', ORDERS, '--data', '{"order":1}']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [first, second] = run.stdout.trim().split('\n');
    expect(first).toMatch(/^queued evt_[0-9A-Z]{36} \(\/cli\/orders\/\)$/);
    const id = first?.split(' ')[1] ?? '';
    expect(second).toBe(`status: ${stack.url}/_hookline/events/${id}`);
  });

  it.each([['/cli/github/'], ['/cli/stripe/'], ['/cli/hmac/'], ['/cli/open/']])(
    'signs for the scheme of %s',
    async (path) => {
      const reply = await cliJson<{ id: string; status: string; httpStatus: number }>([
        'send',
        path,
        '--data',
        '{"ping":true}',
      ]);
      expect(reply).toMatchObject({ status: 'queued', httpStatus: 202, id: expect.stringMatching(/^evt_/) });
    },
  );

  it('reports a duplicate delivery id', async () => {
    const first = await cliJson<{ id: string }>([
      'send',
      ORDERS,
      '--data',
      '{"order":2}',
      '--id',
      'msg_cli_dup',
    ]);
    const again = await cliJson<{ id: string; duplicate: boolean }>([
      'send',
      ORDERS,
      '--data',
      '{"order":2}',
      '--id',
      'msg_cli_dup',
    ]);
    expect(again).toMatchObject({ id: first.id, duplicate: true });
  });

  it('exits 2 on a route the config does not have', async () => {
    const run = await cli(['send', '/nope/', '--data', '{}']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^hookline: no route \/nope\/ in the config/);
  });
});

describe('hookline events / replay (local stack)', () => {
  it('replays an event and both sides show the chain', async () => {
    // Arrange
    const sent = await cliJson<{ id: string }>(['send', ORDERS, '--data', '{"order":10}']);
    await waitForStatus(sent.id, 'delivered');
    // Act
    const replayed = await cliJson<{ replay: { id: string; replayOf: string; statusUrl: string } }>([
      'replay',
      sent.id,
    ]);
    await waitForStatus(replayed.replay.id, 'delivered');
    const original = await cli(['events', 'show', sent.id]);
    const replay = await cli(['events', 'show', replayed.replay.id, '--body']);
    // Assert
    expect(replayed.replay).toMatchObject({
      replayOf: sent.id,
      statusUrl: `${stack.url}/_hookline/events/${replayed.replay.id}`,
    });
    expect(original.code, original.stderr).toBe(0);
    expect(original.stdout).toMatch(/^status: +delivered$/m);
    expect(original.stdout).toContain(`replays: ${replayed.replay.id}`);
    expect(original.stdout).toMatch(/^1\s+\S+ \S+Z\s+\d+ ms\s+delivered\s+-\s+-$/m);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toContain(`replay of ${sent.id}`);
    expect(replay.stdout).toContain(`replay chain: ${sent.id} (delivered) -> ${replayed.replay.id}`);
    expect(replay.stdout).toMatch(/body:\n\{"order":10\}/);
  }, 90_000);

  it('shows the attempts and errors of a dead-lettered event, then lists it in the DLQ', async () => {
    const sent = await cliJson<{ id: string }>([
      'send',
      ORDERS,
      '--data',
      '{"order":11,"brokenUntil":"fix-dlq"}',
    ]);
    await waitForStatus(sent.id, 'dead_lettered');

    const shown = await cli(['events', 'show', sent.id]);
    expect(shown.stdout).toMatch(/^1\s.*failed\s+Error: order handler bug: not fixed yet/m);
    expect(shown.stdout).toMatch(/^2\s.*failed\s+Error: order handler bug: not fixed yet/m);

    const dlq = await cliJson<{ messages: { eventId?: string }[] }>(['dlq', 'list', 'cli_orders']);
    expect(dlq.messages.map((message) => message.eventId)).toContain(sent.id);
    const table = await cli(['dlq', 'list', ORDERS]);
    expect(table.stdout).toMatch(/EVENT\s+STATUS\s+ATTEMPTS/);
    expect(table.stdout).toContain(sent.id);

    writeFileSync(join(folder, 'fix-dlq'), 'fixed\n');
    const redrive = await cli(['dlq', 'redrive', ORDERS, '--wait']);
    expect(redrive.code, redrive.stderr).toBe(0);
    // Piped: no progress lines.
    expect(redrive.stderr).toBe('');
    expect(redrive.stdout).toMatch(/^redrive of \/cli\/orders\/ completed: moved \d+/);
    await waitForStatus(sent.id, 'delivered');
    const afterRedrive = await cli(['events', 'show', sent.id]);
    expect(afterRedrive.stdout).toMatch(/delivered \(after redrive\)/);
  }, 120_000);

  it('lists events of one route and of every route, newest first', async () => {
    const sent = await cliJson<{ id: string }>(['send', '/cli/open/', '--data', '{"list":1}']);
    const page = await cliJson<{ events: { id: string; route: string }[] }>([
      'events',
      'list',
      '--route',
      '/cli/open/',
      '--limit',
      '5',
    ]);
    expect(page.events[0]?.id).toBe(sent.id);
    expect(page.events.every((event) => event.route === '/cli/open/')).toBe(true);

    const all = await cli(['events', 'list', '--limit', '100']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/^ID\s+ROUTE\s+STATUS\s+RECEIVED\s+ATTEMPTS\s+REPLAY OF$/m);
    const ids = all.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(/\s+/)[0] ?? '');
    expect(ids[0]).toBe(sent.id);
    expect([...ids].sort().reverse()).toEqual(ids);
  });

  it('bulk-replays as a dry run, the report on stdout and, piped, no progress on stderr', async () => {
    const run = await cli([
      'replay',
      '--route',
      ORDERS,
      '--since',
      '1h',
      '--status',
      'delivered',
      '--dry-run',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    const { report } = JSON.parse(run.stdout) as {
      report: { dryRun: boolean; matched: number; enqueued: number };
    };
    expect(report.dryRun).toBe(true);
    expect(report.matched).toBeGreaterThan(0);
    expect(report.enqueued).toBe(0);
  });

  it('exits 1 with a clear message for an unknown event id', async () => {
    const run = await cli(['events', 'show', 'evt_01AAAAAAAAAAAAAAAAAAAAAAAA']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('hookline: event evt_01AAAAAAAAAAAAAAAAAAAAAAAA not found\n');
    const replay = await cli(['replay', 'evt_01AAAAAAAAAAAAAAAAAAAAAAAA']);
    expect(replay.code).toBe(1);
    expect(replay.stderr).toMatch(/^hookline: .*evt_01AAAAAAAAAAAAAAAAAAAAAAAA/);
  });
});

describe('the local admin API (real HTTP)', () => {
  it('refuses a browser request a page made, which carries no Origin (an <img src> GET)', async () => {
    const response = await fetch(`${stack.url}/_hookline/dlq/cli_orders`, {
      headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' },
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 'admin_local_only' } });
  });

  it('answers the same request from a program', async () => {
    const response = await fetch(`${stack.url}/_hookline/dlq/cli_orders?max=1`);
    expect(response.status).toBe(200);
  });
});

describe('hookline route pause|resume (local stack)', () => {
  const PAUSED = '/cli/hmac/';

  it('pauses a route, shows it paused in status, and resumes it', async () => {
    try {
      const paused = await cli(['route', 'pause', PAUSED]);
      expect(paused.stderr).toBe('');
      expect(paused.code).toBe(0);
      expect(paused.stdout).toBe(
        `paused ${PAUSED}: its events wait in the queue until "hookline route resume ${PAUSED}"\n`,
      );

      const table = await cli(['status']);
      expect(table.stdout).toMatch(/^\/cli\/hmac\/\s+cli_hmac\s+\d+\s+\d+\s+\d+\s+\d+\s+-\s+paused$/m);
      expect(table.stdout).toMatch(/^\/cli\/orders\/\s+.*\s+-\s+-$/m);
      const status = await cliJson<{ routes: { route: string; circuit?: unknown }[] }>(['status']);
      expect(status.routes.find((route) => route.route === PAUSED)?.circuit).toEqual({
        state: 'paused',
        pausedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/),
      });

      const resumed = await cli(['route', 'resume', 'cli_hmac']);
      expect(resumed.stderr).toBe('');
      expect(resumed.code).toBe(0);
      expect(resumed.stdout).toBe(
        `resumed ${PAUSED}: circuit closed, its queued events are delivered again\n`,
      );
      const after = await cliJson<{ routes: { route: string; circuit?: unknown }[] }>(['status']);
      expect(after.routes.find((route) => route.route === PAUSED)).not.toHaveProperty('circuit');
    } finally {
      await cli(['route', 'resume', PAUSED]);
    }
  }, 90_000);

  it('prints the route and its circuit with --json', async () => {
    try {
      const paused = await cliJson<unknown>(['route', 'pause', 'cli_hmac']);
      expect(paused).toEqual({
        route: PAUSED,
        circuit: { state: 'paused', pausedAt: expect.stringMatching(/Z$/) },
      });
      // Pausing again keeps the first pause.
      expect(await cliJson<unknown>(['route', 'pause', PAUSED])).toEqual(paused);
    } finally {
      expect(await cliJson<unknown>(['route', 'resume', PAUSED])).toEqual({
        route: PAUSED,
        circuit: { state: 'closed' },
      });
    }
  }, 90_000);

  it('exits 1 naming the configured routes for an unknown route', async () => {
    const run = await cli(['route', 'pause', '/nope/']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'hookline: no configured route "nope"; routes: cli_orders (/cli/orders/), cli_github (/cli/github/), ' +
        'cli_stripe (/cli/stripe/), cli_hmac (/cli/hmac/), cli_open (/cli/open/)\n',
    );
  });

  it.each([
    [[], /^hookline: usage: hookline route pause\|resume <route>\n/],
    [['stop', ORDERS], /^hookline: unknown route action "stop" \(pause, resume\)\n/],
    [['pause'], /^hookline: usage: hookline route pause <route>\n/],
    [['resume', ORDERS, 'extra'], /^hookline: unexpected argument "extra"\n/],
    [['pause', ORDERS, '--rate', '1'], /^hookline: Unknown option '--rate'/],
  ])('exits 2 on usage errors: route %j', async (args, message) => {
    const run = await cli(['route', ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

describe('hookline status (local stack)', () => {
  it('prints one row per route, and the same as JSON', async () => {
    const table = await cli(['status']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^ROUTE\s+QUEUE\s+QUEUED\s+IN FLIGHT\s+DELAYED\s+DLQ\s+OLDEST\s+CIRCUIT$/m);
    // No breaker and not paused: no circuit.
    expect(table.stdout).toMatch(/^\/cli\/orders\/\s+cli_orders\s+\d+\s+\d+\s+\d+\s+\d+\s+-\s+-$/m);

    const json = await cliJson<{ routes: { route: string; queueName: string; dlqDepth: number }[] }>([
      'status',
    ]);
    expect(json.routes.map((route) => route.queueName)).toEqual([
      'cli_orders',
      'cli_github',
      'cli_stripe',
      'cli_hmac',
      'cli_open',
    ]);
  });

  it('exits 1 telling to start the stack when none runs for the config', async () => {
    const other = join(folder, 'elsewhere', 'hookline.config.ts');
    mkdirSync(join(folder, 'elsewhere'), { recursive: true });
    expect(existsSync(join(folder, 'elsewhere', '.hookline'))).toBe(false);
    const run = await cli(['status'], { config: other });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`hookline: no local stack running for ${other}: start it with npm start\n`);
  });

  it('exits 2 on usage errors', async () => {
    expect((await cli(['events'])).code).toBe(2);
    expect((await cli(['dlq', 'list'])).code).toBe(2);
    expect((await cli(['replay', '--route', ORDERS])).stderr).toMatch(/--since/);
  });
});
