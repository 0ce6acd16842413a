/**
 * The local stack's kept state (`startDevStack` in this process, a temporary project, real
 * emulators): the table outlives a stop, `reset` starts empty, a kept table of another layout is
 * refused with the way out, and one data directory has one stack at a time.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LAYOUT_KEY } from '../../../shared/event-store/layout.js';
import { marshallItem } from '../../../shared/event-store/marshal.js';
import { type DevStack, startDevStack } from '../../../shared/local/dev-stack.js';
import { LocalStackError } from '../../../shared/local/emulator-processes.js';
import { localDataDir } from '../../../shared/local-state/state-file.js';
import { createDynamoDbClient, freePort } from '../../helpers/emulators.js';
import { repositorySource, writeTempProject } from '../../helpers/temp-project.js';

const ROUTE = '/kept/orders/';

let folder: string;
let configFile: string;
const stacks: DevStack[] = [];

beforeAll(() => {
  const parent = mkdtempSync(join(tmpdir(), 'hookline-kept-'));
  folder = writeTempProject({
    prefix: 'project-',
    parent,
    config: `{
      name: 'kept${process.pid}',
      routes: [{ path: '${ROUTE}', verify: { scheme: 'none' }, handler: 'handlers/orders.ts', maxBatchingWindowSeconds: 0 }],
    }`,
    handlers: () => ({
      'orders.ts': `import { defineHandler } from ${repositorySource('shared/handler/index.ts')};
export const handler = defineHandler(async () => {});
`,
    }),
  });
  configFile = join(folder, 'hookline.config.ts');
  writeFileSync(join(folder, '.env'), '');
});

afterEach(async () => {
  await Promise.all(stacks.splice(0).map((stack) => stack.stop()));
});

afterAll(() => {
  if (folder !== undefined) rmSync(join(folder, '..'), { recursive: true, force: true });
});

async function start(options: { reset?: boolean } = {}): Promise<DevStack> {
  const stack = await startDevStack({
    configFile,
    port: await freePort(),
    sqsPort: await freePort(),
    dynamoDbPort: await freePort(),
    envFile: join(folder, '.env'),
    env: {},
    waitSeconds: 1,
    ...options,
  });
  stacks.push(stack);
  return stack;
}

async function stop(stack: DevStack): Promise<void> {
  stacks.splice(stacks.indexOf(stack), 1);
  await stack.stop();
}

/** Posts one event; resolves with its id once the ingress accepted it. */
async function send(stack: DevStack, order: string): Promise<string> {
  const response = await fetch(`${stack.url}${ROUTE}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ order }),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

async function eventStatus(stack: DevStack, id: string): Promise<string | undefined> {
  const response = await fetch(`${stack.adminUrl}/events/${id}`);
  if (response.status === 404) return undefined;
  expect(response.status).toBe(200);
  return ((await response.json()) as { event: { status: string } }).event.status;
}

async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('startDevStack() with its table kept', () => {
  it('keeps the events of an earlier run, and starts empty with reset', async () => {
    // Arrange: a run that delivers one event, then stops.
    const first = await start({ reset: true });
    expect(first.dataDir).toBe(localDataDir(configFile, {}));
    const id = await send(first, 'o-1');
    await until(async () => (await eventStatus(first, id)) === 'delivered', 20_000, 'the delivery');
    await stop(first);

    // Act + Assert: started again, the event is still there, with nothing to restore.
    const second = await start();
    expect(await eventStatus(second, id)).toBe('delivered');
    expect(second.restored).toEqual([{ route: ROUTE, queued: 0, deadLettered: 0 }]);
    await stop(second);

    // Act + Assert: reset, the table is new and empty.
    const third = await start({ reset: true });
    expect(await eventStatus(third, id)).toBeUndefined();
    const listing = await fetch(`${third.adminUrl}/events?route=${encodeURIComponent(ROUTE)}`);
    expect(((await listing.json()) as { events: unknown[] }).events).toEqual([]);
  }, 90_000);

  it('refuses a second stack on the same data directory while the first runs', async () => {
    const first = await start();

    const second = start();

    await expect(second).rejects.toThrow(LocalStackError);
    await expect(second).rejects.toThrow(/already running: its data directory .* is in use/);
    // The first one still answers, its data untouched.
    expect((await fetch(`${first.adminUrl}/routes`)).status).toBe(200);
  }, 60_000);

  it('refuses a kept table of another layout, telling the user to run hookline dev --reset', async () => {
    // Arrange: a kept table whose layout item names another layout (as an older release's would).
    const earlier = await start({ reset: true });
    const client = createDynamoDbClient(earlier.dynamoDb.endpoint);
    try {
      await client.send(
        new PutItemCommand({
          TableName: earlier.tableName,
          Item: marshallItem({ ...LAYOUT_KEY, version: 1 }),
        }),
      );
    } finally {
      client.destroy();
    }
    await stop(earlier);

    // Act
    let refusal: unknown;
    try {
      await start();
    } catch (error: unknown) {
      refusal = error;
    }

    // Assert: refused with the way out, and the way out works.
    expect(refusal).toBeInstanceOf(LocalStackError);
    expect((refusal as LocalStackError).code).toBe('table_layout_mismatch');
    expect((refusal as Error).message).toMatch(
      /the event table kept\d+-events kept in .*data uses layout v1; this Hookline needs layout v2: run `hookline dev --reset`/,
    );
    const again = await start({ reset: true });
    expect(again.restored).toEqual([{ route: ROUTE, queued: 0, deadLettered: 0 }]);
  }, 90_000);
});
