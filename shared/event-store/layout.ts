/**
 * The event table's layout version (docs/architecture.md, "Table layout"): one item,
 * `pk = HOOKLINE#LAYOUT`, `sk = LAYOUT`, `version`. Every function reads it once per process
 * (cold start) and table before its first operation, and refuses a table of another layout with
 * `TableLayoutError`, before anything is written.
 *
 * A table without the item is either new or made before layouts were versioned (layout v1, whose
 * tables all have the `byRoute` index: the CDK stack and the local stack created it with the
 * table). Only then is the table described: one with `byRoute` is layout v1; any other gets the
 * item, by a conditional PutItem (of several functions starting at once, one writes it and the
 * others read it back). The CDK stack never turns a v1 table into this layout: the table's logical
 * id carries the layout version, so a stack update makes a new table.
 */
import {
  ConditionalCheckFailedException,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { EVENT_TABLE, TABLE_PARTITIONS } from '../resources.js';
import { TableLayoutError } from './errors.js';
import { type Item, marshallItem } from './marshal.js';

/** The layout item's key. */
export const LAYOUT_KEY = { pk: TABLE_PARTITIONS.layout, sk: 'LAYOUT' } as const;

/** The only index of layout v1 that layout v2 does not have: a table with it is v1. */
const V1_INDEX = 'byRoute';

interface LayoutTable {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

/** Checks made (or under way), per client and table: one per process, whatever its stores. */
const CHECKED = new WeakMap<DynamoDBClient, Map<string, Promise<void>>>();

/**
 * Resolves once the table is known to use this layout (`EVENT_TABLE.layoutVersion`), writing the
 * layout item on a new table; the first call per client and table reads it, later ones share that
 * answer. A refusal is kept (the table does not change layout under a running process); a failure
 * to read is not, so the next call tries again.
 * @throws TableLayoutError for a table of another layout; the SDK's errors as they come
 */
export function layoutChecked(table: LayoutTable): Promise<void> {
  let tables = CHECKED.get(table.client);
  if (tables === undefined) {
    tables = new Map();
    CHECKED.set(table.client, tables);
  }
  let check = tables.get(table.tableName);
  if (check === undefined) {
    const known = tables;
    check = checkLayout(table).catch((error: unknown) => {
      if (!(error instanceof TableLayoutError)) known.delete(table.tableName);
      throw error;
    });
    known.set(table.tableName, check);
  }
  return check;
}

/** Writes the layout item of a table just created for this layout (the local stack, tests). */
export async function writeLayout(table: LayoutTable): Promise<void> {
  try {
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: layoutItem(),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (error: unknown) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const found = await readLayout(table);
    if (found !== EVENT_TABLE.layoutVersion) throw refusal(table, found ?? 0, 'its layout item says so');
  }
}

async function checkLayout(table: LayoutTable): Promise<void> {
  const found = await readLayout(table);
  if (found === EVENT_TABLE.layoutVersion) return;
  if (found !== undefined) throw refusal(table, found, 'its layout item says so');
  const { Table } = await table.client.send(new DescribeTableCommand({ TableName: table.tableName }));
  if ((Table?.GlobalSecondaryIndexes ?? []).some((index) => index.IndexName === V1_INDEX)) {
    throw refusal(table, 1, `it has no layout item and has layout v1's ${V1_INDEX} index`);
  }
  await writeLayout(table);
}

/** The version in the layout item, or undefined when there is none. */
async function readLayout(table: LayoutTable): Promise<number | undefined> {
  const { Item } = await table.client.send(
    new GetItemCommand({ TableName: table.tableName, Key: marshallItem(LAYOUT_KEY), ConsistentRead: true }),
  );
  if (Item === undefined) return undefined;
  const version = Number(Item.version?.N);
  return Number.isInteger(version) ? version : 0;
}

function layoutItem(): Item {
  return marshallItem({ ...LAYOUT_KEY, version: EVENT_TABLE.layoutVersion });
}

function refusal(table: LayoutTable, found: number, how: string): TableLayoutError {
  return new TableLayoutError(table.tableName, found, EVENT_TABLE.layoutVersion, how);
}
