/**
 * Delivery through the whole local stack (`startDevStack`, what `npm start` runs): events/s and
 * accept→handler latency for Standard-Webhooks-signed events sent over real HTTP by concurrent
 * senders, next to the raw SQS emulator round trip (SendMessage + ReceiveMessage + DeleteMessage)
 * measured in the same run against the same emulator. The stack's SDK clients are instrumented
 * (aws-call-counter.ts), so AWS calls and DynamoDB capacity units per delivered event are counted,
 * and priced with prices.ts. CPU time per event of this process and of both emulators is measured
 * around both runs (cpu.ts). Bodies are realistic webhook JSON (bodies.ts), so compression of stored
 * bodies is not flattered.
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { AWS_CLIENT_DEFAULTS } from '../../shared/aws-client-defaults.js';
import { type DevStack, startDevStack } from '../../shared/local/dev-stack.js';
import { LOCAL_AWS } from '../../shared/local-state/state-file.js';
import { freePort } from '../helpers/emulators.js';
import { standardWebhooksHeaders } from '../helpers/signers.js';
import {
  AwsCallCounter,
  type DynamoDbItem,
  itemBytes,
  type ObservedCall,
  type OperationCount,
} from './aws-call-counter.js';
import { incompressibleBody, realisticBody } from './bodies.js';
import {
  type CpuTarget,
  type CpuWindow,
  clockTicksPerSecond,
  startCpuWindow,
  type TargetCpu,
} from './cpu.js';
import { handledCounts, handledTime, resetHandled, waitForHandled } from './fixtures/handled.js';
import { PRICES, priceSource } from './prices.js';
import type { BenchSection } from './run.js';
import { fixed, formatTable, summarize, verdict } from './stats.js';

const CONFIG_FILE = fileURLToPath(new URL('./fixtures/hookline.config.ts', import.meta.url));
const SECRET_ENV = 'HOOKLINE_BENCH_WEBHOOK_SECRET';

const EVENTS = 1_000;
const SENDERS = 16;
const WARMUP_EVENTS = 200;
/** Body of the measured events (realistic JSON); the diagnostic runs repeat the counts with DIAGNOSTICS. */
const BODY_BYTES = 1024;
const DIAGNOSTIC_EVENTS = 200;
const RAW_MESSAGES = 1_000;
const RAW_WORKERS = 16;
const RAW_WARMUP_MESSAGES = 200;
/** Long-poll wait of the stack's pollers: the Lambda event source mapping's 20 s. */
const POLLER_WAIT_SECONDS = 20;
const HANDLED_TIMEOUT_MS = 60_000;
const DELETED_TIMEOUT_MS = 15_000;

/** The ingress function's memory (infra/webhook-route.ts `INGRESS_MEMORY_MB`). */
const INGRESS_MEMORY_MB = 256;

/** Other processes below this CPU per event are not named in the CPU section. */
const OTHER_PROCESS_SHOWN_MS = 0.05;
/** Other work using this many cores or more during a run's window gets a caution line. */
const CONTENDED_CORES = 0.1;

const THROUGHPUT_RATIO_TARGET = 0.5;
const P99_RATIO_TARGET = 2;
const WRITE_UNITS_TARGET = 4;
/** One route's traffic the hot-key model extrapolates to, and what one partition key takes. */
const ROUTE_EVENTS_PER_SECOND = 10_000;
const HOT_KEY_TARGET = 1000;
const COST_TARGET_DOLLARS = 3;

interface BodyShape {
  readonly kind: 'realistic' | 'incompressible';
  readonly bytes: number;
}

const MEASURED_BODY: BodyShape = { kind: 'realistic', bytes: BODY_BYTES };
/** Each with its own id prefix: the ingress dedupes on the webhook id. */
const DIAGNOSTICS: readonly { readonly prefix: string; readonly body: BodyShape }[] = [
  { prefix: 'big', body: { kind: 'realistic', bytes: 5 * 1024 } },
  { prefix: 'rnd', body: { kind: 'incompressible', bytes: 1024 } },
];

function makeBody(shape: BodyShape, benchId: string): string {
  return shape.kind === 'realistic'
    ? realisticBody(benchId, shape.bytes)
    : incompressibleBody(benchId, shape.bytes);
}

interface BenchEvent {
  readonly id: string;
  readonly body: string;
}

/** Built before a run, so making bodies costs the measured window no CPU. */
function benchEvents(prefix: string, count: number, shape: BodyShape): BenchEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `${prefix}${String(i).padStart(6, '0')}`;
    return { id, body: makeBody(shape, id) };
  });
}

/** Total bytes over total gzipped bytes (zlib's default level). */
function gzipRatio(bodies: readonly string[]): number {
  let bytes = 0;
  let gzipped = 0;
  for (const body of bodies) {
    bytes += Buffer.byteLength(body);
    gzipped += gzipSync(body).length;
  }
  return bytes / gzipped;
}

interface LatencyRun {
  readonly n: number;
  readonly wallMs: number;
  readonly perSecond: number;
  readonly latencyMs: ReturnType<typeof summarize>;
}

/** Everything measured and counted while one run of events went through the stack. */
interface DeliveryRun extends LatencyRun {
  readonly bodyBytes: number;
  /** Sender-side HTTP round trip of each accept (request to 202 response). */
  readonly acceptMs: ReturnType<typeof summarize>;
  readonly acceptSumMs: number;
  /** When the last 202 came back, from the first request. */
  readonly acceptWallMs: number;
  readonly handlerRuns: number;
  readonly operations: readonly OperationCount[];
  readonly batches: BatchStats;
  /** DynamoDB writes by what they did. */
  readonly writesByPurpose: ReadonlyMap<string, WritePurpose>;
  /** DynamoDB writes by the partition key they landed on: `table pk = …`, `index <name> gsi2pk = …`. */
  readonly keyWrites: ReadonlyMap<string, number>;
  /** Call durations by `service operation`. */
  readonly callMs: ReadonlyMap<string, readonly number[]>;
  /** Accept response → handler ran, per event: the time spent queued and being processed. */
  readonly afterAcceptMs: ReturnType<typeof summarize>;
}

interface WritePurpose {
  calls: number;
  units: number;
  indexUnits: number;
  estimatedUnits: number;
  /** Item size after the write, where the call shows it (PutItem's item, UpdateItem's ALL_NEW). */
  readonly itemBytes: number[];
}

interface BatchStats {
  readonly count: number;
  readonly messages: number;
  /** Receive response → DeleteMessageBatch request, per batch: the handler runtime's time. */
  readonly durationsMs: readonly number[];
  /** Most batches being processed at the same moment. */
  readonly maxInFlight: number;
  readonly emptyReceives: number;
}

/** Observes the stack's calls: deletes done, batch timings, write units by purpose. */
class CallObserver {
  deleted = 0;
  private receivedAt = new Map<string, number>();
  private batchSizes: number[] = [];
  private durationsMs: number[] = [];
  private intervals: [number, number][] = [];
  private emptyReceives = 0;
  private writes = new Map<string, WritePurpose>();
  private keys = new Map<string, number>();
  private callMs = new Map<string, number[]>();

  constructor(counter: AwsCallCounter) {
    counter.onCall((call) => this.observe(call));
  }

  reset(): void {
    this.deleted = 0;
    this.receivedAt.clear();
    this.batchSizes = [];
    this.durationsMs = [];
    this.intervals = [];
    this.emptyReceives = 0;
    this.writes = new Map();
    this.keys = new Map();
    this.callMs = new Map();
  }

  keyWrites(): ReadonlyMap<string, number> {
    return new Map(this.keys);
  }

  batches(): BatchStats {
    return {
      count: this.batchSizes.length,
      messages: this.batchSizes.reduce((sum, size) => sum + size, 0),
      durationsMs: [...this.durationsMs],
      maxInFlight: maxOverlap(this.intervals),
      emptyReceives: this.emptyReceives,
    };
  }

  writesByPurpose(): ReadonlyMap<string, WritePurpose> {
    return new Map(this.writes);
  }

  callDurations(): ReadonlyMap<string, readonly number[]> {
    return new Map(this.callMs);
  }

  private observe(call: ObservedCall): void {
    const key = `${call.service} ${call.operation}`;
    const durations = this.callMs.get(key) ?? [];
    durations.push(call.endedMs - call.startedMs);
    this.callMs.set(key, durations);
    if (call.service === 'SQS' && call.operation === 'ReceiveMessage' && call.output !== undefined) {
      const messages = (call.output.Messages as { ReceiptHandle?: string }[] | undefined) ?? [];
      if (messages.length === 0) this.emptyReceives += 1;
      for (const message of messages) {
        if (message.ReceiptHandle !== undefined) this.receivedAt.set(message.ReceiptHandle, call.endedMs);
      }
    }
    if (call.service === 'SQS' && call.operation === 'DeleteMessageBatch' && call.output !== undefined) {
      const entries = (call.input.Entries as { ReceiptHandle?: string }[] | undefined) ?? [];
      const received = entries.flatMap((entry) => {
        const at = this.receivedAt.get(entry.ReceiptHandle ?? '');
        return at === undefined ? [] : [at];
      });
      if (received.length > 0) {
        this.batchSizes.push(entries.length);
        const startedMs = Math.min(...received);
        this.durationsMs.push(call.startedMs - startedMs);
        this.intervals.push([startedMs, call.startedMs]);
      }
      this.deleted += ((call.output.Successful as unknown[] | undefined) ?? []).length;
    }
    if (call.capacity?.kind === 'write') {
      for (const key of writtenKeys(call)) this.keys.set(key, (this.keys.get(key) ?? 0) + 1);
      const purpose = `${call.operation} ${writePurpose(call)}${call.error === undefined ? '' : ' (condition failed)'}`;
      const entry = this.writes.get(purpose) ?? {
        calls: 0,
        units: 0,
        indexUnits: 0,
        estimatedUnits: 0,
        itemBytes: [],
      };
      entry.calls += 1;
      if (call.capacity.estimated) entry.estimatedUnits += call.capacity.units;
      else entry.units += call.capacity.units;
      entry.indexUnits += call.capacity.indexUnits;
      const item =
        (call.input.Item as DynamoDbItem | undefined) ??
        (call.input.ReturnValues === 'ALL_NEW'
          ? (call.output?.Attributes as DynamoDbItem | undefined)
          : undefined);
      if (item !== undefined && call.error === undefined) entry.itemBytes.push(itemBytes(item));
      this.writes.set(purpose, entry);
    }
  }
}

/** The most intervals that overlap at one moment. */
function maxOverlap(intervals: readonly (readonly [number, number])[]): number {
  const edges = intervals.flatMap(([start, end]) => [
    [start, 1],
    [end, -1],
  ]);
  // Ends before starts at the same instant: back-to-back batches do not overlap.
  edges.sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0) || (a[1] ?? 0) - (b[1] ?? 0));
  let open = 0;
  let most = 0;
  for (const [, change] of edges) {
    open += change ?? 0;
    most = Math.max(most, open);
  }
  return most;
}

/**
 * The partition keys a write lands on: each item's table key (`pk`), and the status index's key
 * (`gsi2pk`) when the write sets one and DynamoDB reports index capacity for it. A conditional
 * write whose condition failed is billed on its key too.
 */
function writtenKeys(call: ObservedCall): string[] {
  type Value = { S?: string };
  type Part = { Item?: Record<string, Value>; Key?: Record<string, Value> };
  const parts: Part[] =
    call.operation === 'TransactWriteItems'
      ? ((call.input.TransactItems as Record<string, Part>[] | undefined) ?? []).flatMap((entry) =>
          Object.values(entry),
        )
      : [call.input as Part];
  const keys: string[] = [];
  for (const part of parts) {
    const pk = (part.Item ?? part.Key)?.pk?.S;
    if (pk !== undefined) keys.push(`table pk = ${pk}`);
  }
  if ((call.capacity?.indexUnits ?? 0) > 0) {
    const values = (call.input.ExpressionAttributeValues as Record<string, Value> | undefined) ?? {};
    const item = call.input.Item as Record<string, Value> | undefined;
    const indexKey = item?.gsi2pk?.S ?? values[':gsi2pk']?.S;
    keys.push(`index byRouteStatus gsi2pk = ${indexKey ?? '(entry removed)'}`);
  }
  return keys;
}

/** A key's writes per second with one route at `eventsPerSecond`, by the layout's model. */
interface KeyRate {
  /** The key, or its shard family (`… #<shard>` standing for each of the route's shards). */
  readonly key: string;
  /** Writes to it (or to its family) per event of the run. */
  readonly perEvent: number;
  /** How many keys share those writes evenly: the route's shards for a shard family, else 1. */
  readonly spread: number;
  readonly writesPerSecond: number;
}

/**
 * The writes each partition key takes with one route at `eventsPerSecond`. A route's state items
 * (`ROUTE#<tag>#<shard>`) and its status index entries (`ROUTE#<tag>#<status>#<shard>`) are spread
 * over its shards by a uniform random choice made per event (the shard is in the event id), so a
 * shard takes 1/`shards` of its family's writes: that expectation is the model, not the few events'
 * sample (whose busiest shard is noise). Every other key is extrapolated from its own writes: a key
 * of one event (its dedupe key's item, its request item) sees only that event's writes.
 */
function keyRates(
  keyWrites: ReadonlyMap<string, number>,
  events: number,
  shards: number,
  eventsPerSecond: number,
): KeyRate[] {
  const families = new Map<string, { writes: number; spread: number }>();
  for (const [key, writes] of keyWrites) {
    const sharded = /^(.* = ROUTE#[0-9A-Z]{8}(?:#[a-z_]+)?)#[0-9A-Z]{2}$/.exec(key);
    const family = sharded === null ? key : `${sharded[1]}#<shard>`;
    const entry = families.get(family) ?? { writes: 0, spread: sharded === null ? 1 : shards };
    entry.writes += writes;
    families.set(family, entry);
  }
  return [...families]
    .map(([key, { writes, spread }]) => ({
      key,
      perEvent: writes / events,
      spread,
      writesPerSecond: (writes / events / spread) * eventsPerSecond,
    }))
    .sort((a, b) => b.writesPerSecond - a.writesPerSecond || a.key.localeCompare(b.key));
}

/** What a write does to the event table, from the item or the status it sets. */
function writePurpose(call: ObservedCall): string {
  type Value = { S?: string };
  const item = call.input.Item as Record<string, Value> | undefined;
  if (item !== undefined) {
    if (item.pk?.S?.startsWith('DEDUPE#')) return 'dedupe claim with the request data';
    if (item.sk?.S === 'REQUEST') return 'event request data (no dedupe key)';
    if (item.sk?.S === 'LAYOUT') return 'table layout item';
    return `event state → ${item.status?.S ?? '?'}`;
  }
  const values = (call.input.ExpressionAttributeValues as Record<string, Value> | undefined) ?? {};
  if (values[':to']?.S !== undefined) {
    const settles = values[':owner'] !== undefined;
    return `→ ${values[':to'].S}${settles ? ' (settle, lock released)' : ''}`;
  }
  if (values[':owner'] !== undefined) return '→ processing (lock taken)';
  return '(other)';
}

interface SendResult {
  readonly sentAt: ReadonlyMap<string, number>;
  readonly acceptedAt: ReadonlyMap<string, number>;
  readonly acceptMs: readonly number[];
  readonly firstSentMs: number;
  readonly lastAcceptedMs: number;
}

/** Sends every event from `senders` concurrent loops over keep-alive HTTP; each must get 202. */
async function sendEvents(
  url: string,
  secret: string,
  events: readonly BenchEvent[],
  senders: number,
): Promise<SendResult> {
  const sentAt = new Map<string, number>();
  const acceptedAt = new Map<string, number>();
  const acceptMs: number[] = [];
  let next = 0;
  let lastAcceptedMs = 0;
  const sender = async (): Promise<void> => {
    for (;;) {
      const event = events[next++];
      if (event === undefined) return;
      const { id, body } = event;
      const headers = standardWebhooksHeaders(secret, body, `msg_${id}`);
      const started = performance.now();
      sentAt.set(id, started);
      const response = await fetch(url, { method: 'POST', headers, body });
      const text = await response.text();
      const ended = performance.now();
      if (response.status !== 202) {
        throw new Error(`event ${id} was answered ${response.status}: ${text.slice(0, 300)}`);
      }
      acceptMs.push(ended - started);
      acceptedAt.set(id, ended);
      lastAcceptedMs = Math.max(lastAcceptedMs, ended);
    }
  };
  await Promise.all(Array.from({ length: senders }, sender));
  return { sentAt, acceptedAt, acceptMs, firstSentMs: Math.min(...sentAt.values()), lastAcceptedMs };
}

async function until(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface DeliveryContext {
  readonly stack: DevStack;
  readonly url: string;
  readonly secret: string;
  readonly counter: AwsCallCounter;
  readonly observer: CallObserver;
}

/** Sends `events`, waits until each is handled and its message deleted; counts are for those alone. */
async function deliver(
  context: DeliveryContext,
  events: readonly BenchEvent[],
  bodyBytes: number,
): Promise<DeliveryRun> {
  const { counter, observer } = context;
  resetHandled();
  counter.reset();
  observer.reset();
  const count = events.length;
  const ids = events.map((event) => event.id);
  const sent = await sendEvents(context.url, context.secret, events, SENDERS);
  await waitForHandled(count, HANDLED_TIMEOUT_MS);
  await until(() => observer.deleted >= count, DELETED_TIMEOUT_MS, `${count} messages deleted`);

  const latencies: number[] = [];
  const afterAccept: number[] = [];
  let lastHandledMs = 0;
  for (const id of ids) {
    const at = handledTime(id);
    const sentAt = sent.sentAt.get(id);
    const acceptedAt = sent.acceptedAt.get(id);
    if (at === undefined || sentAt === undefined || acceptedAt === undefined) {
      throw new Error(`event ${id} has no send, accept or handle time`);
    }
    latencies.push(at - sentAt);
    afterAccept.push(at - acceptedAt);
    lastHandledMs = Math.max(lastHandledMs, at);
  }
  const wallMs = lastHandledMs - sent.firstSentMs;
  return {
    n: count,
    wallMs,
    perSecond: count / (wallMs / 1000),
    latencyMs: summarize(latencies),
    bodyBytes,
    acceptMs: summarize(sent.acceptMs),
    acceptSumMs: sent.acceptMs.reduce((sum, ms) => sum + ms, 0),
    acceptWallMs: sent.lastAcceptedMs - sent.firstSentMs,
    handlerRuns: handledCounts().runs,
    operations: counter.operations(),
    batches: observer.batches(),
    writesByPurpose: observer.writesByPurpose(),
    keyWrites: observer.keyWrites(),
    callMs: observer.callDurations(),
    afterAcceptMs: summarize(afterAccept),
  };
}

/** SendMessage, then ReceiveMessage (1 message, 1 s wait) and DeleteMessage, from concurrent workers. */
async function rawRoundTrips(
  sqs: SQSClient,
  queueUrl: string,
  count: number,
  body: string,
): Promise<LatencyRun> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      const started = performance.now();
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
      for (;;) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
        );
        const message = Messages[0];
        if (message === undefined) continue; // another worker took the visible ones: receive again
        await sqs.send(
          new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
        );
        break;
      }
      latencies.push(performance.now() - started);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: RAW_WORKERS }, worker));
  const wallMs = performance.now() - started;
  return { n: count, wallMs, perSecond: count / (wallMs / 1000), latencyMs: summarize(latencies) };
}

interface CostLine {
  readonly item: string;
  readonly perEvent: string;
  readonly unitPrice: string;
  readonly dollarsPerMillion: number;
}

function sum(operations: readonly OperationCount[], pick: (count: OperationCount) => number): number {
  return operations.reduce((total, count) => total + pick(count), 0);
}

function writeUnits(run: DeliveryRun): number {
  return sum(run.operations, (count) => count.writeUnits + count.estimatedWriteUnits);
}

/** The cost of one delivered event, per million events, line by line. */
function costLines(run: DeliveryRun, handlerMemoryMb: number): CostLine[] {
  const perEvent = (value: number) => value / run.n;
  const million = 1_000_000;
  const apiRequests = Math.max(1, Math.ceil(run.bodyBytes / PRICES.apiGatewayMeterBytes));
  const ingressGbSeconds = (INGRESS_MEMORY_MB / 1024) * (run.acceptSumMs / 1000);
  const batchSize = run.batches.messages / Math.max(1, run.batches.count);
  const handlerMs = run.batches.durationsMs.reduce((total, ms) => total + ms, 0);
  const handlerGbSeconds = (handlerMemoryMb / 1024) * (handlerMs / 1000);
  const sqsRequests = sum(
    run.operations.filter((count) => count.service === 'SQS'),
    (count) => count.billedRequests,
  );
  const readUnits = sum(run.operations, (count) => count.readUnits);
  const secretsCalls = sum(
    run.operations.filter((count) => count.service === 'SecretsManager'),
    (count) => count.billedRequests,
  );
  const money = (value: number) => {
    const rounded = Number(value.toPrecision(6));
    return `$${Math.round(rounded * 100) === rounded * 100 ? rounded.toFixed(2) : String(rounded)}`;
  };
  return [
    {
      item: 'API Gateway HTTP API requests',
      perEvent: fixed(apiRequests, 2),
      unitPrice: `${money(PRICES.apiGatewayHttpRequest * million)}/M`,
      dollarsPerMillion: apiRequests * PRICES.apiGatewayHttpRequest * million,
    },
    {
      item: 'Lambda requests, ingress (1 per event)',
      perEvent: '1.00',
      unitPrice: `${money(PRICES.lambdaRequest * million)}/M`,
      dollarsPerMillion: PRICES.lambdaRequest * million,
    },
    {
      item: `Lambda arm64 GB-s, ingress (${INGRESS_MEMORY_MB} MB × mean accept ${fixed(run.acceptSumMs / run.n)} ms)`,
      perEvent: fixed(perEvent(ingressGbSeconds), 4),
      unitPrice: `${money(PRICES.lambdaArmGbSecond)}/GB-s`,
      dollarsPerMillion: perEvent(ingressGbSeconds) * PRICES.lambdaArmGbSecond * million,
    },
    {
      item: `Lambda requests, handler (1 per batch of ${fixed(batchSize, 2)})`,
      perEvent: fixed(perEvent(run.batches.count), 3),
      unitPrice: `${money(PRICES.lambdaRequest * million)}/M`,
      dollarsPerMillion: perEvent(run.batches.count) * PRICES.lambdaRequest * million,
    },
    {
      item: `Lambda arm64 GB-s, handler (${handlerMemoryMb} MB × ${fixed(handlerMs / run.n, 2)} ms per event)`,
      perEvent: fixed(perEvent(handlerGbSeconds), 5),
      unitPrice: `${money(PRICES.lambdaArmGbSecond)}/GB-s`,
      dollarsPerMillion: perEvent(handlerGbSeconds) * PRICES.lambdaArmGbSecond * million,
    },
    {
      item: 'SQS standard requests (billed 64 KB chunks)',
      perEvent: fixed(perEvent(sqsRequests), 2),
      unitPrice: `${money(PRICES.sqsStandardRequest * million)}/M`,
      dollarsPerMillion: perEvent(sqsRequests) * PRICES.sqsStandardRequest * million,
    },
    {
      item: 'DynamoDB on-demand write request units',
      perEvent: fixed(perEvent(writeUnits(run)), 2),
      unitPrice: `${money(PRICES.dynamoDbWriteRequestUnit * million)}/M`,
      dollarsPerMillion: perEvent(writeUnits(run)) * PRICES.dynamoDbWriteRequestUnit * million,
    },
    {
      item: 'DynamoDB on-demand read request units',
      perEvent: fixed(perEvent(readUnits), 2),
      unitPrice: `${money(PRICES.dynamoDbReadRequestUnit * million)}/M`,
      dollarsPerMillion: perEvent(readUnits) * PRICES.dynamoDbReadRequestUnit * million,
    },
    {
      item: 'Secrets Manager API calls (cached per container)',
      perEvent: fixed(perEvent(secretsCalls), 2),
      unitPrice: `${money(PRICES.secretsManagerApiCall * 10_000)}/10k`,
      dollarsPerMillion: perEvent(secretsCalls) * PRICES.secretsManagerApiCall * million,
    },
  ];
}

function total(lines: readonly CostLine[]): number {
  return lines.reduce((sum, line) => sum + line.dollarsPerMillion, 0);
}

function dollars(value: number): string {
  return `$${value.toFixed(value < 0.01 ? 4 : 2)}`;
}

/** `PASS` when `value` is at least `limit` (a lower bound), else `MISS`. */
function atLeast(value: number, limit: number): 'PASS' | 'MISS' {
  return value >= limit ? 'PASS' : 'MISS';
}

function latencyRow(label: string, run: LatencyRun): string[] {
  return [
    label,
    String(run.n),
    `${fixed(run.wallMs / 1000, 2)} s`,
    `${fixed(run.perSecond)}/s`,
    `${fixed(run.latencyMs.median)} ms`,
    `${fixed(run.latencyMs.p90)} ms`,
    `${fixed(run.latencyMs.p99)} ms`,
    `${fixed(run.latencyMs.max)} ms`,
  ];
}

function printOperations(print: (line: string) => void, run: DeliveryRun): void {
  const rows: string[][] = [
    [
      '<service',
      '<operation',
      'calls',
      'per event',
      'billed req/event',
      'WRU/event',
      'RRU/event',
      'errors',
      'p50',
      'p99',
    ],
  ];
  for (const count of run.operations) {
    const units = count.writeUnits + count.estimatedWriteUnits;
    const durations = run.callMs.get(`${count.service} ${count.operation}`) ?? [0];
    const timing = summarize(durations.length > 0 ? durations : [0]);
    rows.push([
      count.service,
      count.operation,
      String(count.calls),
      fixed(count.calls / run.n, 3),
      fixed(count.billedRequests / run.n, 3),
      units === 0 ? '—' : fixed(units / run.n, 2),
      count.readUnits === 0 ? '—' : fixed(count.readUnits / run.n, 2),
      count.errors === 0 ? '—' : String(count.errors),
      `${fixed(timing.median)} ms`,
      `${fixed(timing.p99)} ms`,
    ]);
  }
  const calls = sum(run.operations, (count) => count.calls);
  rows.push([
    'all',
    '',
    String(calls),
    fixed(calls / run.n, 3),
    '',
    fixed(writeUnits(run) / run.n, 2),
    '',
    '',
    '',
    '',
  ]);
  for (const line of formatTable(rows)) print(line);
}

function printWritePurposes(print: (line: string) => void, run: DeliveryRun): void {
  const rows: string[][] = [
    [
      '<DynamoDB write (status it sets)',
      'calls',
      'per event',
      'WRU/event',
      'on GSIs',
      'WRU/call',
      'item size',
    ],
  ];
  const entries = [...run.writesByPurpose].sort(
    (a, b) => b[1].units + b[1].estimatedUnits - (a[1].units + a[1].estimatedUnits),
  );
  for (const [purpose, entry] of entries) {
    const units = entry.units + entry.estimatedUnits;
    rows.push([
      purpose,
      String(entry.calls),
      fixed(entry.calls / run.n, 2),
      `${fixed(units / run.n, 2)}${entry.estimatedUnits > 0 ? ' (computed)' : ''}`,
      entry.indexUnits === 0 ? '—' : `${fixed((entry.indexUnits / Math.max(1, entry.units)) * 100, 0)} %`,
      fixed(units / Math.max(1, entry.calls), 2),
      entry.itemBytes.length === 0 ? '—' : `${Math.round(summarize(entry.itemBytes).median)} B`,
    ]);
  }
  for (const line of formatTable(rows)) print(line);
}

/** The purpose with the most write units, and the share of all write units spent on indexes. */
function writeHotspots(run: DeliveryRun): {
  top: string;
  topShare: number;
  indexShare: number;
  itemBytes: number;
} {
  const all = writeUnits(run);
  let top = '';
  let topUnits = 0;
  let indexUnits = 0;
  const sizes: number[] = [];
  for (const [purpose, entry] of run.writesByPurpose) {
    const units = entry.units + entry.estimatedUnits;
    if (units > topUnits) {
      top = purpose;
      topUnits = units;
    }
    indexUnits += entry.indexUnits;
    sizes.push(...entry.itemBytes);
  }
  return {
    top,
    topShare: topUnits / Math.max(1, all),
    indexShare: indexUnits / Math.max(1, all),
    itemBytes: sizes.length === 0 ? 0 : summarize(sizes).median,
  };
}

/** Successful DynamoDB writes per event. */
function writesPerEvent(run: DeliveryRun): number {
  let writes = 0;
  for (const [purpose, entry] of run.writesByPurpose)
    if (!purpose.endsWith('(condition failed)')) writes += entry.calls;
  return writes / run.n;
}

function callsPerEvent(run: DeliveryRun, service: string): number {
  return sum(run.operations, (count) => (count.service === service ? count.calls : 0)) / run.n;
}

function medianMs(run: DeliveryRun, key: string): number {
  const durations = run.callMs.get(key) ?? [];
  return durations.length === 0 ? 0 : summarize(durations).median;
}

function bodyLabel(shape: BodyShape): string {
  return `${shape.bytes} B ${shape.kind}`;
}

function gzipSummary(
  measured: readonly BenchEvent[],
  diagnostics: readonly { readonly body: BodyShape; readonly bodies: readonly string[] }[],
): string {
  const runs = [{ body: MEASURED_BODY, bodies: measured.map((event) => event.body) }, ...diagnostics];
  return `${runs.map(({ body, bodies }) => `${bodyLabel(body)} ${fixed(gzipRatio(bodies), 2)}×`).join(', ')} (over each run's bodies)`;
}

/** One run's CPU window, with what it moved. */
interface CpuRun {
  readonly cpu: CpuWindow;
  readonly n: number;
  readonly perSecond: number;
  /** The stack's AWS calls in the window, by service, where they were counted. */
  readonly operations?: readonly OperationCount[];
}

/** CPU time of the processes /proc could read (this process always). */
function measuredCpuMs(cpu: CpuWindow): number {
  return cpu.targets.reduce((total, target) => total + (target.cpuMs ?? 0), 0);
}

function msPer(value: number | undefined, n: number): string {
  return value === undefined ? 'n/a' : fixed(value / n, 2);
}

function share(value: number | undefined, all: number): string {
  return value === undefined || all === 0 ? '' : `${((value / all) * 100).toFixed(0)} %`;
}

/** `pid 1234 java`: the busiest process read for the target, and how many more there were. */
function processNames(target: TargetCpu): string {
  if (target.pid === 'self') return `pid ${process.pid} node`;
  const [busiest, ...others] = target.processes;
  if (busiest === undefined) return '';
  const more = others.length === 0 ? '' : ` + ${others.length} more`;
  const root = busiest.pid === target.pid ? '' : ` (under pid ${target.pid})`;
  return `pid ${busiest.pid} ${busiest.name}${more}${root}`;
}

/** At most 60 characters, the start kept. */
function shorten(text: string): string {
  return text.length <= 60 ? text : `${text.slice(0, 59)}…`;
}

/** CPU time /proc/stat counted beyond the processes measured: other work and the kernel. */
function restOfMachineMs(cpu: CpuWindow): number | undefined {
  return cpu.machineBusyMs === undefined ? undefined : Math.max(0, cpu.machineBusyMs - measuredCpuMs(cpu));
}

/** CPU time per event by process for both runs, what else ran meanwhile, and the ceilings they imply. */
function printCpu(print: (line: string) => void, end: CpuRun, raw: CpuRun): void {
  printCpuTable(print, end, raw);
  printOtherWork(print, end, raw);
  printCpuPerCall(print, end);
  print(
    'this Node process = process.cpuUsage() (all its threads): end to end it is the senders (fetch + signing), the ' +
      "HTTP server, ingress, pollers and handler runtime together; raw it is the bench's SQS client workers (the " +
      'idle pollers too). Emulators = /proc/<pid>/stat utime + stime of the pid and live descendants, ' +
      `CLK_TCK ${clockTicksPerSecond()}; rest of the machine = /proc/stat busy time − these processes: whatever else ` +
      'ran (competing for the same cores) and kernel time; n/a = no /proc',
  );
  printCpuCeilings(print, end, raw);
}

function printCpuTable(print: (line: string) => void, end: CpuRun, raw: CpuRun): void {
  const cores = cpus().length;
  const endTotal = measuredCpuMs(end.cpu);
  const rawTotal = measuredCpuMs(raw.cpu);
  print(
    `CPU time, measured (user + system) over each run's window, ${cores} cores; ` +
      'ms per event end to end (first send → last delete), ms per message raw (first send → last round trip):',
  );
  const rows: string[][] = [['<process', '<', 'end to end ms/event', 'share', 'raw ms/message', 'share']];
  end.cpu.targets.forEach((target, i) => {
    const rawTarget = raw.cpu.targets[i];
    rows.push([
      target.label,
      processNames(target),
      msPer(target.cpuMs, end.n),
      share(target.cpuMs, endTotal),
      msPer(rawTarget?.cpuMs, raw.n),
      share(rawTarget?.cpuMs, rawTotal),
    ]);
    if (target.pid === 'self') {
      rows.push([
        '  of which its main thread (JavaScript)',
        '',
        msPer(target.mainThreadMs, end.n),
        share(target.mainThreadMs, endTotal),
        msPer(rawTarget?.mainThreadMs, raw.n),
        share(rawTarget?.mainThreadMs, rawTotal),
      ]);
    }
  });
  rows.push([
    'total of these processes',
    '',
    msPer(endTotal, end.n),
    '100 %',
    msPer(rawTotal, raw.n),
    '100 %',
  ]);
  rows.push([
    'rest of the machine (other work, kernel)',
    '/proc/stat',
    msPer(restOfMachineMs(end.cpu), end.n),
    '',
    msPer(restOfMachineMs(raw.cpu), raw.n),
    '',
  ]);
  rows.push([
    'wall time of the window',
    '',
    `${fixed(end.cpu.wallMs / 1000, 2)} s`,
    '',
    `${fixed(raw.cpu.wallMs / 1000, 2)} s`,
    '',
  ]);
  rows.push([
    'cores busy (these processes: CPU / wall)',
    '',
    fixed(endTotal / end.cpu.wallMs, 2),
    '',
    fixed(rawTotal / raw.cpu.wallMs, 2),
    '',
  ]);
  const machineBusy = (cpu: CpuWindow) =>
    cpu.machineBusyMs === undefined ? 'n/a' : fixed(cpu.machineBusyMs / cpu.wallMs, 2);
  rows.push(['cores busy (whole machine)', '', machineBusy(end.cpu), '', machineBusy(raw.cpu), '']);
  for (const line of formatTable(rows)) print(line);
}

/** The other processes that used CPU during the windows, and a caution when they used much. */
function printOtherWork(print: (line: string) => void, end: CpuRun, raw: CpuRun): void {
  const others = (run: CpuRun) => {
    const shown = run.cpu.others.filter(
      (other) => (other.cpuMs + (other.exitedChildrenMs ?? 0)) / run.n >= OTHER_PROCESS_SHOWN_MS,
    );
    if (shown.length === 0) return 'none';
    return shown
      .map((other) => {
        const exited = other.exitedChildrenMs ?? 0;
        const children = exited > 0 ? ` + exited children ${fixed(exited / run.n, 2)} ms` : '';
        return `pid ${other.pid} \`${shorten(other.name)}\` ${fixed(other.cpuMs / run.n, 2)} ms${children}`;
      })
      .join(', ');
  };
  print(
    `other processes over ${OTHER_PROCESS_SHOWN_MS} ms CPU per event (children that exited in the window count ` +
      `their whole lifetime): end to end ${others(end)}; raw ${others(raw)}`,
  );
  for (const [name, run] of [
    ['end-to-end', end],
    ['raw', raw],
  ] as const) {
    const restCores = (restOfMachineMs(run.cpu) ?? 0) / run.cpu.wallMs;
    if (restCores >= CONTENDED_CORES) {
      print(
        `CAUTION other work used ${fixed(restCores, 2)} cores during the ${name} window: that run's wall-clock ` +
          'figures (throughput, latency) are worse than on an idle machine; its CPU time per event much less so',
      );
    }
  }
}

/** Each emulator's CPU time per call it answered in the end-to-end run. */
function printCpuPerCall(print: (line: string) => void, end: CpuRun): void {
  const operations = end.operations;
  if (operations === undefined) return;
  const parts = [
    ['DynamoDB Local', 'DynamoDB'],
    ['SQS emulator', 'SQS'],
  ].flatMap(([label, service]) => {
    const cpuMs = end.cpu.targets.find((target) => target.label === label)?.cpuMs;
    const calls = sum(operations, (count) => (count.service === service ? count.calls : 0));
    if (cpuMs === undefined || calls === 0) return [];
    return [
      `${label} ${fixed(cpuMs / calls, 2)} ms per ${service} call (${fixed(calls / end.n, 2)} calls per event)`,
    ];
  });
  if (parts.length > 0) print(`emulator CPU per call answered, end to end: ${parts.join(', ')}`);
}

/** The throughput the measured CPU per event allows, and what the throughput target needs. */
function printCpuCeilings(print: (line: string) => void, end: CpuRun, raw: CpuRun): void {
  const cores = cpus().length;
  const endPerEventMs = measuredCpuMs(end.cpu) / end.n;
  const rawPerMessageMs = measuredCpuMs(raw.cpu) / raw.n;
  const ceiling = (perEventMs: number) => (cores * 1000) / perEventMs;
  const partial = [...end.cpu.targets, ...raw.cpu.targets].some((target) => target.cpuMs === undefined);
  if (partial) print('CAUTION some processes could not be read (n/a): the figures below leave their CPU out');
  print(
    `CPU ceiling (${cores} cores / measured CPU per event, as if every core did only this work): ` +
      `end to end ≤ ${fixed(ceiling(endPerEventMs))}/s (measured ${fixed(end.perSecond)}/s), ` +
      `raw ≤ ${fixed(ceiling(rawPerMessageMs))}/s (measured ${fixed(raw.perSecond)}/s)`,
  );
  const mainThreadMs = end.cpu.targets.find((target) => target.pid === 'self')?.mainThreadMs;
  if (mainThreadMs !== undefined) {
    print(
      `single-thread ceiling: this process's JavaScript runs on its main thread, ${fixed(mainThreadMs / end.n, 2)} ms ` +
        `per event → end to end ≤ ${fixed((1000 * end.n) / mainThreadMs)}/s however many cores`,
    );
  }
  const neededMs = rawPerMessageMs / THROUGHPUT_RATIO_TARGET;
  print(
    `throughput target ≥ ${THROUGHPUT_RATIO_TARGET}× raw, on CPU: needs ≤ ${fixed(neededMs, 2)} ms CPU per event ` +
      `(raw ${fixed(rawPerMessageMs, 2)} ms / ${THROUGHPUT_RATIO_TARGET}); measured ${fixed(endPerEventMs, 2)} ms ` +
      `(${fixed(endPerEventMs / rawPerMessageMs, 1)}× raw)   ${verdict(endPerEventMs, neededMs)}`,
  );
}

/**
 * The cheapest any design with the mandated exactly-once lock could be on this traffic: every
 * non-DynamoDB line as measured, 2 write units per event (lock, then settle) and no reads.
 */
function printCostFloor(print: (line: string) => void, lines: readonly CostLine[]): void {
  const others = total(lines.filter((line) => !line.item.startsWith('DynamoDB')));
  const unitPerMillion = PRICES.dynamoDbWriteRequestUnit * 1_000_000;
  const floor = (units: number) => others + units * unitPerMillion;
  print(
    `floor, lock only: non-DynamoDB lines as measured ${dollars(others)} + 2 WRU/event (lock write before the ` +
      `handler, settle write after it; no ingress writes, no reads) × $${Number(unitPerMillion.toPrecision(6))}/M = ` +
      `${dollars(floor(2))} per M events   target ≤ ${dollars(COST_TARGET_DOLLARS)}   ${verdict(floor(2), COST_TARGET_DOLLARS)}`,
  );
  print(
    `floor, lock + 1 ingress write (the event record): 3 WRU/event = ${dollars(floor(3))} per M events   ` +
      `target ≤ ${dollars(COST_TARGET_DOLLARS)}   ${verdict(floor(3), COST_TARGET_DOLLARS)}`,
  );
}

/** Median size of the request data items (sk REQUEST) written, or undefined if none was. */
function requestItemBytes(run: DeliveryRun): number | undefined {
  const sizes = [...run.writesByPurpose]
    .filter(([purpose]) => purpose.includes('request'))
    .flatMap(([, entry]) => entry.itemBytes);
  return sizes.length === 0 ? undefined : summarize(sizes).median;
}

function diagnosticLine(run: DeliveryRun, body: BodyShape, lines: readonly CostLine[]): string {
  const cost = total(lines);
  const writes =
    lines.find((line) => line.item.startsWith('DynamoDB on-demand write'))?.dollarsPerMillion ?? 0;
  const request = requestItemBytes(run);
  return (
    `diagnostic, ${run.n} events of ${bodyLabel(body)} counted the same way: ` +
    `${fixed(writeUnits(run) / run.n, 2)} WRU/event (event item ~${Math.round(writeHotspots(run).itemBytes)} B, ` +
    `request item ${request === undefined ? '— (none written)' : `~${Math.round(request)} B`}), ` +
    `${dollars(cost)} per M events, of which DynamoDB writes ${dollars(writes)} ` +
    `(${((writes / cost) * 100).toFixed(1)} %)   target ≤ ${dollars(COST_TARGET_DOLLARS)}   ` +
    `(diagnostic) ${verdict(cost, COST_TARGET_DOLLARS)}`
  );
}

export const deliverySection: BenchSection = {
  title: 'delivery through the local stack: throughput, latency, AWS calls and cost per event',
  async run(print) {
    const counter = new AwsCallCounter();
    const observer = new CallObserver(counter);
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const started = performance.now();
    const stack = await startDevStack({
      configFile: CONFIG_FILE,
      port: await freePort(),
      sqsPort: await freePort(),
      dynamoDbPort: await freePort(),
      env: { ...process.env, [SECRET_ENV]: secret },
      waitSeconds: POLLER_WAIT_SECONDS,
      instrumentClients: ({ sqs, dynamodb }) => {
        counter.instrument(sqs);
        counter.instrument(dynamodb);
      },
    });
    // The stack's own client settings, so the baseline is not handicapped against the stack.
    const raw = new SQSClient({ ...AWS_CLIENT_DEFAULTS, ...LOCAL_AWS, endpoint: stack.sqs.endpoint });
    try {
      const route = stack.routes[0];
      if (route === undefined) throw new Error('the bench config has no route');
      print(
        `local stack up in ${fixed((performance.now() - started) / 1000, 1)} s: ${route.url} → queue ${route.queueName} ` +
          `(batch size ${route.route.batchSize}, window ${route.route.maxBatchingWindowSeconds} s, handler ${route.route.memoryMb} MB); ` +
          `SQS emulator ${stack.sqs.endpoint}, DynamoDB Local ${stack.dynamoDb.endpoint}`,
      );
      const context: DeliveryContext = { stack, url: route.url, secret, counter, observer };

      // Warm both paths (JIT, DynamoDB Local's JVM, connection pools) before measuring either.
      await deliver(context, benchEvents('warm', WARMUP_EVENTS, MEASURED_BODY), BODY_BYTES);
      const { QueueUrl: rawQueueUrl } = await raw.send(
        new CreateQueueCommand({ QueueName: 'hooklinebench-raw-round-trip' }),
      );
      if (rawQueueUrl === undefined) throw new Error('CreateQueue returned no QueueUrl');
      const rawBody = makeBody(MEASURED_BODY, 'raw');
      await rawRoundTrips(raw, rawQueueUrl, RAW_WARMUP_MESSAGES, rawBody);

      const cpuTargets: readonly CpuTarget[] = [
        { label: 'this Node process', pid: 'self' },
        { label: 'SQS emulator', pid: stack.sqs.pid },
        { label: 'DynamoDB Local', pid: stack.dynamoDb.pid },
      ];
      const endRawCpu = startCpuWindow(cpuTargets);
      const rawRun = await rawRoundTrips(raw, rawQueueUrl, RAW_MESSAGES, rawBody);
      const rawCpu = endRawCpu();
      const events = benchEvents('evt', EVENTS, MEASURED_BODY);
      const endRunCpu = startCpuWindow(cpuTargets);
      const run = await deliver(context, events, BODY_BYTES);
      const runCpu = endRunCpu();
      const diagnostics: {
        readonly body: BodyShape;
        readonly bodies: string[];
        readonly run: DeliveryRun;
      }[] = [];
      for (const { prefix, body } of DIAGNOSTICS) {
        const diagnosticEvents = benchEvents(prefix, DIAGNOSTIC_EVENTS, body);
        const bodies = diagnosticEvents.map((event) => event.body);
        diagnostics.push({ body, bodies, run: await deliver(context, diagnosticEvents, body.bytes) });
      }

      print(
        `${EVENTS} Standard-Webhooks-signed events of ${BODY_BYTES} B from ${SENDERS} concurrent senders ` +
          `(fetch, keep-alive) after ${WARMUP_EVENTS} warm-up events; latency = handler ran − just before the request. ` +
          `Raw: ${RAW_MESSAGES} round trips from ${RAW_WORKERS} workers on a separate queue of the same emulator, ` +
          `each SendMessage + ReceiveMessage (1 message, wait 1 s) + DeleteMessage, ${BODY_BYTES} B bodies`,
      );
      print(
        `bodies (test/bench/bodies.ts, reproducible from each benchId): realistic = an order webhook's JSON ` +
          '(nested objects, line items, address, ISO timestamps, amounts, email, base62 ids); incompressible = ' +
          `JSON around random base64. gzip ratio (zlib default level), bytes / gzipped bytes: ${gzipSummary(events, diagnostics)}`,
      );
      const rows: string[][] = [['path', 'n', 'wall', 'throughput', 'p50', 'p90', 'p99', 'max']];
      rows.push(latencyRow('raw SQS emulator round trip', rawRun));
      rows.push(latencyRow('end to end, accept → handler', run));
      rows.push([
        '  of which: HTTP accept (202)',
        String(run.n),
        `${fixed(run.acceptWallMs / 1000, 2)} s`,
        `${fixed(run.n / (run.acceptWallMs / 1000))}/s`,
        `${fixed(run.acceptMs.median)} ms`,
        `${fixed(run.acceptMs.p90)} ms`,
        `${fixed(run.acceptMs.p99)} ms`,
        `${fixed(run.acceptMs.max)} ms`,
      ]);
      rows.push([
        '  of which: 202 → handler ran',
        String(run.n),
        '',
        '',
        `${fixed(run.afterAcceptMs.median)} ms`,
        `${fixed(run.afterAcceptMs.p90)} ms`,
        `${fixed(run.afterAcceptMs.p99)} ms`,
        `${fixed(run.afterAcceptMs.max)} ms`,
      ]);
      for (const line of formatTable(rows)) print(line);

      const batch = summarize(run.batches.durationsMs.length > 0 ? run.batches.durationsMs : [0]);
      const batchSize = run.batches.messages / Math.max(1, run.batches.count);
      const msPerRecord = run.batches.durationsMs.reduce((total, ms) => total + ms, 0) / run.batches.messages;
      const handlerLimit = (run.batches.maxInFlight * 1000) / msPerRecord;
      print(
        `handler side: ${run.batches.count} batches of ${fixed(batchSize, 2)} on average, at most ${run.batches.maxInFlight} ` +
          `in flight at once; batch (receive → delete) p50 ${fixed(batch.median)} ms, p99 ${fixed(batch.p99)} ms = ` +
          `${fixed(msPerRecord, 2)} ms per record → at most ~${fixed(handlerLimit)} events/s; ` +
          `handler runs ${run.handlerRuns} for ${run.n} events; empty receives ${run.batches.emptyReceives}`,
      );

      print('');
      printCpu(
        print,
        { cpu: runCpu, n: run.n, perSecond: run.perSecond, operations: run.operations },
        { cpu: rawCpu, n: rawRun.n, perSecond: rawRun.perSecond },
      );

      print('');
      print(`AWS calls while the ${run.n} measured events were accepted and delivered (ingress + poller):`);
      printOperations(print, run);
      const failedConditional = sum(run.operations, (count) => count.failedConditionalWrites);
      const withoutCapacity = sum(run.operations, (count) => count.withoutCapacity);
      print(
        'WRU/RRU = ConsumedCapacity returned by DynamoDB Local (ReturnConsumedCapacity INDEXES on every call: table + GSIs)' +
          (failedConditional === 0
            ? ''
            : `; ${failedConditional} conditional writes failed their condition: AWS charges them too, ` +
              'their units are computed from the item sizes (DynamoDB returns none)') +
          (withoutCapacity === 0
            ? ''
            : `; ${withoutCapacity} calls returned no ConsumedCapacity (not counted)`) +
          '; p50/p99 = SDK call duration',
      );
      print('');
      printWritePurposes(print, run);
      print(
        'on GSIs = share of the units spent maintaining the global secondary indexes (key-only projections; ' +
          "the status index is sparse, see EVENT_TABLE); item size by DynamoDB's rules, after the write",
      );

      const handlerMemoryMb = route.route.memoryMb;
      const lines = costLines(run, handlerMemoryMb);
      const cost = total(lines);
      print('');
      print(priceSource());
      print(
        "assumed: ingress duration = the senders' mean HTTP accept round trip (an upper bound: it includes the local " +
          'HTTP adapter and waiting behind the poller in this one process); handler duration = receive → delete of ' +
          "each batch (the delete is the event source mapping's in AWS); the event source mapping's idle polling, " +
          'DynamoDB storage and data transfer are not included',
      );
      const costRows: string[][] = [['<item', 'per event', 'unit price', '$ per M events', 'share']];
      for (const line of lines) {
        costRows.push([
          line.item,
          line.perEvent,
          line.unitPrice,
          dollars(line.dollarsPerMillion),
          `${((line.dollarsPerMillion / cost) * 100).toFixed(1)} %`,
        ]);
      }
      costRows.push(['total', '', '', dollars(cost), '100.0 %']);
      for (const line of formatTable(costRows)) print(line);
      const writeCost =
        lines.find((line) => line.item.startsWith('DynamoDB on-demand write'))?.dollarsPerMillion ?? 0;
      printCostFloor(print, lines);

      for (const diagnostic of diagnostics) {
        print(diagnosticLine(diagnostic.run, diagnostic.body, costLines(diagnostic.run, handlerMemoryMb)));
      }

      const rates = keyRates(run.keyWrites, run.n, route.route.shards, ROUTE_EVENTS_PER_SECOND);
      const busiest = rates[0];
      const hotKey = busiest?.writesPerSecond ?? 0;
      const sampled = Math.max(0, ...run.keyWrites.values());
      print('');
      print(
        `hot keys: the partition key of every write of the ${run.n} measured events, scaled to one route at ` +
          `${ROUTE_EVENTS_PER_SECOND} events/s; a route's shard partitions (${route.route.shards} here) each take ` +
          `1/${route.route.shards} of their writes (the shard is drawn at random per event and kept in its id); ` +
          `DynamoDB serves at most ${HOT_KEY_TARGET} write units per second per partition key`,
      );
      const keyRows: string[][] = [['<partition key', 'writes/event', 'over keys', 'writes/s at 10k']];
      for (const rate of rates.slice(0, 6)) {
        keyRows.push([
          rate.key,
          fixed(rate.perEvent, 3),
          String(rate.spread),
          fixed(rate.writesPerSecond, 0),
        ]);
      }
      for (const line of formatTable(keyRows)) print(line);
      print(
        `(the run's busiest single key took ${sampled} writes, ${fixed((sampled / run.n) * ROUTE_EVENTS_PER_SECOND, 0)}/s ` +
          `scaled the same way: with ${run.n} events over ${route.route.shards} shards its share is sampling noise, not the model)`,
      );

      const throughputRatio = run.perSecond / rawRun.perSecond;
      const p99Ratio = run.latencyMs.p99 / rawRun.latencyMs.p99;
      const wruPerEvent = writeUnits(run) / run.n;
      const acceptRate = run.n / (run.acceptWallMs / 1000);
      const hotspots = writeHotspots(run);
      const updateMs = medianMs(run, 'DynamoDB UpdateItem');
      print('');
      print(
        `THE FIGURES  throughput, end to end / raw round trip: ${fixed(throughputRatio, 3)}× ` +
          `(${fixed(run.perSecond)} / ${fixed(rawRun.perSecond)} per s)   target ≥ ${THROUGHPUT_RATIO_TARGET}×   ` +
          `${atLeast(throughputRatio, THROUGHPUT_RATIO_TARGET)}`,
      );
      print(
        `             p99 latency, end to end / raw round trip: ${fixed(p99Ratio, 1)}× ` +
          `(${fixed(run.latencyMs.p99)} ms / ${fixed(rawRun.latencyMs.p99)} ms)   target ≤ ${P99_RATIO_TARGET}×   ` +
          `${verdict(p99Ratio, P99_RATIO_TARGET)}`,
      );
      print(
        `             DynamoDB write units per delivered event: ${fixed(wruPerEvent, 2)}   ` +
          `target ≤ ${WRITE_UNITS_TARGET}   ${verdict(wruPerEvent, WRITE_UNITS_TARGET)}`,
      );
      print(
        `             busiest partition key at ${ROUTE_EVENTS_PER_SECOND} events/s on one route: ${fixed(hotKey, 0)} writes/s ` +
          `(${busiest?.key ?? '—'})   target ≤ ${HOT_KEY_TARGET}/s   ${verdict(hotKey, HOT_KEY_TARGET)}`,
      );
      print(
        `             cost per million events at batch size ${route.route.batchSize} (observed ${fixed(batchSize, 2)}): ` +
          `${dollars(cost)}   target ≤ ${dollars(COST_TARGET_DOLLARS)}   ${verdict(cost, COST_TARGET_DOLLARS)}`,
      );

      const misses: string[] = [];
      if (throughputRatio < THROUGHPUT_RATIO_TARGET) {
        const needed = rawRun.perSecond * THROUGHPUT_RATIO_TARGET;
        const below = (rate: number) => (rate < needed ? ' (below)' : '');
        misses.push(
          `throughput: ${fixed(THROUGHPUT_RATIO_TARGET / throughputRatio, 1)}× short (needs ≥ ${fixed(needed)}/s); ` +
            `slowest: ${handlerLimit < acceptRate ? 'the handler side' : 'the ingress'}. ` +
            `Ingress: ${fixed(acceptRate)}/s${below(acceptRate)}, ${fixed(run.acceptMs.median)} ms p50 per 202 with ${SENDERS} senders ` +
            `(${fixed(writesPerEvent(run), 1)} DynamoDB writes and ${fixed(callsPerEvent(run, 'SQS'), 1)} SQS calls per event in all). ` +
            `Handler side: ~${fixed(handlerLimit)}/s${below(handlerLimit)}, ${run.batches.maxInFlight} batch at a time, records one ` +
            `after another at ${fixed(msPerRecord, 2)} ms each (lock + settle: 2 UpdateItems, ${fixed(updateMs, 1)} ms p50 each)`,
        );
      }
      if (p99Ratio > P99_RATIO_TARGET) {
        misses.push(
          `p99: ${fixed(p99Ratio / P99_RATIO_TARGET, 1)}× over (needs ≤ ${fixed(rawRun.latencyMs.p99 * P99_RATIO_TARGET)} ms). ` +
            `Dominated by waiting after the 202: p99 ${fixed(run.afterAcceptMs.p99)} ms from 202 to handler vs ` +
            `${fixed(run.acceptMs.p99)} ms p99 for the accept itself — the queue backs up while the handler side drains ` +
            'slower than the ingress fills it' +
            (run.acceptMs.p99 > rawRun.latencyMs.p99 * P99_RATIO_TARGET
              ? '; the accept alone is over the budget too'
              : ''),
        );
      }
      if (wruPerEvent > WRITE_UNITS_TARGET) {
        misses.push(
          `write units: ${fixed(wruPerEvent / WRITE_UNITS_TARGET, 1)}× over. ` +
            `${fixed(writesPerEvent(run), 1)} writes per event of a ~${Math.round(hotspots.itemBytes)} B event item (${Math.ceil(hotspots.itemBytes / 1024)} WRU per copy), ` +
            `${(hotspots.indexShare * 100).toFixed(0)} % of all units spent on the GSIs; ` +
            `largest: ${hotspots.top} (${(hotspots.topShare * 100).toFixed(0)} %)`,
        );
      }
      if (cost > COST_TARGET_DOLLARS) {
        misses.push(
          `cost: ${dollars(cost - COST_TARGET_DOLLARS)} over; DynamoDB writes are ${dollars(writeCost)} ` +
            `(${((writeCost / cost) * 100).toFixed(0)} %); everything else together ${dollars(cost - writeCost)}, ` +
            `which leaves room for ${fixed(Math.max(0, COST_TARGET_DOLLARS - (cost - writeCost)) / (PRICES.dynamoDbWriteRequestUnit * 1_000_000), 2)} ` +
            'WRU/event within the target',
        );
      }
      if (busiest !== undefined && hotKey > HOT_KEY_TARGET) {
        misses.push(
          `hot key: ${busiest.key} takes ${fixed(busiest.perEvent, 2)} writes per event of the route over ` +
            `${busiest.spread} key(s): the route throttles near ${fixed((HOT_KEY_TARGET * busiest.spread) / busiest.perEvent, 0)} events/s`,
        );
      }
      for (const miss of misses) print(`MISS ${miss}`);
    } finally {
      raw.destroy();
      await stack.stop();
    }
  },
};
