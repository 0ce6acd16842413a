/** The event table as every store operation sees it: client, name and clock, and its consistent reads. */
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { type Item, marshallItem } from './marshal.js';

/** What an operation on the event table needs; `EventStore` builds one from its options. */
export interface EventTable {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly now: () => Date;
}

/** One item, read consistently (a GetItem). */
export async function getItem(
  table: EventTable,
  key: Readonly<Record<string, string>>,
): Promise<Item | undefined> {
  const result = await table.client.send(
    new GetItemCommand({ TableName: table.tableName, Key: marshallItem(key), ConsistentRead: true }),
  );
  return result.Item;
}
