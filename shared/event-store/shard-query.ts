/**
 * Reading a route's shard partitions as one listing: a Query per shard partition (the state items
 * of `ROUTE#<tag>#<shard>`, or the keys of the `byRouteStatus` partitions), each within the same
 * range of sort keys (event ids), merged by id. Ids are unique and sort by time across shards, so
 * the merge is the route's listing in time order, and one id is where every shard continues.
 */
import { type AttributeValue, QueryCommand } from '@aws-sdk/client-dynamodb';
import { EVENT_TABLE } from '../resources.js';
import type { Item } from './marshal.js';
import { idOf, type ReadTable } from './state-reads.js';

/** Where the Queries of a listing start and stop, in every one of its partitions. */
export interface ShardRange {
  /** The table (state items) or the `byRouteStatus` index (their keys). */
  readonly source: 'table' | 'byRouteStatus';
  /** One per shard. */
  readonly partitions: readonly string[];
  /** Inclusive lower bound on the sort key (a time's id prefix). */
  readonly from?: string;
  /** Exclusive lower bound on the sort key (an oldest-first cursor's position); wins over `from`. */
  readonly after?: string;
  /** Exclusive upper bound on the sort key. */
  readonly below?: string;
  /** Oldest first (`ScanIndexForward`); newest first otherwise. */
  readonly forward: boolean;
}

/** An item read by a listing: a state item, or a `byRouteStatus` entry (keys only). */
export interface ShardEntry {
  /** The event id: the item's sort key. */
  readonly id: string;
  readonly item: Item;
}

/** What the merge needs of a source of pages: the Query of one page of one partition. */
interface ShardPage {
  readonly entries: ShardEntry[];
  /** Sort key of the last item the Query evaluated (with or without a match). */
  readonly lastSortKey?: string;
  readonly lastKey?: Record<string, AttributeValue>;
}

/** One page of `partition` within `range`, in its order, at most `limit` items. */
export async function queryShard(
  table: ReadTable,
  range: ShardRange,
  partition: string,
  limit: number,
  startKey: Record<string, AttributeValue> | undefined,
  projection?: readonly string[],
): Promise<ShardPage> {
  const { after, below, forward } = range;
  const lower = after ?? range.from;
  // DynamoDB refuses a BETWEEN whose bounds are reversed; such a range is simply empty.
  if (lower !== undefined && below !== undefined && lower >= below) return { entries: [] };
  const index = range.source === 'byRouteStatus' ? EVENT_TABLE.indexes.byRouteStatus : undefined;
  const names: Record<string, string> = { '#pk': index?.partitionKey ?? EVENT_TABLE.partitionKey };
  const values: Record<string, AttributeValue> = { ':pk': { S: partition } };
  let condition = '#pk = :pk';
  if (lower !== undefined || below !== undefined) names['#sk'] = EVENT_TABLE.sortKey;
  if (lower !== undefined && below !== undefined) {
    // BETWEEN includes both bounds; keys equal to an exclusive one are dropped below (only a
    // cursor's position can be: a time bound is a prefix, shorter than any id).
    condition += ' AND #sk BETWEEN :lower AND :below';
    values[':lower'] = { S: lower };
    values[':below'] = { S: below };
  } else if (after !== undefined) {
    condition += ' AND #sk > :lower';
    values[':lower'] = { S: after };
  } else if (lower !== undefined) {
    condition += ' AND #sk >= :lower';
    values[':lower'] = { S: lower };
  } else if (below !== undefined) {
    condition += ' AND #sk < :below';
    values[':below'] = { S: below };
  }
  if (projection !== undefined) {
    names['#sk'] = EVENT_TABLE.sortKey;
    projection.forEach((attribute, position) => {
      names[`#p${position}`] = attribute;
    });
  }
  const result = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      ...(index !== undefined && { IndexName: index.name }),
      KeyConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ...(projection !== undefined && {
        ProjectionExpression: ['#sk', ...projection.map((_, position) => `#p${position}`)].join(', '),
      }),
      ScanIndexForward: forward,
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
  );
  const entries: ShardEntry[] = [];
  let lastSortKey: string | undefined;
  for (const item of result.Items ?? []) {
    const id = idOf(item);
    if (id === undefined) continue;
    lastSortKey = id;
    if (id === below || id === after) continue;
    entries.push({ id, item });
  }
  const lastKeySortKey = result.LastEvaluatedKey?.[EVENT_TABLE.sortKey]?.S;
  return {
    entries,
    ...((lastKeySortKey ?? lastSortKey) !== undefined && { lastSortKey: lastKeySortKey ?? lastSortKey }),
    ...(result.LastEvaluatedKey !== undefined && { lastKey: result.LastEvaluatedKey }),
  };
}

/** One shard of a merge: what it read and has not handed on, and where its next Query starts. */
interface Shard {
  readonly partition: string;
  readonly buffer: ShardEntry[];
  startKey: Record<string, AttributeValue> | undefined;
  exhausted: boolean;
  /** Sort key of the last item its Queries evaluated: everything it has not read lies beyond it. */
  lastSortKey: string | undefined;
  /** Items its next Query asks for. */
  pageSize: number;
}

/** Most items one Query of a shard asks for once its pages have grown. */
const MAX_SHARD_PAGE = 1000;

export interface MergeOptions {
  /** Items the first Query of each shard asks for; later ones double, up to 1 000. */
  readonly firstPageSize: number;
  /**
   * Most items the merge reads over all its Queries: each round of Queries shares what is left of
   * it, and once it is reached no shard is read again (the first Query of every shard is always
   * made, so a merge reads at least one item per shard).
   */
  readonly maxItems: number;
}

/**
 * The entries of every partition of `range`, merged in its order (newest first unless `forward`).
 * `next()` hands them out one at a time, reading a shard again only when its buffer runs dry.
 */
export class ShardMerge {
  private readonly table: ReadTable;
  private readonly range: ShardRange;
  private readonly options: MergeOptions;
  private readonly shards: Shard[];
  private started = false;
  /** Items read by every Query so far. */
  examined = 0;
  /** True once `next()` stopped because `maxItems` were read. */
  capped = false;

  constructor(table: ReadTable, range: ShardRange, options: MergeOptions) {
    this.table = table;
    this.range = range;
    this.options = options;
    this.shards = range.partitions.map((partition) => ({
      partition,
      buffer: [],
      startKey: undefined,
      exhausted: false,
      lastSortKey: undefined,
      pageSize: Math.max(1, Math.min(MAX_SHARD_PAGE, options.firstPageSize)),
    }));
  }

  /**
   * The next entry in order; undefined when every shard is read to its end, or when the merge has
   * read `maxItems` and cannot tell the next one without reading more (`capped`, see `bound()`).
   */
  async next(): Promise<ShardEntry | undefined> {
    const waiting = this.shards.filter((shard) => shard.buffer.length === 0 && !shard.exhausted);
    if (waiting.length > 0) {
      if (this.started && this.examined >= this.options.maxItems) {
        this.capped = true;
        return this.takeBefore(this.bound());
      }
      await this.fill(waiting);
      return this.next();
    }
    return this.take();
  }

  /**
   * Where a listing that stops now continues: every item that comes before it in order has been
   * read in every shard. That is the last item read of the shard read least far (of those not read
   * to their end): the first, in order, of the shards' last items. Undefined when every shard is
   * read to its end.
   */
  bound(): string | undefined {
    let bound: string | undefined;
    for (const shard of this.shards) {
      if (shard.exhausted || shard.lastSortKey === undefined) continue;
      if (bound === undefined || this.before(shard.lastSortKey, bound)) bound = shard.lastSortKey;
    }
    return bound;
  }

  /** Whether any entry follows the ones handed out (a shard read to its last page may hold none). */
  async hasMore(): Promise<boolean> {
    if (this.shards.some((shard) => shard.buffer.length > 0)) return true;
    const open = this.shards.filter((shard) => !shard.exhausted);
    const found = await Promise.all(
      open.map(async (shard) => {
        let next = shard.startKey;
        while (next !== undefined) {
          const page = await queryShard(this.table, this.range, shard.partition, 1, next);
          if (page.entries.length > 0) return true;
          next = page.lastKey;
        }
        return false;
      }),
    );
    return found.some(Boolean);
  }

  /** The first entry in order among the shards' buffers, taken out of its buffer. */
  private take(): ShardEntry | undefined {
    return this.first()?.buffer.shift();
  }

  /** Like `take()`, but only an entry at or before `bound` in order: nothing unread can precede it. */
  private takeBefore(bound: string | undefined): ShardEntry | undefined {
    const shard = this.first();
    const head = shard?.buffer[0];
    if (head === undefined || (bound !== undefined && this.before(bound, head.id))) return undefined;
    return shard?.buffer.shift();
  }

  /** The shard whose buffered head comes first in order. */
  private first(): Shard | undefined {
    let first: Shard | undefined;
    for (const shard of this.shards) {
      const head = shard.buffer[0];
      if (head === undefined) continue;
      const best = first?.buffer[0];
      if (best === undefined || this.before(head.id, best.id)) first = shard;
    }
    return first;
  }

  /** True when sort key `a` comes before `b` in the merge's order. */
  private before(a: string, b: string): boolean {
    return this.range.forward ? a < b : a > b;
  }

  /**
   * Reads the next page of each of `shards` at once, sharing what is left of `maxItems` between
   * them (at least one item each).
   */
  private async fill(shards: readonly Shard[]): Promise<void> {
    this.started = true;
    const share = Math.max(1, Math.floor((this.options.maxItems - this.examined) / shards.length));
    await Promise.all(
      shards.map(async (shard) => {
        const limit = Math.min(shard.pageSize, share);
        const page = await queryShard(this.table, this.range, shard.partition, limit, shard.startKey);
        shard.buffer.push(...page.entries);
        this.examined += page.entries.length;
        if (page.lastSortKey !== undefined) shard.lastSortKey = page.lastSortKey;
        shard.startKey = page.lastKey;
        shard.exhausted = page.lastKey === undefined;
        shard.pageSize = Math.min(MAX_SHARD_PAGE, shard.pageSize * 2);
      }),
    );
  }
}
