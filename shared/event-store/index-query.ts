/**
 * Queries of the event table's keys-only indexes (`byRoute`, `byRouteStatus`): a page of index
 * keys within a range of sort keys (`<receivedAt>#<id>`), in either order.
 */
import { type AttributeValue, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { EVENT_TABLE } from '../resources.js';
import { idOf, type ReadTable } from './state-reads.js';

/** Keys read per Query when a status filter has to be checked on the events themselves. */
export const FILTERED_QUERY_PAGE = 1000;

export interface IndexKey {
  readonly id: string;
  /** The index sort key, `<receivedAt>#<id>`. */
  readonly sortKey: string;
}

interface IndexPage {
  readonly keys: IndexKey[];
  readonly lastKey?: Record<string, AttributeValue>;
}

/** Where a Query of an index starts and stops. */
export interface IndexRange {
  readonly index: (typeof EVENT_TABLE.indexes)[keyof typeof EVENT_TABLE.indexes];
  readonly partition: string;
  /** Inclusive lower bound on the sort key. */
  readonly from?: string;
  /** Exclusive lower bound on the sort key (an oldest-first cursor's key); wins over `from`. */
  readonly after?: string;
  /** Exclusive upper bound on the sort key. */
  readonly below?: string;
  /** Oldest first (`ScanIndexForward`); newest first otherwise. */
  readonly forward: boolean;
}

/** One page of index keys in `range`, in its order. */
export async function queryKeys(
  table: ReadTable,
  range: IndexRange,
  limit: number,
  startKey: Record<string, AttributeValue> | undefined,
): Promise<IndexPage> {
  const { index, partition, after, below, forward } = range;
  const lower = after ?? range.from;
  // DynamoDB refuses a BETWEEN whose bounds are reversed; such a range is simply empty.
  if (lower !== undefined && below !== undefined && lower >= below) return { keys: [] };
  const names: Record<string, string> = { '#pk': index.partitionKey };
  const values: Record<string, AttributeValue> = { ':pk': { S: partition } };
  if (lower !== undefined || below !== undefined) names['#sk'] = index.sortKey;
  let condition = '#pk = :pk';
  if (lower !== undefined && below !== undefined) {
    // BETWEEN includes both bounds; keys equal to an exclusive one are dropped below (only a
    // cursor's key can be: a time bound has no `#<id>` suffix).
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
  const result = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      IndexName: index.name,
      KeyConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ScanIndexForward: forward,
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
  );
  const keys: IndexKey[] = [];
  for (const item of result.Items ?? []) {
    const sortKey = item[index.sortKey]?.S;
    const id = idOf(item);
    if (sortKey === undefined || id === undefined || sortKey === below || sortKey === after) continue;
    keys.push({ id, sortKey });
  }
  return { keys, ...(result.LastEvaluatedKey !== undefined && { lastKey: result.LastEvaluatedKey }) };
}

/** Whether `range` holds any key after `startKey` (DynamoDB may hand out a last key at the very end). */
export async function hasKeys(
  table: ReadTable,
  range: IndexRange,
  startKey: Record<string, AttributeValue>,
): Promise<boolean> {
  let next: Record<string, AttributeValue> | undefined = startKey;
  while (next !== undefined) {
    const page = await queryKeys(table, range, 1, next);
    if (page.keys.length > 0) return true;
    next = page.lastKey;
  }
  return false;
}
