/**
 * The writes that accept an event (ingress) or a replay: its request item, then its state as
 * `queued` once its message is on the queue, and the clean-ups of request data nothing will queue.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactionConflictException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { eventKeys, newStateItem, requestItemOf, splitRecord } from './items.js';
import { marshallItem } from './marshal.js';
import type { EventTable } from './table.js';
import type { NewEventRecord } from './types.js';

/**
 * Writes a new event's request data (its request item), the first step of accepting it. Until
 * `putQueued()` writes its state the event is `received`: `getEvent()` and every listing leave it
 * out, and a later delivery of it resumes it (`resumeRequest()`).
 */
export async function putRequest(table: EventTable, record: NewEventRecord): Promise<void> {
  await table.client.send(new PutItemCommand({ TableName: table.tableName, Item: requestItemOf(record) }));
}

/**
 * Writes the request data of an event an earlier attempt left `received`, on condition that it
 * still has no state: false when it has one (it was queued meanwhile), and nothing is written.
 */
export function resumeRequest(table: EventTable, record: NewEventRecord): Promise<boolean> {
  return unlessQueued(table, record.id, {
    Put: { TableName: table.tableName, Item: requestItemOf(record) },
  });
}

/**
 * Deletes request data written under an id that was never claimed and never sent (a duplicate
 * delivery's copy). Nothing else refers to it.
 */
export async function deleteRequest(table: EventTable, id: string): Promise<void> {
  await table.client.send(
    new DeleteItemCommand({ TableName: table.tableName, Key: marshallItem(eventKeys.request(id)) }),
  );
}

/**
 * Writes the state item of an event whose request item exists and whose message is on its queue:
 * status `queued`, in the route's listing. False when the event has a state already (its handler
 * took the lock first, or a concurrent delivery queued it), which is left as it is.
 */
export async function putQueued(table: EventTable, record: NewEventRecord): Promise<boolean> {
  try {
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: marshallItem(
          newStateItem(splitRecord(record).state, { status: 'queued' }, table.now().toISOString()),
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
 * Deletes the request item of an event that never reached its queue, on condition that it has no
 * state: once a handler has taken it (the send went through after all) it is kept. Used for a
 * replay whose send failed, so no request data is left that nothing would ever queue.
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
              Key: marshallItem(eventKeys.event(id)),
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
function cancelledBy(error: unknown, code: string): boolean {
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === code)
  );
}
