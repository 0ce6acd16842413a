/** Dedupe claims: which event holds a route's delivery id (or body hash) for its window. */
import { ConditionalCheckFailedException, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { eventKeys } from './items.js';
import { marshallItem } from './marshal.js';
import { type EventTable, getItem } from './table.js';

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

/**
 * Claims `key` on `route` for `eventId` unless a claim that has not expired exists, in which
 * case the event that holds it is returned. Expiry is checked in the condition, never by relying
 * on TTL deletion (lazy in AWS, absent in DynamoDB Local). A claim lasts at least `windowSeconds`.
 */
export async function claimDedupeKey(table: EventTable, input: ClaimDedupeKeyInput): Promise<DedupeClaim> {
  const { route, key, eventId, windowSeconds } = input;
  if (!Number.isFinite(windowSeconds) || windowSeconds < 0) {
    throw new RangeError(`windowSeconds must be a non-negative number, got ${windowSeconds}`);
  }
  const itemKey = eventKeys.dedupe(route, key);
  // A claim that vanishes between the failed put and the read (TTL deletion) is simply retried.
  for (let round = 0; round < 3; round += 1) {
    const now = table.now();
    const nowSeconds = now.getTime() / 1000;
    try {
      await table.client.send(
        new PutItemCommand({
          TableName: table.tableName,
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
      const existing = error.Item ?? (await getItem(table, itemKey));
      const holder = existing?.eventId?.S;
      if (holder !== undefined) return { claimed: false, eventId: holder };
    }
  }
  throw new Error(`dedupe key ${key} on ${route} could not be claimed or read`);
}
