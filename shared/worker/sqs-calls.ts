/** The SQS calls the poller makes: receive, read the queue's ARN, delete in batches. */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { SQS_MAX_MESSAGES_PER_RECEIVE } from '../aws-limits.js';
import type { Log } from '../logger.js';

/** One ReceiveMessage; resolves [] when aborted through `signal`. */
export async function receiveMessages(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
  max: number,
  wait: number,
  signal?: AbortSignal,
): Promise<Message[]> {
  try {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(max, SQS_MAX_MESSAGES_PER_RECEIVE),
        WaitTimeSeconds: wait,
        AttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      signal === undefined ? {} : { abortSignal: signal },
    );
    return Messages;
  } catch (error: unknown) {
    if (signal?.aborted) return [];
    throw error;
  }
}

export async function readQueueArn(sqs: Pick<SQSClient, 'send'>, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (arn === undefined) throw new Error(`no QueueArn for ${queueUrl}`);
  return arn;
}

/** DeleteMessageBatch in chunks of 10; entries SQS reports as failed are logged (SQS redelivers them). */
export async function deleteMessages(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
  messages: readonly Message[],
  log: Log,
  route: string,
): Promise<void> {
  for (let start = 0; start < messages.length; start += SQS_MAX_MESSAGES_PER_RECEIVE) {
    const chunk = messages.slice(start, start + SQS_MAX_MESSAGES_PER_RECEIVE);
    const { Failed = [] } = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
      }),
    );
    for (const failure of Failed) {
      const message = chunk[Number(failure.Id)];
      log.warn('delete failed; message will be redelivered', {
        route,
        messageId: message?.MessageId,
        code: failure.Code,
        reason: failure.Message,
      });
    }
  }
}
