/**
 * The writes that accept an event (ingress) or a replay besides its dedupe claim (dedupe.ts): its
 * request item, then its state as `queued` once its message is on the queue, and the clean-ups of
 * request data nothing will queue.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactionConflictException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  type Update,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  eventKeys,
  newStateItem,
  ownedBy,
  REQUEST_DATA_ATTRIBUTES,
  requestAttributesOf,
  requestItemOf,
  requireStateKey,
  splitRecord,
} from './items.js';
import { marshallItem, toAttributeValue } from './marshal.js';
import type { EventTable } from './table.js';
import type { NewEventRecord } from './types.js';

/**
 * Writes the request data of a new event without a dedupe key to its own request item
 * (`REQUEST#<id>`), the first step of accepting it. Until `putQueued()` writes its state the event
 * is `received`: `getEvent()` and every listing leave it out. Returns the item's `pk`, the event's
 * `requestKey`.
 */
export async function putRequest(table: EventTable, record: NewEventRecord): Promise<string> {
  const key = eventKeys.request(record.id);
  await table.client.send(
    new PutItemCommand({ TableName: table.tableName, Item: requestItemOf(record, key) }),
  );
  return key.pk;
}

/**
 * Rewrites the request data of event `record.id` in its request item `requestKey` (which holds it:
 * `ownedBy`) and its retention (`record.expiresAt`), leaving the item's claim as it is. With `unlessQueued`, only while
 * the event has no state (an earlier attempt left it `received` and this one resumes it): false
 * when it has one (it was queued meanwhile), and nothing is written. Without it (a large body's
 * reference added after its upload), false only when the item is not the event's.
 */
export async function rewriteRequest(
  table: EventTable,
  record: NewEventRecord,
  requestKey: string,
  options: { readonly unlessQueued: boolean },
): Promise<boolean> {
  const update = requestUpdate(table, record, requestKey);
  if (update === undefined) return false;
  if (options.unlessQueued) return unlessQueued(table, record.id, { Update: update });
  try {
    await table.client.send(new UpdateItemCommand(update));
    return true;
  } catch (error: unknown) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * The UpdateItem that sets the record's request data in `requestKey`, removing any other form of it;
 * undefined when that item cannot hold the event's request data (another event's own item).
 */
function requestUpdate(table: EventTable, record: NewEventRecord, requestKey: string): Update | undefined {
  const { expiresAt, ...data } = requestAttributesOf(record, requestKey);
  const owned = ownedBy(requestKey, record.id);
  if (owned === undefined) return undefined;
  const names: Record<string, string> = { ...owned.names, '#expiresAt': 'expiresAt' };
  const values: Record<string, AttributeValue> = {
    ...owned.values,
    // Never earlier than the item's: a resumed event is received again later, with the same key.
    ':expiresAt': toAttributeValue(expiresAt, 'expiresAt'),
  };
  const sets: string[] = ['#expiresAt = :expiresAt'];
  const removes: string[] = [];
  REQUEST_DATA_ATTRIBUTES.forEach((attribute, index) => {
    names[`#d${index}`] = attribute;
    if (data[attribute] === undefined) {
      removes.push(`#d${index}`);
    } else {
      values[`:d${index}`] = toAttributeValue(data[attribute], attribute);
      sets.push(`#d${index} = :d${index}`);
    }
  });
  return {
    TableName: table.tableName,
    Key: marshallItem(eventKeys.requestAt(requestKey)),
    UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
    ConditionExpression: owned.condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * Deletes the request item `requestKey` written for event `id` that nothing will queue (a delivery
 * that lost its dedupe key to a concurrent one). Nothing else refers to it; an item that holds
 * another event's data is left alone.
 */
export async function deleteRequest(table: EventTable, requestKey: string, id: string): Promise<void> {
  const owned = ownedBy(requestKey, id);
  if (owned === undefined) return;
  try {
    await table.client.send(
      new DeleteItemCommand({
        TableName: table.tableName,
        Key: marshallItem(eventKeys.requestAt(requestKey)),
        ConditionExpression: owned.condition,
        ExpressionAttributeNames: owned.names,
        ...(Object.keys(owned.values).length > 0 && { ExpressionAttributeValues: owned.values }),
      }),
    );
  } catch (error: unknown) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

/**
 * Writes the state item of an event whose request item (`requestKey`) exists and whose message is
 * on its queue: status `queued`, in its route's shard partition. False when the event has a state
 * already (its handler took the lock first, or a concurrent delivery queued it), which is left as
 * it is.
 */
export async function putQueued(
  table: EventTable,
  record: NewEventRecord,
  requestKey: string,
): Promise<boolean> {
  try {
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: marshallItem(
          newStateItem(
            splitRecord(record).state,
            requestKey,
            { status: 'queued' },
            table.now().toISOString(),
          ),
        ),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error: unknown) {
    // A conflict is a handler's lock creating the state in a transaction at this moment.
    if (error instanceof ConditionalCheckFailedException) return false;
    if (error instanceof TransactionConflictException) return false;
    throw error;
  }
}

/**
 * Deletes the request item of an event that never reached its queue (a replay whose send failed:
 * `REQUEST#<id>`), on condition that it has no state: once a handler has taken it (the send went
 * through after all) it is kept. So no request data is left that nothing would ever queue.
 * @returns whether it was deleted (false when it had a state or was already gone)
 */
export function discardUnqueued(table: EventTable, id: string): Promise<boolean> {
  return unlessQueued(table, id, {
    Delete: {
      TableName: table.tableName,
      Key: marshallItem(eventKeys.request(id)),
      ConditionExpression: 'attribute_exists(pk)',
    },
  });
}

/**
 * Makes `write` in one transaction with a check that event `id` has no state yet: false when the
 * check or the write's own condition fails, and nothing is written.
 */
async function unlessQueued(table: EventTable, id: string, write: TransactWriteItem): Promise<boolean> {
  try {
    await table.client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: table.tableName,
              Key: marshallItem(requireStateKey(id)),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          write,
        ],
      }),
    );
    return true;
  } catch (error: unknown) {
    // Cancelled for another reason (a conflicting write, throttling): not known either way.
    if (cancelledBy(error, 'ConditionalCheckFailed')) return false;
    throw error;
  }
}

/** A transaction cancelled because one of its items failed with `code`. */
export function cancelledBy(error: unknown, code: string): boolean {
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === code)
  );
}
