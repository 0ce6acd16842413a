/**
 * Strict decoders for what providers put in headers and keys: one spelling per value, so a
 * signature or key cannot be written several ways that all pass.
 */

const HEX = /^[0-9a-fA-F]*$/;
const PADDED_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const UNPADDED_OR_PADDED_BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Hex of exactly `bytes` bytes, in either case; undefined otherwise. */
export function decodeHex(text: string, bytes: number): Buffer | undefined {
  return text.length === bytes * 2 && HEX.test(text) ? Buffer.from(text, 'hex') : undefined;
}

/** Canonical, padded base64 (no stray bits in the last character); undefined otherwise. */
export function decodeStrictBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !PADDED_BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** Canonical base64 whose padding may be left out (Standard Webhooks); undefined otherwise. */
export function decodeBase64PaddingOptional(text: string): Buffer | undefined {
  if (!UNPADDED_OR_PADDED_BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  const canonical = bytes.toString('base64');
  return canonical.replace(/=+$/, '') === text.replace(/=+$/, '') ? bytes : undefined;
}
