/**
 * The fault-injection proof: the gateway under load while its dependencies and its own processes
 * fail, and what became of every webhook it accepted.
 *
 * - A provider (faults-provider.ts) sends `events` GitHub-signed deliveries over HTTP to the real
 *   ingress (faults-ingress.ts), retrying each until it is answered 2xx; 10 % of deliveries it sends
 *   twice on purpose, half of those as two requests at once.
 * - The ingress's SQS and DynamoDB clients fail 7 % of their HTTP attempts (throttling answers, 500s,
 *   connection resets before sending, replies lost after the call was carried out;
 *   faults-injector.ts), and 4 % of its requests are interrupted after SendMessage succeeded, before
 *   the provider had its answer (API Gateway answers 504 instead).
 * - The consumers are `hookline worker` processes (faults-consumers.ts) running the fixture handler
 *   (test/fixtures/faults/handler.ts): their clients fail 7 % of their HTTP attempts too, 20 % of
 *   the handler's invocations throw before their effect, and `kills` times one of them is SIGKILLed
 *   in the middle of a batch and replaced. By default each kill lands while the batch's records hold
 *   their locks and no effect waits for its settle write; `killAt: 'after-effect'` aims each kill
 *   between an effect and its settle write instead, the one moment a crash can repeat an effect.
 * - The user's effect is a line in an append-only ledger per consumer process, outside Hookline's
 *   table, counted as it ran (faults-child.ts). Once the route's queue is empty, every accepted event
 *   is looked up in the event store and its history checked against the ledger (faults-verdict.ts).
 *
 * The contract (`FaultsReport`): how many events were accepted, delivered, dead-lettered, lost and
 * had their effect run twice, and how many faults of each kind were injected.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig } from '../../shared/config/load.js';
import type { ResolvedRoute } from '../../shared/config/types.js';
import { EventStore } from '../../shared/event-store/event-store.js';
import type { EventRecord } from '../../shared/event-store/types.js';
import { parseEventId } from '../../shared/ids.js';
import { createRouteQueues, type RouteQueues } from '../../shared/local/create-queues.js';
import { createEventTable } from '../../shared/local/create-table.js';
import { queueSettings } from '../../shared/resources.js';
import { awsTestCredentials } from '../helpers/emulators.js';
import { TEST_ENVELOPE_KEY } from '../helpers/envelope-keys.js';
import { repositorySource, writeTempProject } from '../helpers/temp-project.js';
import {
  type ChildSettings,
  childEnv,
  type KillPoint,
  type LostReceive,
  readAttemptLogs,
  readLedgers,
  readLostReceives,
} from './faults-child.js';
import { ConsumerPool, type Kill } from './faults-consumers.js';
import { type FaultyIngress, type InterruptionPoint, startFaultyIngress } from './faults-ingress.js';
import {
  type AttemptTally,
  type FaultKind,
  type Service,
  seededRandom,
  type TallyRow,
} from './faults-injector.js';
import { deliverAll, type ProviderRun } from './faults-provider.js';
import { judge, type Verdict } from './faults-verdict.js';

const ROUTE_PATH = '/faults/';
const SECRET_NAME = 'FAULTS_WEBHOOK_SECRET';
const SECRET = 'faults-proof-github-secret';

/** The contract: the proof's last line. */
export interface FaultsReport {
  readonly events: number;
  /** Deliveries the gateway answered 2xx (each one event). */
  readonly accepted: number;
  readonly delivered: number;
  readonly deadLettered: number;
  readonly lost: number;
  /** Deliveries whose effect ran more than once. */
  readonly doubleEffects: number;
  readonly faults: {
    /** SQS HTTP attempts failed (ingress and consumers). */
    readonly sqs: number;
    /** DynamoDB HTTP attempts failed (ingress and consumers). */
    readonly dynamodb: number;
    /** Handler invocations that threw. */
    readonly handler: number;
    /** Consumer processes SIGKILLed mid-batch. */
    readonly kills: number;
    /** Ingress requests interrupted after SendMessage, before the provider had its answer. */
    readonly interrupted: number;
    /** Deliveries the provider sent twice on purpose. */
    readonly duplicates: number;
  };
}

/** Figures printed beside the contract. */
export interface FaultsDetails {
  readonly seed: number;
  readonly killAt: KillPoint;
  readonly durationsMs: { readonly total: number; readonly sending: number; readonly settling: number };
  /** Whether the route's queue emptied before the settle timeout. */
  readonly settled: boolean;
  readonly attempts: readonly TallyRow[];
  /** HTTP attempts and injected faults per service. */
  readonly services: Readonly<Record<Service, { readonly attempts: number; readonly faults: number }>>;
  readonly faultKinds: Readonly<Record<FaultKind, number>>;
  readonly interruptions: Readonly<Record<InterruptionPoint, number>>;
  readonly kills: readonly Kill[];
  readonly concurrentDuplicates: number;
  readonly providerStatuses: ReadonlyMap<number, number>;
  readonly providerRetries: number;
  readonly verdict: Verdict;
  readonly deadLetterQueueMessages: number;
  readonly consumerProcesses: number;
  readonly consumerCrashes: number;
  readonly consumerLogs: ReadonlyMap<string, number>;
  readonly settleFailures: number;
  readonly unreadableLedgerLines: number;
}

export interface FaultsOptions {
  readonly events: number;
  /** @default a random seed (reported) */
  readonly seed?: number;
  /** @default 3 */
  readonly kills?: number;
  /** @default 'before-effect' */
  readonly killAt?: KillPoint;
  /** The emulators' endpoints. */
  readonly endpoints: { readonly sqs: string; readonly dynamodb: string };
  /** Config name and resource prefix, unique on these emulators (lower-case letters, digits, `-`). */
  readonly name: string;
  /** Share of HTTP attempts failed per service. @default 0.07 each */
  readonly rates?: Partial<Record<Service, number>>;
  /** @default 0.2 */
  readonly handlerFailureRate?: number;
  /** @default 2 consumer processes of 2 receive loops each */
  readonly consumers?: { readonly processes: number; readonly loops: number };
  /**
   * The route's handler timeout: a lock lapses this long after its batch started, a message comes
   * back 6 times this long after a receive. @default 3
   */
  readonly timeoutSeconds?: number;
  /** The route's `retry.maxAttempts`, its queue's `maxReceiveCount` is one more. @default 5, as in a config */
  readonly maxAttempts?: number;
  /** Longest wait for the queue to empty once the provider is done. @default 300 s */
  readonly settleTimeoutMs?: number;
}

const DEFAULT_RATE = 0.07;
const DEFAULT_HANDLER_FAILURE_RATE = 0.2;
const DUPLICATE_RATE = 0.1;
const INTERRUPT_RATE = 0.04;
const PROVIDER_CONCURRENCY = 24;

/** The clients the proof itself reads with: no fault injected. */
interface Inspectors {
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  readonly store: (tableName: string) => EventStore;
}

export async function runFaultsProof(
  options: FaultsOptions,
): Promise<{ report: FaultsReport; details: FaultsDetails }> {
  const plan = planOf(options);
  const folder = writeProject(plan);
  const inspectors = connectInspectors(options.endpoints);
  const running: Running = {};
  try {
    const gateway = await startGateway(plan, folder, inspectors, running);
    const load = await runLoad(plan, gateway, inspectors);
    // Everything stops before the evidence is read: no consumer writes to the ledger any more.
    await gateway.pool.stop();
    await gateway.ingress.close();
    return await conclude(plan, gateway, load, inspectors);
  } finally {
    await running.pool?.stop();
    await running.ingress?.close();
    inspectors.sqs.destroy();
    inspectors.dynamodb.destroy();
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The options with their defaults applied. */
interface Plan {
  readonly events: number;
  readonly seed: number;
  readonly kills: number;
  readonly killAt: KillPoint;
  readonly name: string;
  readonly endpoints: FaultsOptions['endpoints'];
  readonly rates: Readonly<Record<Service, number>>;
  readonly handlerFailureRate: number;
  readonly consumers: { readonly processes: number; readonly loops: number };
  readonly timeoutSeconds: number;
  readonly maxAttempts: number;
  readonly settleTimeoutMs: number;
}

function planOf(options: FaultsOptions): Plan {
  return {
    events: options.events,
    seed: options.seed ?? Math.floor(Math.random() * 2 ** 31),
    kills: options.kills ?? 3,
    killAt: options.killAt ?? 'before-effect',
    name: options.name,
    endpoints: options.endpoints,
    rates: { sqs: options.rates?.sqs ?? DEFAULT_RATE, dynamodb: options.rates?.dynamodb ?? DEFAULT_RATE },
    handlerFailureRate: options.handlerFailureRate ?? DEFAULT_HANDLER_FAILURE_RATE,
    consumers: options.consumers ?? { processes: 2, loops: 2 },
    timeoutSeconds: options.timeoutSeconds ?? 3,
    maxAttempts: options.maxAttempts ?? 5,
    settleTimeoutMs: options.settleTimeoutMs ?? 300_000,
  };
}

/** What is running, for the clean-up whatever happens. */
interface Running {
  pool?: ConsumerPool;
  ingress?: FaultyIngress;
}

/** The gateway under test: its route, table and queues, the ingress and the consumers. */
interface Gateway {
  readonly route: ResolvedRoute;
  readonly tableName: string;
  readonly queues: RouteQueues;
  readonly ingress: FaultyIngress;
  readonly pool: ConsumerPool;
  /** The run's folder of ledgers and attempt logs. */
  readonly dir: string;
}

async function startGateway(
  plan: Plan,
  folder: string,
  inspectors: Inspectors,
  running: Running,
): Promise<Gateway> {
  const dir = join(folder, 'run');
  mkdirSync(dir);
  const configFile = join(folder, 'hookline.config.ts');
  const route = await onlyRoute(configFile);
  const tableName = `${plan.name}-events`;
  const queues = await provision(inspectors, route, plan.name, tableName);
  const ingress = await startFaultyIngress({
    route,
    queueUrl: queues.queueUrl,
    tableName,
    endpoints: plan.endpoints,
    secret: SECRET,
    rates: plan.rates,
    interruptRate: INTERRUPT_RATE,
    random: seededRandom(plan.seed + 1),
  });
  running.ingress = ingress;
  const settings: ChildSettings = {
    dir,
    seed: plan.seed,
    rates: plan.rates,
    handlerFailureRate: plan.handlerFailureRate,
    killAt: plan.killAt,
  };
  const pool = await ConsumerPool.start({
    configFile,
    env: consumerEnv(plan.endpoints, tableName, settings),
    dir,
    ...plan.consumers,
    random: seededRandom(plan.seed + 3),
  });
  running.pool = pool;
  return { route, tableName, queues, ingress, pool, dir };
}

/** What the load left: the provider's answers, the kills, and how long each phase took. */
interface Load {
  readonly provider: ProviderRun;
  readonly kills: readonly Kill[];
  readonly settled: boolean;
  readonly durationsMs: FaultsDetails['durationsMs'];
}

/** The provider's deliveries with the kills spread over them, then the wait for the queue to empty. */
async function runLoad(plan: Plan, gateway: Gateway, inspectors: Inspectors): Promise<Load> {
  const started = performance.now();
  const progress = new Progress();
  const kills = killOnSchedule(gateway.pool, plan.kills, plan.events, progress);
  const provider = await deliverAll({
    url: `${gateway.ingress.url}${ROUTE_PATH}`,
    secret: SECRET,
    deliveries: plan.events,
    duplicateRate: DUPLICATE_RATE,
    concurrency: PROVIDER_CONCURRENCY,
    seed: plan.seed,
    random: seededRandom(plan.seed + 2),
    onAcknowledged: (acknowledged) => progress.update(acknowledged),
  }).finally(() => progress.finish());
  const sentAt = performance.now();
  const killed = await kills;
  const settled = await untilQueueEmpty(inspectors.sqs, gateway.queues.queueUrl, plan.settleTimeoutMs);
  const settledAt = performance.now();
  return {
    provider,
    kills: killed,
    settled,
    durationsMs: {
      total: Math.round(settledAt - started),
      sending: Math.round(sentAt - started),
      settling: Math.round(settledAt - sentAt),
    },
  };
}

/** Reads the evidence once everything has stopped, and judges it. */
async function conclude(
  plan: Plan,
  gateway: Gateway,
  load: Load,
  inspectors: Inspectors,
): Promise<{ report: FaultsReport; details: FaultsDetails }> {
  const { pool, ingress, route } = gateway;
  const attempts = readAttemptLogs(gateway.dir);
  attempts.merge(ingress.attempts);
  const interruptions = ingress.interruptions();
  const found = await evidence(inspectors, gateway, load.provider);
  const lostReceives = readLostReceives(gateway.dir);
  const verdict = judge({
    ...found,
    kills: load.kills,
    settleFailures: pool.settleFailures(),
    trail: (id) => trailOf(id, pool, lostReceives),
    maxAttempts: route.retry.maxAttempts,
    timeoutSeconds: route.timeoutSeconds,
  });
  const services = serviceTotals(attempts);
  const report: FaultsReport = {
    events: plan.events,
    accepted: verdict.accepted,
    delivered: verdict.delivered,
    deadLettered: verdict.deadLettered,
    lost: verdict.lost.length,
    doubleEffects: verdict.doubles.length,
    faults: {
      sqs: services.sqs.faults,
      dynamodb: services.dynamodb.faults,
      handler: verdict.throws,
      kills: load.kills.length,
      interrupted: interruptions['after-send'] + interruptions['before-reply'],
      duplicates: load.provider.duplicates,
    },
  };
  const details: FaultsDetails = {
    seed: plan.seed,
    killAt: plan.killAt,
    durationsMs: load.durationsMs,
    settled: load.settled,
    attempts: attempts.rows(),
    services,
    faultKinds: faultKindTotals(attempts),
    interruptions,
    kills: load.kills,
    concurrentDuplicates: load.provider.concurrentDuplicates,
    providerStatuses: load.provider.statuses,
    providerRetries: load.provider.deliveries.reduce((sum, delivery) => sum + delivery.retries, 0),
    verdict,
    deadLetterQueueMessages: [...found.deadLetterQueue.values()].reduce((sum, n) => sum + n, 0),
    consumerProcesses: pool.processesStarted(),
    consumerCrashes: pool.crashes(),
    consumerLogs: pool.logs(),
    settleFailures: pool.settleFailures().length,
    unreadableLedgerLines: found.unreadableLedgerLines,
  };
  return { report, details };
}

/**
 * A temporary project: `hookline.config.ts` with one GitHub-signed route whose handler module is
 * the proof's fixture. Batches of up to 10 gathered for up to 1 s, so a kill finds several records
 * locked; a short handler timeout and backoff, so kills and retries play out within the run (at
 * 3 s, locks lapse 3 s after a batch starts and messages come back 18 s after a receive).
 */
function writeProject({ name, timeoutSeconds, maxAttempts }: Plan): string {
  return writeTempProject({
    prefix: 'hookline-faults-',
    config: `{
  name: '${name}',
  routes: [
    {
      path: '${ROUTE_PATH}',
      verify: { scheme: 'github', secret: { name: '${SECRET_NAME}' } },
      handler: 'handlers/faults.ts',
      batchSize: 10,
      maxBatchingWindowSeconds: 1,
      timeoutSeconds: ${timeoutSeconds},
      retry: { maxAttempts: ${maxAttempts}, initialDelaySeconds: 1, multiplier: 2, maxDelaySeconds: 4 },
    },
  ],
}`,
    handlers: () => ({
      'faults.ts': `export { handler } from ${repositorySource('test/fixtures/faults/handler.ts')};\n`,
    }),
  });
}

async function onlyRoute(configFile: string): Promise<ResolvedRoute> {
  const [route] = (await loadConfig(configFile)).routes;
  if (route === undefined) throw new Error('the proof config has no route');
  return route;
}

function connectInspectors(endpoints: FaultsOptions['endpoints']): Inspectors {
  const dynamodb = new DynamoDBClient({ ...awsTestCredentials, endpoint: endpoints.dynamodb });
  return {
    sqs: new SQSClient({ ...awsTestCredentials, endpoint: endpoints.sqs }),
    dynamodb,
    store: (tableName) => new EventStore({ client: dynamodb, tableName }),
  };
}

/** The table and the route's queues, as the stack names them (the worker finds them by name). */
async function provision(
  inspectors: Inspectors,
  route: ResolvedRoute,
  name: string,
  tableName: string,
): Promise<RouteQueues> {
  await createEventTable(inspectors.dynamodb, tableName);
  return createRouteQueues(inspectors.sqs, queueSettings(route, name));
}

/**
 * The consumers' environment: this one without AWS or Hookline settings, then the AWS SDK's
 * standard configuration pointing at the emulators, the table, the envelope key the ingress signs
 * with, and the proof's settings.
 */
function consumerEnv(
  endpoints: FaultsOptions['endpoints'],
  tableName: string,
  settings: ChildSettings,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_') && !key.startsWith('HOOKLINE_')) env[key] = value;
  }
  return {
    ...env,
    AWS_REGION: awsTestCredentials.region,
    AWS_ACCESS_KEY_ID: awsTestCredentials.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: awsTestCredentials.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    HOOKLINE_TABLE_NAME: tableName,
    HOOKLINE_ENVELOPE_KEY: TEST_ENVELOPE_KEY,
    ...childEnv(settings),
  };
}

/** How many deliveries the provider has had answered, for the kills' schedule. */
class Progress {
  private acknowledged = 0;
  private done = false;
  private readonly waiters: { readonly at: number; readonly wake: () => void }[] = [];

  update(acknowledged: number): void {
    this.acknowledged = acknowledged;
    this.wakeReady();
  }

  finish(): void {
    this.done = true;
    this.wakeReady();
  }

  /** Resolves once `count` deliveries are answered, or the provider is done. */
  reached(count: number): Promise<void> {
    if (this.done || this.acknowledged >= count) return Promise.resolve();
    return new Promise((wake) => this.waiters.push({ at: count, wake }));
  }

  private wakeReady(): void {
    for (const waiter of [...this.waiters]) {
      if (this.done || this.acknowledged >= waiter.at) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.wake();
      }
    }
  }
}

/** Tries per scheduled kill (each waits up to 15 s for a consumer to reach the kill point). */
const KILL_TRIES = 4;

/** `count` kills spread over the sending: the i-th once i/(count+1) of the deliveries are answered. */
async function killOnSchedule(
  pool: ConsumerPool,
  count: number,
  events: number,
  progress: Progress,
): Promise<Kill[]> {
  const kills: Kill[] = [];
  for (let index = 1; index <= count; index += 1) {
    await progress.reached(Math.ceil((events * index) / (count + 1)));
    for (let tries = 0; tries < KILL_TRIES; tries += 1) {
      const kill = await pool.kill();
      if (kill !== undefined) {
        kills.push(kill);
        break;
      }
    }
  }
  return kills;
}

const QUEUE_POLL_MS = 1_000;

/**
 * Waits until the route's queue holds nothing, visible, in flight or delayed, twice in a row: no
 * message is left to change an event. False when `timeoutMs` passed first.
 */
async function untilQueueEmpty(sqs: SQSClient, queueUrl: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let emptyPolls = 0;
  while (Date.now() < deadline) {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    const left = Object.values(Attributes).reduce((sum, value) => sum + Number(value), 0);
    emptyPolls = left === 0 ? emptyPolls + 1 : 0;
    if (emptyPolls >= 2) return true;
    await new Promise((wake) => setTimeout(wake, QUEUE_POLL_MS));
  }
  return false;
}

/** An event's steps through the consumers as they logged them, and its lost receives, in time order. */
function trailOf(id: string, pool: ConsumerPool, lostReceives: ReadonlyMap<string, readonly LostReceive[]>) {
  const lost = (lostReceives.get(id) ?? []).map((receive) => ({
    pid: receive.pid,
    at: receive.at,
    what: 'received, but the reply was lost',
  }));
  return [...pool.trail(id), ...lost].sort((a, b) => a.at - b.at);
}

/** Everything the verdict reads, gathered once the run is over. */
async function evidence(inspectors: Inspectors, gateway: Gateway, provider: ProviderRun) {
  const { entries, unreadable } = readLedgers(gateway.dir);
  const ids = [...new Set(provider.deliveries.flatMap((delivery) => delivery.eventIds))];
  const [records, deadLetterQueue, storedEventIds] = await Promise.all([
    readRecords(inspectors.store(gateway.tableName), ids),
    deadLetterQueueIds(inspectors.sqs, gateway.queues.dlqUrl),
    storedStateIds(inspectors.dynamodb, gateway.tableName),
  ]);
  return {
    deliveries: provider.deliveries,
    ledger: entries,
    unreadableLedgerLines: unreadable,
    records,
    deadLetterQueue,
    storedEventIds,
  };
}

const READS_AT_ONCE = 16;

/** Each event's record through the event store, as the admin API reads it. */
async function readRecords(
  store: EventStore,
  ids: readonly string[],
): Promise<Map<string, EventRecord | undefined>> {
  const records = new Map<string, EventRecord | undefined>();
  let next = 0;
  const reader = async () => {
    for (let index = next++; index < ids.length; index = next++) {
      const id = ids[index];
      if (id !== undefined) records.set(id, await store.getEvent(id));
    }
  };
  await Promise.all(Array.from({ length: READS_AT_ONCE }, reader));
  return records;
}

/** The event ids of the DLQ's messages, with how many copies: received (hidden) until none is left. */
async function deadLetterQueueIds(sqs: SQSClient, dlqUrl: string): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  for (let empty = 0; empty < 2; ) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 600 }),
    );
    empty = Messages.length === 0 ? empty + 1 : 0;
    for (const message of Messages) {
      const id = eventIdOf(message.Body);
      ids.set(id, (ids.get(id) ?? 0) + 1);
    }
  }
  return ids;
}

function eventIdOf(body: string | undefined): string {
  try {
    const envelope = JSON.parse(body ?? '') as { id?: unknown };
    return typeof envelope.id === 'string' ? envelope.id : '(no id)';
  } catch {
    return '(unreadable)';
  }
}

/** Every event id with a state item (test inspection only: the product never scans). */
async function storedStateIds(dynamodb: DynamoDBClient, tableName: string): Promise<Set<string>> {
  const ids = new Set<string>();
  const pages = paginateScan({ client: dynamodb }, { TableName: tableName, ProjectionExpression: 'pk, sk' });
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      // State items (table layout v2): a route's shard partition, sorted by the event id.
      const id = item.sk?.S;
      if (item.pk?.S?.startsWith('ROUTE#') && id !== undefined && parseEventId(id) !== undefined) ids.add(id);
    }
  }
  return ids;
}

function serviceTotals(tally: AttemptTally): Record<Service, { attempts: number; faults: number }> {
  const totals = { sqs: { attempts: 0, faults: 0 }, dynamodb: { attempts: 0, faults: 0 } };
  for (const row of tally.rows()) {
    totals[row.service].attempts += row.attempts;
    totals[row.service].faults += Object.values(row.faults).reduce((sum, n) => sum + n, 0);
  }
  return totals;
}

function faultKindTotals(tally: AttemptTally): Record<FaultKind, number> {
  const totals: Record<FaultKind, number> = {
    throttled: 0,
    server_error: 0,
    connection_reset: 0,
    reply_lost: 0,
  };
  for (const row of tally.rows()) {
    for (const kind of Object.keys(totals) as FaultKind[]) totals[kind] += row.faults[kind];
  }
  return totals;
}
