/**
 * DynamoDB storage of what a run left in the event table, by DynamoDB's billing rules: each item is
 * its size plus 100 bytes of indexing overhead, and each index entry is the index keys, the table's
 * keys and the projected attributes plus 100 bytes; each is kept from its first write until its TTL
 * (a GB is 2^30 bytes, a month 730 hours, as AWS bills). Pure; unit-tested in
 * `test/unit/bench/storage.test.ts`.
 */
import { type DynamoDbItem, itemBytes } from './aws-call-counter.js';
import { keyShape } from './key-shape.js';
import type { IndexSchema, TableSchema } from './table-schema.js';

/** DynamoDB's storage overhead per item and per index entry. */
export const ITEM_OVERHEAD_BYTES = 100;
export const SECONDS_PER_MONTH = 730 * 3600;
const GB = 2 ** 30;

/** An item as read back after the run, with when the run first wrote it (epoch milliseconds). */
export interface StoredItem {
  readonly item: DynamoDbItem;
  readonly firstWrittenMs: number;
}

/** The items or index entries of one kind (`DEDUPE#… / REQUEST`, `index byRouteStatus`). */
export interface StorageKind {
  readonly label: string;
  readonly count: number;
  /** Stored bytes of all of them, overhead included. */
  readonly bytes: number;
  /** Bytes × seconds kept, over those that expire. */
  readonly byteSeconds: number;
  /** Seconds each is kept (TTL − first write), for those that expire. */
  readonly retentionSeconds: readonly number[];
  /** How many carry no TTL value: kept until deleted, left out of `byteSeconds`. */
  readonly unexpiring: number;
}

export function storageByKind(items: readonly StoredItem[], schema: TableSchema): StorageKind[] {
  const kinds = new Map<
    string,
    { -readonly [K in keyof StorageKind]: StorageKind[K] } & { retentionSeconds: number[] }
  >();
  const add = (label: string, bytes: number, retention: number | undefined) => {
    const kind = kinds.get(label) ?? {
      label,
      count: 0,
      bytes: 0,
      byteSeconds: 0,
      retentionSeconds: [],
      unexpiring: 0,
    };
    kind.count += 1;
    kind.bytes += bytes;
    if (retention === undefined) kind.unexpiring += 1;
    else {
      kind.byteSeconds += bytes * retention;
      kind.retentionSeconds.push(retention);
    }
    kinds.set(label, kind);
  };
  for (const { item, firstWrittenMs } of items) {
    const retention = retentionSeconds(item, schema, firstWrittenMs);
    add(keyShape(item, schema), itemBytes(item) + ITEM_OVERHEAD_BYTES, retention);
    for (const index of schema.indexes) {
      const bytes = indexEntryBytes(item, schema, index);
      if (bytes !== undefined) add(`index ${index.name}`, bytes, retention);
    }
  }
  return [...kinds.values()];
}

/** The stored size of `item`'s entry in `index`, or undefined when the item is not in it (sparse). */
export function indexEntryBytes(
  item: DynamoDbItem,
  schema: TableSchema,
  index: IndexSchema,
): number | undefined {
  if (item[index.partitionKey] === undefined) return undefined;
  if (index.sortKey !== undefined && item[index.sortKey] === undefined) return undefined;
  if (index.projection === 'ALL') return itemBytes(item) + ITEM_OVERHEAD_BYTES;
  const names = new Set([index.partitionKey, index.sortKey, schema.partitionKey, schema.sortKey]);
  if (index.projection === 'INCLUDE') for (const name of index.nonKeyAttributes) names.add(name);
  const entry: Record<string, DynamoDbItem[string]> = {};
  for (const name of names) {
    const value = name === undefined ? undefined : item[name];
    if (name !== undefined && value !== undefined) entry[name] = value;
  }
  return itemBytes(entry) + ITEM_OVERHEAD_BYTES;
}

/** GB-months of `byteSeconds`. */
export function gbMonths(byteSeconds: number): number {
  return byteSeconds / GB / SECONDS_PER_MONTH;
}

function retentionSeconds(
  item: DynamoDbItem,
  schema: TableSchema,
  firstWrittenMs: number,
): number | undefined {
  const ttl = schema.ttlAttribute === undefined ? undefined : item[schema.ttlAttribute]?.N;
  if (typeof ttl !== 'string') return undefined;
  return Math.max(0, Number(ttl) - firstWrittenMs / 1000);
}
