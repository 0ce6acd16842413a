/**
 * Batch reads of events' state items (status, attempts; never their request data): BatchGetItem,
 * 100 keys a call, retrying the keys DynamoDB leaves unprocessed.
 */
import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
} from '@aws-sdk/client-dynamodb';
import { HooklineError } from '../errors.js';
import { parseEventId } from '../ids.js';
import { type EventState, eventKeys, type ItemKey, toEventState } from './items.js';
import { type Item, marshallItem } from './marshal.js';
import type { EventTable } from './table.js';

/** The event table as a read sees it: no clock, since nothing here writes. */
export type ReadTable = Pick<EventTable, 'client' | 'tableName'>;

/**
 * DynamoDB kept refusing to read some of a listing's events (BatchGetItem returned them as
 * unprocessed on every attempt, as it does under throttling). A retry later may work.
 */
export class HistoryUnavailableError extends HooklineError<'store_unavailable'> {
  override name = 'HistoryUnavailableError';
  /** How many keys were still unprocessed. */
  readonly unprocessed: number;

  constructor(unprocessed: number, attempts: number) {
    super(
      'store_unavailable',
      `BatchGetItem left ${unprocessed} keys unprocessed after ${attempts} attempts`,
    );
    this.unprocessed = unprocessed;
  }
}

/** BatchGetItem reads at most 100 keys per call. */
export const BATCH_GET_MAX_KEYS = 100;
const BATCH_GET_ATTEMPTS = 8;
const BATCH_GET_BACKOFF_MS = 25;

/** Every attribute of a state item, checked against `EventState` by the compiler. */
const STATE_ATTRIBUTES = Object.keys({
  id: true,
  route: true,
  queueName: true,
  receivedAt: true,
  updatedAt: true,
  status: true,
  method: true,
  path: true,
  sourceIp: true,
  dedupeKey: true,
  verification: true,
  attempts: true,
  replayOf: true,
  replays: true,
  lockOwner: true,
  lockExpiresAt: true,
  expiresAt: true,
} satisfies Record<keyof EventState, true>);

/**
 * The events' state items, by id, one BatchGetItem per 100 ids; ids without an event are left out.
 * @throws HistoryUnavailableError when the table keeps some keys unprocessed (throttling)
 */
export async function getStates(table: ReadTable, ids: readonly string[]): Promise<Map<string, EventState>> {
  const states = new Map<string, EventState>();
  for (let offset = 0; offset < ids.length; offset += BATCH_GET_MAX_KEYS) {
    for (const [id, state] of await readStates(table, ids.slice(offset, offset + BATCH_GET_MAX_KEYS))) {
      states.set(id, state);
    }
  }
  return states;
}

/** The state items of `ids` (at most 100), by id; ids without an item are left out. */
export async function readStates(table: ReadTable, ids: readonly string[]): Promise<Map<string, EventState>> {
  const states = new Map<string, EventState>();
  for (const [id, item] of await batchGet(table, ids, STATE_ATTRIBUTES)) states.set(id, toEventState(item));
  return states;
}

/**
 * BatchGetItem of `attributes` of the state items of `ids` (at most 100), by id, without their
 * keys; retries unprocessed keys with backoff. Ids of no event of this layout are left out.
 * @throws HistoryUnavailableError when keys are still unprocessed after the last attempt
 */
export async function batchGet(
  table: ReadTable,
  ids: readonly string[],
  attributes: readonly string[],
): Promise<Map<string, Item>> {
  const items = new Map<string, Item>();
  if (ids.length === 0) return items;
  const names: Record<string, string> = { '#pk': 'pk', '#sk': 'sk' };
  attributes.forEach((attribute, index) => {
    names[`#a${index}`] = attribute;
  });
  const stateKeys = ids
    .map((id) => eventKeys.state(id))
    .filter((key): key is ItemKey => key !== undefined)
    .map((key) => marshallItem(key));
  // BatchGetItem refuses a request that names one key twice.
  let keys: Record<string, AttributeValue>[] | undefined = [
    ...new Map(stateKeys.map((key) => [key.sk?.S ?? '', key])).values(),
  ];
  for (let attempt = 0; keys !== undefined && keys.length > 0; attempt += 1) {
    if (attempt === BATCH_GET_ATTEMPTS) {
      throw new HistoryUnavailableError(keys.length, attempt);
    }
    if (attempt > 0) await sleep(BATCH_GET_BACKOFF_MS * 2 ** (attempt - 1));
    const result: BatchGetItemCommandOutput = await table.client.send(
      new BatchGetItemCommand({
        RequestItems: {
          [table.tableName]: {
            Keys: keys,
            ProjectionExpression: Object.keys(names).join(', '),
            ExpressionAttributeNames: names,
          },
        },
      }),
    );
    for (const item of result.Responses?.[table.tableName] ?? []) {
      const id = idOf(item);
      if (id === undefined) continue;
      const { pk: _pk, sk: _sk, ...rest } = item;
      items.set(id, rest);
    }
    keys = result.UnprocessedKeys?.[table.tableName]?.Keys;
  }
  return items;
}

/** The event id of a state item, or of its `byRouteStatus` entry: its sort key. */
export function idOf(item: Readonly<Item>): string | undefined {
  const sk = item.sk?.S;
  return sk !== undefined && parseEventId(sk) !== undefined ? sk : undefined;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
