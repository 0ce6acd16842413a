/**
 * `hookline events tail` against a real local stack: the tail runs as a child process, as a user
 * runs it, while signed webhooks go through the stack to a handler the test steers (delivered,
 * failing once then delivered, failing until dead-lettered). It checks what polling must see: every
 * event's final status, the retry of the event that was retried (the attempt history guarantees it),
 * the filters, the human lines, the exit on a signal, and the exit when the stack goes away.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventChange } from '../../../shared/cli/tail/event-changes.js';
import type { DevStack } from '../../../shared/local/dev-stack.js';
import { runCli, waitForEventStatus } from '../../helpers/local-cli.js';
import {
  repositorySource,
  startProjectStack,
  writeEnvFile,
  writeTempProject,
} from '../../helpers/temp-project.js';
import { hookline, RunningHookline } from './spawn-hookline.js';

const ORDERS = '/tail/orders/';
const OTHER = '/tail/other/';
const SECRETS = { TAIL_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' };
const SETTLED = new Set(['delivered', 'dead_lettered', 'ignored']);
const FIELDS = ['at', 'route', 'id', 'status', 'previousStatus', 'attempt', 'error'];

let folder: string;
let configFile: string;
let stack: DevStack;

beforeAll(async () => {
  folder = writeTempProject({
    prefix: 'hookline-tail-',
    config: `{
    name: 'tail${process.pid}',
    routes: [${[ORDERS, OTHER].map(
      (path) => `{
      path: '${path}',
      verify: { scheme: 'standardWebhooks', secret: { name: 'TAIL_SECRET' } },
      handler: 'handlers/steered.ts',
      retry: { maxAttempts: 2, initialDelaySeconds: 1, maxDelaySeconds: 1 },
    }`,
    )}],
  }`,
    // `ok` is delivered; `flaky` fails its first attempt (leaving a marker file), then is
    // delivered; `broken` fails every attempt and is dead-lettered.
    handlers: (project) => ({
      'steered.ts': `import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineHandler } from ${repositorySource('shared/handler/index.ts')};
export const handler = defineHandler(async (event) => {
  const { mode, key } = event.payload as { mode: string; key: string };
  if (mode === 'broken') throw new Error('steered: broken for good');
  const marker = join(${JSON.stringify(project)}, 'failed-once-' + key);
  if (mode === 'flaky' && !existsSync(marker)) {
    writeFileSync(marker, '');
    throw new Error('steered: first attempt fails');
  }
});
`,
    }),
  });
  configFile = join(folder, 'hookline.config.ts');
  writeEnvFile(folder, SECRETS);
  stack = await startProjectStack(folder, configFile);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
});

/** `hookline events tail <args>` of the test project, running. */
function startTail(args: readonly string[]): RunningHookline {
  return new RunningHookline(['events', 'tail', ...args, '--config', configFile], { cwd: folder });
}

/** The NDJSON lines a tail printed (`--json`). */
function changesOf(tail: RunningHookline): EventChange[] {
  return tail.lines().map((line) => JSON.parse(line) as EventChange);
}

/** Sends a signed webhook with `hookline send`; resolves with its event id. */
async function send(route: string, payload: { mode: string; key: string }): Promise<string> {
  const run = await runCli(['send', route, '--data', JSON.stringify(payload), '--json'], {
    folder,
    configFile,
  });
  expect(run.code, run.stderr).toBe(0);
  return (JSON.parse(run.stdout) as { id: string }).id;
}

/** Waits until the tail printed a settled status for each of `ids`. */
function settledIn(tail: RunningHookline, ids: readonly string[]): () => boolean {
  return () =>
    ids.every((id) => changesOf(tail).some((change) => change.id === id && SETTLED.has(change.status)));
}

/** Starts a tail and waits until it reports an event sent after it started: it is polling. */
async function readyTail(args: readonly string[], route = ORDERS): Promise<RunningHookline> {
  const tail = startTail(args);
  const id = await send(route, { mode: 'ok', key: `warm-${Date.now()}` });
  await tail.until(() => tail.stdout.includes(id), 'the first event');
  return tail;
}

describe('hookline events tail --json (local stack)', () => {
  it('streams each event to its final status, retries included, and exits 0 on SIGINT', async () => {
    // Arrange
    const tail = await readyTail(['--json']);
    const key = `json-${Date.now()}`;
    // Act
    const [ok, flaky, broken] = await Promise.all([
      send(ORDERS, { mode: 'ok', key }),
      send(ORDERS, { mode: 'flaky', key }),
      send(ORDERS, { mode: 'broken', key }),
    ]);
    await tail.until(settledIn(tail, [ok, flaky, broken]), 'three settled events');
    const printed = tail.stdout;
    const code = await tail.stop('SIGINT');
    // Assert
    expect(code).toBe(0);
    expect(tail.stdout).toBe(printed);
    expect(tail.stderr).toBe('');
    const changes = changesOf(tail);
    for (const change of changes) {
      expect(FIELDS).toEqual(expect.arrayContaining(Object.keys(change)));
      expect(change.route).toBe(ORDERS);
      expect(change.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
    const of = (id: string) => changes.filter((change) => change.id === id);
    // Each event's lines chain up: every previous status is the status of the line before.
    for (const id of [ok, flaky, broken]) {
      const lines = of(id);
      expect(lines[0]?.previousStatus).toBeUndefined();
      for (const [index, change] of lines.entries()) {
        if (index > 0) expect(change.previousStatus).toBe(lines[index - 1]?.status);
      }
    }
    expect(of(ok).at(-1)).toMatchObject({ status: 'delivered', attempt: 1 });
    expect(of(ok).map((change) => change.status)).not.toContain('retrying');

    const flakyStatuses = of(flaky).map((change) => change.status);
    expect(flakyStatuses.at(-1)).toBe('delivered');
    expect(flakyStatuses).toContain('retrying');
    expect(of(flaky).find((change) => change.status === 'retrying')).toMatchObject({
      attempt: 1,
      error: 'Error: steered: first attempt fails',
    });
    expect(of(flaky).at(-1)).toMatchObject({ attempt: 2 });

    expect(of(broken).map((change) => change.status)).toContain('retrying');
    expect(of(broken).at(-1)).toMatchObject({
      status: 'dead_lettered',
      attempt: 2,
      error: 'Error: steered: broken for good',
    });
  }, 180_000);
});

describe('hookline events tail --route --status (local stack)', () => {
  it('prints human lines of one route, only the changes to the status asked for, and exits 0 on SIGTERM', async () => {
    // Arrange
    const tail = await readyTail(['--route', OTHER, '--status', 'delivered'], OTHER);
    const key = `filters-${Date.now()}`;
    // Act
    const [delivered, deadLettered, elsewhere] = await Promise.all([
      send(OTHER, { mode: 'ok', key }),
      send(OTHER, { mode: 'broken', key }),
      send(ORDERS, { mode: 'ok', key }),
    ]);
    await tail.until(() => tail.stdout.includes(delivered), 'the delivered event');
    await waitForEventStatus(stack.url, deadLettered, 'dead_lettered');
    await waitForEventStatus(stack.url, elsewhere, 'delivered');
    // Two more polls after both settled: what they would print has been printed.
    await new Promise((wake) => setTimeout(wake, 2_500));
    const code = await tail.stop('SIGTERM');
    // Assert
    expect(code).toBe(0);
    expect(tail.stderr).toMatch(
      /^hookline events tail: following \/tail\/other\/ \(only changes to delivered\) on the local stack at http:\/\/127\.0\.0\.1:\d+; Ctrl-C to stop\n$/,
    );
    const line = tail.lines().find((text) => text.includes(delivered));
    expect(line).toMatch(
      new RegExp(
        `^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}Z  /tail/other/  ${delivered}  ((queued|processing) → )?delivered$`,
      ),
    );
    expect(tail.stdout).not.toContain(deadLettered);
    expect(tail.stdout).not.toContain(elsewhere);
    for (const text of tail.lines()) expect(text).toMatch(/( {2}| → )delivered( {2}attempt \d+)?$/);
  }, 180_000);
});

describe('hookline events tail: help and usage', () => {
  it('has its own help, is named in the overview and in the completion scripts', async () => {
    const help = await hookline(['help', 'events', 'tail'], { cwd: folder });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: hookline events tail \[--route R\] \[--status S\]\n/);
    expect(help.stdout).toContain('{"at","route","id","status","previousStatus"?,"attempt"?,"error"?}');
    expect(help.stdout).toMatch(/\n\nexamples:\n {2}hookline events tail\n/);
    expect(await hookline(['events', 'tail', '--help'], { cwd: folder })).toEqual(help);
    const overview = await hookline(['--help'], { cwd: folder });
    expect(overview.stdout).toMatch(/^ {2}events +.*\btail\b/m);
    const events = await hookline(['help', 'events'], { cwd: folder });
    expect(events.stdout).toMatch(/^ {2}tail +Follows events live until Ctrl-C$/m);
    const bash = await hookline(['completion', 'bash'], { cwd: folder });
    expect(bash.stdout).toContain('subs="list show export tail"');
    expect(bash.stdout).toMatch(/"events tail"\) flags="--route --status --stack --region /);
  });

  it.each([
    [['--since', '1h'], '--since is not an option of events tail'],
    [['--status', 'lost'], '--status must be one of received, queued, processing'],
    [['evt_01'], 'unexpected argument "evt_01"'],
  ])('exits 2 on %j', async (args, message) => {
    const run = await hookline(['events', 'tail', ...args, '--config', configFile], { cwd: folder });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(message);
  });
});

// Last: it stops the stack.
describe('hookline events tail when the stack goes away', () => {
  it('prints one error and exits 1', async () => {
    // Arrange
    const tail = await readyTail(['--json']);
    // Act
    await stack.stop();
    const code = await tail.exit();
    // Assert
    expect(code).toBe(1);
    expect(tail.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(tail.stderr)).toEqual({
      error: {
        code: 'no_local_stack',
        message: `no local stack running for ${configFile}: start it with npm start`,
      },
    });
  }, 120_000);
});
