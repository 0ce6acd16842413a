/**
 * What the rehearsal does with the stack: everything a user and an operator do, over the HTTP API,
 * so that every function makes every kind of AWS call it makes in production. Per route: webhooks
 * signed by the provider's own SDK that are delivered, a duplicate, one that fails until it is
 * dead-lettered, one that dead-letters at once and a body too large to travel inline. An `asana`
 * route is enrolled first by its handshake, which stores the key it hands over (the one call that
 * writes a secret), its webhooks are signed with that key, and a second handshake with another key
 * is refused without changing the stored one. Then the admin
 * API: list (by route, by status), show with the body, replay one, replay in bulk, route status, the
 * DLQ and its redrive. Each step's answer is checked, so the scenario is
 * also an end-to-end test of the bundles.
 */
import { createHmac } from 'node:crypto';
import { AdminClient } from '../../shared/cli/admin-client.js';
import { githubHeaders, standardWebhooksHeaders } from '../helpers/signers.js';
import type { RehearsalStack } from './rehearsal-stack.js';

/** Over `INLINE_BODY_LIMIT_BYTES`: travels through the body bucket. */
const LARGE_BODY_BYTES = 300 * 1024;
const SETTLE_TIMEOUT_MS = 60_000;

type Scheme = 'github' | 'standardWebhooks' | 'asana';

export interface ScenarioRoute {
  readonly path: string;
  readonly scheme: Scheme;
  /** The full ARN of the route's secret. */
  readonly secretArn: string;
  /** The signing secret: the secret's value, or for `asana` the key its handshake hands over. */
  readonly secret: string;
}

/** Asana's `X-Hook-Signature`: the hex HMAC-SHA256 of the body with the handed-over key. */
function asanaHeaders(secret: string, body: string) {
  return {
    'content-type': 'application/json',
    'x-hook-signature': createHmac('sha256', secret).update(body).digest('hex'),
  };
}

async function signedHeaders(route: ScenarioRoute, body: string, delivery: string) {
  switch (route.scheme) {
    case 'github':
      return githubHeaders(route.secret, body, delivery);
    case 'standardWebhooks':
      return standardWebhooksHeaders(route.secret, body, delivery);
    case 'asana':
      return asanaHeaders(route.secret, body);
  }
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
    const response = await fetch(`${stack.url}${route.path.replace(/\/$/, '')}`, {
      method: 'POST',
      headers: await signedHeaders(route, body, delivery),
      body,
    });
    const reply = (await response.json()) as { id?: string };
    return { status: response.status, id: reply.id ?? '' };
  };
  /** Asana's handshake: an unsigned, empty `POST` handing `key` over in `X-Hook-Secret`. */
  const handshake = async (route: ScenarioRoute, key: string) => {
    webhooks += 1;
    const response = await fetch(`${stack.url}${route.path.replace(/\/$/, '')}`, {
      method: 'POST',
      headers: { 'x-hook-secret': key },
    });
    await response.arrayBuffer();
    return { status: response.status, echoed: response.headers.get('x-hook-secret') };
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
    if (route.scheme === 'asana') {
      const enrolled = await handshake(route, route.secret);
      check(
        enrolled.status === 200 && enrolled.echoed === route.secret,
        `the handshake of ${route.path} got ${enrolled.status} echoing ${enrolled.echoed}`,
      );
      check(
        stack.storedSecrets.get(route.secretArn) === route.secret,
        `the handshake of ${route.path} did not store the handed-over key`,
      );
    }
    const first = await send(route, { outcome: 'ok', n: 1 }, `${tag}-ok-1`);
    check(first.status === 202, `a signed webhook to ${route.path} got ${first.status}`);
    const again = await send(route, { outcome: 'ok', n: 1 }, `${tag}-ok-1`);
    check(
      again.status === 200 && again.id === first.id,
      `the duplicate to ${route.path} got ${again.status}`,
    );
    if (route.scheme === 'asana') {
      const rekey = await handshake(route, `${route.secret}-rekeyed`);
      check(rekey.status === 403, `a second handshake of ${route.path} with another key got ${rekey.status}`);
      check(
        stack.storedSecrets.get(route.secretArn) === route.secret,
        `a refused handshake of ${route.path} changed the stored key`,
      );
    }
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
