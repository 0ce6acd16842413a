/**
 * What a Lambda event source mapping hands a route's handler: the queue's messages received with every
 * attribute, as `SQSRecord`s (the production converter), in batches of the route's size.
 */
import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { toSqsRecord } from '../../shared/worker/sqs-records.js';

/** Receives until `count` messages arrived (each stays in flight); throws after `timeoutMs`. */
export async function receiveRecords(
  sqs: SQSClient,
  queue: { readonly queueUrl: string; readonly queueArn: string },
  count: number,
  timeoutMs = 30_000,
): Promise<SQSRecord[]> {
  const records: SQSRecord[] = [];
  const deadline = Date.now() + timeoutMs;
  while (records.length < count) {
    if (Date.now() > deadline) throw new Error(`only ${records.length} of ${count} messages received`);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.queueUrl,
        MaxNumberOfMessages: Math.min(10, count - records.length),
        WaitTimeSeconds: 1,
        AttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    records.push(...Messages.map((message) => toSqsRecord(message, { queueArn: queue.queueArn })));
  }
  return records;
}

/** `records` in events of `size` (the last may be smaller). */
export function batchesOf(records: readonly SQSRecord[], size: number): SQSEvent[] {
  const batches: SQSEvent[] = [];
  for (let i = 0; i < records.length; i += size) batches.push({ Records: records.slice(i, i + size) });
  return batches;
}
