/**
 * What a Lambda event source mapping does around the handler runtime, for tests: receive real
 * messages (every attribute), turn them into Lambda `SQSRecord`s with the production converter, and
 * delete the ones a batch response does not list as failed.
 */
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { toSqsRecord } from '../../shared/worker/sqs-records.js';

export interface QueueRef {
  readonly queueUrl: string;
  readonly queueArn: string;
}

/** One ReceiveMessage (up to 10 messages) as Lambda records. */
export async function receiveRecords(
  client: SQSClient,
  queue: QueueRef,
  options: { max?: number; waitSeconds?: number } = {},
): Promise<SQSRecord[]> {
  const { Messages = [] } = await client.send(
    new ReceiveMessageCommand({
      QueueUrl: queue.queueUrl,
      MaxNumberOfMessages: options.max ?? 10,
      WaitTimeSeconds: options.waitSeconds ?? 0,
      AttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  return Messages.map((message) => toSqsRecord(message, { queueArn: queue.queueArn }));
}

/** Receives until `count` records arrived or `timeoutMs` passed; returns what arrived. */
export async function receiveAtLeast(
  client: SQSClient,
  queue: QueueRef,
  count: number,
  timeoutMs = 10_000,
): Promise<SQSRecord[]> {
  const records: SQSRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (records.length < count && Date.now() < deadline) {
    records.push(...(await receiveRecords(client, queue, { max: count - records.length, waitSeconds: 1 })));
  }
  return records;
}

/** Deletes every record not reported in `batchItemFailures`, like the event source mapping. */
export async function deleteSucceeded(
  client: SQSClient,
  queueUrl: string,
  records: readonly SQSRecord[],
  response: SQSBatchResponse,
): Promise<void> {
  const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  for (const record of records) {
    if (failed.has(record.messageId)) continue;
    await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: record.receiptHandle }));
  }
}

/**
 * `ApproximateNumberOfMessages` and `...NotVisible`. The SQS emulator counts in-flight messages in
 * both, so `visible` is only meaningful as "0 and 0 = empty"; check visibility with a receive.
 */
export async function queueDepth(
  client: SQSClient,
  queueUrl: string,
): Promise<{ visible: number; inFlight: number }> {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}
