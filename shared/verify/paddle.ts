import type { VerifyScheme } from '../config/types.js';
import { hmac } from './constant-time.js';
import { decodeDigest, findMatchingSecret, hasUsableSecret, readHeader } from './hmac.js';
import { CannotSignError, type SchemeConfig, type SchemeDefinition, stringAt } from './scheme.js';
import { checkTimestamp } from './timestamp.js';
import {
  failureOf,
  type VerificationFailure,
  type VerificationInput,
  type VerificationResult,
} from './types.js';

/**
 * Paddle Billing: `Paddle-Signature: ts=<unix>;h1=<hex>`, HMAC-SHA256 of `${ts}:${rawBody}` with the
 * notification destination's secret key.
 *
 * Also home of the helpers the other `key=value` signature headers (WorkOS) share.
 */

const HEADER = 'paddle-signature';
const fail = failureOf('paddle');

/** @see the `toleranceSeconds` option for why this is wider than the SDK's 5 s. */
export const PADDLE_DEFAULT_TOLERANCE_SECONDS = 60;

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
  const digests = signatures
    .map((signature) => decodeDigest(signature, 'hex', 'sha256'))
    .filter((digest): digest is Uint8Array => digest !== undefined);
  if (digests.length === 0) {
    return failure('malformed_signature', `${header} has no well-formed ${signatureKey} signature`);
  }
  return { timestamp, digests };
}

/** Hex HMAC-SHA256 of `content` for a signer; an empty secret cannot sign (no verifier accepts it). */
export function hexHmacSha256(secret: string, ...content: readonly (string | Uint8Array)[]): string {
  if (secret === '') throw new CannotSignError('an empty secret cannot sign');
  return hmac('sha256', secret, ...content).toString('hex');
}

const PADDLE_FORMAT: SignatureParameterFormat = {
  scheme: 'paddle',
  header: HEADER,
  separator: ';',
  timestampKey: 'ts',
  signatureKey: 'h1',
};

/**
 * Verifies a Paddle Billing notification. Any `h1` matching any secret passes (the SDK compares
 * only the last `h1` it parses, and with `===`); `ts` must be within `toleranceSeconds` of now in
 * either direction (the SDK rejects only timestamps more than 5 s old).
 */
export function verifyPaddle(input: VerificationInput, options: SchemeConfig<'paddle'>): VerificationResult {
  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');
  const value = readHeader(input.headers, HEADER);
  if (value === undefined) return fail('missing_signature', `${HEADER} header absent`);
  const parsed = readTimestampedSignatures(value, PADDLE_FORMAT);
  if ('ok' in parsed) return parsed;
  const { timestamp, digests } = parsed;
  const check = checkTimestamp(
    timestamp,
    input.now,
    options.toleranceSeconds ?? PADDLE_DEFAULT_TOLERANCE_SECONDS,
  );
  if (!check.ok) return fail(check.reason, check.detail);

  const keyIndex = findMatchingSecret(input.secrets, 'sha256', digests, [`${timestamp}:`, input.body]);
  if (keyIndex === undefined) return fail('signature_mismatch', 'no secret produced any h1 signature');
  return { ok: true, scheme: 'paddle', keyId: String(keyIndex), signedAt: check.signedAt };
}

/** Paddle Billing notifications: verifier, signer, `event_id` dedupe, `event_type`. */
export const paddleScheme: SchemeDefinition<'paddle'> = {
  verify: verifyPaddle,
  sign: ({ body, secret, now }) => {
    const timestamp = String(Math.floor(now.getTime() / 1000));
    return { headers: { [HEADER]: `ts=${timestamp};h1=${hexHmacSha256(secret, `${timestamp}:`, body)}` } };
  },
  // `event_id` names the event across retries; `notification_id` only one destination's delivery.
  deliveryId: ({ payload }) => stringAt(payload, 'event_id') ?? stringAt(payload, 'notification_id'),
  eventType: ({ payload }) => stringAt(payload, 'event_type'),
};
