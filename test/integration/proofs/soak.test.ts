/**
 * The soak proof (`npm run proof:soak`, 60 s by default) for a few seconds: every event delivered,
 * and nothing left behind once the stack stops. Memory growth needs the full run to mean anything.
 */
import { describe, expect, it } from 'vitest';
import { runSoakProof } from '../../proofs/soak-proof.js';

describe('soak proof', () => {
  it('delivers every event and leaves no handle, file descriptor or process behind', async () => {
    const { report, details } = await runSoakProof({ seconds: 5, ratePerSecond: 10 });

    expect(report).toMatchObject({ seconds: 5, events: 50, errors: 0, openHandles: 0, orphans: 0 });
    expect(details.undelivered).toBe(0);
    expect(details.openFileDescriptors).toBe(0);
  }, 120_000);
});
