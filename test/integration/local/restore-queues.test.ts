/**
 * Rebuilding the local stack's queues from its kept table (`restoreQueues`), against the run's
 * DynamoDB Local and SQS emulator: events stored in every status, then the route's queue and DLQ
 * read back. Which statuses come back where, hidden for how long, and that each message is the
 * very envelope the ingress sends (built from the record and its request key, signed).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type Message, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvelope, serializeEnvelope, toEnvelope } from '../../../shared/envelope.js';
import { checkEnvelopeSignature, signEnvelope } from '../../../shared/envelope-signature.js';
import { EventStore } from '../../../shared/event-store/event-store.js';
import { EventHistory } from '../../../shared/event-store/history.js';
import type { NewEventRecord } from '../../../shared/event-store/types.js';
import { DLQ_ATTRIBUTES } from '../../../shared/handler/queue.js';
import { createRouteQueues } from '../../../shared/local/create-queues.js';
import { createEventTable } from '../../../shared/local/create-table.js';
import { RESTORED_REASON, restoreQueues } from '../../../shared/local/restore-queues.js';
import { silentLog } from '../../../shared/logger.js';
import { queueSettings } from '../../../shared/resources.js';
import { TEST_ENVELOPE_KEY, testEnvelopeKeys } from '../../helpers/envelope-keys.js';
import { attemptRecord, newEventRecord, storeEventIn, TEST_ROUTE } from '../../helpers/event-records.js';
import { makeRoute } from '../../helpers/routes.js';
import {
  connectDynamoDb,
  connectSqs,
  type EmulatorConnection,
  uniqueName,
} from '../../helpers/shared-emulators.js';
import { transition } from '../../helpers/transition.js';

let dynamo: EmulatorConnection<DynamoDBClient> | undefined;
let sqs: EmulatorConnection<SQSClient> | undefined;
let store: EventStore;
let history: EventHistory;

beforeAll(async () => {
  [dynamo, sqs] = await Promise.all([connectDynamoDb(), connectSqs()]);
  const tableName = uniqueName();
  await createEventTable(dynamo.client, tableName);
  store = new EventStore({ client: dynamo.client, tableName });
  history = new EventHistory({ client: dynamo.client, tableName, store });
}, 60_000);

afterAll(() => {
  dynamo?.close();
  sqs?.close();
});

function sqsClient(): SQSClient {
  if (sqs === undefined) throw new Error('the SQS emulator is not running');
  return sqs.client;
}

/** Every message that shows up on `queueUrl` within `ms`, left in flight (never deleted). */
async function receiveFor(queueUrl: string, ms: number): Promise<Message[]> {
  const messages: Message[] = [];
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const { Messages = [] } = await sqsClient().send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 600,
        MessageAttributeNames: ['All'],
      }),
    );
    messages.push(...Messages);
  }
  return messages;
}

function idsOf(messages: readonly Message[]): string[] {
  return messages.map((message) => parseEnvelope(message.Body ?? '').id).sort();
}

/** Stores `event` as the ingress does, walked to `status`; returns its request key too. */
async function stored(
  event: NewEventRecord,
  status: Parameters<typeof storeEventIn>[2],
): Promise<{ event: NewEventRecord; requestKey: string | undefined }> {
  await storeEventIn(store, event, status);
  const found = await store.getEventAndRequestKey(event.id);
  return { event, requestKey: found?.requestKey };
}

describe('restoreQueues()', () => {
  it('puts in-flight events back on the route queue, dead-lettered ones in the DLQ, and nothing else', async () => {
    // Arrange: the route's queues, fresh (as on a restart), and one event in each status.
    const route = makeRoute({ path: TEST_ROUTE });
    const queues = await createRouteQueues(sqsClient(), queueSettings(route, uniqueName('restore')));
    const now = Date.now();
    const at = (offsetMs: number) => now - 60_000 + offsetMs;
    const event = (offsetMs: number, key: string) =>
      newEventRecord(at(offsetMs), { dedupeKey: key, headers: { 'x-github-delivery': key } });
    const queued = await stored(event(1, 'queued'), 'queued');
    const lapsed = await stored(event(2, 'lapsed'), 'queued');
    await store.acquireLock({
      id: lapsed.event.id,
      route: TEST_ROUTE,
      owner: 'dead-consumer/1',
      expiresAt: new Date(now - 1_000),
    });
    const locked = await stored(event(3, 'locked'), 'queued');
    await store.acquireLock({
      id: locked.event.id,
      route: TEST_ROUTE,
      owner: 'dead-consumer/2',
      expiresAt: new Date(now + 4_000),
    });
    const retrying = await stored(event(4, 'retrying'), 'processing');
    await transition(store, retrying.event.id, 'retrying', {
      attempt: attemptRecord(now, 1, 'failed', {
        errorName: 'Error',
        errorMessage: 'downstream 503',
        nextVisibleAt: new Date(now + 4_000).toISOString(),
      }),
    });
    const deadLettered = await stored(event(5, 'dead'), 'queued');
    await transition(store, deadLettered.event.id, 'dead_lettered', {
      attempt: attemptRecord(now, 1, 'permanent_failure', {
        errorName: 'PermanentError',
        errorMessage: 'unknown order',
      }),
    });
    await stored(event(6, 'delivered'), 'delivered');
    await stored(event(7, 'ignored'), 'ignored');
    await stored(event(8, 'received'), 'received');
    const expired = await stored(
      newEventRecord(at(9), { dedupeKey: 'expired', expiresAt: Math.floor(now / 1000) - 1 }),
      'queued',
    );

    // Act: at the time the events were arranged for, however long arranging them took here.
    const restored = await restoreQueues(
      {
        store,
        history,
        sqs: sqsClient(),
        envelopeKeys: testEnvelopeKeys,
        log: silentLog,
        now: () => new Date(now),
      },
      [{ route, queueUrl: queues.queueUrl, dlqUrl: queues.dlqUrl }],
    );

    // Assert: the counts, then what is visible at once and what only once its time has come.
    expect(restored).toEqual([{ route: TEST_ROUTE, queued: 4, deadLettered: 1 }]);
    const atOnce = await receiveFor(queues.queueUrl, 1_000);
    expect(idsOf(atOnce)).toEqual([queued.event.id, lapsed.event.id].sort());
    const later = await receiveFor(queues.queueUrl, 7_000);
    expect(idsOf(later)).toEqual([locked.event.id, retrying.event.id].sort());
    const dlq = await receiveFor(queues.dlqUrl, 1_000);
    expect(idsOf(dlq)).toEqual([deadLettered.event.id]);
    expect(dlq[0]?.MessageAttributes?.[DLQ_ATTRIBUTES.reason]?.StringValue).toBe(RESTORED_REASON);
    expect(dlq[0]?.MessageAttributes?.[DLQ_ATTRIBUTES.error]?.StringValue).toContain('unknown order');
    const everywhere = [...atOnce, ...later, ...dlq].map((message) => message.Body ?? '');
    expect(everywhere.join('\n')).not.toContain(expired.event.id);

    // Assert: each message is the envelope the ingress sends for the event (record + request key,
    // signed with the stack's key), byte for byte.
    for (const { event: sent, requestKey } of [queued, lapsed, locked, retrying, deadLettered]) {
      const body = everywhere.find((text) => parseEnvelope(text).id === sent.id);
      const found = await store.getEvent(sent.id);
      if (found === undefined || body === undefined) throw new Error(`${sent.id} missing`);
      expect(requestKey).toBeDefined();
      expect(body).toBe(serializeEnvelope(signEnvelope(toEnvelope(found, requestKey), [TEST_ENVELOPE_KEY])));
      expect(checkEnvelopeSignature(parseEnvelope(body), [TEST_ENVELOPE_KEY])).toBe('valid');
      expect(parseEnvelope(body)).toMatchObject({ v: 3, id: sent.id, route: TEST_ROUTE, requestKey });
    }
  }, 40_000);

  it('restores nothing for a route without events', async () => {
    const route = makeRoute({ path: '/restore/empty/' });
    const queues = await createRouteQueues(sqsClient(), queueSettings(route, uniqueName('restore')));

    const restored = await restoreQueues(
      { store, history, sqs: sqsClient(), envelopeKeys: testEnvelopeKeys, log: silentLog },
      [{ route, queueUrl: queues.queueUrl, dlqUrl: queues.dlqUrl }],
    );

    expect(restored).toEqual([{ route: '/restore/empty/', queued: 0, deadLettered: 0 }]);
    expect(await receiveFor(queues.queueUrl, 1_000)).toEqual([]);
  }, 20_000);
});
