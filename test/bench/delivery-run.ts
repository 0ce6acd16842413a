/**
 * One run of events through the local stack for the delivery bench: signed webhooks sent over HTTP by
 * concurrent senders, waited for until each was handled and its message deleted, with the stack's
 * SDK calls observed meanwhile (deletes, batch timings, DynamoDB writes by what they wrote).
 */
import { gzipSync } from 'node:zlib';
import type { DevStack } from '../../shared/local/dev-stack.js';
import { standardWebhooksHeaders } from '../helpers/signers.js';
import {
  type AwsCallCounter,
  type DynamoDbItem,
  itemBytes,
  type ObservedCall,
  type OperationCount,
} from './aws-call-counter.js';
import { incompressibleBody, realisticBody } from './bodies.js';
import { handledCounts, handledTime, resetHandled, waitForHandled } from './fixtures/handled.js';
import { keyShape } from './key-shape.js';
import { summarize } from './stats.js';
import type { TableSchema } from './table-schema.js';
import { type AttributeValueJson, parseUpdateExpression } from './update-expression.js';

const HANDLED_TIMEOUT_MS = 60_000;
const DELETED_TIMEOUT_MS = 15_000;

export interface BodyShape {
  readonly kind: 'realistic' | 'incompressible';
  readonly bytes: number;
}

export interface BenchEvent {
  readonly id: string;
  readonly body: string;
}

/** Built before a run, so making bodies costs the measured window no CPU. */
export function benchEvents(prefix: string, count: number, shape: BodyShape): BenchEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `${prefix}${String(i).padStart(6, '0')}`;
    const body =
      shape.kind === 'realistic' ? realisticBody(id, shape.bytes) : incompressibleBody(id, shape.bytes);
    return { id, body };
  });
}

/** Total bytes over total gzipped bytes (zlib's default level). */
export function gzipRatio(bodies: readonly string[]): number {
  let bytes = 0;
  let gzipped = 0;
  for (const body of bodies) {
    bytes += Buffer.byteLength(body);
    gzipped += gzipSync(body).length;
  }
  return bytes / gzipped;
}

/** Everything measured and counted while one run of events went through the stack. */
export interface DeliveryRun {
  readonly n: number;
  readonly bodyBytes: number;
  readonly wallMs: number;
  readonly perSecond: number;
  /** Just before the request → the handler ran. */
  readonly latencyMs: ReturnType<typeof summarize>;
  /** Sender-side HTTP round trip of each accept (request to 202 response). */
  readonly acceptMs: ReturnType<typeof summarize>;
  /** Accept response → handler ran: the time spent queued and being processed. */
  readonly afterAcceptMs: ReturnType<typeof summarize>;
  readonly handlerRuns: number;
  readonly operations: readonly OperationCount[];
  readonly batches: BatchStats;
  /** DynamoDB writes by what they wrote. */
  readonly writesByPurpose: ReadonlyMap<string, WritePurpose>;
  /** Call durations by `service operation`. */
  readonly callMs: ReadonlyMap<string, readonly number[]>;
}

export interface WritePurpose {
  calls: number;
  units: number;
  indexUnits: number;
  estimatedUnits: number;
  /** Item size after the write, where the call shows it (a put's item, an update's ALL_NEW). */
  readonly itemBytes: number[];
}

export interface BatchStats {
  readonly count: number;
  readonly messages: number;
  /** Receive response → DeleteMessageBatch request, per batch: the handler runtime's time. */
  readonly durationsMs: readonly number[];
  /** Most batches being processed at the same moment. */
  readonly maxInFlight: number;
}

/** Observes the stack's calls: deletes done, batch timings, write units by purpose. */
export class CallObserver {
  deleted = 0;
  private receivedAt = new Map<string, number>();
  private batchSizes: number[] = [];
  private durationsMs: number[] = [];
  private intervals: [number, number][] = [];
  private writes = new Map<string, WritePurpose>();
  private callMs = new Map<string, number[]>();

  constructor(
    counter: AwsCallCounter,
    private readonly schema: TableSchema,
  ) {
    counter.onCall((call) => this.observe(call));
  }

  reset(): void {
    this.deleted = 0;
    this.receivedAt.clear();
    this.batchSizes = [];
    this.durationsMs = [];
    this.intervals = [];
    this.writes = new Map();
    this.callMs = new Map();
  }

  batches(): BatchStats {
    return {
      count: this.batchSizes.length,
      messages: this.batchSizes.reduce((sum, size) => sum + size, 0),
      durationsMs: [...this.durationsMs],
      maxInFlight: maxOverlap(this.intervals),
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
    this.callMs.set(key, [...(this.callMs.get(key) ?? []), call.endedMs - call.startedMs]);
    if (call.service === 'SQS' && call.operation === 'ReceiveMessage' && call.output !== undefined) {
      for (const message of (call.output.Messages as { ReceiptHandle?: string }[] | undefined) ?? []) {
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
    if (call.capacity?.kind === 'write') this.countWrite(call, call.capacity);
  }

  private countWrite(call: ObservedCall, capacity: NonNullable<ObservedCall['capacity']>): void {
    const purpose = `${writePurpose(call, this.schema)}${call.error === undefined ? '' : ' (condition failed)'}`;
    const entry = this.writes.get(purpose) ?? {
      calls: 0,
      units: 0,
      indexUnits: 0,
      estimatedUnits: 0,
      itemBytes: [],
    };
    entry.calls += 1;
    if (capacity.estimated) entry.estimatedUnits += capacity.units;
    else entry.units += capacity.units;
    entry.indexUnits += capacity.indexUnits;
    const item =
      (call.input.Item as DynamoDbItem | undefined) ??
      (call.input.ReturnValues === 'ALL_NEW'
        ? (call.output?.Attributes as DynamoDbItem | undefined)
        : undefined);
    if (item !== undefined && call.error === undefined) entry.itemBytes.push(itemBytes(item));
    this.writes.set(purpose, entry);
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
 * What a write did, in the table's own terms: the operation, the kind of item (its keys up to their
 * first `#`) and the `status` it sets, e.g. `PutItem EVENT#… / EVENT, status queued`.
 */
export function writePurpose(call: ObservedCall, schema: TableSchema): string {
  const item = call.input.Item as DynamoDbItem | undefined;
  const key = item ?? (call.input.Key as DynamoDbItem | undefined);
  const shape = key === undefined ? '(no key)' : keyShape(key, schema);
  let status: string | undefined;
  if (item !== undefined) status = typeof item.status?.S === 'string' ? item.status.S : undefined;
  else if (typeof call.input.UpdateExpression === 'string') {
    try {
      const change = parseUpdateExpression(
        call.input.UpdateExpression,
        (call.input.ExpressionAttributeNames as Record<string, string> | undefined) ?? {},
        (call.input.ExpressionAttributeValues as Record<string, AttributeValueJson> | undefined) ?? {},
      ).get('status');
      if (change?.kind === 'set') status = `→ ${String(change.value.S)}`;
    } catch {
      status = undefined;
    }
  }
  return `${call.operation} ${shape}${status === undefined ? '' : `, status ${status}`}`;
}

/** What a run needs of the stack and the bench around it. */
export interface DeliveryContext {
  readonly stack: DevStack;
  readonly url: string;
  readonly secret: string;
  readonly counter: AwsCallCounter;
  readonly observer: CallObserver;
  readonly senders: number;
  /** Called before the first request, after the counts were reset (e.g. to reset other trackers). */
  readonly onStart?: () => void;
}

/** Sends `events`, waits until each is handled and its message deleted; counts are for those alone. */
export async function deliver(
  context: DeliveryContext,
  events: readonly BenchEvent[],
  bodyBytes: number,
): Promise<DeliveryRun> {
  const { counter, observer } = context;
  resetHandled();
  counter.reset();
  observer.reset();
  context.onStart?.();
  const count = events.length;
  const sent = await sendEvents(context.url, context.secret, events, context.senders);
  await waitForHandled(count, HANDLED_TIMEOUT_MS);
  await until(() => observer.deleted >= count, DELETED_TIMEOUT_MS, `${count} messages deleted`);

  const latencies: number[] = [];
  const afterAccept: number[] = [];
  let lastHandledMs = 0;
  for (const { id } of events) {
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
    bodyBytes,
    wallMs,
    perSecond: count / (wallMs / 1000),
    latencyMs: summarize(latencies),
    acceptMs: summarize(sent.acceptMs),
    afterAcceptMs: summarize(afterAccept),
    handlerRuns: handledCounts().runs,
    operations: counter.operations(),
    batches: observer.batches(),
    writesByPurpose: observer.writesByPurpose(),
    callMs: observer.callDurations(),
  };
}

interface SendResult {
  readonly sentAt: ReadonlyMap<string, number>;
  readonly acceptedAt: ReadonlyMap<string, number>;
  readonly acceptMs: readonly number[];
  readonly firstSentMs: number;
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
    }
  };
  await Promise.all(Array.from({ length: senders }, sender));
  return { sentAt, acceptedAt, acceptMs, firstSentMs: Math.min(...sentAt.values()) };
}

async function until(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
