/**
 * Creates a route's queue and DLQ the way the CDK stack does, from `QueueSettings` only: used by
 * the local stack and the integration tests.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type QueueAttributeName,
  QueueNameExists,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { QueueSettings } from '../resources.js';

export interface RouteQueues {
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

/**
 * Creates the DLQ, then the queue redriving to it after `maxReceiveCount` receives, then lets the
 * DLQ redrive back to that queue only (`byQueue`), so "Start DLQ redrive" works. Idempotent: an
 * existing queue gets its attributes set to the settings.
 */
export async function createRouteQueues(client: SQSClient, settings: QueueSettings): Promise<RouteQueues> {
  const dlqUrl = await ensureQueue(client, settings.dlqName, {
    MessageRetentionPeriod: String(settings.dlqRetentionSeconds),
  });
  const dlqArn = await queueArn(client, dlqUrl);

  const queueUrl = await ensureQueue(client, settings.queueName, {
    VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(settings.retentionSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: settings.maxReceiveCount }),
  });
  const sourceArn = await queueArn(client, queueUrl);

  await client.send(
    new SetQueueAttributesCommand({
      QueueUrl: dlqUrl,
      Attributes: {
        RedriveAllowPolicy: JSON.stringify({ redrivePermission: 'byQueue', sourceQueueArns: [sourceArn] }),
      },
    }),
  );
  return { queueUrl, queueArn: sourceArn, dlqUrl, dlqArn };
}

type QueueAttributes = Partial<Record<QueueAttributeName, string>>;

async function ensureQueue(
  client: SQSClient,
  queueName: string,
  attributes: QueueAttributes,
): Promise<string> {
  try {
    const { QueueUrl } = await client.send(
      new CreateQueueCommand({ QueueName: queueName, Attributes: attributes }),
    );
    if (QueueUrl === undefined) throw new Error(`CreateQueue returned no URL for ${queueName}`);
    return QueueUrl;
  } catch (error: unknown) {
    // The queue exists with other attribute values (e.g. a DLQ whose redrive allow policy was set).
    if (!(error instanceof QueueNameExists)) throw error;
  }
  const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: queueName }));
  if (QueueUrl === undefined) throw new Error(`GetQueueUrl returned no URL for ${queueName}`);
  await client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
  return QueueUrl;
}

async function queueArn(client: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (arn === undefined) throw new Error(`no QueueArn for ${queueUrl}`);
  return arn;
}
