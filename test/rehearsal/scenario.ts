/**
 * What the rehearsal does with the stack: everything a user and an operator do, over the HTTP API,
 * so that every function makes every kind of AWS call it makes in production. Per route: webhooks
 * signed by the provider's own SDK that are delivered, a duplicate, one that fails until it is
 * dead-lettered, one that dead-letters at once and a body too large to travel inline. Then the admin
 * API: list (by route, by status), show with the body, replay one, replay in bulk, route status, the
 * DLQ and its redrive. Each step's answer is checked, so the scenario is
 * also an end-to-end test of the bundles.
 */
import { AdminClient } from '../../shared/cli/admin-client.js';
import { githubHeaders, standardWebhooksHeaders } from '../helpers/signers.js';
import type { RehearsalStack } from './rehearsal-stack.js';

/** Over `INLINE_BODY_LIMIT_BYTES`: travels through the body bucket. */
const LARGE_BODY_BYTES = 300 * 1024;
const SETTLE_TIMEOUT_MS = 60_000;

type Scheme = 'github' | 'standardWebhooks';

interface ScenarioRoute {
  readonly path: string;
  readonly scheme: Scheme;
  readonly secret: string;
}

interface EventView {
  readonly id: string;
  readonly status: string;
}

export interface ScenarioResult {
  readonly webhooks: number;
  readonly adminRequests: number;
}

class ScenarioError extends Error {
  override name = 'ScenarioError';
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ScenarioError(message);
}

export async function runScenario(
  stack: RehearsalStack,
  routes: readonly ScenarioRoute[],
): Promise<ScenarioResult> {
  const admin = new AdminClient({ adminUrl: `${stack.url}/_hookline`, timeoutMs: 20_000 });
  let webhooks = 0;
  let adminRequests = 0;
  const send = async (route: ScenarioRoute, payload: Record<string, unknown>, delivery: string, pad = 0) => {
    webhooks += 1;
    const body = JSON.stringify({ ...payload, padding: 'x'.repeat(pad) });
    const headers =
      route.scheme === 'github'
        ? await githubHeaders(route.secret, body, delivery)
        : standardWebhooksHeaders(route.secret, body, delivery);
    const response = await fetch(`${stack.url}${route.path.replace(/\/$/, '')}`, {
      method: 'POST',
      headers,
      body,
    });
    const reply = (await response.json()) as { id?: string };
    return { status: response.status, id: reply.id ?? '' };
  };
  const call = <T>(request: () => Promise<T>) => {
    adminRequests += 1;
    return request();
  };
  const statusOf = async (id: string) =>
    (await call(() => admin.get<{ event: EventView }>(`/events/${id}`))).event.status;
  const settle = async (ids: readonly string[], wanted: string) => {
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    for (const id of ids) {
      let status = await statusOf(id);
      while (status !== wanted && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        status = await statusOf(id);
      }
      check(
        status === wanted,
        `event ${id} is ${status}, not ${wanted}, after ${SETTLE_TIMEOUT_MS / 1000} s`,
      );
    }
  };

  const delivered: string[] = [];
  const deadLettered: string[] = [];
  const large: string[] = [];
  for (const route of routes) {
    const tag = route.path.replace(/\W/g, '');
    const first = await send(route, { outcome: 'ok', n: 1 }, `${tag}-ok-1`);
    check(first.status === 202, `a signed webhook to ${route.path} got ${first.status}`);
    const again = await send(route, { outcome: 'ok', n: 1 }, `${tag}-ok-1`);
    check(
      again.status === 200 && again.id === first.id,
      `the duplicate to ${route.path} got ${again.status}`,
    );
    const failing = await send(route, { outcome: 'fail' }, `${tag}-fail`);
    const permanent = await send(route, { outcome: 'permanent' }, `${tag}-permanent`);
    check(failing.status === 202 && permanent.status === 202, `webhooks to ${route.path} were refused`);
    delivered.push(first.id);
    deadLettered.push(failing.id, permanent.id);
    const big = await send(route, { outcome: 'ok', n: 2 }, `${tag}-large`, LARGE_BODY_BYTES);
    check(big.status === 202, `a large webhook to ${route.path} got ${big.status}`);
    large.push(big.id);
    delivered.push(big.id);
  }
  await settle(delivered, 'delivered');
  await settle(deadLettered, 'dead_lettered');

  for (const route of routes) {
    const listed = await call(() => admin.get<{ events: EventView[] }>('/events', { route: route.path }));
    check(listed.events.length >= 3, `listing ${route.path} shows ${listed.events.length} events`);
    const dead = await call(() =>
      admin.get<{ events: EventView[] }>('/events', { route: route.path, status: 'dead_lettered' }),
    );
    check(dead.events.length === 2, `${route.path} lists ${dead.events.length} dead-lettered events, not 2`);
  }
  const replays: string[] = [];
  for (const id of large) {
    const shown = await call(() =>
      admin.get<{ event: { body?: string; bodyBase64?: string } }>(`/events/${id}`, { include: 'body' }),
    );
    check(
      (shown.event.body ?? shown.event.bodyBase64 ?? '').length > LARGE_BODY_BYTES,
      `the body of ${id} was not shown`,
    );
    replays.push((await call(() => admin.post<{ replay: { id: string } }>('/replay', { id }))).replay.id);
  }
  for (const route of routes) {
    const bulk = await call(() =>
      admin.post<{ report: { replays: unknown[] } }>('/replay', {
        route: route.path,
        status: 'delivered',
        budgetMs: 10_000,
      }),
    );
    check(
      bulk.report.replays.length >= 1,
      `the bulk replay of ${route.path} replayed ${bulk.report.replays.length} events`,
    );
  }
  await settle(replays, 'delivered');

  const status = await call(() => admin.get<{ routes: unknown[] }>('/routes'));
  check(status.routes.length === routes.length, `route status lists ${status.routes.length} routes`);
  for (const route of routes) {
    const dlq = `/dlq/${encodeURIComponent(route.path)}`;
    const listed = await call(() => admin.get<{ messages: unknown[] }>(dlq));
    check(listed.messages.length >= 1, `the DLQ of ${route.path} shows ${listed.messages.length} messages`);
    await call(() => admin.post(`${dlq}/redrive`, {}));
    await call(() => admin.get(`${dlq}/redrive`));
  }
  return { webhooks, adminRequests };
}
