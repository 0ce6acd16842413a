/**
 * `hookline dev` survives a crash: run as a user runs it (`node shared/cli/hookline.mjs dev`), fed
 * signed webhooks whose handler is slow enough that some are mid-delivery, then SIGKILLed together
 * with both emulators (what a crash or `kill -9` does: no cleanup runs). Started again on the same
 * config, and so the same `.hookline/data/`, every accepted event is delivered exactly once (the
 * handler records each id it ran to the end), the history from before the crash is still listed,
 * and the dead-lettered event is back in its DLQ.
 */
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
import { type DevProcess, killDevProcesses, startDevProcess, trackPid } from '../../helpers/dev-process.js';
import { standardWebhooksHeaders } from '../../helpers/signers.js';

const REPO = resolve(import.meta.dirname, '../../..');
const TMP = join(REPO, 'test/e2e', `.tmp-crash-${process.pid}`);
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ROUTE = '/crash/orders/';
const READY_TIMEOUT_MS = 60_000;

/** `hookline dev --config <configFile>`, resolved once it prints that it is ready. */
async function startDev(configFile: string, flags: readonly string[] = []): Promise<DevProcess> {
  const dev = await startDevProcess(['--config', configFile, ...flags], { CRASH_ORDERS_SECRET: SECRET });
  await dev.waitForLine((line) => line.includes('ready in'), READY_TIMEOUT_MS);
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

async function send(dev: DevProcess, kind: 'fast' | 'slow' | 'bad', n: number): Promise<string> {
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

async function listEvents(dev: DevProcess, status?: string): Promise<Listed[]> {
  const query = new URLSearchParams({ route: ROUTE, limit: '100', ...(status !== undefined && { status }) });
  const response = await fetch(`${dev.base}/_hookline/events?${query}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { events: Listed[] }).events;
}

async function statusOf(dev: DevProcess, id: string): Promise<string> {
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
  killDevProcesses();
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
    trackPid(state.processes.sqs, state.processes.dynamodb);
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
    trackPid(restartedState.processes.sqs, restartedState.processes.dynamodb);
    expect(existsSync(join(localDataDir(configFile, {}), 'dynamodb', 'shared-local-instance.db'))).toBe(true);
    expect(second.stdout.join('\n')).toContain(
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
    trackPid(resetState.processes.sqs, resetState.processes.dynamodb);
    expect(third.stdout.join('\n')).toContain('reset: started with an empty table');
    expect(await listEvents(third)).toEqual([]);
    third.child.kill('SIGINT');
    expect(await third.exit, third.stderr()).toEqual({ code: 0, signal: null });
  }, 180_000);
});
