/**
 * The kind of an item, from its keys: each key's text up to its first `#` (`DEDUPE#… / REQUEST`), an
 * event id as its prefix (`ROUTE#… / evt_…`), so the items of one kind share one label.
 */
import { EVENT_ID_PREFIX } from '../../shared/ids.js';
import type { DynamoDbItem } from './aws-call-counter.js';
import type { TableSchema } from './table-schema.js';

const LONGEST = 24;

/** `DEDUPE#… / REQUEST` for `key`'s item, `…` for a key attribute it lacks. */
export function keyShape(key: DynamoDbItem, schema: TableSchema): string {
  const shape = (name: string | undefined) => {
    const value = name === undefined ? undefined : key[name]?.S;
    return typeof value === 'string' ? valueKind(value) : '…';
  };
  return schema.sortKey === undefined
    ? shape(schema.partitionKey)
    : `${shape(schema.partitionKey)} / ${shape(schema.sortKey)}`;
}

function valueKind(value: string): string {
  if (value.startsWith(EVENT_ID_PREFIX)) return `${EVENT_ID_PREFIX}…`;
  const hash = value.indexOf('#');
  const kept = hash < 0 ? value : `${value.slice(0, hash + 1)}…`;
  return kept.length > LONGEST ? `${kept.slice(0, LONGEST - 1)}…` : kept;
}
