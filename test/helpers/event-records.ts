/** Event-store fixtures shared by the event-store test files. */
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ROUTE_DEFAULTS } from '../../shared/config/defaults.js';
import type { EventStore } from '../../shared/event-store/event-store.js';
import { eventKeys } from '../../shared/event-store/items.js';
import type { AttemptRecord, EventStatus, NewEventRecord } from '../../shared/event-store/types.js';
import { newEventId } from '../../shared/ids.js';
import { transition } from './transition.js';

export const TEST_ROUTE = '/order/status/';

/**
 * A new event id of `route` (TEST_ROUTE by default) received at `atMs`, in one of the route's
 * `shards` (32 by default, like a route's config) at random.
 */
export function testEventId(
  atMs: number,
  route = TEST_ROUTE,
  shards: number = ROUTE_DEFAULTS.shards,
): string {
  return newEventId(new Date(atMs), { path: route, shards });
}

/**
 * A complete new event received at `atMs` on TEST_ROUTE (or `overrides.route`), its id one of the
 * route's (in one of `shards` shards, 32 by default).
 */
export function newEventRecord(
  atMs: number,
  overrides: Partial<NewEventRecord> = {},
  shards: number = ROUTE_DEFAULTS.shards,
): NewEventRecord {
  const at = new Date(atMs).toISOString();
  const route = overrides.route ?? TEST_ROUTE;
  return {
    id: testEventId(atMs, route, shards),
    route: TEST_ROUTE,
    queueName: 'order_status',
    receivedAt: at,
    method: 'POST',
    path: TEST_ROUTE,
    query: 'a=1',
    headers: { 'content-type': 'application/json', 'x-github-delivery': 'd-1' },
    contentType: 'application/json',
    body: '{"ok":true}',
    sourceIp: '203.0.113.7',
    dedupeKey: 'd-1',
    verification: { scheme: 'github', keyId: '0', verifiedAt: at },
    expiresAt: Math.floor(atMs / 1000) + 30 * 86_400,
    ...overrides,
  };
}

export function attemptRecord(
  atMs: number,
  n: number,
  outcome: AttemptRecord['outcome'],
  extra: Partial<AttemptRecord> = {},
): AttemptRecord {
  return { attempt: n, startedAt: new Date(atMs).toISOString(), durationMs: 12, outcome, ...extra };
}

/** Allowed steps from `queued` (where `putQueued()` starts an event) to each status. */
export const PATHS_FROM_QUEUED: Readonly<Record<Exclude<EventStatus, 'received'>, readonly EventStatus[]>> = {
  queued: [],
  processing: ['processing'],
  retrying: ['processing', 'retrying'],
  delivered: ['processing', 'delivered'],
  dead_lettered: ['dead_lettered'],
  ignored: ['processing', 'ignored'],
};

/**
 * Writes `event` as ingress does and walks it to `status` through `transition()`. A `received`
 * event is one whose request item is written but whose message was never queued: it has no state.
 */
export async function storeEventIn(
  store: EventStore,
  event: NewEventRecord,
  status: EventStatus,
): Promise<NewEventRecord> {
  const requestKey = await store.putRequest(event);
  if (status === 'received') return event;
  await store.putQueued(event, requestKey);
  for (const step of PATHS_FROM_QUEUED[status]) await transition(store, event.id, step);
  return event;
}

/** The raw state item of an event, keys and index attributes included. */
export async function rawEventItem(client: DynamoDBClient, tableName: string, id: string) {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: tableName, Key: marshallKey(id), ConsistentRead: true }),
  );
  return Item;
}

function marshallKey(id: string) {
  const key = eventKeys.state(id);
  if (key === undefined) throw new Error(`${id} is not an event id`);
  return { pk: { S: key.pk }, sk: { S: key.sk } };
}
