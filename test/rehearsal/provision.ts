/**
 * Creates the template's queues and table in the emulators from the template's own properties (as
 * CloudFormation would), under the names the `Deployment` gives them: dead-letter queues first, so
 * each redrive policy names a queue that exists.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Deployment } from './template.js';

/** Queue properties CloudFormation passes to CreateQueue as attributes. */
const QUEUE_ATTRIBUTES = [
  'VisibilityTimeout',
  'MessageRetentionPeriod',
  'RedrivePolicy',
  'RedriveAllowPolicy',
];

export async function provisionTemplate(
  deployment: Deployment,
  clients: { readonly sqs: SQSClient; readonly dynamodb: DynamoDBClient },
): Promise<void> {
  const queues = deployment.ofType('AWS::SQS::Queue');
  const isSource = (logicalId: string) =>
    deployment.resource(logicalId).Properties?.RedrivePolicy !== undefined;
  for (const logicalId of [...queues.filter((id) => !isSource(id)), ...queues.filter(isSource)]) {
    const props = deployment.resolve(deployment.resource(logicalId).Properties ?? {}) as Record<
      string,
      unknown
    >;
    const attributes = Object.fromEntries(
      QUEUE_ATTRIBUTES.filter((name) => props[name] !== undefined).map((name) => {
        const value = props[name];
        return [name, typeof value === 'object' ? JSON.stringify(value) : String(value)];
      }),
    );
    await clients.sqs.send(
      new CreateQueueCommand({
        QueueName: deployment.attribute(logicalId, 'QueueName'),
        Attributes: attributes,
      }),
    );
  }
  for (const logicalId of deployment.ofType('AWS::DynamoDB::Table')) {
    const props = deployment.resolve(
      deployment.resource(logicalId).Properties ?? {},
    ) as CreateTableCommandInput;
    await clients.dynamodb.send(
      new CreateTableCommand({
        TableName: deployment.ref(logicalId),
        KeySchema: props.KeySchema,
        AttributeDefinitions: props.AttributeDefinitions,
        GlobalSecondaryIndexes: props.GlobalSecondaryIndexes,
        BillingMode: props.BillingMode,
      }),
    );
  }
}
