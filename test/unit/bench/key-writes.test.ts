import { describe, expect, it } from 'vitest';
import type { CallCapacity, ObservedCall } from '../../bench/aws-call-counter.js';
import { KeyWriteTracker, keyRates } from '../../bench/key-writes.js';
import type { TableSchema } from '../../bench/table-schema.js';

const SCHEMA: TableSchema = {
  tableName: 'events',
  partitionKey: 'pk',
  sortKey: 'sk',
  indexes: [
    {
      name: 'byRoute',
      partitionKey: 'gsi1pk',
      sortKey: 'gsi1sk',
      projection: 'KEYS_ONLY',
      nonKeyAttributes: [],
    },
    {
      name: 'byStatus',
      partitionKey: 'gsi2pk',
      sortKey: 'gsi2sk',
      projection: 'KEYS_ONLY',
      nonKeyAttributes: [],
    },
  ],
  ttlAttribute: 'expiresAt',
};

function capacity(units: number, indexes: Record<string, number> = {}, estimated = false): CallCapacity {
  const indexUnits = Object.values(indexes).reduce((sum, value) => sum + value, 0);
  return { kind: 'write', units, indexUnits, indexes, estimated };
}

function call(
  operation: string,
  input: Record<string, unknown>,
  units: CallCapacity,
  error?: Error,
): ObservedCall {
  return {
    service: 'DynamoDB',
    operation,
    input: { TableName: 'events', ...input },
    ...(error === undefined ? { output: {} } : { error }),
    startedMs: 0,
    endedMs: 1,
    capacity: units,
  };
}

function put(id: string): ObservedCall {
  const item = {
    pk: { S: `EVENT#${id}` },
    sk: { S: 'EVENT' },
    gsi1pk: { S: 'ROUTE#r' },
    gsi1sk: { S: `t#${id}` },
    gsi2sk: { S: `t#${id}` },
  };
  return call('PutItem', { Item: item }, capacity(2, { byRoute: 1 }));
}

const key = (id: string) => ({ pk: { S: `EVENT#${id}` }, sk: { S: 'EVENT' } });
const conditionFailed = Object.assign(new Error('failed'), { name: 'ConditionalCheckFailedException' });

function tracked(...calls: ObservedCall[]): KeyWriteTracker {
  const tracker = new KeyWriteTracker(SCHEMA, () => 1000);
  for (const observed of calls) tracker.observe(observed);
  return tracker;
}

function writes(tracker: KeyWriteTracker): Record<string, number> {
  return Object.fromEntries(
    tracker.keyWrites().map((count) => [`${count.where} ${count.key}`, count.writes]),
  );
}

describe('KeyWriteTracker', () => {
  it("counts a put on the item's partition key and on the index key it carries", () => {
    expect(writes(tracked(put('1'), put('2')))).toEqual({
      'table pk = EVENT#1': 1,
      'table pk = EVENT#2': 1,
      'byRoute gsi1pk = ROUTE#r': 2,
    });
  });

  it('follows an update that gives the item an index key, from its update expression', () => {
    const update = call(
      'UpdateItem',
      {
        Key: key('1'),
        UpdateExpression: 'SET #s = :s, gsi2pk = :k',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: 'retrying' }, ':k': { S: 'ROUTE#r#retrying' } },
      },
      capacity(2, { byStatus: 1 }),
    );
    expect(writes(tracked(put('1'), update))).toMatchObject({
      'table pk = EVENT#1': 2,
      'byStatus gsi2pk = ROUTE#r#retrying': 1,
    });
  });

  it('counts an update that writes no index on the table only', () => {
    const update = call(
      'UpdateItem',
      {
        Key: key('1'),
        UpdateExpression: 'SET lockOwner = :o',
        ExpressionAttributeValues: { ':o': { S: 'w' } },
      },
      capacity(1),
    );
    expect(writes(tracked(put('1'), update))).toEqual({
      'table pk = EVENT#1': 2,
      'byRoute gsi1pk = ROUTE#r': 1,
    });
  });

  it('counts a failed conditional write on the table only, and leaves the item as it was', () => {
    const failed = call(
      'UpdateItem',
      { Key: key('1'), UpdateExpression: 'REMOVE gsi1pk' },
      capacity(1, {}, true),
      conditionFailed,
    );
    const tracker = tracked(
      put('1'),
      failed,
      call('DeleteItem', { Key: key('1') }, capacity(2, { byRoute: 1 })),
    );
    expect(writes(tracker)).toEqual({ 'table pk = EVENT#1': 3, 'byRoute gsi1pk = ROUTE#r': 2 });
  });

  it('counts a delete on the index key the item carried, and forgets the item', () => {
    const tracker = tracked(
      put('1'),
      put('2'),
      call('DeleteItem', { Key: key('2') }, capacity(2, { byRoute: 1 })),
    );
    expect(writes(tracker)['byRoute gsi1pk = ROUTE#r']).toBe(3);
    expect(tracker.writtenItems()).toEqual([{ key: key('1'), firstWrittenMs: 1000 }]);
  });

  it('reads the item from an answer when calls on it overlapped and completed out of order', () => {
    const created = put('1');
    const lock = {
      ...call(
        'UpdateItem',
        {
          Key: key('1'),
          UpdateExpression: 'SET #s = :s REMOVE gsi2pk',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': { S: 'processing' } },
          ReturnValues: 'ALL_OLD',
        },
        capacity(1),
      ),
      output: { Attributes: created.input.Item },
    };
    // The lock's answer arrives before the put's: the item is known from the lock's old image.
    expect(writes(tracked(lock, created))).toEqual({
      'table pk = EVENT#1': 2,
      'byRoute gsi1pk = ROUTE#r': 1,
    });
  });

  it('takes an ALL_NEW answer as the item after the write', () => {
    const settle = {
      ...call(
        'UpdateItem',
        { Key: key('1'), UpdateExpression: 'SET gsi2pk = :k', ReturnValues: 'ALL_NEW' },
        capacity(2, { byStatus: 1 }),
      ),
      output: { Attributes: { ...key('1'), gsi2pk: { S: 'ROUTE#r#dead_lettered' }, gsi2sk: { S: 't#1' } } },
    };
    expect(writes(tracked(settle))).toEqual({
      'table pk = EVENT#1': 1,
      'byStatus gsi2pk = ROUTE#r#dead_lettered': 1,
    });
  });

  it('ignores other tables and other errors', () => {
    const other = { ...put('1'), input: { ...put('1').input, TableName: 'other' } };
    const throttled = call(
      'PutItem',
      put('2').input,
      capacity(0),
      Object.assign(new Error('slow'), { name: 'ThrottlingException' }),
    );
    expect(writes(tracked(other, throttled))).toEqual({});
  });

  it('forgets counts and the run items on reset, but still knows the items', () => {
    const tracker = tracked(put('1'));
    tracker.reset();
    tracker.observe(call('DeleteItem', { Key: key('1') }, capacity(2, { byRoute: 1 })));
    expect(writes(tracker)).toEqual({ 'table pk = EVENT#1': 1, 'byRoute gsi1pk = ROUTE#r': 1 });
    expect(tracker.writtenItems()).toEqual([]);
  });
});

describe('keyRates()', () => {
  const counts = [
    { where: 'table', key: 'pk = EVENT#1', writes: 3, units: 3 },
    { where: 'byRoute', key: 'gsi1pk = ROUTE#r', writes: 1000, units: 1000 },
  ];

  it('scales each key from the run to the rate: written by every event, it gets the whole rate', () => {
    const [busiest, quiet] = keyRates(counts, 1000, 10_000);
    expect(busiest).toMatchObject({
      key: 'gsi1pk = ROUTE#r',
      writesPerSecond: 10_000,
      unitsPerSecond: 10_000,
    });
    expect(quiet).toMatchObject({ key: 'pk = EVENT#1', writesPerSecond: 30 });
  });

  it('gives a key written by one event in 16 (a shard of 16) 625 writes/s at 10 000 events/s', () => {
    const [shard] = keyRates([{ where: 'byRoute', key: 'shard 3', writes: 100, units: 100 }], 1600, 10_000);
    expect(shard?.writesPerSecond).toBe(625);
  });

  it("counts a route's shard keys as one family, each shard taking an even share of its writes", () => {
    const sharded = [
      { where: 'table', key: 'pk = ROUTE#7HX2M4QA#00', writes: 900, units: 900 },
      { where: 'table', key: 'pk = ROUTE#7HX2M4QA#0K', writes: 2100, units: 2100 },
      { where: 'byRouteStatus', key: 'gsi2pk = ROUTE#7HX2M4QA#failed#03', writes: 10, units: 10 },
      { where: 'table', key: 'pk = DEDUPE#/hooks/a#k1', writes: 1, units: 1 },
    ];
    const rates = keyRates(sharded, 1000, 10_000, 32);
    expect(rates.map((rate) => [rate.where, rate.key, rate.spread, rate.writesPerSecond])).toEqual([
      ['table', 'pk = ROUTE#7HX2M4QA#<shard>', 32, 937.5],
      ['table', 'pk = DEDUPE#/hooks/a#k1', 1, 10],
      ['byRouteStatus', 'gsi2pk = ROUTE#7HX2M4QA#failed#<shard>', 32, 3.125],
    ]);
  });

  it('keeps one key per shard family when the route has one shard', () => {
    const [only] = keyRates(
      [{ where: 'table', key: 'pk = ROUTE#7HX2M4QA#00', writes: 3000, units: 3000 }],
      1000,
      10_000,
    );
    expect(only).toMatchObject({ key: 'pk = ROUTE#7HX2M4QA#<shard>', spread: 1, writesPerSecond: 30_000 });
  });

  it('refuses a run of no events', () => {
    expect(() => keyRates(counts, 0, 10_000)).toThrow(RangeError);
  });
});
