import { describe, expect, it } from 'vitest';
import { createPacer } from '../../../shared/replay/pacer.js';

/** A clock that only moves when the pacer sleeps (or the test says so). */
function virtualTime() {
  let nowMs = 0;
  const sleeps: number[] = [];
  return {
    now: () => nowMs,
    advance: (ms: number) => {
      nowMs += ms;
    },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      nowMs += ms;
    },
    sleeps,
  };
}

describe('createPacer()', () => {
  it('lets the first action start at once', async () => {
    const time = virtualTime();
    const pacer = createPacer({ ratePerSecond: 10, now: time.now, sleep: time.sleep });

    await pacer.next();

    expect(time.sleeps).toEqual([]);
  });

  it('spaces back-to-back actions by 1/rate seconds', async () => {
    const time = virtualTime();
    const pacer = createPacer({ ratePerSecond: 50, now: time.now, sleep: time.sleep });
    const starts: number[] = [];

    for (let i = 0; i < 11; i += 1) {
      await pacer.next();
      starts.push(time.now());
    }

    expect(starts).toEqual(Array.from({ length: 11 }, (_, i) => i * 20));
  });

  it('waits only for what is left of the interval after slow work', async () => {
    const time = virtualTime();
    const pacer = createPacer({ ratePerSecond: 10, now: time.now, sleep: time.sleep });

    await pacer.next();
    time.advance(70);
    await pacer.next();

    expect(time.sleeps).toEqual([30]);
  });

  it('saves up no burst after a pause longer than the interval', async () => {
    const time = virtualTime();
    const pacer = createPacer({ ratePerSecond: 10, now: time.now, sleep: time.sleep });

    await pacer.next();
    time.advance(1_000);
    await pacer.next();
    await pacer.next();

    expect(time.sleeps).toEqual([100]);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('refuses a rate of %s', (rate) => {
    const time = virtualTime();

    expect(() => createPacer({ ratePerSecond: rate, now: time.now, sleep: time.sleep })).toThrow(RangeError);
  });
});
