/**
 * Claiming a route's delivery by its dedupe key (table layout v2): the request item keyed by the
 * key, `DEDUPE#<route>#<key>`, is both the claim and the event's request data, so one conditional
 * PutItem claims the key and stores the request.
 */
import { ConditionalCheckFailedException, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { eventKeys, type ItemKey, requestItemOf, requestOwnerOf } from './items.js';
import { type Item, marshallItem } from './marshal.js';
import { type EventTable, getItem } from './table.js';
import type { NewEventRecord } from './types.js';

export interface ClaimRequestInput {
  /** The new event, its `dedupeKey` set: its request data is written with the claim. */
  readonly record: NewEventRecord;
  /** How long the claim holds; after it the key makes a new event. */
  readonly windowSeconds: number;
}

export type RequestClaim =
  | {
      readonly claimed: true;
      /** The `pk` of the event's request item: the claim's, or its own after a repeat (below). */
      readonly requestKey: string;
      /** A request item this claim wrote and no longer needs (a race lost on the way): delete it. */
      readonly leftover?: string;
    }
  | {
      readonly claimed: false;
      /** The event that holds the key. */
      readonly eventId: string;
      /** The `pk` of the holder's request item. */
      readonly requestKey: string;
      /** A request item this delivery wrote before it lost the key to a concurrent one: delete it. */
      readonly leftover?: string;
    };

/**
 * Claims the record's dedupe key on its route for the record's event, writing its request data in
 * the same conditional PutItem, unless an unexpired claim holds the key: then the holder comes back
 * (with its own request data untouched). A claim lasts at least `windowSeconds`; expiry is checked
 * in conditions, never by relying on TTL deletion (lazy in AWS, absent in DynamoDB Local).
 *
 * A key repeated after its window (the claim expired, the item still holds the first event's
 * request data for its retention) makes a new event without overwriting that data: the new
 * event's request data goes to its own item (`REQUEST#<id>`) and the claim moves to it by a
 * conditional update of `eventId`, `claimedUntil` and `expiresAt` (kept until the later of the
 * first event's retention and the new window). An item past its retention is simply replaced.
 */
export async function claimRequest(table: EventTable, input: ClaimRequestInput): Promise<RequestClaim> {
  const { record, windowSeconds } = input;
  if (!Number.isFinite(windowSeconds) || windowSeconds < 0) {
    throw new RangeError(`windowSeconds must be a non-negative number, got ${windowSeconds}`);
  }
  if (record.dedupeKey === undefined) throw new RangeError(`event ${record.id} has no dedupe key to claim`);
  const key = eventKeys.dedupe(record.route, record.dedupeKey);
  let leftover: string | undefined;
  // A claim that vanishes between the failed put and the read (TTL deletion), or that another
  // delivery moves meanwhile, is simply looked at again.
  for (let round = 0; round < 3; round += 1) {
    const nowSeconds = table.now().getTime() / 1000;
    const claimedUntil = Math.ceil(nowSeconds + windowSeconds);
    try {
      await table.client.send(
        new PutItemCommand({
          TableName: table.tableName,
          Item: requestItemOf(record, key, { eventId: record.id, claimedUntil }),
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt <= :now',
          ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { claimed: true, requestKey: key.pk, ...(leftover !== undefined && { leftover }) };
    } catch (error: unknown) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = error.Item ?? (await getItem(table, key));
      const holder = existing?.eventId?.S;
      const until = Number(existing?.claimedUntil?.N);
      if (existing === undefined || holder === undefined || !Number.isFinite(until)) continue;
      if (until > nowSeconds) {
        return {
          claimed: false,
          eventId: holder,
          requestKey: holderRequestKey(key, existing, holder),
          ...(leftover !== undefined && { leftover }),
        };
      }
      leftover = await repeatAfterWindow(table, record, key, existing, claimedUntil);
      if (leftover === undefined) return { claimed: true, requestKey: eventKeys.request(record.id).pk };
    }
  }
  throw new Error(`dedupe key ${record.dedupeKey} on ${record.route} could not be claimed or read`);
}

/**
 * The claim of `key` expired: writes the record's request data to its own item, then moves the
 * claim to it, on condition that nobody moved it first. Undefined when the claim moved; else the
 * `pk` of the request item written for nothing (another delivery moved the claim first).
 */
async function repeatAfterWindow(
  table: EventTable,
  record: NewEventRecord,
  key: ItemKey,
  existing: Item,
  claimedUntil: number,
): Promise<string | undefined> {
  const own = eventKeys.request(record.id);
  await table.client.send(
    new PutItemCommand({ TableName: table.tableName, Item: requestItemOf(record, own) }),
  );
  const keptUntil = Math.max(Number(existing.expiresAt?.N ?? 0), claimedUntil);
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: marshallItem(key),
        // The first holder stays the owner of the request data in the item (`requestOwnerOf`).
        UpdateExpression:
          'SET requestOf = if_not_exists(requestOf, :seenHolder), eventId = :id, claimedUntil = :until, ' +
          'expiresAt = :expiresAt',
        ConditionExpression: 'eventId = :seenHolder AND claimedUntil = :seenUntil',
        ExpressionAttributeValues: {
          ':id': { S: record.id },
          ':until': { N: String(claimedUntil) },
          ':expiresAt': { N: String(keptUntil) },
          ':seenHolder': existing.eventId ?? { NULL: true },
          ':seenUntil': existing.claimedUntil ?? { NULL: true },
        },
      }),
    );
    return undefined;
  } catch (error: unknown) {
    if (error instanceof ConditionalCheckFailedException) return own.pk;
    throw error;
  }
}

/** Where the holder of a claim keeps its request data: in the claim's item, or its own. */
function holderRequestKey(key: ItemKey, existing: Item, holder: string): string {
  return requestOwnerOf(existing) === holder ? key.pk : eventKeys.request(holder).pk;
}
