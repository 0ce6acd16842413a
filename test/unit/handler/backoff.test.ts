import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SQS_MAX_VISIBILITY_TIMEOUT_SECONDS } from '../../../shared/aws-limits.js';
import { type BackoffSettings, backoffSeconds } from '../../../shared/handler/backoff.js';

const SETTINGS: BackoffSettings = { initialDelaySeconds: 10, multiplier: 2, maxDelaySeconds: 900 };
const TOP = () => 1;

describe('backoffSeconds()', () => {
  it.each([
    { attempt: 1, expected: 10 },
    { attempt: 2, expected: 20 },
    { attempt: 3, expected: 40 },
    { attempt: 4, expected: 80 },
    { attempt: 7, expected: 640 },
  ])(
    'grows as initial × multiplier^(attempt−1): attempt $attempt tops out at $expected s',
    ({ attempt, expected }) => {
      expect(backoffSeconds(attempt, SETTINGS, TOP)).toBe(expected);
    },
  );

  it('caps the delay at maxDelaySeconds', () => {
    expect(backoffSeconds(8, SETTINGS, TOP)).toBe(900);
    expect(backoffSeconds(50, SETTINGS, TOP)).toBe(900);
  });

  it('never exceeds 43 200 s (the SQS visibility limit), whatever the settings', () => {
    const huge: BackoffSettings = { initialDelaySeconds: 100_000, multiplier: 10, maxDelaySeconds: 1e9 };

    expect(backoffSeconds(1, huge, TOP)).toBe(SQS_MAX_VISIBILITY_TIMEOUT_SECONDS);
    expect(backoffSeconds(1_000, huge, TOP)).toBe(43_200);
  });

  it('applies full jitter: random() scales the whole delay, floored to whole seconds', () => {
    expect(backoffSeconds(3, SETTINGS, () => 0)).toBe(0);
    expect(backoffSeconds(3, SETTINGS, () => 0.5)).toBe(20);
    expect(backoffSeconds(3, SETTINGS, () => 0.999)).toBe(39);
  });

  it('uses the multiplier as given (1 means a constant delay)', () => {
    const constant: BackoffSettings = { initialDelaySeconds: 30, multiplier: 1, maxDelaySeconds: 900 };
    const triple: BackoffSettings = { initialDelaySeconds: 1, multiplier: 3, maxDelaySeconds: 900 };

    expect([1, 2, 5].map((attempt) => backoffSeconds(attempt, constant, TOP))).toEqual([30, 30, 30]);
    expect([1, 2, 3, 4].map((attempt) => backoffSeconds(attempt, triple, TOP))).toEqual([1, 3, 9, 27]);
  });

  it('treats attempts below 1 as the first attempt', () => {
    expect(backoffSeconds(0, SETTINGS, TOP)).toBe(10);
    expect(backoffSeconds(-3, SETTINGS, TOP)).toBe(10);
  });

  it('keeps a zero initial delay at zero', () => {
    const zero: BackoffSettings = { initialDelaySeconds: 0, multiplier: 2, maxDelaySeconds: 900 };

    expect(backoffSeconds(2_000, zero, TOP)).toBe(0);
  });

  it('clamps a random source that strays outside [0, 1]', () => {
    expect(backoffSeconds(1, SETTINGS, () => 7)).toBe(10);
    expect(backoffSeconds(1, SETTINGS, () => -1)).toBe(0);
  });

  it('stays a whole number within [0, min(max, initial × multiplier^(attempt−1))] for any input', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 0, max: 50_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, initialDelaySeconds, multiplier, maxDelaySeconds, random) => {
          const delay = backoffSeconds(
            attempt,
            { initialDelaySeconds, multiplier, maxDelaySeconds },
            () => random,
          );
          const ceiling = Math.min(maxDelaySeconds, initialDelaySeconds * multiplier ** (attempt - 1));
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });

  it('defaults to Math.random for jitter', () => {
    const delays = Array.from({ length: 200 }, () => backoffSeconds(5, SETTINGS));

    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThanOrEqual(160);
    expect(new Set(delays).size).toBeGreaterThan(1);
  });
});
