import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EVENT_ID_PATTERN,
  eventIdFloor,
  MAX_ROUTE_SHARDS,
  newEventId,
  newUlid,
  parseEventId,
  routeTag,
  shardCode,
} from '../../shared/ids.js';

const NOW = new Date('2026-01-15T12:00:00.000Z');
/** The largest time a 48-bit ULID timestamp holds. */
const MAX_TIME = 2 ** 48 - 1;
const ROUTE = { path: '/order/status/', shards: 32 };

const zeros = (size: number) => new Uint8Array(size);
const ones = (size: number) => new Uint8Array(size).fill(0xff);

describe('newEventId()', () => {
  it('makes evt_ + a 26-character ULID + a 2-character shard + an 8-character route tag', () => {
    // Act
    const id = newEventId(NOW, ROUTE);

    // Assert
    expect(id).toMatch(EVENT_ID_PATTERN);
    expect(id).toHaveLength(4 + 26 + 2 + 8);
    expect(id.startsWith('evt_')).toBe(true);
    expect(id.endsWith(routeTag(ROUTE.path))).toBe(true);
  });

  it('encodes the time like the ULID reference (1469918176385 → 01ARYZ6S41)', () => {
    const id = newEventId(new Date(1_469_918_176_385), ROUTE, zeros);

    expect(id.slice(4, 30)).toBe('01ARYZ6S410000000000000000');
  });

  it('asks the random source for 10 bytes (the ULID), then 2 (the shard)', () => {
    const sizes: number[] = [];

    newEventId(NOW, ROUTE, (size) => {
      sizes.push(size);
      return zeros(size);
    });

    expect(sizes).toEqual([10, 2]);
  });

  it('takes the shard from the random bytes, within the route’s shard count', () => {
    const bytes = [Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), Uint8Array.from([0, 37])];
    let call = 0;

    const id = newEventId(NOW, ROUTE, () => bytes[call++] ?? zeros(2));

    expect(parseEventId(id)?.shard).toBe(37 % 32);
  });

  it('puts every event of a one-shard route in shard 00', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 2, maxLength: 2 }), (shardBytes) => {
        let call = 0;
        const id = newEventId(NOW, { path: '/a/', shards: 1 }, (size) =>
          call++ === 0 ? zeros(size) : shardBytes,
        );

        expect(parseEventId(id)?.shardCode).toBe('00');
      }),
    );
  });

  it('spreads ids over every shard of the route', () => {
    const shards = new Set(Array.from({ length: 2000 }, () => parseEventId(newEventId(NOW, ROUTE))?.shard));

    expect(shards.size).toBe(32);
  });

  it.each([0, -1, 2.5, MAX_ROUTE_SHARDS + 1])('refuses a route with %s shards', (shards) => {
    expect(() => newEventId(NOW, { path: '/a/', shards })).toThrow(RangeError);
  });

  it('gives the same id for the same time and random bytes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_TIME }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        (time, bytes) => {
          const random = (size: number) => bytes.slice(size === 10 ? 0 : 10, size === 10 ? 10 : 12);

          expect(newEventId(new Date(time), ROUTE, random)).toBe(newEventId(new Date(time), ROUTE, random));
          expect(newEventId(new Date(time), ROUTE, random)).toMatch(EVENT_ID_PATTERN);
        },
      ),
    );
  });

  it('sorts ids from later times after ids from earlier times, whatever their shard or route', () => {
    const time = fc.integer({ min: 0, max: MAX_TIME });
    const bytes = fc.uint8Array({ minLength: 10, maxLength: 10 });
    const route = fc.record({
      path: fc.constantFrom('/a/', '/b/c/', '/order/status/'),
      shards: fc.integer({ min: 1, max: 256 }),
    });
    fc.assert(
      fc.property(time, time, bytes, bytes, route, route, (a, b, first, second, routeA, routeB) => {
        fc.pre(a !== b);
        const [earlier, later] = a < b ? [a, b] : [b, a];

        const earlierId = newEventId(new Date(earlier), routeA, (size) => (size === 10 ? first : ones(size)));
        const laterId = newEventId(new Date(later), routeB, (size) => (size === 10 ? second : zeros(size)));

        expect(earlierId < laterId).toBe(true);
      }),
    );
  });

  it('gives 10,000 ids made in the same millisecond 10,000 different values', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newEventId(NOW, ROUTE)));

    expect(ids.size).toBe(10_000);
  });
});

describe('parseEventId()', () => {
  it('reads the time, shard and route tag back', () => {
    const id = newEventId(NOW, ROUTE);

    expect(parseEventId(id)).toEqual({
      time: NOW.getTime(),
      shard: expect.any(Number),
      shardCode: id.slice(30, 32),
      routeTag: routeTag(ROUTE.path),
    });
  });

  it('reads back what newEventId wrote, for any time, shard count and route', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_TIME }),
        fc.integer({ min: 1, max: MAX_ROUTE_SHARDS }),
        fc.stringMatching(/^\/[a-z0-9_-]{1,20}\/$/),
        (time, shards, path) => {
          const parts = parseEventId(newEventId(new Date(time), { path, shards }));

          expect(parts?.time).toBe(time);
          expect(parts?.routeTag).toBe(routeTag(path));
          expect(parts?.shard).toBeGreaterThanOrEqual(0);
          expect(parts?.shard).toBeLessThan(shards);
          expect(parts?.shardCode).toBe(shardCode(parts?.shard ?? -1));
        },
      ),
    );
  });

  it.each([
    ['an id of table layout v1 (evt_ + ULID)', 'evt_01ARYZ6S41TSV4RRFFQ69G5FAV'],
    ['a UUID', '0b8e7c1e-3f0a-4d5e-9a51-7a8b9c0d1e2f'],
    ['an empty string', ''],
    ['lower case', `evt_${'0'.repeat(28)}abcdefgh`],
    ['a trailing newline', `${newEventId(NOW, ROUTE)}\n`],
  ])('gives undefined for %s', (_name, id) => {
    expect(parseEventId(id)).toBeUndefined();
  });
});

describe('routeTag()', () => {
  it('is 8 Crockford characters, the same with or without the trailing slash', () => {
    expect(routeTag('/order/status/')).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(routeTag('/order/status')).toBe(routeTag('/order/status/'));
  });

  it('tells routes apart', () => {
    expect(routeTag('/order/status/')).not.toBe(routeTag('/order/statuses/'));
  });
});

describe('shardCode()', () => {
  it.each([
    [0, '00'],
    [31, '0Z'],
    [32, '10'],
    [255, '7Z'],
  ])('writes shard %s as %s', (shard, code) => {
    expect(shardCode(shard)).toBe(code);
  });

  it('sorts shard codes in shard order', () => {
    const codes = Array.from({ length: MAX_ROUTE_SHARDS }, (_, shard) => shardCode(shard));

    expect([...codes].sort()).toEqual(codes);
  });
});

describe('eventIdFloor()', () => {
  it('sorts before every id of its millisecond and after every id of the one before', () => {
    const id = newEventId(NOW, ROUTE, ones);
    const earlier = newEventId(new Date(NOW.getTime() - 1), ROUTE, ones);

    expect(eventIdFloor(NOW.getTime()) < newEventId(NOW, ROUTE, zeros)).toBe(true);
    expect(eventIdFloor(NOW.getTime()) < id).toBe(true);
    expect(earlier < eventIdFloor(NOW.getTime())).toBe(true);
  });
});

describe('newUlid()', () => {
  it('makes a 26-character Crockford ULID', () => {
    expect(newUlid(NOW)).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(newUlid(new Date(MAX_TIME), ones)).toBe('7ZZZZZZZZZZZZZZZZZZZZZZZZZ');
  });
});

describe('EVENT_ID_PATTERN', () => {
  it.each([
    ['without the prefix', '01ARYZ6S41TSV4RRFFQ69G5FAV0K7HX2M4QA'],
    ['too short', 'evt_01ARYZ6S41TSV4RRFFQ69G5FAV0K7HX2M4Q'],
    ['too long', 'evt_01ARYZ6S41TSV4RRFFQ69G5FAV0K7HX2M4QAX'],
    ['with I', 'evt_01ARYZ6S41TSV4RRFFQ69G5FAV0K7HX2M4QI'],
    ['in lower case', 'evt_01aryz6s41tsv4rrffq69g5fav0k7hx2m4qa'],
  ])('rejects an id %s', (_name, id) => {
    expect(EVENT_ID_PATTERN.test(id)).toBe(false);
  });

  it('matches an id Hookline makes', () => {
    expect(EVENT_ID_PATTERN.test('evt_01ARYZ6S41TSV4RRFFQ69G5FAV0K7HX2M4QA')).toBe(true);
  });
});
