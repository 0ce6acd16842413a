import { timingSafeEqual } from 'node:crypto';

/** Compares two byte strings in time independent of where they differ. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) {
    // Still spend comparable time so length is the only thing revealed.
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}
