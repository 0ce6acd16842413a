/**
 * Spaces actions to at most `ratePerSecond`: a token bucket holding one token, so a slow stretch
 * never saves up a burst for later.
 */
export interface Pacer {
  /** Resolves when the next action may start. */
  next(): Promise<void>;
  /** Milliseconds `next()` would wait now: 0 when the next action may start at once. */
  delayMs(): number;
}

interface PacerOptions {
  readonly ratePerSecond: number;
  /** Milliseconds on some clock; `sleep` must let it advance. */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/**
 * A pacer for `ratePerSecond` actions on the clock `now`, waiting with `sleep`: the first action
 * starts at once, each later one at least `1000 / ratePerSecond` ms after the previous one started.
 * @throws RangeError when `ratePerSecond` is not a positive number
 */
export function createPacer(options: PacerOptions): Pacer {
  const { ratePerSecond, now, sleep } = options;
  if (!Number.isFinite(ratePerSecond) || ratePerSecond <= 0) {
    throw new RangeError(`ratePerSecond must be a positive number, got ${ratePerSecond}`);
  }
  const intervalMs = 1000 / ratePerSecond;
  let nextAt: number | undefined;
  const delayMs = () => (nextAt === undefined ? 0 : Math.max(0, Math.ceil(nextAt - now())));
  return {
    async next() {
      const wait = delayMs();
      if (wait > 0) await sleep(wait);
      nextAt = Math.max(nextAt ?? Number.NEGATIVE_INFINITY, now()) + intervalMs;
    },
    delayMs,
  };
}
