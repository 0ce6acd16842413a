/**
 * `hookline dev` survives a crash: run as a user runs it (`node shared/cli/hookline.mjs dev`), fed
 * signed webhooks whose handler is slow enough that some are mid-delivery, then SIGKILLed together
 * with both emulators (what a crash or `kill -9` does: no cleanup runs). Started again on the same
 * config, and so the same `.hookline/data/`, every accepted event is delivered exactly once (the
 * handler records each id it ran to the end), the history from before the crash is still listed,
 * and the dead-lettered event is back in its DLQ.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  isProcessAlive,
  type LocalState,
  localDataDir,
  localStateFile,
} from '../../../shared/local-state/state-file.js';
import { freePort } from '../../helpers/emulators.js';
import { standardWebhooksHeaders } from '../../helpers/signers.js';

const REPO = resolve(import.meta.dirname, '../../..');
const CLI = join(REPO, 'shared/cli/hookline.mjs');
const TMP = join(REPO, 'test/e2e', `.tmp-crash-${process.pid}`);
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ROUTE = '/crash/orders/';
const READY_TIMEOUT_MS = 60_000;

interface Dev {
  readonly child: ChildProcess;
  readonly base: string;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: Dev[] = [];
const pids: number[] = [];

/** `hookline dev --config <configFile>` on free ports, resolved once it prints that it is ready. */
async function startDev(configFile: string, flags: readonly string[] = []): Promise<Dev> {
  const ports = { http: await freePort(), sqs: await freePort(), dynamoDb: await freePort() };
  const { HOOKLINE_CONFIG: _config, HOOKLINE_STATE_FILE: _state, ...inherited } = process.env;
  const child = spawn(process.execPath, [CLI, 'dev', '--config', configFile, ...flags], {
    cwd: REPO,
    env: {
      ...inherited,
      PORT: String(ports.http),
      HOOKLINE_SQS_PORT: String(ports.sqs),
      HOOKLINE_DYNAMODB_PORT: String(ports.dynamoDb),
      CRASH_ORDERS_SECRET: SECRET,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => done({ code, signal }));
  });
  const dev: Dev = {
    child,
    base: `http://127.0.0.1:${ports.http}`,
    stdout: () => stdout,
    stderr: () => stderr,
    exit,
  };
  started.push(dev);
  await until(
    async () => {
      if (child.exitCode !== null) throw new Error(`hookline dev exited early\n${stdout}\n${stderr}`);
      return stdout.includes('ready in') ? true : undefined;
    },
    READY_TIMEOUT_MS,
    'hookline dev to be ready',
  );
  return dev;
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((wake) => setTimeout(wake, 200));
  }
}

async function send(dev: Dev, kind: 'fast' | 'slow' | 'bad', n: number): Promise<string> {
  const body = JSON.stringify({ type: 'order.created', data: { kind, n } });
  const response = await fetch(`${dev.base}${ROUTE}`, {
    method: 'POST',
    headers: standardWebhooksHeaders(SECRET, body, `msg_${randomUUID()}`),
    body,
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

interface Listed {
  readonly id: string;
  readonly status: string;
}

async function listEvents(dev: Dev, status?: string): Promise<Listed[]> {
  const query = new URLSearchParams({ route: ROUTE, limit: '100', ...(status !== undefined && { status }) });
  const response = await fetch(`${dev.base}/_hookline/events?${query}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { events: Listed[] }).events;
}

async function statusOf(dev: Dev, id: string): Promise<string> {
  const response = await fetch(`${dev.base}/_hookline/events/${id}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { event: Listed }).event.status;
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

beforeAll(() => {
  mkdirSync(TMP, { recursive: true });
});

afterEach(() => {
  for (const dev of started.splice(0)) {
    if (dev.child.exitCode === null && dev.child.signalCode === null) dev.child.kill('SIGKILL');
  }
  for (const pid of pids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone (the expected case).
    }
  }
});

afterAll(() => {
  rmSync(TMP, { recursive: true, force: true });
});

describe('hookline dev after a crash', () => {
  it('delivers every accepted event exactly once and keeps the history when started again', async () => {
    // Arrange: one signed route; slow events sleep until the restart marker exists, so the crash
    // finds them mid-delivery (or still queued); the handler records an id once its work is done.
    const dir = join(TMP, 'project');
    mkdirSync(dir, { recursive: true });
    const handled = join(dir, 'handled.txt');
    const afterRestart = join(dir, 'restarted');
    writeFileSync(
      join(dir, 'hookline.config.ts'),
      `import { defineConfig } from '../../../../shared/config/types.js';

export default defineConfig({
  name: 'crash',
  routes: [
    {
      path: '${ROUTE}',
      verify: { scheme: 'standardWebhooks', secret: { name: 'CRASH_ORDERS_SECRET' } },
      handler: './orders-handler.ts',
      timeoutSeconds: 3,
      batchSize: 2,
      maxConcurrency: 2,
      maxBatchingWindowSeconds: 0,
      retry: { maxAttempts: 3, initialDelaySeconds: 1, maxDelaySeconds: 1 },
    },
  ],
});
`,
    );
    writeFileSync(
      join(dir, 'orders-handler.ts'),
      `import { appendFileSync, existsSync } from 'node:fs';
import { defineHandler, PermanentError } from '../../../../shared/handler/index.js';

export const handler = defineHandler(async (event) => {
  const { kind } = (event.payload as { data: { kind: string } }).data;
  if (kind === 'bad') throw new PermanentError('unknown order');
  if (kind === 'slow' && !existsSync(${JSON.stringify(afterRestart)})) {
    await new Promise((wake) => setTimeout(wake, 120_000));
  }
  appendFileSync(${JSON.stringify(handled)}, \`\${event.id}\\n\`);
});
`,
    );
    const configFile = join(dir, 'hookline.config.ts');
    const stateFile = localStateFile(configFile, {});

    // Act (first run): fast events delivered, one dead-lettered, slow ones caught mid-delivery.
    const first = await startDev(configFile);
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as LocalState;
    pids.push(state.processes.sqs, state.processes.dynamodb);
    const fast: string[] = [];
    for (let n = 0; n < 4; n += 1) fast.push(await send(first, 'fast', n));
    const bad = await send(first, 'bad', 0);
    await until(
      async () => {
        const statuses = await Promise.all([...fast, bad].map((id) => statusOf(first, id)));
        return statuses.every(
          (status, index) => status === (index < fast.length ? 'delivered' : 'dead_lettered'),
        )
          ? true
          : undefined;
      },
      20_000,
      'the fast events to be delivered and the bad one dead-lettered',
    );
    const slow: string[] = [];
    for (let n = 0; n < 8; n += 1) slow.push(await send(first, 'slow', n));
    const inFlight = await until(
      async () => {
        const processing = await listEvents(first, 'processing');
        return processing.length >= 2 ? processing : undefined;
      },
      20_000,
      'slow events to be mid-delivery',
    );
    expect(inFlight.every((event) => slow.includes(event.id))).toBe(true);
    // The crash: the CLI and both emulators SIGKILLed at once, no cleanup anywhere.
    first.child.kill('SIGKILL');
    for (const pid of [state.processes.sqs, state.processes.dynamodb]) process.kill(pid, 'SIGKILL');
    await first.exit;
    await until(
      async () =>
        isProcessAlive(state.processes.sqs) || isProcessAlive(state.processes.dynamodb) ? undefined : true,
      10_000,
      'the emulators to be gone',
    );
    expect(lines(handled).sort()).toEqual([...fast].sort());
    writeFileSync(afterRestart, '');

    // Act (second run): the same config, so the same data directory.
    const second = await startDev(configFile);
    const restartedState = JSON.parse(readFileSync(stateFile, 'utf8')) as LocalState;
    pids.push(restartedState.processes.sqs, restartedState.processes.dynamodb);
    expect(existsSync(join(localDataDir(configFile, {}), 'dynamodb', 'shared-local-instance.db'))).toBe(true);
    expect(second.stdout()).toContain(
      `restored ${ROUTE}: ${slow.length} in-flight event(s) back on its queue, 1 dead-lettered back in its DLQ`,
    );

    // Assert: every accepted event delivered, each handled exactly once.
    const accepted = [...fast, ...slow];
    await until(
      async () => {
        const statuses = await Promise.all(accepted.map((id) => statusOf(second, id)));
        return statuses.every((status) => status === 'delivered') ? true : undefined;
      },
      30_000,
      'every accepted event to be delivered after the restart',
    );
    const ran = lines(handled);
    expect(ran.length).toBe(new Set(ran).size);
    expect([...ran].sort()).toEqual([...accepted].sort());

    // Assert: the history from before the crash is listed, the dead-lettered event is in its DLQ.
    const listed = await listEvents(second);
    expect(listed.map((event) => event.id).sort()).toEqual([...accepted, bad].sort());
    expect(await statusOf(second, bad)).toBe('dead_lettered');
    const dlq = await fetch(`${second.base}/_hookline/dlq/${encodeURIComponent(ROUTE)}`);
    expect(dlq.status).toBe(200);
    const { messages } = (await dlq.json()) as { messages: { eventId?: string; reason?: string }[] };
    expect(messages).toEqual([expect.objectContaining({ eventId: bad, reason: 'restored' })]);

    // Stops cleanly, and the data stays for the next run.
    second.child.kill('SIGINT');
    expect(await second.exit, second.stderr()).toEqual({ code: 0, signal: null });
    expect(existsSync(join(localDataDir(configFile, {}), 'dynamodb'))).toBe(true);
    expect(existsSync(join(localDataDir(configFile, {}), 'owner.json'))).toBe(false);

    // `hookline dev --reset` starts with none of it.
    const third = await startDev(configFile, ['--reset']);
    const resetState = JSON.parse(readFileSync(stateFile, 'utf8')) as LocalState;
    pids.push(resetState.processes.sqs, resetState.processes.dynamodb);
    expect(third.stdout()).toContain('reset: started with an empty table');
    expect(await listEvents(third)).toEqual([]);
    third.child.kill('SIGINT');
    expect(await third.exit, third.stderr()).toEqual({ code: 0, signal: null });
  }, 180_000);
});
