/**
 * Which partition keys a run's DynamoDB writes landed on, in the table and in each index, read from
 * the requests themselves (items of puts, keys and update expressions of updates): DynamoDB serves at
 * most 1 000 write units per second per partition key, so the busiest key, extrapolated to a route's
 * traffic, says how far one route scales. An index is counted as written when DynamoDB reports
 * capacity consumed on it (`ConsumedCapacity` with `INDEXES`), at the index key the item carries
 * before and after the write (both, when the write moved it). Also keeps which items the run left in
 * the table, for the storage model.
 */
import type { DynamoDbItem, ObservedCall } from './aws-call-counter.js';
import type { IndexSchema, TableSchema } from './table-schema.js';
import { type AttributeChange, type AttributeValueJson, parseUpdateExpression } from './update-expression.js';

/** Writes one partition key received. */
export interface KeyWrites {
  /** `table`, or the index's name. */
  readonly where: string;
  /** `<attribute> = <value>`; `?` for a value the requests did not show. */
  readonly key: string;
  readonly writes: number;
  /** Write units, where DynamoDB reported them (a transaction's are shared among its items). */
  readonly units: number;
}

/** An item the run wrote and did not delete: its primary key, and when it was first written. */
export interface WrittenItem {
  readonly key: DynamoDbItem;
  readonly firstWrittenMs: number;
}

const UNKNOWN = '?';

/** The values of the index key attributes an item carries (`UNKNOWN` where the requests did not show). */
type IndexKeyValues = ReadonlyMap<string, string>;

interface ItemWrite {
  readonly kind: 'put' | 'update' | 'delete' | 'check';
  readonly key: DynamoDbItem;
  /** The index key values before the write, where the answer shows them (`ReturnValues: ALL_OLD`). */
  readonly before?: IndexKeyValues;
  /** The index key values after the write; undefined for a delete. */
  readonly after: IndexKeyValues | undefined;
}

export class KeyWriteTracker {
  private readonly counts = new Map<string, { where: string; key: string; writes: number; units: number }>();
  /** Index key values of every item seen written, kept across resets (later runs update them). */
  private readonly shadow = new Map<string, IndexKeyValues>();
  private readonly runItems = new Map<string, WrittenItem>();
  private readonly followed: readonly string[];

  constructor(
    private readonly schema: TableSchema,
    private readonly now: () => number = Date.now,
  ) {
    this.followed = [...new Set(schema.indexes.flatMap((index) => indexAttributes(index)))];
  }

  /** Forgets the counts and the run's items (not what is known of the items' index keys). */
  reset(): void {
    this.counts.clear();
    this.runItems.clear();
  }

  observe(call: ObservedCall): void {
    if (call.service !== 'DynamoDB') return;
    const failed = call.error !== undefined;
    if (failed && !consumesOnFailure(call.error)) return;
    const writes = this.itemWrites(call);
    if (writes.length === 0) return;
    const tableUnits = (call.capacity?.units ?? 0) - (call.capacity?.indexUnits ?? 0);
    // A transaction's index units are its items' together: there, tell index writes from the keys.
    const indexUnits = writes.length === 1 ? call.capacity?.indexes : undefined;
    for (const write of writes) {
      this.count('table', this.partitionKeyText(write.key), tableUnits / writes.length);
      if (failed || write.kind === 'check') continue;
      this.indexWrites(write, indexUnits);
      this.remember(write);
    }
  }

  keyWrites(): KeyWrites[] {
    return [...this.counts.values()].map((count) => ({ ...count }));
  }

  writtenItems(): WrittenItem[] {
    return [...this.runItems.values()];
  }

  private itemWrites(call: ObservedCall): ItemWrite[] {
    const input = call.input;
    switch (call.operation) {
      case 'PutItem':
      case 'UpdateItem':
      case 'DeleteItem':
        return input.TableName === this.schema.tableName
          ? [this.itemWrite(call.operation, input, call.output)]
          : [];
      case 'TransactWriteItems':
        return ((input.TransactItems as Record<string, Record<string, unknown>>[] | undefined) ?? []).flatMap(
          (entry) => {
            const [operation, request] = Object.entries(entry)[0] ?? [];
            if (request === undefined || request.TableName !== this.schema.tableName) return [];
            const names: Record<string, string> = {
              Put: 'PutItem',
              Update: 'UpdateItem',
              Delete: 'DeleteItem',
            };
            // A ConditionCheck writes nothing but is billed as a write on its item's partition.
            const kind = names[operation ?? ''];
            if (kind !== undefined) return [this.itemWrite(kind, request)];
            const key = request.Key as DynamoDbItem;
            return [{ kind: 'check' as const, key, after: this.valuesOf(key) }];
          },
        );
      case 'BatchWriteItem': {
        const requests = (
          input.RequestItems as
            | Record<string, Record<string, { Item?: DynamoDbItem; Key?: DynamoDbItem }>[]>
            | undefined
        )?.[this.schema.tableName];
        return (requests ?? []).flatMap((request) => {
          if (request.PutRequest?.Item !== undefined)
            return [this.itemWrite('PutItem', { Item: request.PutRequest.Item })];
          if (request.DeleteRequest?.Key !== undefined)
            return [this.itemWrite('DeleteItem', { Key: request.DeleteRequest.Key })];
          return [];
        });
      }
      default:
        return [];
    }
  }

  /**
   * One item's write. The answer's `Attributes` (`ReturnValues`) are the item itself, before or after
   * the write: used where present, they stay right when calls on one item overlap and complete in
   * another order than DynamoDB applied them.
   */
  private itemWrite(
    operation: string,
    request: Readonly<Record<string, unknown>>,
    answer?: Readonly<Record<string, unknown>>,
  ): ItemWrite {
    const returned = answer?.Attributes as DynamoDbItem | undefined;
    const old =
      returned !== undefined && request.ReturnValues === 'ALL_OLD' ? this.valuesIn(returned) : undefined;
    const known = old === undefined ? {} : { before: old };
    if (operation === 'PutItem') {
      const item = request.Item as DynamoDbItem;
      return { kind: 'put', key: this.primaryKeyOf(item), ...known, after: this.valuesIn(item) };
    }
    const key = request.Key as DynamoDbItem;
    if (operation === 'DeleteItem') return { kind: 'delete', key, ...known, after: undefined };
    if (returned !== undefined && request.ReturnValues === 'ALL_NEW') {
      return { kind: 'update', key, after: this.valuesIn(returned) };
    }
    const changes = parseUpdateExpression(
      String(request.UpdateExpression ?? ''),
      (request.ExpressionAttributeNames as Record<string, string> | undefined) ?? {},
      (request.ExpressionAttributeValues as Record<string, AttributeValueJson> | undefined) ?? {},
    );
    return { kind: 'update', key, ...known, after: this.applied(old ?? this.valuesOf(key), changes) };
  }

  /** The index key values a whole item carries. */
  private valuesIn(item: DynamoDbItem): IndexKeyValues {
    const values = new Map<string, string>();
    for (const name of this.followed) {
      const value = item[name];
      if (value !== undefined) values.set(name, valueText(value));
    }
    return values;
  }

  /** The index key values the shadow holds for `key`'s item: all `UNKNOWN` for an item never seen. */
  private valuesOf(key: DynamoDbItem): IndexKeyValues {
    const known = this.shadow.get(itemId(key, this.schema));
    if (known !== undefined) return known;
    return new Map(this.followed.map((name) => [name, UNKNOWN]));
  }

  private applied(before: IndexKeyValues, changes: ReadonlyMap<string, AttributeChange>): IndexKeyValues {
    const after = new Map(before);
    for (const name of this.followed) {
      const change = changes.get(name);
      if (change === undefined) continue;
      if (change.kind === 'set') after.set(name, valueText(change.value));
      else if (change.kind === 'setIfMissing') {
        if (!after.has(name)) after.set(name, valueText(change.value));
      } else if (change.kind === 'removed') after.delete(name);
      else after.set(name, UNKNOWN);
    }
    return after;
  }

  private indexWrites(write: ItemWrite, consumed: Readonly<Record<string, number>> | undefined): void {
    const before = write.before ?? this.shadow.get(itemId(write.key, this.schema));
    for (const index of this.schema.indexes) {
      const old = before === undefined ? undefined : indexKeyOf(index, before);
      const next = write.after === undefined ? undefined : indexKeyOf(index, write.after);
      const units = consumed?.[index.name];
      const written =
        units === undefined ? old !== next || (write.kind === 'put' && next !== undefined) : units > 0;
      if (!written) continue;
      // A key the requests did not show is taken to be the other one: index keys rarely move.
      const shown = [old, next].filter((key): key is string => key !== undefined && key !== UNKNOWN);
      const keys = shown.length > 0 ? [...new Set(shown)] : [UNKNOWN];
      for (const key of keys)
        this.count(index.name, `${index.partitionKey} = ${key}`, (units ?? 0) / keys.length);
    }
  }

  private remember(write: ItemWrite): void {
    const id = itemId(write.key, this.schema);
    if (write.after === undefined) {
      this.shadow.delete(id);
      this.runItems.delete(id);
      return;
    }
    this.shadow.set(id, write.after);
    if (!this.runItems.has(id)) this.runItems.set(id, { key: write.key, firstWrittenMs: this.now() });
  }

  private count(where: string, key: string, units: number): void {
    const id = `${where}\u0000${key}`;
    const count = this.counts.get(id) ?? { where, key, writes: 0, units: 0 };
    count.writes += 1;
    count.units += units;
    this.counts.set(id, count);
  }

  private partitionKeyText(key: DynamoDbItem): string {
    const value = key[this.schema.partitionKey];
    return `${this.schema.partitionKey} = ${value === undefined ? UNKNOWN : valueText(value)}`;
  }

  private primaryKeyOf(item: DynamoDbItem): DynamoDbItem {
    const { partitionKey, sortKey } = this.schema;
    const key: Record<string, DynamoDbItem[string]> = {};
    for (const name of [partitionKey, sortKey]) {
      const value = name === undefined ? undefined : item[name];
      if (name !== undefined && value !== undefined) key[name] = value;
    }
    return key;
  }
}

/** What a write whose condition failed (or whose transaction was cancelled) is still billed for. */
function consumesOnFailure(error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  return name === 'ConditionalCheckFailedException' || name === 'TransactionCanceledException';
}

function indexAttributes(index: IndexSchema): string[] {
  return index.sortKey === undefined ? [index.partitionKey] : [index.partitionKey, index.sortKey];
}

/** The item's partition key value in `index`, or undefined when the item is not in it (sparse). */
function indexKeyOf(index: IndexSchema, values: IndexKeyValues): string | undefined {
  const partition = values.get(index.partitionKey);
  if (partition === undefined) return undefined;
  if (index.sortKey !== undefined && !values.has(index.sortKey)) return undefined;
  return partition;
}

function itemId(key: DynamoDbItem, schema: TableSchema): string {
  const part = (name: string | undefined) => {
    const value = name === undefined ? undefined : key[name];
    return value === undefined ? '' : valueText(value);
  };
  return JSON.stringify([part(schema.partitionKey), part(schema.sortKey)]);
}

/** A scalar attribute value as text: the string, the number, or the base64 of a binary. */
export function valueText(value: AttributeValueJson): string {
  for (const type of ['S', 'N', 'B'] as const) {
    const scalar = value[type];
    if (typeof scalar === 'string') return scalar;
    if (scalar instanceof Uint8Array) return Buffer.from(scalar).toString('base64');
  }
  return JSON.stringify(value);
}

/** A key's writes and write units per second if the run's `events` arrived at `eventsPerSecond`. */
export interface KeyRate extends KeyWrites {
  /** How many keys share `writes` evenly: a route's shard count for a shard family, else 1. */
  readonly spread: number;
  readonly writesPerSecond: number;
  readonly unitsPerSecond: number;
}

/**
 * A route's sharded partition key: `ROUTE#<tag>#<shard>` (its event states) or
 * `ROUTE#<tag>#<status>#<shard>` (their status index entries), the shard last.
 */
const SHARDED_KEY = /^(.* = ROUTE#[0-9A-Z]{8}(?:#[a-z_]+)?)#[0-9A-Z]{2}$/;

/**
 * Each key's writes scaled from the run's `events` to `eventsPerSecond` (a key written once per event
 * gets `eventsPerSecond` writes per second), busiest first. A key written for one event only gets
 * `writes × eventsPerSecond / events`: its few writes spread over the run, as a sustained rate.
 *
 * A route's sharded keys are counted as one family (`… #<shard>`) whose writes each of the route's
 * `shards` keys takes an even share of: the shard is drawn uniformly at random per event (it is in
 * the event id), so that expectation is the model; the run's few events per shard would only show
 * sampling noise.
 */
export function keyRates(
  counts: readonly KeyWrites[],
  events: number,
  eventsPerSecond: number,
  shards = 1,
): KeyRate[] {
  if (events <= 0) throw new RangeError(`events must be positive, got ${events}`);
  const scale = eventsPerSecond / events;
  const families = new Map<string, KeyWrites & { spread: number }>();
  for (const count of counts) {
    const sharded = SHARDED_KEY.exec(count.key);
    const key = sharded === null ? count.key : `${sharded[1]}#<shard>`;
    const id = `${count.where}\u0000${key}`;
    const family = families.get(id) ?? { where: count.where, key, writes: 0, units: 0, spread: 0 };
    families.set(id, {
      ...family,
      writes: family.writes + count.writes,
      units: family.units + count.units,
      spread: sharded === null ? 1 : shards,
    });
  }
  return [...families.values()]
    .map((family) => ({
      ...family,
      writesPerSecond: (family.writes * scale) / family.spread,
      unitsPerSecond: (family.units * scale) / family.spread,
    }))
    .sort((a, b) => b.writesPerSecond - a.writesPerSecond || a.key.localeCompare(b.key));
}
