/**
 * Signature headers written as `key=value` parameters (Stripe's `t=…,v1=…`, Paddle's `ts=…;h1=…`,
 * WorkOS's `t=…, v1=…`): a timestamp and one or more hex HMAC-SHA256 signatures.
 */
import type { VerifyScheme } from '../config/types.js';
import { decodeDigests } from './signatures.js';
import { failureOf, type VerificationFailure } from './types.js';

/** How a signature header lists its timestamp and signatures as `key=value` parameters. */
export interface SignatureParameterFormat {
  readonly scheme: VerifyScheme;
  readonly header: string;
  /** What separates the parameters (surrounding spaces are ignored). */
  readonly separator: string;
  readonly timestampKey: string;
  /** The key of the HMAC-SHA256 hex signatures; the header may repeat it (rotation). */
  readonly signatureKey: string;
}

/** The signed timestamp (as sent) and the well-formed signatures of a parameter header. */
export interface TimestampedSignatures {
  readonly timestamp: string;
  readonly digests: readonly Uint8Array[];
}

/** Splits `a=1;b=2;b=3` into its values by key; `undefined` when a part is not `key=value`. */
export function parseSignatureParameters(
  value: string,
  separator: string,
): ReadonlyMap<string, readonly string[]> | undefined {
  const parameters = new Map<string, string[]>();
  for (const part of value.split(separator)) {
    const entry = part.trim();
    if (entry === '') continue;
    const equals = entry.indexOf('=');
    if (equals <= 0) return undefined;
    const key = entry.slice(0, equals);
    parameters.set(key, [...(parameters.get(key) ?? []), entry.slice(equals + 1)]);
  }
  return parameters;
}

/**
 * Reads a parameter header's one timestamp and its signatures (malformed ones skipped, so one bad
 * entry during a rotation does not hide a good one), or the failure that stops verification.
 */
export function readTimestampedSignatures(
  value: string,
  format: SignatureParameterFormat,
): TimestampedSignatures | VerificationFailure {
  const failure = failureOf(format.scheme);
  const { header, timestampKey, signatureKey } = format;
  const parameters = parseSignatureParameters(value, format.separator);
  if (parameters === undefined) return failure('malformed_signature', `${header} is not key=value pairs`);

  const [timestamp, ...extraTimestamps] = parameters.get(timestampKey) ?? [];
  if (timestamp === undefined) return failure('missing_timestamp', `${header} has no ${timestampKey}=`);
  if (extraTimestamps.length > 0) {
    return failure('malformed_timestamp', `${header} has several ${timestampKey}= entries`);
  }
  const signatures = parameters.get(signatureKey) ?? [];
  if (signatures.length === 0) return failure('malformed_signature', `${header} has no ${signatureKey}=`);
  const digests = decodeDigests(signatures, 'hex', 'sha256');
  if (digests.length === 0) {
    return failure('malformed_signature', `${header} has no well-formed ${signatureKey} signature`);
  }
  return { timestamp, digests };
}
