/**
 * Conditional updates of an event's state item: the update expression of a status change (status,
 * `updatedAt`, the status index, new attempts), the UpdateItem that makes it and tells why its
 * condition failed, and linking a replay to its original.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { STATUS_INDEXED } from '../resources.js';
import { truncateUtf8 } from '../text.js';
import { EventNotFoundError, RouteMismatchError } from './errors.js';
import { type EventState, eventKeys, statusPartitionOf, toEventState } from './items.js';
import { marshallItem, toAttributeValue } from './marshal.js';
import { type EventTable, getItem } from './table.js';
import type { AttemptRecord, EventStatus } from './types.js';

/** Longest `AttemptRecord.errorMessage` kept, in UTF-8 bytes. */
export const ERROR_MESSAGE_LIMIT_BYTES = 1024;

/** The parts of an UpdateItem a status change contributes; callers add their own before sending. */
interface StatusChange {
  readonly names: Record<string, string>;
  readonly values: Record<string, AttributeValue>;
  readonly sets: string[];
  readonly removes: string[];
}

/** An update of a state item and the condition it is made on (besides the event's existence and route). */
interface StateUpdate {
  readonly update: string;
  readonly condition: string;
  readonly names: Record<string, string>;
  readonly values: Record<string, AttributeValue>;
}

export function updateExpression(sets: readonly string[], removes: readonly string[]): string {
  return removes.length === 0
    ? `SET ${sets.join(', ')}`
    : `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`;
}

/**
 * The SET clauses every status change of event `id` makes: status, updatedAt, the status index
 * (the event's shard of its route's status partition), new attempts (their error messages
 * truncated to `ERROR_MESSAGE_LIMIT_BYTES`).
 */
export function statusChange(
  id: string,
  to: EventStatus,
  attempts: readonly AttemptRecord[],
  updatedAt: string,
): StatusChange {
  const names: Record<string, string> = { '#status': 'status', '#updatedAt': 'updatedAt' };
  const values: Record<string, AttributeValue> = {
    ':to': { S: to },
    ':updatedAt': { S: updatedAt },
  };
  const sets = ['#status = :to', '#updatedAt = :updatedAt'];
  const removes: string[] = [];
  const statusPartition = STATUS_INDEXED.has(to) ? statusPartitionOf(id, to) : undefined;
  if (statusPartition !== undefined) {
    values[':gsi2pk'] = { S: statusPartition };
    sets.push('gsi2pk = :gsi2pk');
  } else {
    removes.push('gsi2pk');
  }
  if (attempts.length > 0) {
    names['#attempts'] = 'attempts';
    values[':attempts'] = toAttributeValue(attempts.map(truncateAttempt));
    values[':none'] = { L: [] };
    sets.push('#attempts = list_append(if_not_exists(#attempts, :none), :attempts)');
  }
  return { names, values, sets, removes };
}

function truncateAttempt(attempt: AttemptRecord): AttemptRecord {
  if (attempt.errorMessage === undefined) return attempt;
  return { ...attempt, errorMessage: truncateUtf8(attempt.errorMessage, ERROR_MESSAGE_LIMIT_BYTES) };
}

/**
 * One conditional UpdateItem on the state item of an existing event of `route`; returns the new
 * state. When the condition fails: EventNotFoundError, RouteMismatchError, or the caller's
 * `conflict` error.
 */
export async function updateEvent(
  table: EventTable,
  id: string,
  route: string,
  update: StateUpdate,
  conflict: (actual: EventState) => Error,
): Promise<EventState> {
  const key = eventKeys.state(id);
  if (key === undefined) throw new EventNotFoundError(id);
  try {
    const result = await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: marshallItem(key),
        UpdateExpression: update.update,
        ConditionExpression: `attribute_exists(pk) AND #route = :route AND ${update.condition}`,
        ExpressionAttributeNames: { ...update.names, '#route': 'route' },
        ExpressionAttributeValues: { ...update.values, ':route': { S: route } },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    if (result.Attributes === undefined) throw new Error(`UpdateItem returned no attributes for event ${id}`);
    return toEventState(result.Attributes);
  } catch (error: unknown) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const existing = error.Item ?? (await getItem(table, key));
    if (existing === undefined) throw new EventNotFoundError(id);
    const actual = toEventState(existing);
    if (actual.route !== route) throw new RouteMismatchError(id, route, actual.route);
    throw conflict(actual);
  }
}

/**
 * Links a replay to the event it re-delivers: appends `replayId` to the original's `replays`.
 * Leaves its status as it is. Returns the original's state.
 * @throws EventNotFoundError when there is no event `originalId`
 */
export async function addReplay(
  table: EventTable,
  originalId: string,
  replayId: string,
): Promise<EventState> {
  const key = eventKeys.state(originalId);
  if (key === undefined) throw new EventNotFoundError(originalId);
  try {
    const result = await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: marshallItem(key),
        UpdateExpression:
          'SET #replays = list_append(if_not_exists(#replays, :none), :ids), #updatedAt = :updatedAt',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#replays': 'replays', '#updatedAt': 'updatedAt' },
        ExpressionAttributeValues: {
          ':none': { L: [] },
          ':ids': { L: [{ S: replayId }] },
          ':updatedAt': { S: table.now().toISOString() },
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (result.Attributes === undefined) {
      throw new Error(`UpdateItem returned no attributes for event ${originalId}`);
    }
    return toEventState(result.Attributes);
  } catch (error: unknown) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    throw new EventNotFoundError(originalId);
  }
}
