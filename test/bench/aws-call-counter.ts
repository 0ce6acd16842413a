/**
 * Counts the AWS calls made through SDK v3 clients, for the delivery bench: an `initialize`-step
 * middleware added to each client records every command by service and operation (SDK attempts,
 * errors, SQS billed 64 KB chunks) and, for DynamoDB, adds `ReturnConsumedCapacity: 'INDEXES'` to
 * every input (the total, as with `TOTAL`, plus its split between the table and each global
 * secondary index) and sums the `ConsumedCapacity` the service returns: capacity units are counted,
 * not estimated. The one exception: a conditional write whose condition fails still consumes write
 * capacity in AWS, but the error carries no `ConsumedCapacity`; those units are computed from the
 * item sizes with DynamoDB's documented rules and reported apart (`estimatedWriteUnits`).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';

/** DynamoDB operations that accept `ReturnConsumedCapacity`. */
const DYNAMODB_WRITES = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);
const DYNAMODB_READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);
/** SQS operations billed per 64 KB chunk of payload (a batch's payload is the sum of its entries). */
const SQS_CHUNKED = new Set(['SendMessage', 'SendMessageBatch', 'ReceiveMessage']);
const SQS_CHUNK_BYTES = 64 * 1024;
const DYNAMODB_WRITE_UNIT_BYTES = 1024;

type Input = Readonly<Record<string, unknown>>;

/** DynamoDB capacity units one call consumed. */
export interface CallCapacity {
  readonly kind: 'write' | 'read';
  /** Table and indexes together. */
  readonly units: number;
  /** Of `units`, those consumed maintaining global secondary indexes. */
  readonly indexUnits: number;
  /** `indexUnits` by index name (indexes DynamoDB reported). */
  readonly indexes: Readonly<Record<string, number>>;
  /** Computed from item sizes (a failed conditional write), not returned by DynamoDB. */
  readonly estimated: boolean;
}

/** One SDK command as the middleware saw it; times are `performance.now()` milliseconds. */
export interface ObservedCall {
  readonly service: string;
  readonly operation: string;
  readonly input: Input;
  readonly output?: Input;
  readonly error?: unknown;
  readonly startedMs: number;
  readonly endedMs: number;
  /** DynamoDB reads and writes only. */
  readonly capacity?: CallCapacity;
}

export interface OperationCount {
  readonly service: string;
  readonly operation: string;
  /** Commands sent (what the code asked for). */
  readonly calls: number;
  /** HTTP attempts, SDK retries included (what AWS bills for). */
  readonly attempts: number;
  readonly errors: number;
  /** Requests as billed: SQS counts every 64 KB chunk of a payload; other services, each attempt. */
  readonly billedRequests: number;
  /** DynamoDB capacity units returned in `ConsumedCapacity` (table and indexes). */
  readonly writeUnits: number;
  readonly readUnits: number;
  /** Of `writeUnits`, those consumed on global secondary indexes. */
  readonly indexWriteUnits: number;
  /** Conditional writes whose condition failed (they consume capacity too). */
  readonly failedConditionalWrites: number;
  /** Their write units, computed from item sizes (the error carries no `ConsumedCapacity`). */
  readonly estimatedWriteUnits: number;
  /** DynamoDB calls that succeeded without returning `ConsumedCapacity` (should stay 0). */
  readonly withoutCapacity: number;
}

type MutableCount = { -readonly [K in keyof OperationCount]: OperationCount[K] };

type InstrumentableClient = SQSClient | DynamoDBClient;

/** The slice of the SDK's middleware types the counter uses (an `initialize`-step middleware). */
interface HandlerArguments {
  readonly input: object;
}
type Handler = (args: HandlerArguments) => Promise<{ readonly output: object }>;
type Middleware = (
  next: Handler,
  context: { readonly clientName?: string; readonly commandName?: string },
) => Handler;
interface MiddlewareStack {
  add(
    middleware: Middleware,
    options: { readonly step: 'initialize'; readonly name: string; readonly priority: 'high' },
  ): void;
}

const MIDDLEWARE_NAME = 'hooklineBenchCallCounter';

export class AwsCallCounter {
  private readonly counts = new Map<string, MutableCount>();
  private readonly listeners: ((call: ObservedCall) => void)[] = [];
  private readonly instrumented = new WeakSet<object>();

  /** Adds the counting middleware to `client` (once per client). */
  instrument(client: InstrumentableClient): void {
    if (this.instrumented.has(client)) return;
    this.instrumented.add(client);
    const middleware: Middleware = (next, context) => async (args) => {
      const service = (context.clientName ?? 'unknown').replace(/Client$/, '');
      const operation = (context.commandName ?? 'unknown').replace(/Command$/, '');
      const input = withCapacityRequest(service, operation, args.input as Input);
      const startedMs = performance.now();
      try {
        const result = await next({ ...args, input });
        this.record({
          service,
          operation,
          input,
          output: result.output as unknown as Input,
          startedMs,
          endedMs: performance.now(),
        });
        return result;
      } catch (error: unknown) {
        this.record({ service, operation, input, error, startedMs, endedMs: performance.now() });
        throw error;
      }
    };
    (client.middlewareStack as unknown as MiddlewareStack).add(middleware, {
      step: 'initialize',
      name: MIDDLEWARE_NAME,
      priority: 'high',
    });
  }

  /** Called with every call once it completes (timing analyses). */
  onCall(listener: (call: ObservedCall) => void): void {
    this.listeners.push(listener);
  }

  /** Forgets every count so far (the clients stay instrumented). */
  reset(): void {
    this.counts.clear();
  }

  /** Counts by service and operation, sorted by service, then most calls first. */
  operations(): OperationCount[] {
    return [...this.counts.values()]
      .map((count) => ({ ...count }))
      .sort((a, b) => a.service.localeCompare(b.service) || b.calls - a.calls);
  }

  /**
   * Counts one call: the clients' middleware calls it, and so may a source that sees calls elsewhere
   * (aws-proxy.ts, on the wire), with the request and response bodies as `input` and `output`.
   */
  record(observed: ObservedCall): void {
    const capacity = observed.service === 'DynamoDB' ? capacityOf(observed) : undefined;
    const call = capacity === undefined ? observed : { ...observed, capacity };
    const count = this.countFor(call.service, call.operation);
    count.calls += 1;
    count.attempts += attemptsOf(call);
    if (call.error !== undefined) count.errors += 1;
    count.billedRequests +=
      call.service === 'SQS' && SQS_CHUNKED.has(call.operation)
        ? Math.max(1, Math.ceil(sqsPayloadBytes(call) / SQS_CHUNK_BYTES))
        : attemptsOf(call);
    if (call.service === 'DynamoDB' && isCapacityOperation(call.operation)) {
      if (capacity === undefined) {
        if (call.error === undefined) count.withoutCapacity += 1;
      } else if (capacity.estimated) {
        count.failedConditionalWrites += 1;
        count.estimatedWriteUnits += capacity.units;
      } else if (capacity.kind === 'write') {
        count.writeUnits += capacity.units;
        count.indexWriteUnits += capacity.indexUnits;
      } else {
        count.readUnits += capacity.units;
      }
    }
    for (const listener of this.listeners) listener(call);
  }

  private countFor(service: string, operation: string): MutableCount {
    const key = `${service}:${operation}`;
    let count = this.counts.get(key);
    if (count === undefined) {
      count = {
        service,
        operation,
        calls: 0,
        attempts: 0,
        errors: 0,
        billedRequests: 0,
        writeUnits: 0,
        readUnits: 0,
        indexWriteUnits: 0,
        failedConditionalWrites: 0,
        estimatedWriteUnits: 0,
        withoutCapacity: 0,
      };
      this.counts.set(key, count);
    }
    return count;
  }
}

function isCapacityOperation(operation: string): boolean {
  return DYNAMODB_WRITES.has(operation) || DYNAMODB_READS.has(operation);
}

function withCapacityRequest(service: string, operation: string, input: Input): Input {
  if (service !== 'DynamoDB' || !isCapacityOperation(operation)) return input;
  return { ...input, ReturnConsumedCapacity: 'INDEXES' };
}

function attemptsOf(call: ObservedCall): number {
  const holder = (call.output ?? call.error) as { $metadata?: { attempts?: number } } | undefined;
  return Math.max(1, holder?.$metadata?.attempts ?? 1);
}

interface Units {
  readonly CapacityUnits?: number;
  readonly WriteCapacityUnits?: number;
  readonly ReadCapacityUnits?: number;
}

interface ConsumedCapacity extends Units {
  readonly GlobalSecondaryIndexes?: Readonly<Record<string, Units>>;
}

/** What a DynamoDB call consumed: from `ConsumedCapacity`, or computed for a failed conditional write. */
function capacityOf(call: ObservedCall): CallCapacity | undefined {
  const kind = DYNAMODB_WRITES.has(call.operation)
    ? 'write'
    : DYNAMODB_READS.has(call.operation)
      ? 'read'
      : undefined;
  if (kind === undefined) return undefined;
  if (call.error !== undefined) {
    if (kind !== 'write' || errorName(call.error) !== 'ConditionalCheckFailedException') return undefined;
    return { kind, units: failedWriteUnits(call), indexUnits: 0, indexes: {}, estimated: true };
  }
  const consumed = call.output?.ConsumedCapacity as
    | ConsumedCapacity
    | readonly ConsumedCapacity[]
    | undefined;
  if (consumed === undefined) return undefined;
  let units = 0;
  let indexUnits = 0;
  const indexes: Record<string, number> = {};
  const list = (Array.isArray(consumed) ? consumed : [consumed]) as readonly ConsumedCapacity[];
  for (const capacity of list) {
    units += unitsOf(capacity, kind);
    for (const [name, index] of Object.entries(capacity.GlobalSecondaryIndexes ?? {})) {
      indexUnits += unitsOf(index, kind);
      indexes[name] = (indexes[name] ?? 0) + unitsOf(index, kind);
    }
  }
  return { kind, units, indexUnits, indexes, estimated: false };
}

function unitsOf(units: Units, kind: 'write' | 'read'): number {
  const split = kind === 'write' ? units.WriteCapacityUnits : units.ReadCapacityUnits;
  return units.CapacityUnits ?? split ?? 0;
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/**
 * A failed conditional write consumes the units of the larger of the existing item (returned with
 * `ReturnValuesOnConditionCheckFailure: ALL_OLD`) and the item it would have written (known for a
 * PutItem), at least 1.
 */
function failedWriteUnits(call: ObservedCall): number {
  const old = (call.error as { Item?: DynamoDbItem }).Item;
  const proposed = call.operation === 'PutItem' ? (call.input.Item as DynamoDbItem | undefined) : undefined;
  const bytes = Math.max(
    old === undefined ? 0 : itemBytes(old),
    proposed === undefined ? 0 : itemBytes(proposed),
  );
  return Math.max(1, Math.ceil(bytes / DYNAMODB_WRITE_UNIT_BYTES));
}

/** A DynamoDB item in the low-level attribute-value form. */
export type DynamoDbItem = Readonly<Record<string, AttributeValueLike>>;
type AttributeValueLike = Readonly<Record<string, unknown>>;

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * An item's size by DynamoDB's documented rules: attribute names in UTF-8 bytes plus values:
 * strings in UTF-8 bytes, binaries in raw bytes (base64 text, as on the wire, decoded), numbers about one byte per two significant digits
 * plus one, booleans and nulls one byte, lists and maps 3 bytes plus one byte per element plus
 * their contents, sets the sum of their elements.
 */
export function itemBytes(item: DynamoDbItem): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueBytes(value), 0);
}

function valueBytes(value: AttributeValueLike): number {
  if (typeof value.S === 'string') return utf8(value.S);
  if (typeof value.N === 'string') return numberBytes(value.N);
  if (value.B !== undefined) return binaryBytes(value.B);
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (Array.isArray(value.SS)) return (value.SS as string[]).reduce((sum, s) => sum + utf8(s), 0);
  if (Array.isArray(value.NS)) return (value.NS as string[]).reduce((sum, n) => sum + numberBytes(n), 0);
  if (Array.isArray(value.BS))
    return (value.BS as unknown[]).reduce<number>((sum, b) => sum + binaryBytes(b), 0);
  if (Array.isArray(value.L)) {
    const list = value.L as AttributeValueLike[];
    return 3 + list.reduce((sum, element) => sum + 1 + valueBytes(element), 0);
  }
  if (typeof value.M === 'object' && value.M !== null) {
    const entries = Object.entries(value.M as Record<string, AttributeValueLike>);
    return 3 + entries.reduce((sum, [name, element]) => sum + 1 + utf8(name) + valueBytes(element), 0);
  }
  return 0;
}

function binaryBytes(value: unknown): number {
  if (value instanceof Uint8Array) return value.byteLength;
  return typeof value === 'string' ? Buffer.from(value, 'base64').byteLength : 0;
}

function numberBytes(text: string): number {
  const digits = text
    .replace(/^[-+]/, '')
    .replace(/[eE].*$/, '')
    .replace('.', '')
    .replace(/^0+/, '');
  const significant = digits.replace(/0+$/, '').length || 1;
  return Math.ceil(significant / 2) + 1;
}

interface SqsMessageLike {
  readonly Body?: string;
  readonly MessageBody?: string;
  readonly MessageAttributes?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** Payload bytes of an SQS send or receive: bodies plus message attribute names, types and values. */
function sqsPayloadBytes(call: ObservedCall): number {
  const messages: readonly SqsMessageLike[] =
    call.operation === 'SendMessage'
      ? [call.input as SqsMessageLike]
      : call.operation === 'SendMessageBatch'
        ? ((call.input.Entries as SqsMessageLike[] | undefined) ?? [])
        : ((call.output?.Messages as SqsMessageLike[] | undefined) ?? []);
  return messages.reduce((sum, message) => {
    const body = utf8(message.MessageBody ?? message.Body ?? '');
    const attributes = Object.entries(message.MessageAttributes ?? {}).reduce(
      (total, [name, attribute]) =>
        total +
        utf8(name) +
        utf8(String(attribute.DataType ?? '')) +
        (typeof attribute.StringValue === 'string' ? utf8(attribute.StringValue) : 0) +
        (attribute.BinaryValue instanceof Uint8Array ? attribute.BinaryValue.byteLength : 0),
      0,
    );
    return sum + body + attributes;
  }, 0);
}
