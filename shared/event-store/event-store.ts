/**
 * The event table's data access (DESIGN §4). One table, keys from `EVENT_TABLE`:
 *
 * - event: `pk = EVENT#<id>`, `sk = EVENT`; `gsi1pk = ROUTE#<route>`, `gsi1sk = <receivedAt>#<id>`
 *   (a route's events by time); `gsi2pk = ROUTE#<route>#<status>`, `gsi2sk = gsi1sk` (by status,
 *   rewritten on every status change); `expiresAt` (TTL).
 * - dedupe claim: `pk = DEDUPE#<route>#<key>`, `sk = DEDUPE`, `eventId`, `expiresAt` (window end).
 *
 * Every write is conditional. Callers never pass DynamoDB expressions.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { EventNotFoundError, InvalidTransitionError, RouteMismatchError } from './errors.js';
import { type Item, marshallItem, toAttributeValue, unmarshallItem } from './marshal.js';
import { sourcesFor } from './transitions.js';
import type { AttemptRecord, EventRecord, EventStatus, NewEventRecord } from './types.js';

/** Longest `AttemptRecord.errorMessage` kept, in UTF-8 bytes. */
export const ERROR_MESSAGE_LIMIT_BYTES = 1024;

const EVENT_SK = 'EVENT';
const DEDUPE_SK = 'DEDUPE';
/** Attributes that exist only for the table's keys and indexes; not part of `EventRecord`. */
const KEY_ATTRIBUTES = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'] as const;

/** Key and index values of the items in the event table (for queries added alongside). */
export const eventKeys = {
  event: (id: string) => ({ pk: `EVENT#${id}`, sk: EVENT_SK }),
  dedupe: (route: string, key: string) => ({ pk: `DEDUPE#${route}#${key}`, sk: DEDUPE_SK }),
  /** `byRoute` partition. */
  route: (route: string) => `ROUTE#${route}`,
  /** `byRouteStatus` partition. */
  routeStatus: (route: string, status: EventStatus) => `ROUTE#${route}#${status}`,
  /** Sort key of both indexes: time order, ties broken by id. */
  timeline: (receivedAt: string, id: string) => `${receivedAt}#${id}`,
} as const;

export interface EventStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export interface ClaimDedupeKeyInput {
  readonly route: string;
  /** The delivery id (or body hash) the event is de-duplicated by. */
  readonly key: string;
  /** The event the key is claimed for. */
  readonly eventId: string;
  /** How long the claim holds; an expired claim can be taken again. */
  readonly windowSeconds: number;
}

export type DedupeClaim = { readonly claimed: true } | { readonly claimed: false; readonly eventId: string };

export interface TransitionChanges {
  /** Appended to the event's `attempts` (its `errorMessage` truncated to 1 KiB). */
  readonly attempt?: AttemptRecord;
  /**
   * The event's route, when the caller knows it (the envelope carries it): saves reading the
   * record first. The write is conditional on it; a wrong route throws `RouteMismatchError`.
   */
  readonly route?: string;
}

export class EventStore {
  readonly tableName: string;
  private readonly client: DynamoDBClient;
  private readonly now: () => Date;

  constructor(options: EventStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Claims `key` on `route` for `eventId` unless a claim that has not expired exists, in which
   * case the event that holds it is returned. Expiry is checked in the condition, never by relying
   * on TTL deletion (lazy in AWS, absent in DynamoDB Local). A claim lasts at least `windowSeconds`.
   */
  async claimDedupeKey(input: ClaimDedupeKeyInput): Promise<DedupeClaim> {
    const { route, key, eventId, windowSeconds } = input;
    if (!Number.isFinite(windowSeconds) || windowSeconds < 0) {
      throw new RangeError(`windowSeconds must be a non-negative number, got ${windowSeconds}`);
    }
    const itemKey = eventKeys.dedupe(route, key);
    // A claim that vanishes between the failed put and the read (TTL deletion) is simply retried.
    for (let round = 0; round < 3; round += 1) {
      const now = this.now();
      const nowSeconds = now.getTime() / 1000;
      try {
        await this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: marshallItem({
              ...itemKey,
              route,
              dedupeKey: key,
              eventId,
              claimedAt: now.toISOString(),
              expiresAt: Math.ceil(nowSeconds + windowSeconds),
            }),
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
            ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { claimed: true };
      } catch (error: unknown) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const existing = error.Item ?? (await this.getItem(itemKey));
        const holder = existing?.eventId?.S;
        if (holder !== undefined) return { claimed: false, eventId: holder };
      }
    }
    throw new Error(`dedupe key ${key} on ${route} could not be claimed or read`);
  }

  /**
   * Writes a new event with status `received`. A record still `received` (an earlier attempt that
   * failed before enqueueing) is overwritten; any later status throws `InvalidTransitionError`.
   */
  async putReceived(record: NewEventRecord): Promise<void> {
    const timeline = eventKeys.timeline(record.receivedAt, record.id);
    const item: EventRecord & Record<string, unknown> = {
      ...record,
      ...eventKeys.event(record.id),
      gsi1pk: eventKeys.route(record.route),
      gsi1sk: timeline,
      gsi2pk: eventKeys.routeStatus(record.route, 'received'),
      gsi2sk: timeline,
      status: 'received',
      updatedAt: this.now().toISOString(),
      attempts: [],
    };
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshallItem(item),
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :received',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':received': { S: 'received' } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error: unknown) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = error.Item ?? (await this.getItem(eventKeys.event(record.id)));
      throw new InvalidTransitionError(record.id, 'received', ['received'], statusOf(existing));
    }
  }

  /** The event, read consistently; `undefined` when there is none. */
  async getEvent(id: string): Promise<EventRecord | undefined> {
    const item = await this.getItem(eventKeys.event(id));
    return item === undefined ? undefined : toEventRecord(item);
  }

  /**
   * Moves the event to `to` if `transitions.ts` allows it from its current status, updating the
   * status index and appending `changes.attempt`. Returns the updated record.
   * @throws EventNotFoundError, InvalidTransitionError (with the actual status), RouteMismatchError
   */
  async transition(id: string, to: EventStatus, changes: TransitionChanges = {}): Promise<EventRecord> {
    const sources = sourcesFor(to);
    let route = changes.route;
    if (route === undefined || sources.length === 0) {
      const current = await this.requireEvent(id);
      if (route !== undefined && route !== current.route) {
        throw new RouteMismatchError(id, route, current.route);
      }
      if (!sources.includes(current.status)) {
        throw new InvalidTransitionError(id, to, sources, current.status);
      }
      route = current.route;
    }

    const names: Record<string, string> = {
      '#status': 'status',
      '#route': 'route',
      '#updatedAt': 'updatedAt',
    };
    const values: Record<string, AttributeValue> = {
      ':to': { S: to },
      ':route': { S: route },
      ':updatedAt': { S: this.now().toISOString() },
      ':gsi2pk': { S: eventKeys.routeStatus(route, to) },
    };
    const sets = ['#status = :to', '#updatedAt = :updatedAt', 'gsi2pk = :gsi2pk'];
    if (changes.attempt !== undefined) {
      names['#attempts'] = 'attempts';
      values[':attempt'] = toAttributeValue([truncateAttempt(changes.attempt)]);
      values[':none'] = { L: [] };
      sets.push('#attempts = list_append(if_not_exists(#attempts, :none), :attempt)');
    }
    const sourcePlaceholders = sources.map((status, index) => {
      values[`:from${index}`] = { S: status };
      return `:from${index}`;
    });

    try {
      const result = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: marshallItem(eventKeys.event(id)),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: `attribute_exists(pk) AND #route = :route AND #status IN (${sourcePlaceholders.join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      if (result.Attributes === undefined) {
        throw new Error(`UpdateItem returned no attributes for event ${id}`);
      }
      return toEventRecord(result.Attributes);
    } catch (error: unknown) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = error.Item ?? (await this.getItem(eventKeys.event(id)));
      if (existing === undefined) throw new EventNotFoundError(id);
      const actual = toEventRecord(existing);
      if (actual.route !== route) throw new RouteMismatchError(id, route, actual.route);
      throw new InvalidTransitionError(id, to, sources, actual.status);
    }
  }

  /** Ingress has handed the event to its queue. */
  markQueued(id: string, route?: string): Promise<EventRecord> {
    return this.transition(id, 'queued', route === undefined ? {} : { route });
  }

  private async requireEvent(id: string): Promise<EventRecord> {
    const event = await this.getEvent(id);
    if (event === undefined) throw new EventNotFoundError(id);
    return event;
  }

  private async getItem(key: Readonly<Record<string, string>>): Promise<Item | undefined> {
    const result = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: marshallItem(key), ConsistentRead: true }),
    );
    return result.Item;
  }
}

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Back up over continuation bytes (10xxxxxx) to the start of the character the cut would split.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}

function truncateAttempt(attempt: AttemptRecord): AttemptRecord {
  if (attempt.errorMessage === undefined) return attempt;
  return { ...attempt, errorMessage: truncateUtf8(attempt.errorMessage, ERROR_MESSAGE_LIMIT_BYTES) };
}

function toEventRecord(item: Readonly<Item>): EventRecord {
  const value = unmarshallItem(item);
  for (const attribute of KEY_ATTRIBUTES) delete value[attribute];
  return value as unknown as EventRecord;
}

function statusOf(item: Readonly<Item> | undefined): EventStatus | undefined {
  return item?.status?.S as EventStatus | undefined;
}
