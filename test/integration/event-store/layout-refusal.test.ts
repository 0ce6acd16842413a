/**
 * The layout refusal as each part of a gateway meets it: an ingress, a handler runtime and a worker
 * pointed at a table of layout v1 refuse it, naming both layouts, and write nothing into it.
 */
import { randomUUID } from 'node:crypto';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedRoute } from '../../../shared/config/types.js';
import { TableLayoutError } from '../../../shared/event-store/errors.js';
import { EventStore } from '../../../shared/event-store/event-store.js';
import { processBatch } from '../../../shared/handler/runtime.js';
import type { HandlerDefinition } from '../../../shared/handler/types.js';
import type { Log } from '../../../shared/logger.js';
import { processMessages } from '../../../shared/worker/worker.js';
import { testEnvelopeKeys } from '../../helpers/envelope-keys.js';
import {
  connectEmulators,
  type Emulators,
  type IngressUnderTest,
  requireQueues,
  startIngress,
} from '../../helpers/ingress-stack.js';
import { makeConfig, makeRoute } from '../../helpers/routes.js';
import { uniqueName } from '../../helpers/shared-emulators.js';
import { createV1Table } from '../../helpers/v1-table.js';

const route: ResolvedRoute = makeRoute({ path: '/refused/', verify: { scheme: 'none' } });
const REFUSAL =
  /the event table .* uses layout v1 .*; this Hookline needs layout v2: deploy it to a new table/;

let emulators: Emulators;
let v1Table: string;
/** An ingress (and its queue) over a table of this layout, for a message to hand the refusing handler. */
let healthy: IngressUnderTest;

interface LogLine {
  readonly message: string;
  readonly attributes: Record<string, unknown>;
}

function recordingLog(): { lines: LogLine[]; log: Log } {
  const lines: LogLine[] = [];
  const push = (message: string, ...attributes: object[]) =>
    void lines.push({ message, attributes: Object.assign({}, ...attributes) });
  return { lines, log: { debug: push, info: push, warn: push, error: push } };
}

beforeAll(async () => {
  emulators = await connectEmulators();
  v1Table = uniqueName('refused-v1');
  await createV1Table(emulators.dynamo.client, v1Table);
  healthy = await startIngress(emulators, [route]);
});

afterAll(async () => {
  await healthy?.close();
  emulators?.close();
});

async function v1ItemCount(): Promise<number> {
  const { Count } = await emulators.dynamo.client.send(
    new ScanCommand({ TableName: v1Table, Select: 'COUNT' }),
  );
  return Count ?? 0;
}

describe('a gateway pointed at a table of layout v1', () => {
  it('answers webhooks 503 at the ingress, logging the refusal, and sends nothing', async () => {
    const { lines, log } = recordingLog();
    const refused = await startIngress(emulators, [route], {
      provisioned: { tableName: healthy.tableName, queues: healthy.queues },
      override: () => ({
        store: new EventStore({ client: emulators.dynamo.client, tableName: v1Table }),
        log,
      }),
    });

    const reply = await refused.post(route.path, JSON.stringify({ n: randomUUID() }));
    await refused.close();

    expect(reply.status).toBe(503);
    expect(reply.json).toMatchObject({ error: { code: 'store_unavailable' } });
    expect(JSON.stringify(lines)).toMatch(REFUSAL);
    expect(await v1ItemCount()).toBe(0);
  });

  it('leaves every message of a batch for redelivery in the handler runtime, running nothing', async () => {
    const accepted = await healthy.post(route.path, JSON.stringify({ n: 'for the handler' }));
    expect(accepted.status).toBe(202);
    const queue = requireQueues(healthy.queues, route.path);
    const { ReceiveMessageCommand } = await import('@aws-sdk/client-sqs');
    const { Messages = [] } = await emulators.sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: queue.queueUrl, WaitTimeSeconds: 2, MaxNumberOfMessages: 1 }),
    );
    const { lines, log } = recordingLog();
    let ran = 0;
    const definition = {
      handler: async () => {
        ran += 1;
      },
      options: {},
    } as unknown as HandlerDefinition;

    const response = await processBatch(
      Messages.map((message) => ({
        messageId: message.MessageId ?? '',
        receiptHandle: message.ReceiptHandle ?? '',
        body: message.Body ?? '',
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()) },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: queue.queueArn,
        awsRegion: 'us-east-1',
      })) as never,
      definition,
      {
        route,
        store: new EventStore({ client: emulators.dynamo.client, tableName: v1Table }),
        sqs: emulators.sqs.client,
        queueUrl: queue.queueUrl,
        dlqUrl: queue.dlqUrl,
        envelopeKeys: testEnvelopeKeys,
        log,
      } as never,
    );

    expect(Messages).toHaveLength(1);
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier)).toEqual([
      Messages[0]?.MessageId,
    ]);
    expect(ran).toBe(0);
    expect(
      lines.find((line) => line.message === 'event table refused; batch left for redelivery'),
    ).toBeDefined();
    expect(JSON.stringify(lines)).toMatch(REFUSAL);
    expect(await v1ItemCount()).toBe(0);
  });

  it('does not start a worker (hookline process / worker), naming both layouts', async () => {
    const queue = requireQueues(healthy.queues, route.path);
    const run = processMessages({
      config: makeConfig([route]),
      configFile: '/nowhere/hookline.config.ts',
      route: route.path,
      endpoints: {
        source: 'aws',
        description: 'test',
        sqs: emulators.sqs.client,
        dynamodb: emulators.dynamo.client,
        tableName: v1Table,
        envelopeKeys: testEnvelopeKeys,
        queuesFor: async () => ({ queueUrl: queue.queueUrl, dlqUrl: queue.dlqUrl }),
        destroy: () => {},
      },
      loadDefinition: async () => ({ handler: async () => {}, options: {} }) as unknown as HandlerDefinition,
    });

    await expect(run).rejects.toBeInstanceOf(TableLayoutError);
    await expect(run).rejects.toThrow(REFUSAL);
    expect(await v1ItemCount()).toBe(0);
  });
});
