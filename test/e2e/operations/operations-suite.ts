/**
 * The operator's workflows, end to end, through the admin HTTP API on the same base URL as the
 * webhooks: replay of a dead-lettered event after the handler is fixed, DLQ redrive after a fix, a
 * 3 MB body delivered and replayed through the claim check, and a bulk replay of 200 events under a
 * rate limit, over several pages. `describeOperations` runs them against any stack brought up from
 * the suite's project: the local stack (test/e2e/local/operations.test.ts) and the deploy rehearsal
 * of its bundles (test/e2e/rehearsal/operations.test.ts).
 *
 * The handler module lives in a temporary project. It fails events that ask it to until a flag file
 * named in the event exists ("the fix is deployed"), and appends what it ran to `calls.log`. A
 * second route receives nothing: it is there so that a deployed function reaching the other route's
 * resources would show.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleableRepositorySource, writeTempProject } from '../../helpers/temp-project.js';

export const ROUTE_PATH = '/ops/orders/';
/** The route's queue name (`queueName` in the config): both stacks' admin APIs take it for the route. */
const QUEUE_NAME = 'ops_orders';
/** Under the repository: CDK bundles only entries under the project root (this repository). */
const PROJECT_PARENT = join(import.meta.dirname, '..');

/** The suite's Hookline project, as the target is brought up from it. */
export interface OperationsProject {
  readonly folder: string;
  readonly configFile: string;
}

/** A stack brought up from the project. */
export interface OperationsTarget {
  /** Where this machine reaches the stack: webhooks at `<url><path>`, the admin API at `<url>/_hookline`. */
  readonly url: string;
  /** The origin the stack names in its answers (`statusUrl`): `url`, or the deployed API's endpoint. */
  readonly publicUrl: string;
  /** What the stack's processes printed last, added to the error of a wait that timed out. */
  output?(): string;
  stop(): Promise<void>;
}

interface HandlerCall {
  readonly id: string;
  readonly replayOf?: string;
  readonly bytes: number;
  readonly sha256: string;
}

interface EventView {
  readonly id: string;
  readonly status: string;
  readonly attempts: readonly {
    attempt: number;
    outcome: string;
    errorMessage?: string;
    redriven?: boolean;
  }[];
  readonly replayOf?: string;
  readonly replays?: readonly string[];
  readonly replayChain?: readonly { id: string }[];
  readonly body?: string;
  readonly bodyBase64?: string;
  readonly bodyRef?: { readonly store: string; readonly key: string; readonly size: number };
}

function writeProject(): OperationsProject {
  const route = (path: string) => `{
      path: '${path}',
      verify: { scheme: 'none' },
      dedupe: { source: 'bodyHash' },
      handler: 'handlers/orders.ts',
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      maxBodyBytes: ${6 * 1024 * 1024},
      retry: { maxAttempts: 2, initialDelaySeconds: 0, maxDelaySeconds: 0 },
    }`;
  const folder = writeTempProject({
    // `test/e2e/.tmp-*/` is ignored by git.
    prefix: '.tmp-operations-',
    parent: PROJECT_PARENT,
    config: `{
  name: 'ops${process.pid}',
  routes: [${route(ROUTE_PATH)}, ${route('/ops/refunds/')}],
}`,
    handlers: (projectFolder) => ({
      'orders.ts': `import { createHash } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineHandler } from ${bundleableRepositorySource(join(projectFolder, 'handlers'), 'shared/handler/index.ts')};
const folder = ${JSON.stringify(projectFolder)};
export const handler = defineHandler(async (event) => {
  const payload = event.payload as { brokenUntil?: string } | undefined;
  if (payload?.brokenUntil !== undefined && !existsSync(join(folder, payload.brokenUntil))) {
    throw new Error('order handler bug: ' + payload.brokenUntil + ' not fixed yet');
  }
  const sha256 = createHash('sha256').update(event.rawBody).digest('hex');
  appendFileSync(join(folder, 'calls.log'), JSON.stringify({ id: event.id, replayOf: event.replayOf, bytes: event.rawBody.length, sha256 }) + '\\n');
});
`,
    }),
  });
  return { folder, configFile: join(folder, 'hookline.config.ts') };
}

/**
 * The operations suite as a `describe` named `name`, against the stack `startTarget` brings up from
 * the suite's project (and stops once the suite is done).
 */
export function describeOperations(
  name: string,
  startTarget: (project: OperationsProject) => Promise<OperationsTarget>,
): void {
  describe(name, () => {
    let project: OperationsProject | undefined;
    let target: OperationsTarget;

    beforeAll(async () => {
      project = writeProject();
      target = await startTarget(project);
    }, 120_000);

    afterAll(async () => {
      await target?.stop();
      if (project !== undefined) rmSync(project.folder, { recursive: true, force: true });
    });

    function folder(): string {
      if (project === undefined) throw new Error('the project was not written');
      return project.folder;
    }

    function calls(): HandlerCall[] {
      const file = join(folder(), 'calls.log');
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as HandlerCall);
    }

    function fix(flag: string): void {
      writeFileSync(join(folder(), flag), 'fixed\n');
    }

    async function sendWebhook(body: string): Promise<{ id: string; statusUrl: string }> {
      const response = await fetch(`${target.url}${ROUTE_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const reply = (await response.json()) as { id: string; status: string; statusUrl: string };
      expect(response.status, JSON.stringify(reply)).toBe(202);
      return reply;
    }

    async function admin<T>(
      method: 'GET' | 'POST',
      path: string,
      body?: unknown,
    ): Promise<{ status: number; json: T }> {
      const response = await fetch(`${target.url}/_hookline${path}`, {
        method,
        ...(body !== undefined && {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }),
      });
      return { status: response.status, json: (await response.json()) as T };
    }

    async function event(id: string, query = ''): Promise<EventView> {
      const { status, json } = await admin<{ event: EventView }>('GET', `/events/${id}${query}`);
      expect(status, JSON.stringify(json)).toBe(200);
      return json.event;
    }

    async function waitFor<T>(
      what: string,
      probe: () => Promise<T | undefined>,
      timeoutMs = 60_000,
    ): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await probe();
        if (value !== undefined) return value;
        if (Date.now() > deadline) {
          const output = target.output?.();
          throw new Error(
            `timed out waiting for ${what}${output ? `; the stack's last output:\n${output}` : ''}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }

    function waitForStatus(id: string, status: string, timeoutMs?: number): Promise<EventView> {
      return waitFor(
        `${id} to be ${status}`,
        async () => {
          const view = await event(id);
          return view.status === status ? view : undefined;
        },
        timeoutMs,
      );
    }

    it('replays a dead-lettered event once the handler is fixed', async () => {
      const { id, statusUrl } = await sendWebhook(JSON.stringify({ order: 1, brokenUntil: 'fix-replay' }));
      expect(statusUrl).toBe(`${target.publicUrl}/_hookline/events/${id}`);
      const dead = await waitForStatus(id, 'dead_lettered');
      expect(dead.attempts.map((attempt) => attempt.outcome)).toEqual(['failed', 'failed']);
      expect(dead.attempts[1]?.errorMessage).toContain('fix-replay not fixed yet');

      fix('fix-replay');
      const { status, json } = await admin<{ replay: { id: string; replayOf: string } }>('POST', '/replay', {
        id,
      });
      expect(status).toBe(202);
      expect(json.replay.replayOf).toBe(id);
      const replay = await waitForStatus(json.replay.id, 'delivered');
      expect(replay.replayOf).toBe(id);
      expect(replay.replayChain?.map((link) => link.id)).toEqual([id]);
      expect((await event(id)).replays).toEqual([json.replay.id]);
      expect(calls().filter((call) => call.replayOf === id)).toHaveLength(1);
    }, 90_000);

    it('redrives the DLQ after a fix and every message ends delivered', async () => {
      const ids: string[] = [];
      for (let order = 0; order < 5; order += 1) {
        ids.push((await sendWebhook(JSON.stringify({ order, brokenUntil: 'fix-redrive' }))).id);
      }
      for (const id of ids) await waitForStatus(id, 'dead_lettered');
      // The DLQ may also hold the original of the earlier replay test: look for these five.
      const listed = await waitFor('the five messages in the DLQ', async () => {
        const { json } = await admin<{ messages: { eventId?: string; lastError?: { message?: string } }[] }>(
          'GET',
          `/dlq/${QUEUE_NAME}`,
        );
        const ours = json.messages.filter((message) => ids.includes(message.eventId ?? ''));
        return ours.length === ids.length ? ours : undefined;
      });
      expect(listed.map((message) => message.eventId).sort()).toEqual([...ids].sort());
      for (const message of listed) expect(message.lastError?.message).toContain('fix-redrive not fixed yet');

      fix('fix-redrive');
      const started = await admin<{ taskHandle: string }>('POST', `/dlq/${QUEUE_NAME}/redrive`, {});
      expect(started.status).toBe(202);
      expect(started.json.taskHandle).toEqual(expect.any(String));
      for (const id of ids) {
        const delivered = await waitForStatus(id, 'delivered');
        expect(delivered.attempts.at(-1)).toMatchObject({ outcome: 'delivered', redriven: true });
        expect(delivered.attempts.length).toBe(3);
      }
      const { json } = await admin<{ routes: { queueName: string; dlqDepth: number }[] }>('GET', '/routes');
      expect(json.routes.find((route) => route.queueName === QUEUE_NAME)?.dlqDepth).toBe(0);
      const ran = new Set(calls().map((call) => call.id));
      for (const id of ids) expect(ran.has(id)).toBe(true);
    }, 120_000);

    it('delivers a 3 MB body through the claim check and replays it byte for byte', async () => {
      const body = JSON.stringify({ order: 'large', filler: 'x'.repeat(3 * 1024 * 1024) });
      const sha256 = createHash('sha256').update(body).digest('hex');
      const { id } = await sendWebhook(body);
      const delivered = await waitForStatus(id, 'delivered');
      expect(delivered.bodyRef?.size).toBe(Buffer.byteLength(body));
      expect(calls().find((call) => call.id === id)).toMatchObject({
        bytes: Buffer.byteLength(body),
        sha256,
      });

      const withBody = await event(id, '?include=body');
      expect(withBody.body ?? Buffer.from(withBody.bodyBase64 ?? '', 'base64').toString('utf8')).toBe(body);

      const { json } = await admin<{ replay: { id: string } }>('POST', '/replay', { id });
      await waitForStatus(json.replay.id, 'delivered');
      expect(calls().find((call) => call.id === json.replay.id)).toMatchObject({ replayOf: id, sha256 });
      // The replay has its own copy of the body (expiring with the replay, not with the original).
      const [original, replay] = [await event(id), await event(json.replay.id)];
      expect(replay.bodyRef?.key).toBe(`${QUEUE_NAME}/${json.replay.id}`);
      expect(replay.bodyRef?.key).not.toBe(original.bodyRef?.key);
      expect(replay.bodyRef?.size).toBe(original.bodyRef?.size);
    }, 90_000);

    it('replays 200 events in bulk over several pages without exceeding the rate limit', async () => {
      const since = new Date().toISOString();
      const ids: string[] = [];
      for (let batch = 0; batch < 10; batch += 1) {
        const sent = await Promise.all(
          Array.from({ length: 20 }, (_, index) => sendWebhook(JSON.stringify({ bulk: batch * 20 + index }))),
        );
        ids.push(...sent.map((reply) => reply.id));
      }
      for (const id of ids) await waitForStatus(id, 'delivered');

      const dryRun = await admin<{ report: { matched: number; enqueued: number; dryRun: boolean } }>(
        'POST',
        '/replay',
        {
          route: ROUTE_PATH,
          since,
          status: 'delivered',
          dryRun: true,
        },
      );
      expect(dryRun.status).toBe(200);
      expect(dryRun.json.report).toMatchObject({ matched: 200, enqueued: 0, dryRun: true });

      const ratePerSecond = 100;
      // 200 sends at 100/s take 2 s: a budget of 800 ms makes the pages that a Lambda deadline would.
      const budgetMs = 800;
      const startedAt = performance.now();
      const replays: { original: string; id: string }[] = [];
      let enqueued = 0;
      let skipped = 0;
      let pages = 0;
      let cursor: string | undefined;
      do {
        const bulk = await admin<{
          report: {
            enqueued: number;
            skipped: number;
            replays: { original: string; id: string }[];
            nextCursor?: string;
          };
        }>('POST', '/replay', {
          route: ROUTE_PATH,
          since,
          status: 'delivered',
          ratePerSecond,
          budgetMs,
          ...(cursor !== undefined && { cursor }),
        });
        expect(bulk.status).toBe(202);
        enqueued += bulk.json.report.enqueued;
        skipped += bulk.json.report.skipped;
        replays.push(...bulk.json.report.replays);
        cursor = bulk.json.report.nextCursor;
        pages += 1;
      } while (cursor !== undefined);
      const elapsedSeconds = (performance.now() - startedAt) / 1000;
      expect({ enqueued, skipped }).toEqual({ enqueued: 200, skipped: 0 });
      expect(pages).toBeGreaterThan(1);
      // Sends spaced at 100/s cannot finish in less than (200 - pages) / 100 s: each page's first
      // send goes at once.
      expect(elapsedSeconds).toBeGreaterThanOrEqual((200 - pages) / ratePerSecond);
      expect(new Set(replays.map((replay) => replay.original))).toEqual(new Set(ids));
      for (const replay of replays) await waitForStatus(replay.id, 'delivered');
    }, 180_000);
  });
}
