import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTimeBound, TimeBoundError } from '../../../shared/admin/time.js';

const NOW = new Date('2024-05-10T12:00:00.000Z');

describe('parseTimeBound()', () => {
  describe.each([
    ['30s', '2024-05-10T11:59:30.000Z'],
    ['30m', '2024-05-10T11:30:00.000Z'],
    ['24h', '2024-05-09T12:00:00.000Z'],
    ['7d', '2024-05-03T12:00:00.000Z'],
    ['2w', '2024-04-26T12:00:00.000Z'],
    ['0h', '2024-05-10T12:00:00.000Z'],
    [' 1d ', '2024-05-09T12:00:00.000Z'],
  ])('relative %j', (text, expected) => {
    it(`is ${expected}`, () => {
      expect(parseTimeBound(text, NOW).toISOString()).toBe(expected);
    });
  });

  describe.each([
    ['2024-05-01', '2024-05-01T00:00:00.000Z'],
    ['2024-05-01T10:15:00Z', '2024-05-01T10:15:00.000Z'],
    ['2024-05-01T10:15Z', '2024-05-01T10:15:00.000Z'],
    ['2024-05-01T10:15:30.250Z', '2024-05-01T10:15:30.250Z'],
    ['2024-05-01T10:15:00+02:00', '2024-05-01T08:15:00.000Z'],
    ['2024-05-01T10:15:00-0130', '2024-05-01T11:45:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
  ])('ISO 8601 %j', (text, expected) => {
    it(`is ${expected}`, () => {
      expect(parseTimeBound(text, NOW).toISOString()).toBe(expected);
    });
  });

  it.each([
    '',
    'yesterday',
    '24',
    'h',
    '-5m',
    '1.5h',
    '3y',
    '2024-05-01T10:15:00',
    '2024-02-31',
    '2023-02-29',
    '2024-13-01',
    '2024-05-01T25:00:00Z',
    '2024-5-1',
  ])('rejects %j with a message showing both accepted forms', (text) => {
    expect(() => parseTimeBound(text, NOW)).toThrow(TimeBoundError);
    expect(() => parseTimeBound(text, NOW)).toThrow(/30m, 24h, 7d.*ISO 8601/);
  });

  it('never throws anything but TimeBoundError and never returns an invalid date', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        try {
          expect(Number.isNaN(parseTimeBound(text, NOW).getTime())).toBe(false);
        } catch (error: unknown) {
          expect(error).toBeInstanceOf(TimeBoundError);
        }
      }),
    );
  });

  it('puts any relative bound at or before now', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.constantFrom('s', 'm', 'h', 'd', 'w'),
        (n, unit) => {
          expect(parseTimeBound(`${n}${unit}`, NOW).getTime()).toBeLessThanOrEqual(NOW.getTime());
        },
      ),
    );
  });
});
