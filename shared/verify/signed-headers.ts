/**
 * The signature header and timestamp header that timestamped schemes (Slack, Zoom, Discord,
 * SendGrid, HubSpot, Contentful) all require, read and checked in one order.
 */
import type { VerifyScheme } from '../config/types.js';
import { readHeader } from './headers.js';
import type { TimestampCheck } from './timestamp.js';
import { failureOf, type VerificationFailure, type VerificationInput } from './types.js';

/** Where a scheme's signature and its signed timestamp travel (lower-cased header names). */
export interface SignedHeaderNames {
  readonly scheme: VerifyScheme;
  readonly signatureHeader: string;
  readonly timestampHeader: string;
}

/** The two header values, as sent, and the signed time as ISO 8601. */
export interface SignedHeaders {
  readonly signature: string;
  readonly timestamp: string;
  readonly signedAt: string;
}

/**
 * Reads the signature, then the timestamp, and checks the timestamp with `checkTime`; the first
 * that is missing or out of tolerance is the failure.
 */
export function readSignedHeaders(
  input: VerificationInput,
  names: SignedHeaderNames,
  checkTime: (timestamp: string) => TimestampCheck,
): SignedHeaders | VerificationFailure {
  const fail = failureOf(names.scheme);
  const { signatureHeader, timestampHeader } = names;
  const signature = readHeader(input.headers, signatureHeader);
  if (signature === undefined) return fail('missing_signature', `${signatureHeader} header absent`);
  const timestamp = readHeader(input.headers, timestampHeader);
  if (timestamp === undefined) return fail('missing_timestamp', `${timestampHeader} header absent`);
  const check = checkTime(timestamp);
  if (!check.ok) return fail(check.reason, check.detail);
  return { signature, timestamp, signedAt: check.signedAt };
}
