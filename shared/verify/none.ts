import type { NoVerifyConfig } from '../config/types.js';
import type { SchemeDefinition } from './scheme.js';
import type { VerificationInput, VerificationResult } from './types.js';

/** The `none` scheme: every request passes. Only for routes protected some other way. */
export function verifyNone(_input: VerificationInput, _options: NoVerifyConfig): VerificationResult {
  return { ok: true, scheme: 'none' };
}

export const noneScheme: SchemeDefinition<'none'> = {
  verify: verifyNone,
  sign: () => ({ headers: {} }),
};
