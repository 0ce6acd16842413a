import type { VerificationInput } from './types.js';

/** A header's value, or `undefined` when it is absent or empty. */
export function readHeader(headers: VerificationInput['headers'], name: string): string | undefined {
  const value = headers[name];
  // `typeof` guards against inherited properties when a configured name is e.g. `constructor`.
  return typeof value === 'string' && value !== '' ? value : undefined;
}
