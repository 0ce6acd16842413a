/**
 * The event table's items and how records map onto them (table layout v2, docs/architecture.md
 * "Table layout"). One table, keys from `EVENT_TABLE`:
 *
 * - event state: `pk = ROUTE#<route tag>#<shard>`, `sk = <event id>` (both read from the id, so a
 *   lookup by id is a GetItem and a route's shard partitions list it by time); every `EventRecord`
 *   attribute except the request data (`REQUEST_ATTRIBUTES`); `requestKey` (the `pk` of its request
 *   item); `gsi2pk = ROUTE#<route tag>#<status>#<shard>` while in a `STATUS_INDEXED` status;
 *   `expiresAt` (TTL). The only item status changes write, kept small so each update is billed for
 *   a few hundred bytes, not the request body.
 * - request item, `sk = REQUEST`: `headers`, `body`/`bodyBase64`/`bodyRef`, `query`,
 *   `contentType`, `dedupeKey` (or all of them Brotli-compressed in `requestBr`, see
 *   request-data.ts), `expiresAt`. Keyed by the delivery's dedupe key, `pk = DEDUPE#<route>#<key>`,
 *   where it is also the key's claim (`eventId`, the event holding the key; `claimedUntil`, the end
 *   of its window, Unix seconds): one conditional put both claims the key and stores the request.
 *   Its dedupe key is its `pk`'s, and whose request data it holds is `eventId`'s until a repeat
 *   after the window moves the claim, which then records the first holder as `requestOf`: every
 *   byte of the claim is billed, so nothing is stored twice. Without a dedupe key (a route without
 *   dedupe, a replay, a key repeated after its window) `pk = REQUEST#<id>`, the owner in the key.
 * - layout: `pk = HOOKLINE#LAYOUT`, `sk = LAYOUT`, `version` (layout.ts).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { parseEventId } from '../ids.js';
import { TABLE_PARTITIONS } from '../resources.js';
import { type Item, marshallItem, unmarshallItem } from './marshal.js';
import { COMPRESSED_REQUEST_ATTRIBUTE, decodeRequestData, encodeRequestData } from './request-data.js';
import type { EventRecord, EventStatus, NewEventRecord } from './types.js';

const REQUEST_SK = 'REQUEST';
/**
 * Attributes that exist only for the table's keys and indexes and the item's links; not part of
 * `EventRecord`.
 */
const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi2pk', 'requestKey'] as const;
/** The request data: kept in the event's request item, never in the state item. */
const REQUEST_ATTRIBUTES = ['headers', 'body', 'bodyBase64', 'bodyRef', 'query', 'contentType'] as const;

/** A table key. */
export type ItemKey = { readonly pk: string; readonly sk: string };

/**
 * An event's state item: the `EventRecord` without its request data (`headers`, `body`,
 * `bodyBase64`, `bodyRef`, `query`, `contentType`). What status changes return; `getEvent()` has it all.
 */
export type EventState = Omit<EventRecord, (typeof REQUEST_ATTRIBUTES)[number]>;

/** What ingress knows of a new event besides its request data: its state item's fields. */
type NewEventState = Omit<NewEventRecord, (typeof REQUEST_ATTRIBUTES)[number]>;

/** Key values of the items in the event table (for queries added alongside). */
export const eventKeys = {
  /**
   * The state item of event `id`: the partition of its route's shard, the id as sort key.
   * Undefined for an id Hookline did not make (then there is no such event).
   */
  state(id: string): ItemKey | undefined {
    const parts = parseEventId(id);
    return parts === undefined
      ? undefined
      : { pk: TABLE_PARTITIONS.state(parts.routeTag, parts.shardCode), sk: id };
  },
  /** The request item of an event without a dedupe key (or one that came after the key's window). */
  request: (id: string): ItemKey => ({ pk: TABLE_PARTITIONS.request(id), sk: REQUEST_SK }),
  /** The request item, and claim, of a route's delivery by its dedupe key. */
  dedupe: (route: string, key: string): ItemKey => ({
    pk: TABLE_PARTITIONS.dedupe(route, key),
    sk: REQUEST_SK,
  }),
  /** The request item whose `pk` a state item's `requestKey` names. */
  requestAt: (requestKey: string): ItemKey => ({ pk: requestKey, sk: REQUEST_SK }),
  /** A route's shard partition of state items. */
  shard: (routeTag: string, shardCode: string) => TABLE_PARTITIONS.state(routeTag, shardCode),
  /** The `byRouteStatus` partition of a route's shard and a status. */
  routeStatus: (routeTag: string, status: EventStatus, shardCode: string) =>
    `ROUTE#${routeTag}#${status}#${shardCode}`,
} as const;

/** The `byRouteStatus` partition event `id` is listed under while in `status`. */
export function statusPartitionOf(id: string, status: EventStatus): string | undefined {
  const parts = parseEventId(id);
  return parts === undefined ? undefined : eventKeys.routeStatus(parts.routeTag, status, parts.shardCode);
}

/** The state item of event `id`, or an error naming it as unknown (the id is not one Hookline makes). */
export function requireStateKey(id: string): ItemKey {
  const key = eventKeys.state(id);
  if (key === undefined) throw new UnknownEventIdError(id);
  return key;
}

/** An id that cannot name an event of this table: `EventNotFoundError` for callers (errors.ts). */
export class UnknownEventIdError extends Error {
  override name = 'UnknownEventIdError';
  readonly id: string;

  constructor(id: string) {
    super(`${JSON.stringify(id)} is not an event id of this table layout`);
    this.id = id;
  }
}

/** The record in a state item, without its key and link attributes. */
export function toEventState(item: Readonly<Item>): EventState {
  const value = unmarshallItem(item);
  for (const attribute of KEY_ATTRIBUTES) delete value[attribute];
  return value as unknown as EventState;
}

/** Where a claim's request item starts: `DEDUPE#`. */
const DEDUPE_PREFIX = TABLE_PARTITIONS.dedupe('', '').slice(0, -1);
/** Where an unkeyed request item's `pk` starts: `REQUEST#`. */
const REQUEST_PREFIX = TABLE_PARTITIONS.request('');

/**
 * The event whose request data a request item holds: the id in an unkeyed item's `pk`; a claim's
 * `requestOf` once a repeat moved the claim, else its holder, `eventId`.
 */
export function requestOwnerOf(item: Readonly<Item>): string | undefined {
  const pk = item.pk?.S ?? '';
  if (pk.startsWith(REQUEST_PREFIX)) return pk.slice(REQUEST_PREFIX.length);
  return item.requestOf?.S ?? item.eventId?.S;
}

/**
 * A condition that request item `requestKey` holds event `id`'s request data (the rule of
 * `requestOwnerOf` as a DynamoDB condition), with its attribute names and values; undefined when it
 * cannot (another event's own item).
 */
export function ownedBy(
  requestKey: string,
  id: string,
): { condition: string; names: Record<string, string>; values: Record<string, AttributeValue> } | undefined {
  if (requestKey.startsWith(REQUEST_PREFIX)) {
    if (requestKey !== TABLE_PARTITIONS.request(id)) return undefined;
    // The owner is in the key: the item only has to be there.
    return { condition: 'attribute_exists(#pk)', names: { '#pk': 'pk' }, values: {} };
  }
  return {
    condition: '(#requestOf = :owner OR (attribute_not_exists(#requestOf) AND #eventId = :owner))',
    names: { '#requestOf': 'requestOf', '#eventId': 'eventId' },
    values: { ':owner': { S: id } },
  };
}

/** The `pk` of a state item's request item (`requestKey`). */
export function requestKeyOf(item: Readonly<Item>): string | undefined {
  return item.requestKey?.S;
}

/**
 * The event (state and request data) from its state item and its request item; the request item
 * counts only when it holds this event's request data (`requestOwnerOf`).
 */
export function recordOf(
  id: string,
  state: Readonly<Item>,
  request: Readonly<Item> | undefined,
): EventRecord {
  const data = request !== undefined && requestOwnerOf(request) === id ? requestOf(id, request) : {};
  return { ...data, ...toEventState(state) } as EventRecord;
}

/** The record's request data (its request item) and the rest (its state item). */
export function splitRecord(record: NewEventRecord): {
  request: Record<string, unknown>;
  state: NewEventState;
} {
  const { headers, body, bodyBase64, bodyRef, query, contentType, ...state } = record;
  // `undefined` attributes are left out of the item by `marshallItem`.
  return { request: { headers, body, bodyBase64, bodyRef, query, contentType }, state };
}

/**
 * The attributes of `record`'s request item `requestKey` besides its key: its request data
 * (compressed when that saves a unit) and how long it is kept (`expiresAt`). The dedupe key rides
 * along, so a handler that creates the event's state can copy it, except in the key's own item,
 * whose `pk` holds it.
 */
export function requestAttributesOf(record: NewEventRecord, requestKey: string): Record<string, unknown> {
  const dedupeKey = requestKey.startsWith(DEDUPE_PREFIX) ? undefined : record.dedupeKey;
  return {
    ...encodeRequestData({ ...splitRecord(record).request, dedupeKey }),
    expiresAt: record.expiresAt,
  };
}

/** Every attribute a request item's data may be kept in, in either form (request-data.ts). */
export const REQUEST_DATA_ATTRIBUTES: readonly string[] = [
  ...REQUEST_ATTRIBUTES,
  'dedupeKey',
  COMPRESSED_REQUEST_ATTRIBUTE,
];

/** The request item of `record` under `key`, with `extra` attributes (a claim's). */
export function requestItemOf(
  record: NewEventRecord,
  key: ItemKey,
  extra: Readonly<Record<string, unknown>> = {},
): Item {
  return marshallItem({ ...requestAttributesOf(record, key.pk), ...extra, ...key });
}

/** The request data of event `id`'s request item. */
function requestOf(id: string, item: Readonly<Item>): Partial<EventRecord> {
  const value = decodeRequestData(id, unmarshallItem(item));
  const request: Record<string, unknown> = {};
  for (const name of REQUEST_ATTRIBUTES) if (value[name] !== undefined) request[name] = value[name];
  return request as Partial<EventRecord>;
}

/** The dedupe key of a request item: its `pk`'s (`DEDUPE#<route>#<key>`), or the one kept with its data. */
export function dedupeKeyOf(id: string, item: Readonly<Item>): string | undefined {
  const pk = item.pk?.S ?? '';
  if (pk.startsWith(DEDUPE_PREFIX)) {
    // Route paths hold no `#`: the key is everything after the route.
    const afterRoute = pk.indexOf('#', DEDUPE_PREFIX.length);
    if (afterRoute >= 0) return pk.slice(afterRoute + 1);
  }
  const { dedupeKey } = decodeRequestData(id, unmarshallItem(item));
  return typeof dedupeKey === 'string' ? dedupeKey : undefined;
}

/**
 * A new state item for an event's state fields, in its route's shard partition, pointing at its
 * request item, last updated at `updatedAt`.
 */
export function newStateItem(
  state: NewEventState,
  requestKey: string,
  fields: Pick<EventState, 'status'> & Partial<EventState>,
  updatedAt: string,
): EventState & Record<string, unknown> {
  return {
    ...state,
    ...requireStateKey(state.id),
    requestKey,
    updatedAt,
    attempts: [],
    ...fields,
  };
}
