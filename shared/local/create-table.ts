/**
 * Creates the event table the way the CDK stack does, from `EVENT_TABLE` only, and writes its
 * layout item (`shared/event-store/layout.ts`): used by the local stack and the integration tests.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { layoutChecked, writeLayout } from '../event-store/layout.js';
import { EVENT_TABLE } from '../resources.js';

const ACTIVE_TIMEOUT_MS = 60_000;
const ACTIVE_POLL_MS = 250;

/**
 * Creates the table (on-demand, its index keys-only), turns on TTL and writes the layout item.
 * Idempotent; refuses (TableLayoutError) a table of another layout that is already there.
 */
export async function createEventTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const { partitionKey, sortKey, indexes } = EVENT_TABLE;
  const keyNames = [
    ...new Set([
      partitionKey,
      sortKey,
      ...Object.values(indexes).flatMap((i) => [i.partitionKey, i.sortKey]),
    ]),
  ];
  let created = true;
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: keyNames.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: partitionKey, KeyType: 'HASH' },
          { AttributeName: sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: Object.values(indexes).map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: index.projection },
        })),
      }),
    );
  } catch (error: unknown) {
    // Already there (or being created): wait for it below.
    if (!(error instanceof ResourceInUseException)) throw error;
    created = false;
  }
  await waitUntilActive(client, tableName);
  await enableTimeToLive(client, tableName);
  // A table that was there already is checked the way every function checks it (an older one has
  // no layout item, and is recognised by its indexes); a new one gets its item now.
  await (created ? writeLayout({ client, tableName }) : layoutChecked({ client, tableName }));
}

async function waitUntilActive(client: DynamoDBClient, tableName: string): Promise<void> {
  const deadline = Date.now() + ACTIVE_TIMEOUT_MS;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline) {
      throw new Error(`table ${tableName} not ACTIVE after ${ACTIVE_TIMEOUT_MS} ms (${Table?.TableStatus})`);
    }
    await new Promise((resolve) => setTimeout(resolve, ACTIVE_POLL_MS));
  }
}

async function enableTimeToLive(client: DynamoDBClient, tableName: string): Promise<void> {
  const { TimeToLiveDescription: ttl } = await client.send(
    new DescribeTimeToLiveCommand({ TableName: tableName }),
  );
  const enabled = ttl?.TimeToLiveStatus === 'ENABLED' || ttl?.TimeToLiveStatus === 'ENABLING';
  if (enabled && ttl?.AttributeName === EVENT_TABLE.ttlAttribute) return;
  // AWS refuses to enable TTL twice, so only call it when it is off.
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: EVENT_TABLE.ttlAttribute, Enabled: true },
    }),
  );
}
