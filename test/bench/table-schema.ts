/**
 * The event table's layout as DynamoDB reports it (DescribeTable, DescribeTimeToLive), so the bench
 * follows whatever keys and indexes the code under test created, never a copy of them.
 */
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';

export interface IndexSchema {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly projection: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  /** For `INCLUDE`: the attributes copied into the index besides the keys. */
  readonly nonKeyAttributes: readonly string[];
}

export interface TableSchema {
  readonly tableName: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  /** Global secondary indexes (local ones share the table's partitions and are listed too). */
  readonly indexes: readonly IndexSchema[];
  /** The TTL attribute when TTL is on. */
  readonly ttlAttribute?: string;
}

export async function describeTable(client: DynamoDBClient, tableName: string): Promise<TableSchema> {
  const [{ Table: table }, { TimeToLiveDescription: ttl }] = await Promise.all([
    client.send(new DescribeTableCommand({ TableName: tableName })),
    client.send(new DescribeTimeToLiveCommand({ TableName: tableName })),
  ]);
  if (table === undefined) throw new Error(`DescribeTable ${tableName} returned no table`);
  const keys = keyNames(table.KeySchema);
  const indexes = [...(table.GlobalSecondaryIndexes ?? []), ...(table.LocalSecondaryIndexes ?? [])].map(
    (index): IndexSchema => ({
      name: index.IndexName ?? '?',
      ...keyNames(index.KeySchema),
      projection: index.Projection?.ProjectionType ?? 'ALL',
      nonKeyAttributes: index.Projection?.NonKeyAttributes ?? [],
    }),
  );
  const ttlOn = ttl?.TimeToLiveStatus === 'ENABLED' || ttl?.TimeToLiveStatus === 'ENABLING';
  return {
    tableName,
    ...keys,
    indexes,
    ...(ttlOn && ttl?.AttributeName !== undefined && { ttlAttribute: ttl.AttributeName }),
  };
}

function keyNames(schema: readonly KeySchemaElement[] | undefined): {
  partitionKey: string;
  sortKey?: string;
} {
  const partitionKey = schema?.find((key) => key.KeyType === 'HASH')?.AttributeName;
  const sortKey = schema?.find((key) => key.KeyType === 'RANGE')?.AttributeName;
  if (partitionKey === undefined) throw new Error('key schema without a partition key');
  return { partitionKey, ...(sortKey !== undefined && { sortKey }) };
}
