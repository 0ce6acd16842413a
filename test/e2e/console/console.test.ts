/**
 * The console in a real browser (Debian's Chromium, driven by playwright-core) against the real
 * emulators: the local gateway handler as the dev stack builds it, with the console, behind a real
 * HTTP server, and pollers running a handler that dead-letters events asking it to while "broken".
 * Signed GitHub webhooks go in through the ingress.
 *
 * `HOOKLINE_SCREENSHOT=docs/console.png` also saves the page at 1280×800 with a few events.
 * Skipped, with a warning, only where /usr/bin/chromium (or `HOOKLINE_CHROMIUM`) is missing and CI is not set.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminRouteTarget } from '../../../shared/admin/admin-api.js';
import { DirectoryBodyStore } from '../../../shared/body-store/directory-body-store.js';
import { EventStore } from '../../../shared/event-store/event-store.js';
import { EventHistory } from '../../../shared/event-store/history.js';
import { defineHandler, PermanentError } from '../../../shared/handler/index.js';
import { localGatewayHandler } from '../../../shared/local/gateway-server.js';
import { type HttpApiHandler, serveHttpApi } from '../../../shared/local/http-adapter.js';
import { startPollers } from '../../../shared/local/route-pollers.js';
import { Startup } from '../../../shared/local/startup.js';
import { silentLog } from '../../../shared/logger.js';
import { metricsCollector } from '../../../shared/metrics/collector.js';
import { EnvSecretResolver } from '../../../shared/secrets/env-resolver.js';
import { testEnvelopeKeys } from '../../helpers/envelope-keys.js';
import {
  connectEmulators,
  type Emulators,
  provisionRoutes,
  requireQueues,
} from '../../helpers/ingress-stack.js';
import { makeRoute } from '../../helpers/routes.js';
import { githubHeaders } from '../../helpers/signers.js';

/** Debian's Chromium; `HOOKLINE_CHROMIUM` names another (e.g. Google Chrome on an Ubuntu runner). */
const CHROMIUM = process.env.HOOKLINE_CHROMIUM ?? '/usr/bin/chromium';
const BROWSER_MISSING = !existsSync(CHROMIUM) && process.env.CI === undefined;
const SCREENSHOT = process.env.HOOKLINE_SCREENSHOT;
if (BROWSER_MISSING) {
  console.warn(
    `test/e2e/console: skipped, ${CHROMIUM} is missing (apt-get install -y chromium); it always runs in CI`,
  );
}

const SECRET = 'console-e2e-github-secret';
const TOKEN = randomBytes(24).toString('base64url');
const ROUTE = makeRoute({
  path: '/console/orders/',
  verify: { scheme: 'github', secret: { name: 'CONSOLE_GITHUB_SECRET' } },
  retry: { maxAttempts: 1, initialDelaySeconds: 0, multiplier: 1, maxDelaySeconds: 0 },
});
const WAIT = { timeout: 30_000, interval: 250 };

/** The few page globals the scripts run in the browser below use (tests compile without the DOM library). */
interface PageGlobals {
  readonly __xss?: number;
  readonly document: {
    createElement(tag: string): PageElement;
    readonly body: PageElement;
  };
}

interface PageElement {
  method: string;
  action: string;
  enctype: string;
  name: string;
  value: string;
  append(child: PageElement): void;
  submit(): void;
}

describe.skipIf(BROWSER_MISSING)('the console in a browser', () => {
  let emulators: Emulators;
  let startup: Startup;
  let server: Awaited<ReturnType<typeof serveHttpApi>>;
  let evil: Server;
  let evilUrl: string;
  let history: EventHistory;
  let bodyDir: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** The handler dead-letters events whose payload says `fail` while this is set. */
  let broken = true;
  let delivery = 0;
  const ids: { delivered: string[]; failing: string; replay?: string } = { delivered: [], failing: '' };
  /** What the server answered requests from the other origin. */
  const answers: {
    method: string;
    path: string;
    status: number;
    body: string;
    origin: string;
    withCookie: boolean;
  }[] = [];

  beforeAll(async () => {
    emulators = await connectEmulators();
    const { tableName, queues } = await provisionRoutes(emulators, [ROUTE]);
    const targets: AdminRouteTarget[] = [{ route: ROUTE, ...requireQueues(queues, ROUTE.path) }];
    const store = new EventStore({ client: emulators.dynamo.client, tableName });
    history = new EventHistory({ client: emulators.dynamo.client, tableName, store });
    bodyDir = mkdtempSync(join(tmpdir(), 'hookline-console-'));
    const bodyStore = new DirectoryBodyStore({ root: bodyDir });
    const metrics = metricsCollector();
    const handler = defineHandler(async (event) => {
      const payload = event.payload as { fail?: boolean } | undefined;
      if (payload?.fail === true && broken)
        throw new PermanentError('order handler bug: cannot ship "fail" orders');
    });
    startup = new Startup(silentLog, undefined);
    const shared = {
      targets,
      sqs: emulators.sqs.client,
      store,
      history,
      bodyStore,
      envelopeKeys: testEnvelopeKeys,
      log: silentLog,
      metrics,
    };
    const consumers = startPollers({ ...shared, definitions: [handler.definition], waitSeconds: 1 }, startup);
    let gateway: HttpApiHandler | undefined;
    server = await serveHttpApi(async (event) => {
      const answer = await (gateway as HttpApiHandler)(event);
      if (event.headers.origin === evilUrl) {
        answers.push({
          method: event.requestContext.http.method,
          path: event.rawPath,
          status: answer.statusCode ?? 200,
          body: answer.body ?? '',
          origin: event.headers.origin,
          withCookie: (event.cookies ?? []).some((cookie) => cookie.startsWith('hookline_console_')),
        });
      }
      return answer;
    });
    gateway = localGatewayHandler({
      ...shared,
      secrets: new EnvSecretResolver({ env: { CONSOLE_GITHUB_SECRET: SECRET } }),
      publicUrl: server.url,
      stats: metrics,
      consumers,
      console: { token: TOKEN },
    });
    // Another origin of this machine: same site to the browser, so the session cookie goes along.
    evil = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><title>another page</title><p>another page</p>');
    });
    evil.listen(0, '127.0.0.1');
    await once(evil, 'listening');
    evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await startup?.cleanUp();
    await server?.close();
    if (evil !== undefined) {
      evil.close();
      await once(evil, 'close');
    }
    emulators?.close();
    if (bodyDir !== undefined) rmSync(bodyDir, { recursive: true, force: true });
  });

  const consoleUrl = () => `${server.url}/_hookline/console`;

  async function sendOrder(payload: Record<string, unknown>): Promise<string> {
    delivery += 1;
    const body = JSON.stringify(payload);
    const response = await fetch(`${server.url}${ROUTE.path}`, {
      method: 'POST',
      headers: await githubHeaders(SECRET, body, `console-e2e-${process.pid}-${delivery}`),
      body,
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { id: string }).id;
  }

  const row = (id: string) => page.locator(`#events tr[data-id="${id}"]`);
  const statusOf = (id: string) =>
    row(id)
      .getAttribute('data-status', { timeout: 1_000 })
      .catch(() => null);
  const dlqDepth = () => page.locator(`#routes tr[data-route="${ROUTE.path}"] td.dlq`).textContent();

  it('refuses the page and the API without the token or a session', async () => {
    const fresh = await browser.newContext();
    try {
      const stranger = await fresh.newPage();
      const pageAnswer = await stranger.goto(consoleUrl());
      expect(pageAnswer?.status()).toBe(401);
      expect(await stranger.textContent('body')).toContain('hookline dev');
      const wrong = await stranger.goto(`${consoleUrl()}?token=${'x'.repeat(32)}`);
      expect(wrong?.status()).toBe(401);
      const api = await stranger.goto(`${consoleUrl()}/api/routes`);
      expect(api?.status()).toBe(401);
    } finally {
      await fresh.close();
    }
    const program = await fetch(`${consoleUrl()}/api/events?route=${encodeURIComponent(ROUTE.path)}`);
    expect(program.status).toBe(401);
  });

  it('opens with the token, takes it out of the address and shows the routes', async () => {
    const answer = await page.goto(`${consoleUrl()}?token=${TOKEN}`);

    expect(answer?.status()).toBe(200);
    expect(page.url()).toBe(consoleUrl());
    await page.locator(`#routes tr[data-route="${ROUTE.path}"]`).waitFor();
    expect(await dlqDepth()).toBe('0');
    expect(await page.locator('#filter-route').inputValue()).toBe(ROUTE.path);
  });

  it('lists new events live, newest first, as they are delivered or dead-lettered', async () => {
    ids.delivered.push(await sendOrder({ order: 'A-1001', items: [{ sku: 'tea', qty: 2 }] }));
    ids.delivered.push(await sendOrder({ order: 'A-1002', items: [{ sku: 'mug', qty: 1 }] }));
    ids.failing = await sendOrder({
      order: '<img src=x onerror="window.__xss=1">',
      note: '<script>window.__xss=1</script>',
      fail: true,
    });

    await expect.poll(() => page.locator('#events tbody tr').count(), WAIT).toBe(3);
    for (const id of ids.delivered) await expect.poll(() => statusOf(id), WAIT).toBe('delivered');
    await expect.poll(() => statusOf(ids.failing), WAIT).toBe('dead_lettered');
    const shown = await page
      .locator('#events tbody tr')
      .evaluateAll((rows) => rows.map((tr) => tr.getAttribute('data-id')));
    expect(shown).toEqual([ids.failing, ...[...ids.delivered].reverse()]);
  });

  it("shows an event's headers, body, verification and attempts, escaping what the sender wrote", async () => {
    await row(ids.failing).click();

    await expect.poll(() => page.locator('#detail-id').textContent(), WAIT).toBe(ids.failing);
    const detail = page.locator('#detail');
    expect(await page.locator('#headers').textContent()).toContain('x-github-event');
    expect(await detail.textContent()).toContain('passed: github');
    const attempts = await page.locator('#attempts').textContent();
    expect(attempts).toContain('#1 permanent failure');
    expect(attempts).toContain('PermanentError: order handler bug: cannot ship "fail" orders');
    const body = await page.locator('#body').textContent();
    expect(body).toContain('"order": "<img src=x onerror=\\"window.__xss=1\\">"');
    expect(body).toContain('\n  "note"');
    expect(await page.locator('#detail img, #detail script').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__xss)).toBeUndefined();
  });

  it('replays an event: the replay appears in the list, linked both ways', async () => {
    const original = ids.delivered[0] ?? '';
    await row(original).click();
    await expect.poll(() => page.locator('#detail-id').textContent(), WAIT).toBe(original);

    await page.locator('#replay-event').click();

    await expect
      .poll(() => page.locator('#notice').textContent(), WAIT)
      .toMatch(/^Replayed evt_\w+ as evt_\w+/);
    const replay = (await page.locator('#notice a').textContent()) ?? '';
    ids.replay = replay;
    await expect.poll(() => statusOf(replay), WAIT).toBe('delivered');
    expect(await page.locator('#events tbody tr').first().getAttribute('data-id')).toBe(replay);
    expect(await row(replay).locator('a').getAttribute('href')).toBe(`#event=${original}`);
    await expect.poll(() => page.locator('#detail a', { hasText: replay }).count(), WAIT).toBe(1);

    await page.locator('#notice a').click();
    await expect.poll(() => page.locator('#detail-id').textContent(), WAIT).toBe(replay);
    expect(await page.locator('#replay-chain').textContent()).toContain(original);
  });

  it("redrives a route's DLQ after asking, and the event is delivered on its next attempt", async () => {
    await expect.poll(dlqDepth, WAIT).toBe('1');
    broken = false;

    await page.locator(`#routes tr[data-route="${ROUTE.path}"] button`, { hasText: 'Redrive DLQ' }).click();
    await page.locator('#confirm').waitFor();
    expect(await page.locator('#confirm-text').textContent()).toContain('1 message(s)');
    await page.locator('#confirm-ok').click();

    await expect.poll(() => statusOf(ids.failing), WAIT).toBe('delivered');
    await expect.poll(dlqDepth, WAIT).toBe('0');
    await row(ids.failing).click();
    await expect
      .poll(() => page.locator('#attempts').textContent(), WAIT)
      .toContain('#2 delivered (after redrive)');
  });

  it('bulk-replays the current filter after showing the dry run and a confirmation', async () => {
    const before = await page.locator('#events tbody tr').count();
    await page.locator('#filter-since').fill('1h');

    await page.locator('#bulk-replay').click();
    await page.locator('#confirm').waitFor();
    const question = (await page.locator('#confirm-text').textContent()) ?? '';
    expect(question).toMatch(new RegExp(`matched ${before}, would enqueue ${before}, skipped 0`));
    await page.locator('#confirm-ok').click();

    await expect
      .poll(() => page.locator('#notice').textContent(), WAIT)
      .toContain(`enqueued ${before}, skipped 0.`);
    await expect.poll(() => page.locator('#events tbody tr').count(), WAIT).toBe(2 * before);
    if (SCREENSHOT !== undefined) {
      // The redriven event's detail is still open: its failed and redriven attempts show.
      await page.locator('#notice').evaluate((notice) => {
        notice.hidden = true;
      });
      await page.screenshot({ path: resolve(SCREENSHOT) });
    }
  });

  it('refuses a POST from its own page without the CSRF token', async () => {
    const answer = await page.evaluate(async (id) => {
      const response = await fetch('/_hookline/console/api/replay', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id }),
      });
      return { status: response.status, body: await response.text() };
    }, ids.delivered[1] ?? '');

    expect(answer.status).toBe(403);
    expect(answer.body).toContain('console_csrf');
  });

  it('refuses requests a page on another origin makes, though the browser sends the cookie along', async () => {
    const other = await context.newPage();
    await other.goto(evilUrl);
    const target = ids.delivered[1] ?? '';
    const replaysBefore = (await history.getEvent(target))?.replays ?? [];
    const api = `${consoleUrl()}/api`;
    answers.length = 0;

    // Browsers hide these answers from the page (and from Playwright): the server's log tells.
    await other.evaluate(
      (url) => fetch(url, { credentials: 'include' }).catch(() => undefined),
      `${api}/routes`,
    );
    await other.evaluate(
      ({ url, id }) =>
        fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include', body: JSON.stringify({ id }) })
          .then(() => undefined)
          .catch(() => undefined),
      { url: `${api}/replay`, id: target },
    );
    await other.evaluate(
      ({ url, id }) => {
        const { document } = globalThis as unknown as PageGlobals;
        const form = document.createElement('form');
        form.method = 'POST';
        form.action = url;
        form.enctype = 'text/plain';
        const field = document.createElement('input');
        field.name = `{"id":"${id}","x":"`;
        field.value = '"}';
        form.append(field);
        document.body.append(form);
        form.submit();
      },
      { url: `${api}/replay`, id: target },
    );

    await expect.poll(() => answers.length, WAIT).toBe(3);
    expect(answers.map(({ method, path }) => `${method} ${path}`)).toEqual([
      'GET /_hookline/console/api/routes',
      'POST /_hookline/console/api/replay',
      'POST /_hookline/console/api/replay',
    ]);
    for (const answer of answers) {
      expect(answer).toMatchObject({ status: 403, withCookie: true, origin: evilUrl });
      expect(answer.body).toContain('console_foreign_origin');
    }
    expect((await history.getEvent(target))?.replays ?? []).toEqual(replaysBefore);
    await other.close();
  });
});
