/**
 * Hookline's verifiers as a library (`hookline/verify`): `verifyRequest(input, verifyConfig)` checks
 * a request the way the gateway's ingress does, for any scheme a route can name.
 */
import type { VerifyConfig } from '../config/types.js';
import { schemeOf } from './registry.js';
import type { VerificationInput, VerificationResult } from './types.js';

export type { VerifyConfig, VerifyScheme } from '../config/types.js';
export type {
  VerificationFailure,
  VerificationFailureReason,
  VerificationInput,
  VerificationResult,
  VerificationSuccess,
  Verifier,
} from './types.js';

/** Verifies a request with the verifier of the route's scheme. Bad requests resolve to failures. */
export async function verifyRequest(
  input: VerificationInput,
  config: VerifyConfig,
): Promise<VerificationResult> {
  return schemeOf(config).verify(input, config);
}
