import { describe, expect, it } from 'vitest';
import { callSteps, sequentialCalls } from '../../bench/sequential-calls.js';

const call = (startedMs: number, endedMs: number) => ({ startedMs, endedMs });

describe('sequentialCalls()', () => {
  it('is 0 for no calls and 1 for one', () => {
    expect(sequentialCalls([])).toBe(0);
    expect(sequentialCalls([call(0, 10)])).toBe(1);
  });

  it('counts a call that starts when the previous one ends as waiting for it', () => {
    expect(sequentialCalls([call(0, 10), call(10, 20)])).toBe(2);
  });

  it('counts overlapping calls once', () => {
    expect(sequentialCalls([call(0, 10), call(5, 15)])).toBe(1);
  });

  it('counts the longest chain: two puts together, then a send, then a put is 3', () => {
    expect(sequentialCalls([call(0, 5), call(0, 6), call(6, 9), call(9, 12)])).toBe(3);
  });

  it('does not depend on the order the calls are given in', () => {
    expect(sequentialCalls([call(9, 12), call(6, 9), call(0, 6), call(0, 5)])).toBe(3);
  });
});

describe('callSteps()', () => {
  it('gives each call its step, in the order given', () => {
    expect(callSteps([call(12, 20), call(0, 10), call(1, 11)])).toEqual([2, 1, 1]);
  });

  it('puts a call after the longest chain that ended before it', () => {
    // A [0,10] → B [10,20]; C [0,5] alone; D [20,30] after B: steps 1, 2, 1, 3.
    expect(callSteps([call(0, 10), call(10, 20), call(0, 5), call(20, 30)])).toEqual([1, 2, 1, 3]);
  });
});
