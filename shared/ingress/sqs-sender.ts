import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { QueueSender } from './ingress.js';

export function sqsQueueSender(client: Pick<SQSClient, 'send'>): QueueSender {
  return {
    async send(queueUrl, body) {
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    },
  };
}
