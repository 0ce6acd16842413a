/**
 * The circuit breaker and the operator's pause and resume, on the rehearsed stack (issue 13 item 6),
 * so that the calls they make are recorded and judged like every other:
 *
 * 1. An outage: the breaker route's handler fails while a flag file exists. The circuit opens (its
 *    item `open`, the mapping disabled, one probe scheduled under the route's prefix, `circuit
 *    opened` logged with a `CircuitOpened` metric line); the events wait in the queue, none in the
 *    DLQ. The flag goes; Scheduler's probe enables the mapping for one message, whose delivery
 *    closes the circuit and restores the batch size; every event is delivered, the DLQ empty.
 * 2. The same outage, paused by the operator while the circuit is open: the pending probe is
 *    cancelled (so the consumer stays off past its cool-down), and the resume delivers everything.
 * 3. Every other route paused (its events wait) and resumed (they are delivered).
 *
 * Each step's outcome is checked here; the test reads the rest from the stack's record.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CircuitRecord } from '../../shared/circuit/circuit-record.js';
import type { RouteCircuit } from '../../shared/circuit/route-consumers.js';
import { circuitSchedulePrefix } from '../../shared/config/circuit-schedules.js';
import type { EventSourceMapping } from './event-source-mappings.js';
import { logLines, metricLines } from './function-output.js';
import type { FunctionProcess } from './function-process.js';
import type { RehearsalStack } from './rehearsal-stack.js';
import { check, type ScenarioClient, type ScenarioRoute } from './scenario-client.js';

const OUTAGE_EVENTS = 4;
const PAUSED_EVENTS = 3;
const WAIT_MS = 30_000;
/** How long a paused route's event is watched not being delivered. */
const PAUSED_WATCH_MS = 1_000;
/** Past a schedule's time, by which the stand-in has run it. */
const FIRING_MARGIN_MS = 500;

export interface CircuitScenarioOptions {
  /** The route with a circuit breaker; its handler fails `downstream` events while the flag exists. */
  readonly route: ScenarioRoute;
  /** Every route, paused and resumed in turn. */
  readonly routes: readonly ScenarioRoute[];
  /** Reads a route's circuit item (as an operator would in the table). */
  readonly circuits: { read(route: string): Promise<CircuitRecord | undefined> };
  /** Where the flag file goes. */
  readonly folder: string;
}

interface RouteStatusView {
  readonly route: string;
  readonly circuit?: RouteCircuit;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(what: string, done: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await done())) {
    check(Date.now() < deadline, `timed out after ${WAIT_MS / 1000} s waiting for ${what}`);
    await sleep(50);
  }
}

export async function runCircuitScenario(
  stack: RehearsalStack,
  client: ScenarioClient,
  options: CircuitScenarioOptions,
): Promise<void> {
  const { route } = options;
  const handler = [...stack.functions.values()].find((fn) => fn.fn.name === `handler ${route.path}`);
  const mapping = stack.mappings.find((candidate) => candidate.functionLogicalId === handler?.fn.logicalId);
  check(handler !== undefined && mapping !== undefined, `no handler or mapping for ${route.path}`);
  const flag = join(options.folder, 'downstream-down');
  const steps = { stack, client, options, handler, mapping, flag, batchSize: mapping.batchSize };
  await outage(steps);
  await pauseDuringOutage(steps);
  await pauseEveryRoute(steps);
}

interface Steps {
  readonly stack: RehearsalStack;
  readonly client: ScenarioClient;
  readonly options: CircuitScenarioOptions;
  readonly handler: FunctionProcess;
  readonly mapping: EventSourceMapping;
  readonly flag: string;
  /** The route's batch size, as deployed. */
  readonly batchSize: number;
}

/** Sends `count` events that fail while the flag exists, and waits for the circuit to open. */
async function failUntilOpen(
  steps: Steps,
  count: number,
  tag: string,
): Promise<{ ids: string[]; open: CircuitRecord }> {
  const { client, options, handler, flag } = steps;
  const opened = logLines(handler, 'circuit opened').length;
  writeFileSync(flag, 'down\n');
  const ids: string[] = [];
  for (let n = 0; n < count; n += 1) {
    ids.push(await client.accepted(options.route, { outcome: 'downstream', flag, n }, `${tag}-${n}`));
  }
  await waitFor('the circuit to open', () => logLines(handler, 'circuit opened').length > opened);
  const open = await options.circuits.read(options.route.path);
  check(
    open?.state === 'open' && open.scheduleName !== undefined,
    `the circuit item is ${JSON.stringify(open)}`,
  );
  return { ids, open };
}

/** The events wait: none delivered, none dead-lettered, the DLQ empty. */
async function checkWaiting(steps: Steps, ids: readonly string[]): Promise<void> {
  const { client, options } = steps;
  for (const id of ids) {
    const status = await client.statusOf(id);
    check(
      status !== 'delivered' && status !== 'dead_lettered',
      `event ${id} is ${status} while its consumer is off`,
    );
  }
  await checkDlqEmpty(client, options.route);
}

async function checkDlqEmpty(client: ScenarioClient, route: ScenarioRoute): Promise<void> {
  const dlq = await client.call((admin) =>
    admin.get<{ messages: unknown[] }>(`/dlq/${encodeURIComponent(route.path)}`),
  );
  check(dlq.messages.length === 0, `the DLQ of ${route.path} holds ${dlq.messages.length} messages`);
}

async function outage(steps: Steps): Promise<void> {
  const { stack, client, options, handler, mapping, flag } = steps;
  const { ids, open } = await failUntilOpen(steps, OUTAGE_EVENTS, 'outage');
  check(!mapping.enabled, 'the open circuit left its mapping enabled');
  const probes = stack.schedules
    .existing()
    .filter((schedule) => schedule.name.startsWith(circuitSchedulePrefix(options.route.path)));
  check(
    probes.length === 1 && probes[0]?.name === open.scheduleName,
    `the open circuit has ${probes.length} probe schedules, not its own ${open.scheduleName}`,
  );
  check(metricLines(handler, 'CircuitOpened').length >= 1, 'no CircuitOpened metric line');
  await checkWaiting(steps, ids);

  const closed = logLines(handler, 'circuit closed').length;
  rmSync(flag);
  await waitFor('the probe to close the circuit', () => logLines(handler, 'circuit closed').length > closed);
  await client.settle(ids, 'delivered', WAIT_MS);
  const after = await options.circuits.read(options.route.path);
  check(after?.state === 'closed', `the circuit item is ${JSON.stringify(after)} after the probe`);
  check(
    mapping.enabled && mapping.batchSize === steps.batchSize,
    `the mapping is ${mapping.enabled ? 'on' : 'off'} with batches of ${mapping.batchSize} after the probe`,
  );
  check(stack.schedules.existing().length === 0, 'the probe schedule was not deleted after it ran');
  await checkDlqEmpty(client, options.route);
}

async function pauseDuringOutage(steps: Steps): Promise<void> {
  const { stack, client, options, mapping, flag } = steps;
  const { ids, open } = await failUntilOpen(steps, PAUSED_EVENTS, 'paused');
  const paused = await steer(client, options.route, 'pause');
  check(paused.state === 'paused', `pausing ${options.route.path} answered ${JSON.stringify(paused)}`);
  check(!mapping.enabled, 'the paused route’s mapping is enabled');
  const probes = stack.schedules.history.filter((schedule) =>
    schedule.name.startsWith(circuitSchedulePrefix(options.route.path)),
  );
  check(
    probes.every((schedule) => schedule.deletedAt !== undefined) &&
      probes.some((schedule) => schedule.name === open.scheduleName),
    'pausing left a probe scheduled',
  );
  const lastProbeAt = Math.max(...probes.map((schedule) => schedule.at.getTime()));
  check(
    (await statusOf(client, options.route)).circuit?.state === 'paused',
    'status does not show the pause',
  );
  rmSync(flag);
  // Past the cancelled probe's time: nothing re-enables a paused consumer.
  await sleep(Math.max(0, lastProbeAt - Date.now()) + FIRING_MARGIN_MS);
  check(!mapping.enabled, 'the paused route’s mapping was enabled again');
  await checkWaiting(steps, ids);

  const resumed = await steer(client, options.route, 'resume');
  check(resumed.state === 'closed', `resuming ${options.route.path} answered ${JSON.stringify(resumed)}`);
  check(mapping.enabled && mapping.batchSize === steps.batchSize, 'the resumed mapping is off or resized');
  await client.settle(ids, 'delivered', WAIT_MS);
  await checkDlqEmpty(client, options.route);
}

async function pauseEveryRoute(steps: Steps): Promise<void> {
  const { stack, client, options } = steps;
  const routes = options.routes.filter((route) => route.path !== options.route.path);
  const mappingOf = (route: ScenarioRoute) =>
    stack.mappings.find(
      (mapping) =>
        mapping.functionLogicalId ===
        [...stack.functions.values()].find((fn) => fn.fn.name === `handler ${route.path}`)?.fn.logicalId,
    );
  for (const route of routes) {
    const paused = await steer(client, route, 'pause');
    check(paused.state === 'paused', `pausing ${route.path} answered ${JSON.stringify(paused)}`);
    check(mappingOf(route)?.enabled === false, `the paused ${route.path} mapping is enabled`);
    check(
      (await statusOf(client, route)).circuit?.state === 'paused',
      `status does not show ${route.path} paused`,
    );
  }
  // An Asana route takes no event before its handshake (the main scenario's): it is only paused.
  const ids = [];
  for (const route of routes.filter((candidate) => candidate.scheme !== 'asana')) {
    ids.push(
      await client.accepted(
        route,
        { outcome: 'ok', paused: true },
        `paused-${route.path.replace(/\W/g, '')}`,
      ),
    );
  }
  await sleep(PAUSED_WATCH_MS);
  for (const id of ids) {
    const status = await client.statusOf(id);
    check(status === 'queued', `event ${id} of a paused route is ${status}`);
  }
  for (const route of routes) {
    const resumed = await steer(client, route, 'resume');
    check(resumed.state === 'closed', `resuming ${route.path} answered ${JSON.stringify(resumed)}`);
    check(mappingOf(route)?.enabled === true, `the resumed ${route.path} mapping is off`);
    check((await statusOf(client, route)).circuit === undefined, `status shows a circuit on ${route.path}`);
  }
  await client.settle(ids, 'delivered', WAIT_MS);
}

/** `POST /_hookline/routes/{route}/pause|resume`; the route's circuit as answered. */
async function steer(
  client: ScenarioClient,
  route: ScenarioRoute,
  action: 'pause' | 'resume',
): Promise<RouteCircuit> {
  const answer = await client.call((admin) =>
    admin.post<{ route: string; circuit: RouteCircuit }>(
      `/routes/${encodeURIComponent(route.path)}/${action}`,
      {},
    ),
  );
  check(answer.route === route.path, `${action} of ${route.path} answered for ${answer.route}`);
  return answer.circuit;
}

/** The route's line of `GET /_hookline/routes`. */
async function statusOf(client: ScenarioClient, route: ScenarioRoute): Promise<RouteStatusView> {
  const status = await client.call((admin) => admin.get<{ routes: RouteStatusView[] }>('/routes'));
  const found = status.routes.find((candidate) => candidate.route === route.path);
  check(found !== undefined, `route status does not list ${route.path}`);
  return found;
}
