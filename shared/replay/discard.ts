/**
 * Removing a replay whose send failed. Nothing was queued, so its record (state and request items,
 * still `received`) stands for nothing: left, it would stay `received` for a whole retention, and a
 * `received` event is never replayed. The original is not linked to it yet (`addReplay` comes after
 * the send), so deleting both items leaves no trace but a body copy, which expires with the route's
 * retention.
 */
import {
  type DynamoDBClient,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { eventKeys } from '../event-store/event-store.js';
import { marshallItem } from '../event-store/marshal.js';

/** The event table a replayer writes to. */
export interface EventTable {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

/**
 * Deletes the state and request items of replay `id` in one transaction, on condition that it is
 * still `received`: once a handler has taken it (the send went through after all) it is kept.
 * @returns whether the replay was deleted (false when it had moved on or was already gone)
 * @throws the SDK's error when the table cannot be written
 */
export async function discardUnqueuedReplay(table: EventTable, id: string): Promise<boolean> {
  try {
    await table.client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Delete: {
              TableName: table.tableName,
              Key: marshallItem(eventKeys.event(id)),
              ConditionExpression: '#status = :received',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':received': { S: 'received' } },
            },
          },
          { Delete: { TableName: table.tableName, Key: marshallItem(eventKeys.request(id)) } },
        ],
      }),
    );
    return true;
  } catch (error: unknown) {
    // Cancelled for another reason (a conflicting write, throttling): not known to be settled.
    const moved =
      error instanceof TransactionCanceledException &&
      (error.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');
    if (moved) return false;
    throw error;
  }
}
