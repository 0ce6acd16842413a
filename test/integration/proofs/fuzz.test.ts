/**
 * The fuzz proof (`npm run proof:fuzz`, 10 000 requests per scheme) at a size `npm test` can afford,
 * against the shared emulators: the same properties, fewer runs, over every scheme but `none`.
 */
import { describe, expect, it } from 'vitest';
import { verifySchemes } from '../../../shared/config/verify-schema.js';
import { connectEmulators } from '../../helpers/ingress-stack.js';
import { uniqueName } from '../../helpers/shared-emulators.js';
import { runFuzzProof } from '../../proofs/fuzz-proof.js';

const PER_SCHEME = 140;
const SIGNED_PER_SCHEME = 20;
/** `none` accepts every request by design: there is nothing to attack. */
const ATTACKED_SCHEMES = verifySchemes.filter((scheme) => scheme !== 'none');

describe('fuzz proof', () => {
  it('accepts no forged, lifted, tampered, replayed, truncated, mis-encoded or oversized request, and every signed one', async () => {
    const emulators = await connectEmulators();
    try {
      const { report, signed, failures } = await runFuzzProof({
        dynamodb: emulators.dynamo.client,
        sqs: emulators.sqs.client,
        perScheme: PER_SCHEME,
        signedPerScheme: SIGNED_PER_SCHEME,
        prefix: uniqueName(),
      });

      expect(failures).toEqual([]);
      expect(signed.map((entry) => entry.scheme).sort()).toEqual([...ATTACKED_SCHEMES].sort());
      expect(report).toMatchObject({
        schemes: ATTACKED_SCHEMES.length,
        accepted: 0,
        serverErrors: 0,
        crashes: 0,
        wrongCodes: 0,
      });
      expect(report.requests).toBeGreaterThan(ATTACKED_SCHEMES.length * 100);
      expect(signed.every((entry) => entry.signed === SIGNED_PER_SCHEME && entry.refused === 0)).toBe(true);
    } finally {
      emulators.close();
    }
  }, 120_000);
});
