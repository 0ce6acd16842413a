/**
 * `hookline stats` against the whole local stack: `startDevStack` runs in this process with a
 * temporary project, a scripted mix of webhooks goes through its ingress (good, refused, duplicate,
 * one that fails until it is dead-lettered), and `hookline stats` runs as a child process, finding
 * the stack through its state file. The numbers are the exact counts of the mix.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevStack, startDevStack } from '../../../shared/local/dev-stack.js';
import type { StatsReport } from '../../../shared/metrics/stats.js';
import { freePort } from '../../helpers/emulators.js';
import { runCli, runCliJson, waitForEventStatus } from '../../helpers/local-cli.js';
import { standardWebhooksHeaders } from '../../helpers/signers.js';
import { repositorySource, writeTempProject } from '../../helpers/temp-project.js';

const ORDERS = '/stats/orders/';
const QUIET = '/stats/quiet/';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const WRONG_SECRET = 'whsec_c29tZSBvdGhlciBzZWNyZXQgYWx0b2dldGhlcg==';

let folder: string;
let configFile: string;
let stack: DevStack;
/** Before the mix: the window of the stats asked. */
let startedAt: Date;

beforeAll(async () => {
  folder = writeTempProject({
    prefix: 'hookline-stats-',
    config: `{
  name: 'stats${process.pid}',
  routes: [
    {
      path: '${ORDERS}',
      verify: { scheme: 'standardWebhooks', secret: { name: 'STATS_ORDERS_SECRET' } },
      handler: 'handlers/orders.ts',
      maxBatchingWindowSeconds: 0,
      retry: { maxAttempts: 2, initialDelaySeconds: 0, maxDelaySeconds: 0 },
      metrics: { eventTypes: ['order.created'] },
    },
    { path: '${QUIET}', verify: { scheme: 'none' }, handler: 'handlers/orders.ts' },
  ],
}`,
    handlers: () => ({
      'orders.ts': `import { defineHandler } from ${repositorySource('shared/handler/index.ts')};
export const handler = defineHandler(async (event) => {
  if ((event.payload as { fail?: boolean }).fail === true) throw new Error('this order always fails');
});
`,
    }),
  });
  configFile = join(folder, 'hookline.config.ts');
  writeFileSync(join(folder, '.env'), `STATS_ORDERS_SECRET=${SECRET}\n`);
  stack = await startDevStack({
    persist: false,
    configFile,
    port: await freePort(),
    sqsPort: await freePort(),
    dynamoDbPort: await freePort(),
    envFile: join(folder, '.env'),
    waitSeconds: 1,
  });
  startedAt = new Date();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
});

/** Posts one Standard Webhooks request to the orders route; resolves with its status and event id. */
async function post(
  messageId: string,
  payload: Record<string, unknown>,
  secret = SECRET,
): Promise<{ status: number; id?: string }> {
  const body = JSON.stringify(payload);
  const response = await fetch(`${stack.url}${ORDERS}`, {
    method: 'POST',
    headers: standardWebhooksHeaders(secret, body, messageId),
    body,
  });
  const reply = (await response.json()) as { id?: string };
  return { status: response.status, ...(reply.id !== undefined && { id: reply.id }) };
}

/** The admin API's stats of the orders route, polled until `done` holds (the last batch's metrics are published after its events settle). */
async function statsWhen(done: (report: StatsReport) => boolean): Promise<StatsReport> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await fetch(`${stack.adminUrl}/stats?route=${encodeURIComponent(ORDERS)}`);
    const report = (await response.json()) as StatsReport;
    if (done(report) || Date.now() > deadline) return report;
    await new Promise((wake) => setTimeout(wake, 200));
  }
}

describe('hookline stats (local stack)', () => {
  beforeAll(async () => {
    // 5 good events (4 of a listed type, 1 of another), 1 that fails on every attempt.
    const good = await Promise.all([
      post('msg_good_1', { type: 'order.created', order: 1 }),
      post('msg_good_2', { type: 'order.created', order: 2 }),
      post('msg_good_3', { type: 'order.created', order: 3 }),
      post('msg_good_4', { type: 'order.created', order: 4 }),
      post('msg_good_5', { type: 'order.paid', order: 5 }),
    ]);
    const failing = await post('msg_failing', { type: 'order.created', fail: true });
    expect([...good, failing].map(({ status }) => status)).toEqual([202, 202, 202, 202, 202, 202]);
    // 2 refused: signed with another secret.
    const refused = await Promise.all([
      post('msg_forged_1', { type: 'order.created' }, WRONG_SECRET),
      post('msg_forged_2', { type: 'order.created' }, WRONG_SECRET),
    ]);
    expect(refused.map(({ status }) => status)).toEqual([401, 401]);
    await Promise.all(good.map(({ id }) => waitForEventStatus(stack.url, id ?? '', 'delivered')));
    await waitForEventStatus(stack.url, failing.id ?? '', 'dead_lettered');
    // 2 duplicates of delivered events: the provider sent them again.
    const duplicates = await Promise.all([
      post('msg_good_1', { type: 'order.created', order: 1 }),
      post('msg_good_2', { type: 'order.created', order: 2 }),
    ]);
    expect(duplicates.map(({ status }) => status)).toEqual([200, 200]);
    await statsWhen((report) => report.routes[0]?.failed === 1 && report.routes[0]?.processed === 5);
  }, 90_000);

  it('--json reports the exact counts, the success rate and the times of the mix', async () => {
    const report = await runCliJson<StatsReport>(['stats', '--by', 'event-type'], { folder, configFile });

    expect(Date.parse(report.until) - Date.parse(report.since)).toBe(86_400_000);
    expect(Date.parse(report.until)).toBeGreaterThan(startedAt.getTime());
    expect(report.routes.map((route) => route.route)).toEqual([ORDERS, QUIET]);
    const [orders, quiet] = report.routes;
    expect(orders).toEqual({
      route: ORDERS,
      // Every request that matched the route: 5 good, 1 failing, 2 refused, 2 duplicates.
      received: 10,
      processed: 5,
      failed: 1,
      successRate: 5 / 6,
      processingMs: { avg: expect.any(Number), p50: expect.any(Number), p99: expect.any(Number) },
      endToEndMs: { avg: expect.any(Number), p50: expect.any(Number), p99: expect.any(Number) },
      byEventType: {
        // The refused requests were never parsed: they have no event type.
        'order.created': { received: 7, processed: 4, failed: 1 },
        other: { received: 1, processed: 1, failed: 0 },
      },
    });
    for (const latency of [orders?.processingMs, orders?.endToEndMs]) {
      expect(latency?.p50).toBeLessThanOrEqual(latency?.p99 ?? 0);
      expect(latency?.avg).toBeGreaterThanOrEqual(0);
    }
    expect(orders?.endToEndMs.p99).toBeGreaterThanOrEqual(orders?.processingMs.p50 ?? 0);
    expect(quiet).toEqual({
      route: QUIET,
      received: 0,
      processed: 0,
      failed: 0,
      successRate: null,
      processingMs: { avg: null, p50: null, p99: null },
      endToEndMs: { avg: null, p50: null, p99: null },
      byEventType: {},
    });
  });

  it('takes --route, --since and --until: a window before the mix is empty', async () => {
    const report = await runCliJson<StatsReport>(
      ['stats', '--route', 'stats_orders', '--since', '2h', '--until', startedAt.toISOString()],
      { folder, configFile },
    );

    expect(report.until).toBe(startedAt.toISOString());
    expect(report.routes).toEqual([
      expect.objectContaining({ route: ORDERS, received: 0, successRate: null }),
    ]);
    expect(report.routes[0]).not.toHaveProperty('byEventType');
  });

  it('prints a table: counts, success rate and times per route, event types under theirs', async () => {
    const run = await runCli(['stats', '--by', 'event-type'], { folder, configFile });

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z to \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/,
    );
    expect(lines[1]).toMatch(
      /^ROUTE +RECEIVED +PROCESSED +FAILED +SUCCESS +PROC AVG +PROC P50 +PROC P99 +E2E AVG/,
    );
    expect(lines[2]).toMatch(/^\/stats\/orders\/ +10 +5 +1 +83\.3% +\d+ ms/);
    expect(lines[3]).toMatch(/^ {2}order\.created +7 +4 +1 +80\.0%/);
    expect(lines[4]).toMatch(/^ {2}other +1 +1 +0 +100\.0%/);
    expect(lines[5]).toMatch(/^\/stats\/quiet\/ +0 +0 +0 +- +- +- +- +- +- +-$/);
  });

  it('refuses an unknown --by and relays the API’s refusals of the request (both exit 2)', async () => {
    const by = await runCli(['stats', '--by', 'reason'], { folder, configFile });
    expect(by.code).toBe(2);
    expect(by.stderr).toContain('--by must be event-type');

    const since = await runCli(['stats', '--since', 'last week'], { folder, configFile });
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('since: "last week" is not a time');
  });
});
