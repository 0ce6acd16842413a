import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPARE_RECEIVES } from '../../../shared/config/route-limits.js';
import type { ResolvedRoute } from '../../../shared/config/types.js';
import { createRouteQueues } from '../../../shared/local/create-queues.js';
import { createEventTable } from '../../../shared/local/create-table.js';
import {
  DLQ_RETENTION_SECONDS,
  EVENT_TABLE,
  QUEUE_RETENTION_SECONDS,
  queueSettings,
  VISIBILITY_TIMEOUT_FACTOR,
} from '../../../shared/resources.js';
import {
  connectDynamoDb,
  connectSqs,
  type EmulatorConnection,
  uniqueName,
} from '../../helpers/shared-emulators.js';

let dynamo: EmulatorConnection<DynamoDBClient> | undefined;
let sqs: EmulatorConnection<SQSClient> | undefined;

beforeAll(async () => {
  [dynamo, sqs] = await Promise.all([connectDynamoDb(), connectSqs()]);
});

afterAll(() => {
  dynamo?.close();
  sqs?.close();
});

function dynamoClient(): DynamoDBClient {
  if (dynamo === undefined) throw new Error('DynamoDB Local is not running');
  return dynamo.client;
}

function sqsClient(): SQSClient {
  if (sqs === undefined) throw new Error('the SQS emulator is not running');
  return sqs.client;
}

function route(path: string, queueName: string, maxAttempts: number, timeoutSeconds: number): ResolvedRoute {
  return {
    path,
    queueName,
    methods: ['POST'],
    enabled: true,
    verify: { scheme: 'none' },
    dedupe: { source: 'scheme', windowSeconds: 86_400 },
    handler: 'handlers/test.ts',
    retry: { maxAttempts, initialDelaySeconds: 10, multiplier: 2, maxDelaySeconds: 900 },
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    maxConcurrency: 2,
    timeoutSeconds,
    memoryMb: 512,
    maxBodyBytes: 262_144,
    expectJson: true,
    retentionDays: 30,
    shards: 32,
    throttle: { rateLimit: 100, burstLimit: 200 },
  };
}

async function describeEventTable(tableName: string) {
  const [{ Table }, { TimeToLiveDescription }] = await Promise.all([
    dynamoClient().send(new DescribeTableCommand({ TableName: tableName })),
    dynamoClient().send(new DescribeTimeToLiveCommand({ TableName: tableName })),
  ]);
  return {
    keySchema: Table?.KeySchema,
    attributeDefinitions: [...(Table?.AttributeDefinitions ?? [])].sort((a, b) =>
      String(a.AttributeName).localeCompare(String(b.AttributeName)),
    ),
    billingMode: Table?.BillingModeSummary?.BillingMode,
    indexes: [...(Table?.GlobalSecondaryIndexes ?? [])]
      .map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection }))
      .sort((a, b) => String(a.IndexName).localeCompare(String(b.IndexName))),
    ttl: TimeToLiveDescription,
  };
}

async function queueAttributes(queueUrl: string): Promise<Record<string, string>> {
  const { Attributes } = await sqsClient().send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }),
  );
  return Attributes ?? {};
}

describe('createEventTable()', () => {
  const tableName = uniqueName('local-resources');

  it('creates the table described by EVENT_TABLE', async () => {
    await createEventTable(dynamoClient(), tableName);

    const table = await describeEventTable(tableName);
    const { byRouteStatus } = EVENT_TABLE.indexes;
    expect(table.keySchema).toEqual([
      { AttributeName: EVENT_TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: EVENT_TABLE.sortKey, KeyType: 'RANGE' },
    ]);
    // Layout v2: no byRoute index (the route's shard partitions list its events), and the status
    // index sorted by the table's own sort key, the event id.
    expect(table.attributeDefinitions).toEqual(
      ['gsi2pk', 'pk', 'sk'].map((name) => ({
        AttributeName: name,
        AttributeType: 'S',
      })),
    );
    expect(table.billingMode).toBe('PAY_PER_REQUEST');
    expect(table.indexes).toEqual(
      [byRouteStatus].map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      })),
    );
    expect(table.ttl).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: EVENT_TABLE.ttlAttribute });
  });

  it('is idempotent', async () => {
    await createEventTable(dynamoClient(), tableName);
    const before = await describeEventTable(tableName);

    await createEventTable(dynamoClient(), tableName);

    expect(await describeEventTable(tableName)).toEqual(before);
  });
});

describe('createRouteQueues()', () => {
  const prefix = uniqueName('local-resources');
  const settings = queueSettings(route('/order/status/', 'order_status', 4, 20), prefix);

  it('applies the route’s queue settings to the queue and its DLQ', async () => {
    const queues = await createRouteQueues(sqsClient(), settings);

    const queue = await queueAttributes(queues.queueUrl);
    const dlq = await queueAttributes(queues.dlqUrl);
    expect(queues.queueUrl.split('/').at(-1)).toBe(`${prefix}-order_status`);
    expect(queues.dlqUrl.split('/').at(-1)).toBe(`${prefix}-order_status-dlq`);
    expect(queue.QueueArn).toBe(queues.queueArn);
    expect(dlq.QueueArn).toBe(queues.dlqArn);
    expect(queue.VisibilityTimeout).toBe(String(VISIBILITY_TIMEOUT_FACTOR * 20));
    expect(queue.MessageRetentionPeriod).toBe(String(QUEUE_RETENTION_SECONDS));
    const redrivePolicy = JSON.parse(queue.RedrivePolicy ?? '{}') as Record<string, unknown>;
    // The route's attempts and one spare receive, on which the runtime dead-letters.
    expect(Number(redrivePolicy.maxReceiveCount)).toBe(4 + SPARE_RECEIVES);
    expect(redrivePolicy.deadLetterTargetArn).toBe(queues.dlqArn);
    expect(dlq.MessageRetentionPeriod).toBe(String(DLQ_RETENTION_SECONDS));
    expect(JSON.parse(dlq.RedriveAllowPolicy ?? '{}')).toEqual({
      redrivePermission: 'byQueue',
      sourceQueueArns: [queues.queueArn],
    });
  });

  it('is idempotent', async () => {
    const first = await createRouteQueues(sqsClient(), settings);
    const attributes = async () => [
      await queueAttributes(first.queueUrl),
      await queueAttributes(first.dlqUrl),
    ];
    const before = await attributes();

    const second = await createRouteQueues(sqsClient(), settings);

    expect(second).toEqual(first);
    const after = await attributes();
    for (const name of [
      'VisibilityTimeout',
      'MessageRetentionPeriod',
      'RedrivePolicy',
      'RedriveAllowPolicy',
    ]) {
      expect(after.map((queue) => queue[name])).toEqual(before.map((queue) => queue[name]));
    }
  });

  it('restores settings that drifted on an existing queue', async () => {
    const queues = await createRouteQueues(sqsClient(), settings);
    await sqsClient().send(
      new SetQueueAttributesCommand({ QueueUrl: queues.queueUrl, Attributes: { VisibilityTimeout: '5' } }),
    );

    await createRouteQueues(sqsClient(), settings);

    expect((await queueAttributes(queues.queueUrl)).VisibilityTimeout).toBe(
      String(settings.visibilityTimeoutSeconds),
    );
  });
});
