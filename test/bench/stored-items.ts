/**
 * Reads back the items a run left in the table (key-writes.ts `writtenItems()`), as stored at the end
 * of the run, for the storage model: a consistent BatchGetItem per 100 keys, with the bench's own
 * client (not counted with the run's calls).
 */
import { type AttributeValue, BatchGetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDbItem } from './aws-call-counter.js';
import type { WrittenItem } from './key-writes.js';
import { valueText } from './key-writes.js';
import type { StoredItem } from './storage.js';

const KEYS_PER_CALL = 100;

export async function readStoredItems(
  client: DynamoDBClient,
  tableName: string,
  written: readonly WrittenItem[],
): Promise<StoredItem[]> {
  const firstWritten = new Map(written.map((item) => [keyId(item.key), item.firstWrittenMs]));
  const stored: StoredItem[] = [];
  for (let i = 0; i < written.length; i += KEYS_PER_CALL) {
    let keys = written
      .slice(i, i + KEYS_PER_CALL)
      .map((item) => item.key as unknown as Record<string, AttributeValue>);
    while (keys.length > 0) {
      const { Responses, UnprocessedKeys } = await client.send(
        new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const found of Responses?.[tableName] ?? []) {
        const item = found as unknown as DynamoDbItem;
        const at = firstWritten.get(keyId(item, written[0]?.key));
        if (at !== undefined) stored.push({ item, firstWrittenMs: at });
      }
      keys = UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return stored;
}

/** An item's identity by its primary key attributes (those of `shape`, or all of `key`). */
function keyId(key: DynamoDbItem, shape: DynamoDbItem | undefined = key): string {
  return JSON.stringify(
    Object.keys(shape)
      .sort()
      .map((name) => {
        const value = key[name];
        return value === undefined ? '' : valueText(value);
      }),
  );
}
