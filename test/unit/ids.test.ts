import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EVENT_ID_PATTERN, newEventId } from '../../shared/ids.js';

const NOW = new Date('2026-01-15T12:00:00.000Z');
/** The largest time a 48-bit ULID timestamp holds. */
const MAX_TIME = 2 ** 48 - 1;

const zeros = (size: number) => new Uint8Array(size);
const ones = (size: number) => new Uint8Array(size).fill(0xff);

describe('newEventId()', () => {
  it('makes an evt_-prefixed 26-character Crockford ULID', () => {
    // Act
    const id = newEventId(NOW);

    // Assert
    expect(id).toMatch(EVENT_ID_PATTERN);
    expect(id).toHaveLength(30);
    expect(id.startsWith('evt_')).toBe(true);
  });

  it('encodes the time like the ULID reference (1469918176385 → 01ARYZ6S41)', () => {
    const id = newEventId(new Date(1_469_918_176_385), zeros);

    expect(id).toBe('evt_01ARYZ6S410000000000000000');
  });

  it.each([
    { name: 'the epoch with zero bytes', time: 0, random: zeros, id: `evt_${'0'.repeat(26)}` },
    {
      name: 'the largest time with 0xff bytes',
      time: MAX_TIME,
      random: ones,
      id: 'evt_7ZZZZZZZZZZZZZZZZZZZZZZZZZ',
    },
  ])('encodes $name', ({ time, random, id }) => {
    expect(newEventId(new Date(time), random)).toBe(id);
  });

  it('asks the random source for 10 bytes (80 bits)', () => {
    const sizes: number[] = [];

    newEventId(NOW, (size) => {
      sizes.push(size);
      return zeros(size);
    });

    expect(sizes).toEqual([10]);
  });

  it('encodes the random bytes big-endian in the last 16 characters', () => {
    const random = () => Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 33]);

    const id = newEventId(NOW, random);

    expect(id.slice(-16)).toBe('0000000000000011');
  });

  it('gives the same id for the same time and random bytes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: MAX_TIME }),
        fc.uint8Array({ minLength: 10, maxLength: 10 }),
        (time, bytes) => {
          const random = () => Uint8Array.from(bytes);

          expect(newEventId(new Date(time), random)).toBe(newEventId(new Date(time), random));
          expect(newEventId(new Date(time), random)).toMatch(EVENT_ID_PATTERN);
        },
      ),
    );
  });

  it('sorts ids from later times after ids from earlier times, whatever the random part', () => {
    const time = fc.integer({ min: 0, max: MAX_TIME });
    const bytes = fc.uint8Array({ minLength: 10, maxLength: 10 });
    fc.assert(
      fc.property(time, time, bytes, bytes, (a, b, first, second) => {
        fc.pre(a !== b);
        const [earlier, later] = a < b ? [a, b] : [b, a];

        const earlierId = newEventId(new Date(earlier), () => first);
        const laterId = newEventId(new Date(later), () => second);

        expect(earlierId < laterId).toBe(true);
      }),
    );
  });

  it('sorts ids one millisecond apart', () => {
    const ids = [0, 1, 31, 32, 1023, 1024].map((offset) =>
      newEventId(new Date(NOW.getTime() + offset), ones),
    );

    expect([...ids].sort()).toEqual(ids);
  });

  it('gives 10,000 ids made in the same millisecond 10,000 different values', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newEventId(NOW)));

    expect(ids.size).toBe(10_000);
  });

  it('uses the current time by default', () => {
    const before = newEventId(new Date(Date.now() - 1), zeros);

    const id = newEventId();

    expect(id.slice(0, 14) >= before.slice(0, 14)).toBe(true);
  });
});

describe('EVENT_ID_PATTERN', () => {
  it.each([`evt_${'0'.repeat(26)}`, 'evt_01ARYZ6S41TSV4RRFFQ69G5FAV', 'evt_7ZZZZZZZZZZZZZZZZZZZZZZZZZ'])(
    'matches %s',
    (id) => {
      expect(EVENT_ID_PATTERN.test(id)).toBe(true);
    },
  );

  it.each([
    ['without the prefix', '01ARYZ6S41TSV4RRFFQ69G5FAV'],
    ['with another prefix', 'evx_01ARYZ6S41TSV4RRFFQ69G5FAV'],
    ['too short', 'evt_01ARYZ6S41TSV4RRFFQ69G5FA'],
    ['too long', 'evt_01ARYZ6S41TSV4RRFFQ69G5FAVX'],
    ['in lower case', 'evt_01aryz6s41tsv4rrffq69g5fav'],
    ['with I', 'evt_01ARYZ6S41TSV4RRFFQ69G5FAI'],
    ['with L', 'evt_01ARYZ6S41TSV4RRFFQ69G5FAL'],
    ['with O', 'evt_01ARYZ6S41TSV4RRFFQ69G5FAO'],
    ['with U', 'evt_01ARYZ6S41TSV4RRFFQ69G5FAU'],
    ['with a trailing newline', 'evt_01ARYZ6S41TSV4RRFFQ69G5FAV\n'],
  ])('rejects an id %s', (_name, id) => {
    expect(EVENT_ID_PATTERN.test(id)).toBe(false);
  });
});
