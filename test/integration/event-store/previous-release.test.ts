/**
 * Upgrades without a silent loss: the items the previous release (0.1.0, table layout v1) wrote for
 * three events (delivered, dead-lettered, and delivered with its request data Brotli-compressed),
 * put into a table shaped as that release made it, are refused by this release (table layout v2),
 * which names both layouts through the admin API as the CLI calls it and writes nothing into it.
 * Such a stack deploys to a new table (docs/architecture.md, "Table layout").
 * test/fixtures/items/release-0.1.0.json holds them in DynamoDB JSON; their TTLs are set to 2100.
 */
import { readFileSync } from 'node:fs';
import { type AttributeValue, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminApi } from '../../../shared/admin/admin-api.js';
import { EventStore } from '../../../shared/event-store/event-store.js';
import { EventHistory } from '../../../shared/event-store/history.js';
import { sqsQueueSender } from '../../../shared/ingress/sqs-sender.js';
import { createRouteQueues, type RouteQueues } from '../../../shared/local/create-queues.js';
import { serveHttpApi } from '../../../shared/local/http-adapter.js';
import { createReplayer } from '../../../shared/replay/replay.js';
import { queueSettings } from '../../../shared/resources.js';
import { testEnvelopeKeys } from '../../helpers/envelope-keys.js';
import { connectEmulators, type Emulators } from '../../helpers/ingress-stack.js';
import { makeRoute } from '../../helpers/routes.js';
import { uniqueName } from '../../helpers/shared-emulators.js';
import { receiveAtLeast } from '../../helpers/sqs-records.js';
import { createV1Table } from '../../helpers/v1-table.js';

/** DynamoDB JSON, binary values (`B`) in base64 as the DynamoDB API writes them. */
const ITEMS = (
  JSON.parse(
    readFileSync(new URL('../../fixtures/items/release-0.1.0.json', import.meta.url), 'utf8'),
  ) as Record<string, AttributeValue | { B: string }>[]
).map(
  (item) =>
    Object.fromEntries(
      Object.entries(item).map(([name, value]) => [
        name,
        'B' in value && typeof value.B === 'string' ? { B: Buffer.from(value.B, 'base64') } : value,
      ]),
    ) as Record<string, AttributeValue>,
);
const DELIVERED = 'evt_01M8YGZ8YNTWA75PTP1443NCKQ';
const DEAD_LETTERED = 'evt_01M8YGZ96WXQQ8WDKHHXG20KYH';
const COMPRESSED = 'evt_01M8YGZ991Q380CXP1EJWHS8KA';

const route = makeRoute({ path: '/orders/', verify: { scheme: 'none' } });

let emulators: Emulators;
let server: Awaited<ReturnType<typeof serveHttpApi>>;
let queue: RouteQueues;
let tableName: string;

beforeAll(async () => {
  emulators = await connectEmulators();
  const prefix = uniqueName();
  tableName = `${prefix}-events`;
  await createV1Table(emulators.dynamo.client, tableName);
  for (const item of ITEMS) {
    await emulators.dynamo.client.send(new PutItemCommand({ TableName: tableName, Item: item }));
  }
  queue = await createRouteQueues(emulators.sqs.client, queueSettings(route, prefix));
  const targets = [{ route, ...queue }];
  const store = new EventStore({ client: emulators.dynamo.client, tableName });
  const history = new EventHistory({ client: emulators.dynamo.client, tableName, store });
  const replayer = createReplayer({
    store,
    history,
    targets,
    queue: sqsQueueSender(emulators.sqs.client),
    envelopeKeys: testEnvelopeKeys,
  });
  server = await serveHttpApi(createAdminApi({ targets, history, replayer, sqs: emulators.sqs.client }));
});

afterAll(async () => {
  await server?.close();
  emulators?.close();
});

interface AdminError {
  readonly error: { readonly code: string; readonly message: string };
}

async function admin(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: AdminError }> {
  const response = await fetch(`${server.url}/_hookline${path}`, {
    method,
    ...(body !== undefined && {
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    }),
  });
  return { status: response.status, json: (await response.json()) as AdminError };
}

const REFUSAL = {
  error: {
    code: 'table_layout_mismatch',
    message:
      'the event table uses layout v1; this Hookline needs layout v2: deploy it to a new table, or run the ' +
      'release that wrote it',
  },
};

describe('a table of events stored by release 0.1.0 (layout v1)', () => {
  it('is refused for listing, by status too, naming both layouts', async () => {
    const all = await admin('GET', '/events?route=%2Forders%2F');
    const dead = await admin('GET', '/events?route=%2Forders%2F&status=dead_lettered');

    expect(all).toEqual({ status: 503, json: REFUSAL });
    expect(dead).toEqual({ status: 503, json: REFUSAL });
  });

  it.each([DELIVERED, DEAD_LETTERED, COMPRESSED])('is refused for showing %s', async (id) => {
    expect(await admin('GET', `/events/${id}?include=body`)).toEqual({ status: 503, json: REFUSAL });
  });

  it('is refused for a replay, which sends nothing', async () => {
    expect(await admin('POST', '/replay', { id: DEAD_LETTERED })).toEqual({ status: 503, json: REFUSAL });
    expect(await receiveAtLeast(emulators.sqs.client, queue, 1, 1_500)).toEqual([]);
  });

  it('is left exactly as it was: no item written, none changed', async () => {
    const { Items } = await emulators.dynamo.client.send(new ScanCommand({ TableName: tableName }));

    const keys = (items: readonly Record<string, AttributeValue>[]) =>
      items.map((item) => `${item.pk?.S}|${item.sk?.S}|${item.updatedAt?.S ?? ''}`).sort();
    expect(keys(Items ?? [])).toEqual(keys(ITEMS));
  });
});
