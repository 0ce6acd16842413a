/**
 * Regression tests for the SQS emulator patch (test/patches/local-aws-sqs+2.0.2.patch). Unpatched,
 * local-aws-sqs 2.0.2 counts every ChangeMessageVisibility as a receive (so a message backed off
 * with ChangeMessageVisibility reaches the DLQ after about half its receives) and holds a long poll
 * open until MaxNumberOfMessages messages arrive instead of returning once any is available. Every
 * test here fails on the unpatched package.
 */
import {
  ChangeMessageVisibilityCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SPARE_RECEIVES } from '../../../shared/config/route-limits.js';
import { createRouteQueues, type RouteQueues } from '../../../shared/local/create-queues.js';
import { queueSettings } from '../../../shared/resources.js';
import { makeRoute } from '../../helpers/routes.js';
import { connectSqs, type EmulatorConnection, uniqueName } from '../../helpers/shared-emulators.js';

const MAX_RECEIVE_COUNT = 3;

let sqs: EmulatorConnection<SQSClient>;
const QUEUE_PREFIX = uniqueName('sqs-emulator');
let queueCounter = 0;

beforeAll(async () => {
  sqs = await connectSqs();
});

afterAll(() => {
  sqs?.close();
});

/** A fresh queue and DLQ created the product's way, redriving after `MAX_RECEIVE_COUNT` receives. */
async function freshQueues(): Promise<RouteQueues> {
  queueCounter += 1;
  const route = makeRoute({
    path: `/emulator/${queueCounter}/`,
    retry: {
      maxAttempts: MAX_RECEIVE_COUNT - SPARE_RECEIVES,
      initialDelaySeconds: 1,
      multiplier: 2,
      maxDelaySeconds: 60,
    },
  });
  return createRouteQueues(sqs.client, queueSettings(route, QUEUE_PREFIX));
}

async function receiveOne(queueUrl: string, waitTimeSeconds = 0): Promise<Message | undefined> {
  const { Messages = [] } = await sqs.client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: waitTimeSeconds,
      AttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );
  expect(Messages.length).toBeLessThanOrEqual(1);
  return Messages[0];
}

async function changeVisibility(queueUrl: string, message: Message, seconds: number): Promise<void> {
  await sqs.client.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: queueUrl,
      ReceiptHandle: message.ReceiptHandle,
      VisibilityTimeout: seconds,
    }),
  );
}

function receiveCount(message: Message | undefined): number {
  return Number(message?.Attributes?.ApproximateReceiveCount);
}

describe('local-aws-sqs (patched)', () => {
  it('does not count ChangeMessageVisibility as a receive', async () => {
    // Arrange
    const { queueUrl } = await freshQueues();
    await sqs.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'count me' }));

    // Act
    const first = await receiveOne(queueUrl);
    if (first === undefined) throw new Error('first receive returned nothing');
    await changeVisibility(queueUrl, first, 0);
    const second = await receiveOne(queueUrl, 2);

    // Assert
    expect(receiveCount(first)).toBe(1);
    expect(second?.MessageId).toBe(first.MessageId);
    expect(receiveCount(second)).toBe(2);
  });

  it('moves a message whose visibility is changed on every receive to the DLQ after exactly maxReceiveCount receives', async () => {
    // Arrange
    const { queueUrl, dlqUrl } = await freshQueues();
    const { MessageId } = await sqs.client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'back off' }),
    );

    // Act: receive, then "back off" with ChangeMessageVisibility(0), as the handler runtime does.
    const counts: number[] = [];
    for (let receive = 0; receive < MAX_RECEIVE_COUNT + 2; receive += 1) {
      const message = await receiveOne(queueUrl, 1);
      if (message === undefined) break;
      counts.push(receiveCount(message));
      await changeVisibility(queueUrl, message, 0);
    }
    const deadLettered = await receiveOne(dlqUrl, 2);

    // Assert
    expect(counts).toEqual([1, 2, 3]);
    expect(deadLettered?.MessageId).toBe(MessageId);
    expect(deadLettered?.Body).toBe('back off');
  });

  it('answers a long poll as soon as a message is available, with fewer than MaxNumberOfMessages', async () => {
    // Arrange
    const { queueUrl } = await freshQueues();
    const waitTimeSeconds = 10;

    // Act: start a long poll on the empty queue, then send one message into it.
    const started = Date.now();
    const polling = receiveOne(queueUrl, waitTimeSeconds);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await sqs.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'wake up' }));
    const message = await polling;
    const elapsedMs = Date.now() - started;

    // Assert: well before the wait time (unpatched, the poll waits all of it for 10 messages).
    expect(message?.Body).toBe('wake up');
    expect(elapsedMs).toBeLessThan((waitTimeSeconds * 1000) / 2);
  });
});
