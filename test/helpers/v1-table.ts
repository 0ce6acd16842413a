/** A table of table layout v1, as release 0.1.0 created it, for the layout refusal's tests. */
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** A table shaped as release 0.1.0 (layout v1) made it: both of its indexes, no layout item. */
export async function createV1Table(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  const keys = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'];
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: keys.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        ['byRoute', 'gsi1pk', 'gsi1sk'],
        ['byRouteStatus', 'gsi2pk', 'gsi2sk'],
      ].map(([name, hash, range]) => ({
        IndexName: name,
        KeySchema: [
          { AttributeName: hash, KeyType: 'HASH' },
          { AttributeName: range, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      })),
    }),
  );
}
