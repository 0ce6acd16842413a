/**
 * The CLI's conventions against a real local stack: `--data @FILE` and `@-`, the admin API's 400
 * answers exiting 2 like the CLI's own usage errors, `--json` errors with the API's code, status
 * colours and progress lines only on a terminal.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevStack } from '../../../shared/local/dev-stack.js';
import { freePort } from '../../helpers/emulators.js';
import { waitForEventStatus } from '../../helpers/local-cli.js';
import { repositorySource, startProjectStack, writeTempProject } from '../../helpers/temp-project.js';
import { COLOR_CODE, HAS_SCRIPT, hookline } from './spawn-hookline.js';

const ROUTE = '/conv/orders/';
/** What the progress line writes to erase itself. */
const ERASE = '\r\u001b[2K';

let folder: string;
let stack: DevStack;

beforeAll(async () => {
  folder = writeTempProject({
    prefix: 'hookline-conventions-stack-',
    config: `{
    name: 'conv${process.pid}',
    routes: [{ path: '${ROUTE}', verify: { scheme: 'none' }, handler: 'handlers/orders.ts' }],
  }`,
    handlers: () => ({
      'orders.ts': `import { defineHandler } from ${repositorySource('shared/handler/index.ts')};
export const handler = defineHandler(async () => {});
`,
    }),
  });
  stack = await startProjectStack(folder);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
});

function cli(
  args: readonly string[],
  options: { input?: string; tty?: boolean; env?: Record<string, string> } = {},
) {
  return hookline([...args, '--config', join(folder, 'hookline.config.ts')], { cwd: folder, ...options });
}

async function sent(args: readonly string[], input?: string): Promise<string> {
  const run = await cli(['send', ROUTE, ...args, '--json'], input === undefined ? {} : { input });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { id: string }).id;
}

async function storedBody(id: string): Promise<string | undefined> {
  const shown = await cli(['events', 'show', id, '--body', '--json']);
  return (JSON.parse(shown.stdout) as { event: { body?: string } }).event.body;
}

describe('hookline send --data', () => {
  it('sends the body read from standard input with @-', async () => {
    const id = await sent(['--data', '@-'], '{"order":"from-stdin"}\n');
    expect(await storedBody(id)).toBe('{"order":"from-stdin"}\n');
  });

  it('sends the body read from a file with @FILE', async () => {
    writeFileSync(join(folder, 'order.json'), '{"order":"from-file"}');
    const id = await sent(['--data', '@order.json']);
    expect(await storedBody(id)).toBe('{"order":"from-file"}');
  });

  it('still takes JSON text', async () => {
    const id = await sent(['--data', '{"order":"inline"}']);
    expect(await storedBody(id)).toBe('{"order":"inline"}');
  });

  it('refuses standard input that is not JSON (exit 2)', async () => {
    const run = await cli(['send', ROUTE, '--data', '@-'], { input: 'not json' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^hookline: --data is not valid JSON/);
  });
});

describe('exit codes of the admin API’s answers', () => {
  it.each([
    ['events list --since', ['events', 'list', '--route', ROUTE, '--since', 'last week']],
    ['events list --status', ['events', 'list', '--route', ROUTE, '--status', 'lost']],
    ['stats --until', ['stats', '--until', 'someday']],
  ])('exits 2 when the API refuses the request as invalid (HTTP 400): %s', async (_case, args) => {
    // Act
    const text = await cli(args);
    const json = await cli([...args, '--json']);
    // Assert
    expect(text.code).toBe(2);
    expect(text.stdout).toBe('');
    expect(text.stderr).toMatch(/^hookline: \S.*\n$/);
    expect(json.code).toBe(2);
    expect(json.stdout).toBe('');
    expect(json.stderr.trimEnd().split('\n')).toHaveLength(1);
    const error = JSON.parse(json.stderr) as { error: { code: string; message: string } };
    expect(error.error.code).toBe('invalid_request');
    expect(text.stderr).toBe(`hookline: ${error.error.message}\n`);
  });

  it('exits 2 for a bad --since whether the CLI or the API catches it', async () => {
    const byCli = await cli(['replay', '--route', ROUTE, '--since', 'last week']);
    const byApi = await cli(['events', 'list', '--route', ROUTE, '--since', 'last week']);
    expect([byCli.code, byApi.code]).toEqual([2, 2]);
    expect(byCli.stderr).toContain('"last week" is not a time');
    expect(byApi.stderr).toContain('"last week" is not a time');
  });

  it('exits 1 with the API’s code for an unknown event (404)', async () => {
    const json = await cli(['events', 'show', 'evt_01AAAAAAAAAAAAAAAAAAAAAAAA', '--json']);
    expect(json.code).toBe(1);
    expect(json.stdout).toBe('');
    expect(JSON.parse(json.stderr)).toEqual({
      error: { code: 'event_not_found', message: 'event evt_01AAAAAAAAAAAAAAAAAAAAAAAA not found' },
    });
  });

  it('exits 1 with gateway_unreachable when the stack does not answer', async () => {
    // Arrange: the stack's state, its URLs moved to a port nobody listens on.
    const port = await freePort();
    const state = JSON.parse(readFileSync(stack.stateFile, 'utf8')) as Record<string, unknown>;
    const stateFile = join(folder, 'unreachable-state.json');
    writeFileSync(
      stateFile,
      JSON.stringify({
        ...state,
        httpUrl: `http://127.0.0.1:${port}`,
        adminUrl: `http://127.0.0.1:${port}/_hookline`,
      }),
    );
    // Act
    const json = await cli(['status', '--json'], { env: { HOOKLINE_STATE_FILE: stateFile } });
    // Assert
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stderr)).toMatchObject({
      error: { code: 'gateway_unreachable', message: expect.stringMatching(/could not reach the admin API/) },
    });
  });
});

describe('progress and colour', () => {
  it('prints no progress when piped: stderr stays empty for a bulk replay and a redrive --wait', async () => {
    const replay = await cli(['replay', '--route', ROUTE, '--since', '1h', '--dry-run']);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stderr).toBe('');
    expect(replay.stdout).toMatch(/^dry run: matched \d+/);
    const redrive = await cli(['dlq', 'redrive', ROUTE, '--wait']);
    expect(redrive.code, redrive.stderr).toBe(0);
    expect(redrive.stderr).toBe('');
    expect(redrive.stdout).toMatch(/^redrive of \/conv\/orders\/ completed/);
  });

  it.skipIf(!HAS_SCRIPT)(
    'draws one updating progress line on a terminal, erased before the result',
    async () => {
      const replay = await cli(['replay', '--route', ROUTE, '--since', '1h', '--dry-run'], { tty: true });
      expect(replay.code).toBe(0);
      expect(replay.stdout).toContain(`${ERASE}hookline replay: dry run over /conv/orders/ events since`);
      // Erased (the last erase has nothing after it on its line), then the report.
      expect(replay.stdout).toContain(`${ERASE}dry run: matched `);
      const json = await cli(['replay', '--route', ROUTE, '--since', '1h', '--dry-run', '--json'], {
        tty: true,
      });
      expect(json.stdout).not.toContain(ERASE);
    },
  );

  it.skipIf(!HAS_SCRIPT)(
    'colours event statuses on a terminal, and not with NO_COLOR or when piped',
    async () => {
      const id = await sent(['--data', '{"order":"colour"}']);
      await waitForEventStatus(stack.url, id, 'delivered');
      const painted = await cli(['events', 'list', '--route', ROUTE], { tty: true });
      expect(painted.stdout).toMatch(new RegExp(`${id}\\s+${ROUTE}\\s+\\u001b\\[32mdelivered\\u001b\\[39m`));
      const plain = await cli(['events', 'list', '--route', ROUTE], { tty: true, env: { NO_COLOR: '1' } });
      expect(plain.stdout).toMatch(new RegExp(`${id}\\s+${ROUTE}\\s+delivered`));
      expect(plain.stdout).not.toMatch(COLOR_CODE);
      const piped = await cli(['events', 'list', '--route', ROUTE]);
      expect(piped.stdout).not.toMatch(COLOR_CODE);
    },
  );
});
