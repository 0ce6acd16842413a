/**
 * What the rehearsal does with the stack: everything a user and an operator do, over the HTTP API,
 * so that every function makes every kind of AWS call it makes in production. Per route: webhooks
 * signed by the provider's own SDK that are delivered, a duplicate, one that fails until it is
 * dead-lettered (but on a route with a circuit breaker, whose failures are ./circuit-scenario.ts's),
 * one that dead-letters at once and a body too large to travel inline. An `asana` route is enrolled
 * first by its handshake, which stores the key it hands over (the one call that writes a secret),
 * its webhooks are signed with that key, and a second handshake with another key is refused without
 * changing the stored one. Then the admin API: list (by route, by status), show with the body,
 * replay one, replay in bulk, route status, the DLQ and its redrive. Each step's answer is checked,
 * so the scenario is also an end-to-end test of the bundles.
 */

import type { RehearsalStack } from './rehearsal-stack.js';
import { check, type EventView, type ScenarioClient, type ScenarioRoute } from './scenario-client.js';

/** Over `INLINE_BODY_LIMIT_BYTES`: travels through the body bucket. */
const LARGE_BODY_BYTES = 300 * 1024;

export async function runScenario(
  stack: RehearsalStack,
  client: ScenarioClient,
  routes: readonly ScenarioRoute[],
): Promise<void> {
  const delivered: string[] = [];
  const deadLettered: string[] = [];
  const large: string[] = [];
  for (const route of routes) {
    const tag = route.path.replace(/\W/g, '');
    if (route.scheme === 'asana') {
      const enrolled = await client.handshake(route, route.secret);
      check(
        enrolled.status === 200 && enrolled.echoed === route.secret,
        `the handshake of ${route.path} got ${enrolled.status} echoing ${enrolled.echoed}`,
      );
      check(
        stack.storedSecrets.get(route.secretArn) === route.secret,
        `the handshake of ${route.path} did not store the handed-over key`,
      );
    }
    const first = await client.send(route, { outcome: 'ok', n: 1 }, `${tag}-ok-1`);
    check(first.status === 202, `a signed webhook to ${route.path} got ${first.status}`);
    const again = await client.send(route, { outcome: 'ok', n: 1 }, `${tag}-ok-1`);
    check(
      again.status === 200 && again.id === first.id,
      `the duplicate to ${route.path} got ${again.status}`,
    );
    if (route.scheme === 'asana') {
      const rekey = await client.handshake(route, `${route.secret}-rekeyed`);
      check(rekey.status === 403, `a second handshake of ${route.path} with another key got ${rekey.status}`);
      check(
        stack.storedSecrets.get(route.secretArn) === route.secret,
        `a refused handshake of ${route.path} changed the stored key`,
      );
    }
    // A failing event on a route with a circuit breaker would count towards opening it: that
    // route's failures are the circuit scenario's.
    const failing = route.breaker ? undefined : await client.send(route, { outcome: 'fail' }, `${tag}-fail`);
    const permanent = await client.send(route, { outcome: 'permanent' }, `${tag}-permanent`);
    check(
      (failing === undefined || failing.status === 202) && permanent.status === 202,
      `webhooks to ${route.path} were refused`,
    );
    delivered.push(first.id);
    deadLettered.push(...(failing === undefined ? [] : [failing.id]), permanent.id);
    const big = await client.send(route, { outcome: 'ok', n: 2 }, `${tag}-large`, LARGE_BODY_BYTES);
    check(big.status === 202, `a large webhook to ${route.path} got ${big.status}`);
    large.push(big.id);
    delivered.push(big.id);
  }
  await client.settle(delivered, 'delivered');
  await client.settle(deadLettered, 'dead_lettered');

  for (const route of routes) {
    const listed = await client.call((admin) =>
      admin.get<{ events: EventView[] }>('/events', { route: route.path }),
    );
    check(listed.events.length >= 3, `listing ${route.path} shows ${listed.events.length} events`);
    const dead = await client.call((admin) =>
      admin.get<{ events: EventView[] }>('/events', { route: route.path, status: 'dead_lettered' }),
    );
    const wanted = route.breaker ? 1 : 2;
    check(
      dead.events.length === wanted,
      `${route.path} lists ${dead.events.length} dead-lettered events, not ${wanted}`,
    );
  }
  const replays: string[] = [];
  for (const id of large) {
    const shown = await client.call((admin) =>
      admin.get<{ event: { body?: string; bodyBase64?: string } }>(`/events/${id}`, { include: 'body' }),
    );
    check(
      (shown.event.body ?? shown.event.bodyBase64 ?? '').length > LARGE_BODY_BYTES,
      `the body of ${id} was not shown`,
    );
    replays.push(
      (await client.call((admin) => admin.post<{ replay: { id: string } }>('/replay', { id }))).replay.id,
    );
  }
  for (const route of routes) {
    const bulk = await client.call((admin) =>
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
  await client.settle(replays, 'delivered');

  const status = await client.call((admin) => admin.get<{ routes: unknown[] }>('/routes'));
  check(status.routes.length === routes.length, `route status lists ${status.routes.length} routes`);
  for (const route of routes) {
    const dlq = `/dlq/${encodeURIComponent(route.path)}`;
    const listed = await client.call((admin) => admin.get<{ messages: unknown[] }>(dlq));
    check(listed.messages.length >= 1, `the DLQ of ${route.path} shows ${listed.messages.length} messages`);
    await client.call((admin) => admin.post(`${dlq}/redrive`, {}));
    await client.call((admin) => admin.get(`${dlq}/redrive`));
  }
}
