/** The two SQS calls the runtime makes itself: send to the DLQ, and change a message's visibility. */
import {
  ChangeMessageVisibilityCommand,
  type MessageAttributeValue,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { truncateUtf8 } from '../text.js';

/** Message attributes set on messages the runtime sends to the DLQ itself. */
export const DLQ_ATTRIBUTES = {
  /** Machine-readable reason, e.g. `permanent`, `invalid_payload`, `unsupported_envelope_version`. */
  reason: 'hookline.reason',
  /** The error message (at most 1 KiB). */
  error: 'hookline.error',
  /** The SQS message id it was received as. */
  sourceMessageId: 'hookline.sourceMessageId',
} as const;

const ATTRIBUTE_LIMIT_BYTES = 1024;

export interface DeadLetterReason {
  readonly reason: string;
  readonly message: string;
}

/** Sends the record's body unchanged (so a DLQ redrive re-delivers it) to the DLQ, with the reason. */
export async function sendToDeadLetterQueue(
  sqs: Pick<SQSClient, 'send'>,
  dlqUrl: string,
  record: SQSRecord,
  why: DeadLetterReason,
): Promise<void> {
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: dlqUrl,
      MessageBody: record.body,
      MessageAttributes: deadLetterAttributes(why, record.messageId),
    }),
  );
}

/**
 * The attributes of a message in a DLQ that say why it is there (what the DLQ listing shows): the
 * reason, the error (at most 1 KiB) and, when it was received from the queue, its message id.
 */
export function deadLetterAttributes(
  why: DeadLetterReason,
  sourceMessageId?: string,
): Record<string, MessageAttributeValue> {
  return {
    [DLQ_ATTRIBUTES.reason]: stringAttribute(why.reason),
    [DLQ_ATTRIBUTES.error]: stringAttribute(why.message),
    ...(sourceMessageId !== undefined && {
      [DLQ_ATTRIBUTES.sourceMessageId]: stringAttribute(sourceMessageId),
    }),
  };
}

/** The message becomes visible (receivable) again `seconds` from now. */
export async function changeVisibility(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
  record: SQSRecord,
  seconds: number,
): Promise<void> {
  await sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: queueUrl,
      ReceiptHandle: record.receiptHandle,
      VisibilityTimeout: seconds,
    }),
  );
}

function stringAttribute(value: string): MessageAttributeValue {
  // SQS rejects empty attribute values.
  return { DataType: 'String', StringValue: truncateUtf8(value, ATTRIBUTE_LIMIT_BYTES) || '-' };
}
