/**
 * Real concurrency, nothing injected: two pollers on one queue whose visibility timeout is shorter
 * than the handler, so SQS itself hands a message still being handled to the other consumer; and
 * many replays of one event at once, racing on its record in DynamoDB Local. The user's code, counted
 * in a ledger outside Hookline's table, still runs once per event.
 */
import { SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedRoute } from '../../../shared/config/types.js';
import { EventHistory } from '../../../shared/event-store/history.js';
import { defineHandler, type HandlerDefinition } from '../../../shared/handler/define-handler.js';
import { sqsQueueSender } from '../../../shared/ingress/sqs-sender.js';
import { silentLog } from '../../../shared/logger.js';
import { createReplayer } from '../../../shared/replay/replay.js';
import {
  type BatchReport,
  createPoller,
  type Poller,
  type PollerOptions,
} from '../../../shared/worker/poller.js';
import { testEnvelopeKeys } from '../../helpers/envelope-keys.js';
import {
  connectEmulators,
  type Emulators,
  type IngressUnderTest,
  requireQueues,
  startIngress,
} from '../../helpers/ingress-stack.js';
import { makeRoute } from '../../helpers/routes.js';

/** Three visibility timeouts: SQS makes each message visible again while its handler still runs. */
const HANDLER_MS = 3_000;
const VISIBILITY_SECONDS = 1;

let emulators: Emulators;
const pollers: Poller[] = [];
const ingresses: IngressUnderTest[] = [];

beforeAll(async () => {
  emulators = await connectEmulators();
});

afterEach(async () => {
  await Promise.all(pollers.splice(0).map((poller) => poller.stop()));
  await Promise.all(ingresses.splice(0).map((ingress) => ingress.close()));
});

afterAll(() => emulators?.close());

function route(name: string): ResolvedRoute {
  return makeRoute({
    path: `/concurrency/${name}/`,
    verify: { scheme: 'none' },
    dedupe: { source: 'bodyHash', windowSeconds: 3600 },
    retry: { maxAttempts: 10, initialDelaySeconds: 1, multiplier: 1, maxDelaySeconds: 1 },
    timeoutSeconds: 10,
  });
}

/** Effects of the user's code per event id, kept outside Hookline. */
class Ledger {
  readonly runs = new Map<string, number>();
  record(id: string): void {
    this.runs.set(id, (this.runs.get(id) ?? 0) + 1);
  }
  twice(): string[] {
    return [...this.runs].filter(([, count]) => count > 1).map(([id]) => id);
  }
}

async function until(condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((wake) => setTimeout(wake, 100));
  }
}

/** A started poller of the route's queue (stopped after the test). */
function startPoller(
  ingress: IngressUnderTest,
  r: ResolvedRoute,
  definition: HandlerDefinition,
  options: Pick<PollerOptions, 'concurrency' | 'onBatch'>,
): void {
  const { queueUrl, dlqUrl } = requireQueues(ingress.queues, r.path);
  const poller = createPoller({
    route: r,
    definition,
    sqs: emulators.sqs.client,
    queueUrl,
    dlqUrl,
    store: ingress.store,
    envelopeKeys: testEnvelopeKeys,
    log: silentLog,
    waitSeconds: 1,
    ...options,
  });
  pollers.push(poller);
  poller.start();
}

async function send(ingress: IngressUnderTest, path: string, count: number): Promise<string[]> {
  const replies = await Promise.all(
    Array.from({ length: count }, (_, n) =>
      ingress.post(path, JSON.stringify({ n, at: Date.now() }), { 'content-type': 'application/json' }),
    ),
  );
  for (const reply of replies) expect(reply.status).toBe(202);
  return replies.map((reply) => String(reply.json.id));
}

describe('two consumers, one queue, a visibility timeout shorter than the handler', () => {
  it('runs each event once though SQS delivers messages still being handled to the other consumer', async () => {
    const r = { ...route('visibility'), batchSize: 2 };
    const ingress = await startIngress(emulators, [r]);
    ingresses.push(ingress);
    const { queueUrl } = requireQueues(ingress.queues, r.path);
    // The queue as misconfigured: messages come back while their handler still runs.
    await emulators.sqs.client.send(
      new SetQueueAttributesCommand({
        QueueUrl: queueUrl,
        Attributes: { VisibilityTimeout: String(VISIBILITY_SECONDS) },
      }),
    );
    const ledger = new Ledger();
    const definition = defineHandler(async (event) => {
      ledger.record(event.id);
      await new Promise((wake) => setTimeout(wake, HANDLER_MS));
    }).definition;
    const received: BatchReport[] = [];
    for (let consumer = 0; consumer < 2; consumer += 1) {
      // Small batches and several receive loops each: a loop is always free to take a redelivered copy.
      startPoller(ingress, r, definition, { concurrency: 3, onBatch: (batch) => received.push(batch) });
    }

    const ids = await send(ingress, r.path, 12);
    await until(async () => {
      const records = await Promise.all(ids.map((id) => ingress.store.getEvent(id)));
      return records.every((record) => record?.status === 'delivered');
    });

    expect(ledger.twice()).toEqual([]);
    expect([...ledger.runs.keys()].sort()).toEqual([...ids].sort());
    // The race did happen: more messages were received than there are events.
    expect(received.reduce((sum, batch) => sum + batch.size, 0)).toBeGreaterThan(ids.length);
  }, 90_000);
});

describe('replays of one event at once', () => {
  it('links every replay to the original and runs each replay once', async () => {
    const r = route('replays');
    const ingress = await startIngress(emulators, [r]);
    ingresses.push(ingress);
    const { queueUrl } = requireQueues(ingress.queues, r.path);
    const ledger = new Ledger();
    startPoller(ingress, r, defineHandler((event) => void ledger.record(event.id)).definition, {
      concurrency: 4,
    });
    const [original = ''] = await send(ingress, r.path, 1);
    await until(async () => (await ingress.store.getEvent(original))?.status === 'delivered');
    const replayer = createReplayer({
      store: ingress.store,
      history: new EventHistory({
        client: emulators.dynamo.client,
        tableName: ingress.tableName,
        store: ingress.store,
      }),
      targets: [{ route: r, queueUrl }],
      queue: sqsQueueSender(emulators.sqs.client),
      envelopeKeys: testEnvelopeKeys,
    });

    const replays = await Promise.all(Array.from({ length: 16 }, () => replayer.replayEvent(original)));
    const replayIds = replays.map((replay) => replay.id);
    await until(async () => {
      const records = await Promise.all(replayIds.map((id) => ingress.store.getEvent(id)));
      return records.every((record) => record?.status === 'delivered');
    });

    expect(new Set(replayIds).size).toBe(16);
    expect([...((await ingress.store.getEvent(original))?.replays ?? [])].sort()).toEqual(
      [...replayIds].sort(),
    );
    expect(ledger.twice()).toEqual([]);
    expect(ledger.runs.size).toBe(17);
  }, 90_000);
});
