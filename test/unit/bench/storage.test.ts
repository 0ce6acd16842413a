import { describe, expect, it } from 'vitest';
import { gbMonths, indexEntryBytes, storageByKind } from '../../bench/storage.js';
import type { IndexSchema, TableSchema } from '../../bench/table-schema.js';

const BY_ROUTE: IndexSchema = {
  name: 'byRoute',
  partitionKey: 'gsi1pk',
  sortKey: 'gsi1sk',
  projection: 'KEYS_ONLY',
  nonKeyAttributes: [],
};
const BY_STATUS: IndexSchema = { ...BY_ROUTE, name: 'byStatus', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' };
const SCHEMA: TableSchema = {
  tableName: 't',
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [BY_ROUTE, BY_STATUS],
  ttlAttribute: 'expiresAt',
};

// pk 2+7, sk 2+5, gsi1pk 6+7, gsi1sk 6+6, body 4+100, expiresAt 9 + 2 (two significant digits) = 156 bytes.
const ITEM = {
  pk: { S: 'EVENT#1' },
  sk: { S: 'EVENT' },
  gsi1pk: { S: 'ROUTE#r' },
  gsi1sk: { S: '2026#1' },
  body: { S: 'x'.repeat(100) },
  expiresAt: { N: '1700000000' },
};

describe('indexEntryBytes()', () => {
  it('is the index keys and table keys plus 100 bytes for a keys-only index', () => {
    expect(indexEntryBytes(ITEM, SCHEMA, BY_ROUTE)).toBe(9 + 7 + 13 + 12 + 100);
  });

  it('adds the included attributes, or the whole item for ALL', () => {
    expect(
      indexEntryBytes(ITEM, SCHEMA, { ...BY_ROUTE, projection: 'INCLUDE', nonKeyAttributes: ['body'] }),
    ).toBe(245);
    expect(indexEntryBytes(ITEM, SCHEMA, { ...BY_ROUTE, projection: 'ALL' })).toBe(256);
  });

  it('is undefined for an item without the index keys (a sparse index)', () => {
    expect(indexEntryBytes(ITEM, SCHEMA, BY_STATUS)).toBeUndefined();
    const { gsi1sk: _sortKey, ...withoutSortKey } = ITEM;
    expect(indexEntryBytes(withoutSortKey, SCHEMA, BY_ROUTE)).toBeUndefined();
  });
});

describe('storageByKind()', () => {
  it('keeps each item and index entry from its first write to its TTL', () => {
    const kinds = storageByKind([{ item: ITEM, firstWrittenMs: 1_699_999_000_000 }], SCHEMA);
    expect(kinds).toEqual([
      {
        label: 'EVENT#… / EVENT',
        count: 1,
        bytes: 256,
        byteSeconds: 256_000,
        retentionSeconds: [1000],
        unexpiring: 0,
      },
      {
        label: 'index byRoute',
        count: 1,
        bytes: 141,
        byteSeconds: 141_000,
        retentionSeconds: [1000],
        unexpiring: 0,
      },
    ]);
  });

  it('leaves out of the byte-seconds an item without a TTL value, and counts it', () => {
    const { expiresAt: _ttl, ...kept } = ITEM;
    const [item] = storageByKind([{ item: kept, firstWrittenMs: 0 }], SCHEMA);
    expect(item).toMatchObject({ byteSeconds: 0, unexpiring: 1, retentionSeconds: [] });
  });
});

describe('gbMonths()', () => {
  it('is 1 for a GiB kept 730 hours', () => {
    expect(gbMonths(2 ** 30 * 730 * 3600)).toBe(1);
  });
});
