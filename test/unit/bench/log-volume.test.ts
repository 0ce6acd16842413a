import { describe, expect, it } from 'vitest';
import { LOG_EVENT_OVERHEAD_BYTES, logVolume, platformLines } from '../../bench/log-volume.js';

describe('logVolume()', () => {
  it('counts each non-empty line with its newline plus 26 bytes', () => {
    // "a\n" 2 + 26, "bc\n" 3 + 26.
    expect(logVolume('a\n\nbc\n')).toEqual({ lines: 2, bytes: 57 });
    expect(LOG_EVENT_OVERHEAD_BYTES).toBe(26);
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(logVolume('é').bytes).toBe(2 + 1 + 26);
  });

  it('is empty for no output', () => {
    expect(logVolume('')).toEqual({ lines: 0, bytes: 0 });
  });
});

describe('platformLines()', () => {
  it("is Lambda's START, END and REPORT lines, the duration billed rounded up", () => {
    const text = platformLines({ requestId: 'r-1', durationMs: 12.3, memoryMb: 256, maxMemoryUsedMb: 80.4 });
    expect(text.split('\n').filter(Boolean)).toEqual([
      'START RequestId: r-1 Version: $LATEST',
      'END RequestId: r-1',
      'REPORT RequestId: r-1\tDuration: 12.30 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 80 MB\t',
    ]);
  });
});
