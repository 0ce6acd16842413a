/**
 * The fuzz proof (`npm run proof:fuzz`, 10 000 requests per scheme) at a size `npm test` can afford,
 * against the shared emulators: the same properties, fewer runs.
 */
import { describe, expect, it } from 'vitest';
import { connectEmulators } from '../../helpers/ingress-stack.js';
import { uniqueName } from '../../helpers/shared-emulators.js';
import { runFuzzProof, SCHEMES } from '../../proofs/fuzz-proof.js';

describe('fuzz proof', () => {
  it('accepts no forged, tampered, replayed, truncated, mis-encoded or oversized request, and every signed one', async () => {
    const emulators = await connectEmulators();
    try {
      const { report, signed, failures } = await runFuzzProof({
        dynamodb: emulators.dynamo.client,
        sqs: emulators.sqs.client,
        perScheme: 140,
        signedPerScheme: 20,
        prefix: uniqueName(),
      });

      expect(failures).toEqual([]);
      expect(report).toMatchObject({
        schemes: SCHEMES.length,
        accepted: 0,
        serverErrors: 0,
        crashes: 0,
        wrongCodes: 0,
      });
      expect(report.requests).toBeGreaterThan(SCHEMES.length * 100);
      expect(signed.every((entry) => entry.signed === 20 && entry.refused === 0)).toBe(true);
    } finally {
      emulators.close();
    }
  }, 120_000);
});
