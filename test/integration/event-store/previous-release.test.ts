/**
 * Upgrades without loss: the items the previous release (0.1.0) wrote for three events (delivered,
 * dead-lettered, and delivered with its request data Brotli-compressed), put into the table as they
 * were, still list, show and replay through the admin API as the CLI calls it.
 * test/fixtures/items/release-0.1.0.json holds them in DynamoDB JSON; their TTLs are set to 2100.
 */
import { readFileSync } from 'node:fs';
import { type AttributeValue, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminApi } from '../../../shared/admin/admin-api.js';
import { EventStore } from '../../../shared/event-store/event-store.js';
import { EventHistory } from '../../../shared/event-store/history.js';
import { sqsQueueSender } from '../../../shared/ingress/sqs-sender.js';
import { serveHttpApi } from '../../../shared/local/http-adapter.js';
import { createReplayer } from '../../../shared/replay/replay.js';
import { testEnvelopeKeys } from '../../helpers/envelope-keys.js';
import {
  connectEmulators,
  type Emulators,
  provisionRoutes,
  requireQueues,
} from '../../helpers/ingress-stack.js';
import { makeRoute } from '../../helpers/routes.js';
import { receiveAtLeast } from '../../helpers/sqs-records.js';

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
let queue: { queueUrl: string; queueArn: string };

beforeAll(async () => {
  emulators = await connectEmulators();
  const { tableName, queues } = await provisionRoutes(emulators, [route]);
  for (const item of ITEMS) {
    await emulators.dynamo.client.send(new PutItemCommand({ TableName: tableName, Item: item }));
  }
  const routeQueues = requireQueues(queues, route.path);
  queue = routeQueues;
  const targets = [{ route, ...routeQueues }];
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

/** The parts of the admin API's answers these tests read. */
interface ShownEvent {
  readonly id: string;
  readonly status: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly attempts?: readonly Readonly<Record<string, unknown>>[];
  readonly body?: string;
  readonly replays?: readonly string[];
}
interface AdminReply {
  readonly events: readonly ShownEvent[];
  readonly event: ShownEvent;
  readonly replay: { readonly id: string; readonly replayOf: string; readonly status: string };
}

async function admin(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: AdminReply }> {
  const response = await fetch(`${server.url}/_hookline${path}`, {
    method,
    ...(body !== undefined && {
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    }),
  });
  return { status: response.status, json: (await response.json()) as AdminReply };
}

describe('events stored by release 0.1.0', () => {
  it('list, newest first, with their statuses', async () => {
    const { status, json } = await admin('GET', '/events?route=%2Forders%2F');

    expect(status).toBe(200);
    expect(json.events.map((event) => [event.id, event.status])).toEqual([
      [COMPRESSED, 'delivered'],
      [DEAD_LETTERED, 'dead_lettered'],
      [DELIVERED, 'delivered'],
    ]);
  });

  it('list by status from the sparse status index', async () => {
    const { json } = await admin('GET', '/events?route=%2Forders%2F&status=dead_lettered');

    expect(json.events.map((event) => event.id)).toEqual([DEAD_LETTERED]);
  });

  it('show with their attempts, errors and bodies, compressed ones included', async () => {
    const dead = await admin('GET', `/events/${DEAD_LETTERED}?include=body`);
    const compressed = await admin('GET', `/events/${COMPRESSED}?include=body`);

    expect(dead.json.event).toMatchObject({
      status: 'dead_lettered',
      attempts: [{ attempt: 1, outcome: 'permanent_failure', errorMessage: 'order 2 cannot be refunded' }],
      body: JSON.stringify({ order: 2, status: 'refunded', fail: true }),
    });
    expect(JSON.parse(compressed.json.event.body ?? '')).toEqual({ order: 3, note: 'x'.repeat(2000) });
    expect(compressed.json.event.headers['x-request-id']).toBe('req-2021');
  });

  it('replay: a new event linked to the original, its envelope signed', async () => {
    const { status, json } = await admin('POST', '/replay', { id: DEAD_LETTERED });

    expect(status).toBe(202);
    expect(json.replay).toMatchObject({ replayOf: DEAD_LETTERED, status: 'queued' });
    const [message] = await receiveAtLeast(emulators.sqs.client, queue, 1);
    expect(JSON.parse(message?.body ?? '{}')).toMatchObject({
      v: 2,
      id: json.replay.id,
      replayOf: DEAD_LETTERED,
      body: JSON.stringify({ order: 2, status: 'refunded', fail: true }),
      sig: expect.stringMatching(/^hmac-sha256:/),
    });
    expect((await admin('GET', `/events/${DEAD_LETTERED}`)).json.event.replays).toEqual([json.replay.id]);
  });
});
