/**
 * The event table's items and how records map onto them (docs/architecture.md, "Table layout").
 * One table, keys from `EVENT_TABLE`:
 *
 * - event state: `pk = EVENT#<id>`, `sk = EVENT`; every `EventRecord` attribute except the request
 *   data (`REQUEST_ATTRIBUTES`); `gsi1pk = ROUTE#<route>`, `gsi1sk = <receivedAt>#<id>` (a route's
 *   events by time); `gsi2pk = ROUTE#<route>#<status>`, `gsi2sk = gsi1sk` (by status, rewritten on
 *   every status change); `expiresAt` (TTL). The only item status changes write, kept small so each
 *   update is billed for a few hundred bytes, not the request body.
 * - event request: `pk = EVENT#<id>`, `sk = REQUEST`; `headers`, `body`/`bodyBase64`/`bodyRef`,
 *   `query`, `contentType`, `dedupeKey` (or all of them Brotli-compressed in `requestBr`, see
 *   request-data.ts), `expiresAt` (same TTL). Written by `putRequest()` before the message is sent
 *   and before the state item (so a state item always has its request item), never updated.
 *   `getEvent()` reads both in one Query.
 * - dedupe claim: `pk = DEDUPE#<route>#<key>`, `sk = DEDUPE`, `eventId`, `expiresAt` (window end).
 */
import { TABLE_PARTITIONS } from '../resources.js';
import { type Item, marshallItem, unmarshallItem } from './marshal.js';
import { decodeRequestData, encodeRequestData } from './request-data.js';
import type { EventRecord, EventStatus, NewEventRecord } from './types.js';

const EVENT_SK = 'EVENT';
const REQUEST_SK = 'REQUEST';
const DEDUPE_SK = 'DEDUPE';
/** Attributes that exist only for the table's keys and indexes; not part of `EventRecord`. */
const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'] as const;
/** The request data: kept in the event's request item, written once, never in the state item. */
const REQUEST_ATTRIBUTES = ['headers', 'body', 'bodyBase64', 'bodyRef', 'query', 'contentType'] as const;

/**
 * An event's state item: the `EventRecord` without its request data (`headers`, `body`,
 * `bodyBase64`, `bodyRef`, `query`, `contentType`). What status changes return; `getEvent()` has it all.
 */
export type EventState = Omit<EventRecord, (typeof REQUEST_ATTRIBUTES)[number]>;

/** What ingress knows of a new event besides its request data: its state item's fields. */
type NewEventState = Omit<NewEventRecord, (typeof REQUEST_ATTRIBUTES)[number]>;

/** Key and index values of the items in the event table (for queries added alongside). */
export const eventKeys = {
  event: (id: string) => ({ pk: TABLE_PARTITIONS.event(id), sk: EVENT_SK }),
  /** The event's request item (headers, body, query, content type). */
  request: (id: string) => ({ pk: TABLE_PARTITIONS.event(id), sk: REQUEST_SK }),
  dedupe: (route: string, key: string) => ({ pk: TABLE_PARTITIONS.dedupe(route, key), sk: DEDUPE_SK }),
  /** `byRoute` partition. */
  route: (route: string) => `ROUTE#${route}`,
  /** `byRouteStatus` partition. */
  routeStatus: (route: string, status: EventStatus) => `ROUTE#${route}#${status}`,
  /** Sort key of both indexes: time order, ties broken by id. */
  timeline: (receivedAt: string, id: string) => `${receivedAt}#${id}`,
} as const;

/**
 * The record in a state item (an item written before the split also carries request data), without
 * its key and index attributes.
 */
export function toEventState(item: Readonly<Item>): EventState {
  const value = unmarshallItem(item);
  for (const attribute of KEY_ATTRIBUTES) delete value[attribute];
  return value as unknown as EventState;
}

/** The event (state and request data) in the items of its partition; `undefined` without a state item. */
export function recordOf(id: string, items: readonly Item[]): EventRecord | undefined {
  const state = items.find((item) => item.sk?.S === EVENT_SK);
  if (state === undefined) return undefined;
  const request = items.find((item) => item.sk?.S === REQUEST_SK);
  return {
    ...(request === undefined ? {} : requestOf(id, request)),
    ...toEventState(state),
  } as EventRecord;
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
 * The request item of `record`: its request data, kept as long as the event. The dedupe key rides
 * along, so a handler that creates the event's state can copy it.
 */
export function requestItemOf(record: NewEventRecord): Item {
  return marshallItem({
    ...encodeRequestData({ ...splitRecord(record).request, dedupeKey: record.dedupeKey }),
    ...eventKeys.request(record.id),
    expiresAt: record.expiresAt,
  });
}

/** The request data of event `id`'s request item. */
function requestOf(id: string, item: Readonly<Item>): Partial<EventRecord> {
  const value = decodeRequestData(id, unmarshallItem(item));
  const request: Record<string, unknown> = {};
  for (const name of REQUEST_ATTRIBUTES) if (value[name] !== undefined) request[name] = value[name];
  return request as Partial<EventRecord>;
}

/** A new state item for an event's state fields, in the route's listing, last updated at `updatedAt`. */
export function newStateItem(
  state: NewEventState,
  fields: Pick<EventState, 'status'> & Partial<EventState>,
  updatedAt: string,
): EventState & Record<string, unknown> {
  const timeline = eventKeys.timeline(state.receivedAt, state.id);
  return {
    ...state,
    ...eventKeys.event(state.id),
    gsi1pk: eventKeys.route(state.route),
    gsi1sk: timeline,
    // gsi2sk alone puts nothing in the sparse status index; gsi2pk is set by indexed statuses.
    gsi2sk: timeline,
    updatedAt,
    attempts: [],
    ...fields,
  };
}
