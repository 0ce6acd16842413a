import { describe, expect, it } from 'vitest';
import {
  fixed,
  formatBytes,
  formatTable,
  median,
  percentile,
  summarize,
  verdict,
} from '../../bench/stats.js';

describe('median()', () => {
  it('is the middle sample of an odd count, whatever the order', () => {
    expect(median([9, 1, 5])).toBe(5);
  });

  it('is the mean of the two middle samples of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('is the sample itself for one sample', () => {
    expect(median([7])).toBe(7);
  });

  it('does not reorder its input', () => {
    const samples = [3, 1, 2];
    median(samples);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('rejects no samples and NaN', () => {
    expect(() => median([])).toThrow(RangeError);
    expect(() => median([1, Number.NaN])).toThrow(RangeError);
  });
});

describe('percentile()', () => {
  const samples = [10, 20, 30, 40, 50];

  it('is the minimum at 0 and the maximum at 100', () => {
    expect(percentile(samples, 0)).toBe(10);
    expect(percentile(samples, 100)).toBe(50);
  });

  it('interpolates linearly between the closest ranks', () => {
    expect(percentile(samples, 25)).toBe(20);
    expect(percentile(samples, 90)).toBeCloseTo(46);
    expect(percentile([1, 2], 50)).toBe(1.5);
  });

  it('matches the nearest-rank value when the rank is whole', () => {
    const hundred = Array.from({ length: 101 }, (_, i) => 100 - i);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 90)).toBe(90);
  });

  it('rejects a percentile outside [0, 100]', () => {
    expect(() => percentile(samples, -1)).toThrow(RangeError);
    expect(() => percentile(samples, 100.5)).toThrow(RangeError);
    expect(() => percentile(samples, Number.NaN)).toThrow(RangeError);
  });
});

describe('summarize()', () => {
  it('reports count, extremes, mean, median, p90 and p99', () => {
    const summary = summarize([5, 1, 4, 2, 3]);
    expect(summary).toEqual({
      n: 5,
      min: 1,
      median: 3,
      p90: 4.6,
      p99: expect.closeTo(4.96),
      max: 5,
      mean: 3,
    });
  });
});

describe('verdict()', () => {
  it('passes at or under the limit and misses above it', () => {
    expect(verdict(1.3, 1.3)).toBe('PASS');
    expect(verdict(0.2, 1.3)).toBe('PASS');
    expect(verdict(1.31, 1.3)).toBe('MISS');
  });
});

describe('fixed()', () => {
  it('rounds to the given decimals', () => {
    expect(fixed(12.345)).toBe('12.3');
    expect(fixed(1.005, 2)).toBe('1.00');
    expect(fixed(0)).toBe('0.0');
  });

  it('keeps three significant digits of small values', () => {
    expect(fixed(0.01234)).toBe('0.0123');
  });
});

describe('formatBytes()', () => {
  it('groups digits and adds KiB or MiB', () => {
    expect(formatBytes(198)).toBe('198 B');
    expect(formatBytes(488_531)).toBe('488 531 B (477.1 KiB)');
    expect(formatBytes(2_181_907)).toBe('2 181 907 B (2.08 MiB)');
  });
});

describe('formatTable()', () => {
  it('pads columns, underlines the header and right-aligns numbers', () => {
    const lines = formatTable([
      ['name', 'ms', '<note'],
      ['hello', '1.7', 'ok'],
      ['ingress', '61.9', 'slow'],
    ]);
    expect(lines).toEqual([
      'name       ms  note',
      '-------  ----  ----',
      'hello     1.7  ok',
      'ingress  61.9  slow',
    ]);
  });

  it('fills missing cells and prints nothing for no rows', () => {
    expect(formatTable([['a', 'b'], ['x']])).toEqual(['a  b', '-  -', 'x']);
    expect(formatTable([])).toEqual([]);
  });
});
