/**
 * How many AWS calls a request waits for one after another: the longest chain of calls in which each
 * starts only once the one before it has ended. Calls that overlap (sent together, awaited with
 * `Promise.all`) count once. Pure; unit-tested in `test/unit/bench/sequential-calls.test.ts`.
 */

export interface CallInterval {
  /** When the call was sent, milliseconds on any one clock. */
  readonly startedMs: number;
  /** When its answer arrived, on the same clock. */
  readonly endedMs: number;
}

/** The length of the longest chain of `calls` where each starts at or after the previous one's end. */
export function sequentialCalls(calls: readonly CallInterval[]): number {
  return Math.max(0, ...callSteps(calls));
}

/**
 * For each of `calls` (in the order given), its step: 1 + the longest chain of calls that ended
 * before it started. Calls of one step overlap or are independent of each other.
 */
export function callSteps(calls: readonly CallInterval[]): number[] {
  const order = calls
    .map((_, i) => i)
    .sort((a, b) => startOf(calls, a) - startOf(calls, b) || endOf(calls, a) - endOf(calls, b));
  const steps = new Array<number>(calls.length).fill(0);
  for (const i of order) {
    const call = calls[i];
    if (call === undefined) continue;
    let before = 0;
    for (const j of order) {
      const earlier = calls[j];
      if (j !== i && earlier !== undefined && earlier.endedMs <= call.startedMs)
        before = Math.max(before, steps[j] ?? 0);
    }
    steps[i] = before + 1;
  }
  return steps;
}

function startOf(calls: readonly CallInterval[], i: number): number {
  return calls[i]?.startedMs ?? 0;
}

function endOf(calls: readonly CallInterval[], i: number): number {
  return calls[i]?.endedMs ?? 0;
}
