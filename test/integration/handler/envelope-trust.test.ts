/**
 * Trust between stages: the handler runtime runs only envelopes signed with the stack's envelope key
 * (or v1 envelopes of the release before signing, rebuilt from the event's record). A message put on
 * the queue by anyone else, well-formed or not, goes straight to the DLQ with its reason, without
 * running the user's code, spending a retry or writing the event's state.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedRoute } from '../../../shared/config/types.js';
import { type EnvelopeV3, parseEnvelope, serializeEnvelope } from '../../../shared/envelope.js';
import { signEnvelope } from '../../../shared/envelope-signature.js';
import { defineHandler } from '../../../shared/handler/define-handler.js';
import { DLQ_ATTRIBUTES } from '../../../shared/handler/queue.js';
import { processBatch, type RuntimeDependencies } from '../../../shared/handler/runtime.js';
import type { HooklineEvent } from '../../../shared/handler/types.js';
import { silentLog } from '../../../shared/logger.js';
import { TEST_ENVELOPE_KEY, testEnvelopeKeys } from '../../helpers/envelope-keys.js';
import {
  connectEmulators,
  type Emulators,
  type IngressUnderTest,
  requireQueues,
  startIngress,
} from '../../helpers/ingress-stack.js';
import { makeRoute } from '../../helpers/routes.js';
import { githubHeaders } from '../../helpers/signers.js';
import { deleteSucceeded, receiveAtLeast } from '../../helpers/sqs-records.js';

const SECRET = 'trust-webhook-secret';
const V1_FIXTURE = new URL('../../fixtures/envelopes/v1.json', import.meta.url);

const route: ResolvedRoute = makeRoute({
  path: '/trust/',
  verify: { scheme: 'github', secret: { name: 'GITHUB_WEBHOOK_SECRET' } },
  retry: { maxAttempts: 5, initialDelaySeconds: 2, multiplier: 2, maxDelaySeconds: 900 },
});

let emulators: Emulators;
let ingress: IngressUnderTest;

beforeAll(async () => {
  emulators = await connectEmulators();
  ingress = await startIngress(emulators, [route], { secrets: { GITHUB_WEBHOOK_SECRET: SECRET } });
});

afterAll(async () => {
  await ingress?.close();
  emulators?.close();
});

const queues = () => requireQueues(ingress.queues, route.path);

async function post(payload: unknown): Promise<string> {
  const body = JSON.stringify(payload);
  const reply = await ingress.post(route.path, body, await githubHeaders(SECRET, body, randomUUID()));
  expect(reply.status).toBe(202);
  return String(reply.json.id);
}

/** Sends `body` straight to the route's queue, as any principal allowed sqs:SendMessage can. */
async function sendRaw(body: string): Promise<void> {
  await emulators.sqs.client.send(new SendMessageCommand({ QueueUrl: queues().queueUrl, MessageBody: body }));
}

const receive = (count = 1): Promise<SQSRecord[]> => receiveAtLeast(emulators.sqs.client, queues(), count);
const receiveDlq = (): Promise<SQSRecord[]> =>
  receiveAtLeast(emulators.sqs.client, { queueUrl: queues().dlqUrl, queueArn: queues().dlqArn }, 1);

/** One batch through the runtime (deleting what it settled, as the event source mapping does). */
async function consume(
  records: SQSRecord[],
  overrides: Partial<RuntimeDependencies> = {},
): Promise<{ ran: HooklineEvent[]; failed: string[] }> {
  const ran: HooklineEvent[] = [];
  const deps: RuntimeDependencies = {
    route,
    store: ingress.store,
    sqs: emulators.sqs.client,
    queueUrl: queues().queueUrl,
    dlqUrl: queues().dlqUrl,
    envelopeKeys: testEnvelopeKeys,
    log: silentLog,
    random: () => 0.5,
    ...overrides,
  };
  const response = await processBatch(
    records,
    defineHandler((event) => void ran.push(event)).definition,
    deps,
  );
  await deleteSucceeded(emulators.sqs.client, deps.queueUrl, records, response);
  return { ran, failed: response.batchItemFailures.map((failure) => failure.itemIdentifier) };
}

/** The envelope the ingress queued for a fresh event, taken off the queue (the event stays `queued`). */
async function takeQueuedEnvelope(payload: unknown): Promise<{ id: string; envelope: EnvelopeV3 }> {
  const id = await post(payload);
  const [message] = await receive();
  const envelope = parseEnvelope(message?.body ?? '');
  if (envelope.v !== 3) throw new Error('the ingress wrote an older envelope');
  await deleteSucceeded(emulators.sqs.client, queues().queueUrl, message ? [message] : [], {
    batchItemFailures: [],
  });
  return { id, envelope };
}

async function expectDeadLettered(body: string, reason: string): Promise<void> {
  const [dead] = await receiveDlq();
  expect(dead?.body).toBe(body);
  expect(dead?.messageAttributes[DLQ_ATTRIBUTES.reason]?.stringValue).toBe(reason);
}

describe('envelope trust', () => {
  it('runs an envelope the ingress signed', async () => {
    const id = await post({ n: 'signed' });

    const { ran, failed } = await consume(await receive());

    expect(failed).toEqual([]);
    expect(ran.map((event) => event.id)).toEqual([id]);
    expect((await ingress.store.getEvent(id))?.status).toBe('delivered');
  });

  it('never runs a well-formed envelope sent straight to the queue without a signature', async () => {
    const { id, envelope } = await takeQueuedEnvelope({ n: 'unsigned' });
    const { sig: _sig, ...unsigned } = envelope;
    const body = serializeEnvelope({ ...unsigned, body: '{"n":"injected"}' });
    await sendRaw(body);

    const { ran, failed } = await consume(await receive());

    expect({ ran, failed }).toEqual({ ran: [], failed: [] });
    await expectDeadLettered(body, 'envelope_unsigned');
    // The event itself is untouched: no attempt recorded, still waiting for its own message.
    const record = await ingress.store.getEvent(id);
    expect(record?.status).toBe('queued');
    expect(record?.attempts).toEqual([]);
  });

  it('never runs an envelope signed with another key (envelope_forged)', async () => {
    const { envelope } = await takeQueuedEnvelope({ n: 'other key' });
    const body = serializeEnvelope(signEnvelope(envelope, ['a key the stack does not have']));
    await sendRaw(body);

    const { ran } = await consume(await receive());

    expect(ran).toEqual([]);
    await expectDeadLettered(body, 'envelope_forged');
  });

  it.each([
    { field: 'body', change: (e: EnvelopeV3): EnvelopeV3 => ({ ...e, body: '{"n":"tampered"}' }) },
    { field: 'route', change: (e: EnvelopeV3): EnvelopeV3 => ({ ...e, route: '/elsewhere/' }) },
    { field: 'id', change: (e: EnvelopeV3): EnvelopeV3 => ({ ...e, id: `evt_${randomUUID()}` }) },
    {
      field: 'headers',
      change: (e: EnvelopeV3): EnvelopeV3 => ({
        ...e,
        headers: { ...e.headers, 'x-github-event': 'delete' },
      }),
    },
  ])('never runs a signed envelope whose $field was changed after signing', async ({ change }) => {
    const { envelope } = await takeQueuedEnvelope({ n: 'tamper' });
    const body = serializeEnvelope(change(envelope));
    await sendRaw(body);

    const { ran } = await consume(await receive());

    expect(ran).toEqual([]);
    await expectDeadLettered(body, 'envelope_forged');
  });

  it('never runs a signed envelope given a second, different "route" key', async () => {
    const { envelope } = await takeQueuedEnvelope({ n: 'duplicate key' });
    const signed = serializeEnvelope(envelope);
    // JSON.parse keeps the last of two equal keys: the text still holds the signed route first.
    const body = `${signed.slice(0, -1)},"route":"/elsewhere/"}`;
    await sendRaw(body);

    const { ran } = await consume(await receive());

    expect(ran).toEqual([]);
    const [dead] = await receiveDlq();
    expect(dead?.body).toBe(body);
  });

  it('verifies with every key of a rotation: old-key messages still run once the new key signs', async () => {
    const { id, envelope } = await takeQueuedEnvelope({ n: 'rotation' });
    await sendRaw(serializeEnvelope(signEnvelope(envelope, [TEST_ENVELOPE_KEY])));

    const { ran, failed } = await consume(await receive(), {
      envelopeKeys: async () => ['the new key', TEST_ENVELOPE_KEY],
    });

    expect(failed).toEqual([]);
    expect(ran.map((event) => event.id)).toEqual([id]);
  });

  it('leaves the whole batch for redelivery when the envelope keys cannot be read', async () => {
    const id = await post({ n: 'no keys' });
    const records = await receive();

    const { ran, failed } = await consume(records, {
      envelopeKeys: async () => {
        throw new Error('Secrets Manager unreachable');
      },
    });

    expect(ran).toEqual([]);
    expect(failed).toEqual(records.map((record) => record.messageId));
    expect((await ingress.store.getEvent(id))?.status).toBe('queued');
  });
});

describe('envelopes of earlier versions', () => {
  const v1Fixture = (): Record<string, unknown> => JSON.parse(readFileSync(V1_FIXTURE, 'utf8'));

  it('runs a v1 envelope of an event in flight, from its stored record rather than the message', async () => {
    const { id } = await takeQueuedEnvelope({ n: 'upgrade' });
    // What the previous release queued for this event, its body altered on the way.
    await sendRaw(JSON.stringify({ ...v1Fixture(), id, body: '{"n":"altered"}' }));

    const { ran, failed } = await consume(await receive());

    expect(failed).toEqual([]);
    expect(ran.map((event) => [event.id, event.payload])).toEqual([[id, { n: 'upgrade' }]]);
    expect((await ingress.store.getEvent(id))?.status).toBe('delivered');
  });

  it.each([
    { name: 'an event already delivered', settle: true },
    { name: 'an unknown event', settle: false },
  ])('never runs a v1 envelope of $name (envelope_unsigned)', async ({ settle }) => {
    let id = `evt_${randomUUID()}`;
    if (settle) {
      id = await post({ n: 'settled' });
      await consume(await receive());
    }
    const body = JSON.stringify({ ...v1Fixture(), id });
    await sendRaw(body);

    const { ran, failed } = await consume(await receive());

    expect({ ran, failed }).toEqual({ ran: [], failed: [] });
    await expectDeadLettered(body, 'envelope_unsigned');
  });

  it('sends an envelope of a future version to the DLQ at once, without a retry', async () => {
    const body = JSON.stringify({ ...v1Fixture(), v: 4, id: `evt_${randomUUID()}` });
    await sendRaw(body);
    const [record] = await receive();

    const { ran, failed } = await consume(record ? [record] : []);

    expect({ ran, failed }).toEqual({ ran: [], failed: [] });
    expect(record?.attributes.ApproximateReceiveCount).toBe('1');
    await expectDeadLettered(body, 'unsupported_envelope_version');
  });
});
