/**
 * Converts SQS API messages (ReceiveMessage) into the `SQSRecord`s a Lambda event source mapping
 * hands to the function, so the local pollers and `hookline worker` call the handler runtime with
 * exactly what Lambda would.
 */
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSMessageAttribute, SQSRecord, SQSRecordAttributes } from 'aws-lambda';

/** Where the records come from: the queue's ARN (its region is read from it). */
export interface RecordSource {
  readonly queueArn: string;
}

/** `arn:aws:sqs:<region>:<account>:<name>` -> region; undefined for anything else. */
export function regionOfArn(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts.length === 6 && parts[0] === 'arn' && parts[2] === 'sqs' ? parts[3] : undefined;
}

/**
 * One SQS API message as a Lambda `SQSRecord`: system attributes as strings (ApproximateReceiveCount
 * and the other required ones always present), message attributes in Lambda's camel-case shape
 * with binary values base64-encoded.
 */
export function toSqsRecord(message: Message, source: RecordSource): SQSRecord {
  if (message.MessageId === undefined || message.ReceiptHandle === undefined) {
    throw new Error('SQS message without MessageId or ReceiptHandle');
  }
  const received = message.Attributes ?? {};
  const attributes: SQSRecordAttributes = {
    ...received,
    ApproximateReceiveCount: received.ApproximateReceiveCount ?? '1',
    SentTimestamp: received.SentTimestamp ?? '',
    SenderId: received.SenderId ?? '',
    ApproximateFirstReceiveTimestamp: received.ApproximateFirstReceiveTimestamp ?? '',
  };
  const messageAttributes: Record<string, SQSMessageAttribute> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = toRecordAttribute(value);
  }
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body ?? '',
    attributes,
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes !== undefined && {
      md5OfMessageAttributes: message.MD5OfMessageAttributes,
    }),
    eventSource: 'aws:sqs',
    eventSourceARN: source.queueArn,
    awsRegion: regionOfArn(source.queueArn) ?? '',
  };
}

function toRecordAttribute(value: MessageAttributeValue): SQSMessageAttribute {
  return {
    dataType: value.DataType ?? 'String',
    ...(value.StringValue !== undefined && { stringValue: value.StringValue }),
    ...(value.BinaryValue !== undefined && { binaryValue: base64(value.BinaryValue) }),
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map(base64),
  };
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
