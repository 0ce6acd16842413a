/**
 * `npm start` (`hookline dev`) run exactly as a user runs it: a child process started with
 * `node shared/cli/hookline.mjs dev`, driven over real HTTP, stopped with SIGINT. Each run uses free
 * ports, so it never collides with a local stack the developer is running.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isProcessAlive, type LocalState, localStateFile } from '../../../shared/local-state/state-file.js';
import { interrupt, killDevProcesses, startDevProcess, trackPid } from '../../helpers/dev-process.js';
import { standardWebhooksHeaders } from '../../helpers/signers.js';

const REPO = resolve(import.meta.dirname, '../../..');
const TMP = join(REPO, 'test/e2e', `.tmp-${process.pid}`);
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const READY_TIMEOUT_MS = 60_000;

function readState(file: string): LocalState {
  return JSON.parse(readFileSync(file, 'utf8')) as LocalState;
}

/** JSON lines printed by the stack (event state changes and the like). */
function jsonLines(stdout: readonly string[]): Record<string, unknown>[] {
  return stdout.flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

/** Java processes running DynamoDB Local on `port`, by command line. */
function dynamoDbLocalOn(port: number): string {
  try {
    return execFileSync('pgrep', ['-f', `DynamoDBLocal.*-port ${port}`], { encoding: 'utf8' }).trim();
  } catch {
    return ''; // pgrep exits 1 when nothing matches
  }
}

async function until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(() => {
  mkdirSync(TMP, { recursive: true });
});

afterEach(() => {
  // A failed test must not leave a stack behind: the CLIs and the emulators they started.
  killDevProcesses();
});

afterAll(() => {
  rmSync(TMP, { recursive: true, force: true });
});

describe('hookline dev', () => {
  it('serves a signed webhook to the handler, logs its states and exits 0 on SIGINT leaving no process', async () => {
    // Arrange: a config with one Standard Webhooks route whose handler appends event ids to a file.
    const dir = join(TMP, 'signed');
    mkdirSync(dir, { recursive: true });
    const handled = join(dir, 'handled.txt');
    writeFileSync(
      join(dir, 'hookline.config.ts'),
      `import { defineConfig } from '../../../../shared/config/types.js';

export default defineConfig({
  name: 'e2e',
  routes: [
    {
      path: '/orders/',
      verify: { scheme: 'standardWebhooks', secret: { name: 'E2E_ORDERS_SECRET' } },
      handler: './orders-handler.ts',
    },
  ],
});
`,
    );
    writeFileSync(
      join(dir, 'orders-handler.ts'),
      `import { appendFileSync } from 'node:fs';
import { defineHandler } from '../../../../shared/handler/index.js';

export const handler = defineHandler(async (event) => {
  appendFileSync(${JSON.stringify(handled)}, \`\${event.id}\\n\`);
});
`,
    );
    const configFile = join(dir, 'hookline.config.ts');
    const stateFile = localStateFile(configFile);

    // Act: start it as a user would, wait for the route URL.
    const dev = await startDevProcess(['--config', configFile], { E2E_ORDERS_SECRET: SECRET });
    const url = `http://127.0.0.1:${dev.ports.http}/orders/`;
    const urlLine = await dev.waitForLine((line) => line.includes(url), READY_TIMEOUT_MS);
    expect(urlLine).toContain(`POST ${url}  ->  queue e2e-orders`);
    const state = readState(stateFile);
    trackPid(state.processes.sqs, state.processes.dynamodb);
    expect(state.sqsEndpoint).toBe(`http://127.0.0.1:${dev.ports.sqs}`);
    expect(state.dynamoEndpoint).toBe(`http://127.0.0.1:${dev.ports.dynamoDb}`);
    expect(dynamoDbLocalOn(dev.ports.dynamoDb)).not.toBe('');

    const body = JSON.stringify({ type: 'order.shipped', data: { order: 'o-1' } });
    const response = await fetch(url, {
      method: 'POST',
      headers: standardWebhooksHeaders(SECRET, body, `msg_${randomUUID()}`),
      body,
    });
    expect(response.status).toBe(202);
    const { id, statusUrl } = (await response.json()) as { id: string; statusUrl: string };
    expect(statusUrl).toBe(`http://127.0.0.1:${dev.ports.http}/_hookline/events/${id}`);

    // Assert: the handler ran, and its settle was logged as one JSON line (at INFO, the default, the
    // accept and the first attempt's start are DEBUG lines).
    await until(
      () =>
        existsSync(handled) && readFileSync(handled, 'utf8').split('\n').includes(id) ? true : undefined,
      20_000,
      'the handler to record the event',
    );
    await dev.waitForLine((line) => line.includes(id) && line.includes('"delivered"'), 10_000);
    const statuses = jsonLines(dev.stdout)
      .filter((entry) => entry.eventId === id && typeof entry.status === 'string')
      .map((entry) => entry.status);
    expect(statuses).toEqual(['delivered']);

    // Assert: the reply's statusUrl is the admin API on the same server, showing the event.
    const shown = await fetch(statusUrl);
    expect(shown.status).toBe(200);
    const { event } = (await shown.json()) as { event: Record<string, unknown> };
    expect(event).toMatchObject({
      id,
      route: '/orders/',
      status: 'delivered',
      attempts: [expect.anything()],
    });
    expect(dev.stdout).toContain(
      `hookline dev: admin API: http://127.0.0.1:${dev.ports.http}/_hookline (this machine only)`,
    );
    // Assert: the console's URL, with this start's token, opens a session (and is not in the state file).
    const consoleUrl = new RegExp(
      `hookline dev: console: (http://127\\.0\\.0\\.1:${dev.ports.http}/_hookline/console\\?token=[\\w-]{16,}) \\(this machine only\\)`,
    ).exec(dev.stdout.join('\n'))?.[1];
    if (consoleUrl === undefined) throw new Error(`no console URL in:\n${dev.stdout.join('\n')}`);
    const opened = await fetch(consoleUrl, { redirect: 'manual' });
    expect(opened.status).toBe(303);
    expect(opened.headers.get('set-cookie')).toMatch(/HttpOnly/i);
    expect(readFileSync(stateFile, 'utf8')).not.toContain(
      new URL(consoleUrl).searchParams.get('token') ?? '?',
    );

    // Act: Ctrl+C.
    const exit = await interrupt(dev);

    // Assert: clean exit, children gone, state file removed.
    expect(exit, dev.stderr()).toEqual({ code: 0, signal: null });
    expect(isProcessAlive(state.processes.sqs)).toBe(false);
    expect(isProcessAlive(state.processes.dynamodb)).toBe(false);
    expect(dynamoDbLocalOn(dev.ports.dynamoDb)).toBe('');
    expect(existsSync(stateFile)).toBe(false);
    // On a Node the AWS SDK warns about (below 22), the CLI turns that notice off for what it starts.
    expect(dev.stderr()).not.toContain('NodeVersionSupportWarning');
  }, 120_000);

  it('boots the shipped config the way npm start does, prints its three route URLs and stops cleanly', async () => {
    // Its own state file, so a stack the developer runs from the repo root is not in the way.
    const stateFile = join(TMP, 'shipped', '.hookline', 'local.json');
    const dev = await startDevProcess([], { HOOKLINE_STATE_FILE: stateFile });
    const base = `http://127.0.0.1:${dev.ports.http}`;
    await dev.waitForLine((line) => line.includes('ready in'), READY_TIMEOUT_MS);
    expect(dev.stdout).toEqual(
      expect.arrayContaining([
        `  POST ${base}/github/  ->  queue hookline-github`,
        `  POST ${base}/stripe/  ->  queue hookline-stripe`,
        `  POST ${base}/order/status/  ->  queue hookline-order_status`,
      ]),
    );
    const state = readState(stateFile);
    trackPid(state.processes.sqs, state.processes.dynamodb);
    expect(Object.keys(state.queues)).toEqual(['/github/', '/stripe/', '/order/status/']);

    const exit = await interrupt(dev);

    expect(exit, dev.stderr()).toEqual({ code: 0, signal: null });
    expect(isProcessAlive(state.processes.sqs)).toBe(false);
    expect(isProcessAlive(state.processes.dynamodb)).toBe(false);
    expect(existsSync(stateFile)).toBe(false);
  }, 120_000);

  it('exits 1 naming the variable to change when an emulator port is taken', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as { port: number };
    try {
      const dev = await startDevProcess([], {
        HOOKLINE_DYNAMODB_PORT: String(port),
        HOOKLINE_STATE_FILE: join(TMP, 'taken', '.hookline', 'local.json'),
      });

      const exit = await Promise.race([
        dev.exit,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no exit')), 20_000)),
      ]);

      expect(exit).toEqual({ code: 1, signal: null });
      expect(dev.stderr()).toContain(
        `port ${port} (DynamoDB Local) is already in use, maybe by another hookline dev: set HOOKLINE_DYNAMODB_PORT to a free port`,
      );
      expect(dev.stdout.some((line) => line.includes('SQS emulator http'))).toBe(false);
    } finally {
      blocker.close();
    }
  }, 60_000);
});
