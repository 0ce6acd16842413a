import type { SlackVerifyConfig, VerifyScheme } from '../config/types.js';
import { decodeDigest, findMatchingSecret, hasUsableSecret, readHeader } from './hmac.js';
import { hexHmacSha256 } from './paddle.js';
import {
  type HandshakeOutcome,
  type HandshakeRefusal,
  type HandshakeRequest,
  type RequestToSign,
  type SchemeDefinition,
  type SignedRequest,
  stringAt,
} from './scheme.js';
import { checkTimestamp, DEFAULT_TOLERANCE_SECONDS } from './timestamp.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';

const PREFIX = 'v0=';
const URL_VERIFICATION = 'slack.url_verification';

/**
 * Where a `v0=` signature (Slack, Zoom) travels: `signatureHeader: v0=<hex>` is HMAC-SHA256 of
 * `v0:${timestamp}:${rawBody}`, the unix-seconds timestamp in `timestampHeader`.
 */
export interface V0SignatureFormat {
  readonly scheme: VerifyScheme;
  readonly signatureHeader: string;
  readonly timestampHeader: string;
}

const SLACK_FORMAT: V0SignatureFormat = {
  scheme: 'slack',
  signatureHeader: 'x-slack-signature',
  timestampHeader: 'x-slack-request-timestamp',
};

/** Verifies a `v0=` signature, its timestamp within `toleranceSeconds` of now in either direction. */
export function verifyV0Signature(
  input: VerificationInput,
  format: V0SignatureFormat,
  toleranceSeconds: number,
): VerificationResult {
  const { scheme, signatureHeader, timestampHeader } = format;
  const fail = failureOf(scheme);
  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');
  const signature = readHeader(input.headers, signatureHeader);
  if (signature === undefined) return fail('missing_signature', `${signatureHeader} header absent`);
  const timestamp = readHeader(input.headers, timestampHeader);
  if (timestamp === undefined) return fail('missing_timestamp', `${timestampHeader} header absent`);
  const check = checkTimestamp(timestamp, input.now, toleranceSeconds);
  if (!check.ok) return fail(check.reason, check.detail);

  const digest = signature.startsWith(PREFIX)
    ? decodeDigest(signature.slice(PREFIX.length), 'hex', 'sha256')
    : undefined;
  if (digest === undefined) return fail('malformed_signature', `${signatureHeader} is not ${PREFIX}<hex>`);

  const keyIndex = findMatchingSecret(input.secrets, 'sha256', [digest], [`v0:${timestamp}:`, input.body]);
  if (keyIndex === undefined) return fail('signature_mismatch', 'no secret produced this signature');
  return { ok: true, scheme, keyId: String(keyIndex), signedAt: check.signedAt };
}

/** The two `v0=` headers for `request`, timestamped now. */
export function signV0({ body, secret, now }: RequestToSign, format: V0SignatureFormat): SignedRequest {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return {
    headers: {
      [format.signatureHeader]: `${PREFIX}${hexHmacSha256(secret, `v0:${timestamp}:`, body)}`,
      [format.timestampHeader]: timestamp,
    },
  };
}

/** A verified handshake the scheme will not answer (its token or challenge is missing). */
export function handshakeRefused(kind: string, detail: string): HandshakeRefusal {
  return { kind, refused: true, status: 403, code: 'handshake_refused', detail };
}

/**
 * Verifies a Slack request: `x-slack-signature: v0=<hex>`, HMAC-SHA256 of `v0:${timestamp}:${rawBody}`
 * with the signing secret, and `x-slack-request-timestamp` within `toleranceSeconds` of now.
 */
export function verifySlack(input: VerificationInput, options: SlackVerifyConfig): VerificationResult {
  return verifyV0Signature(input, SLACK_FORMAT, options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
}

/**
 * Answers the Events API's `url_verification` (signed like any event, so it comes after
 * verification) with `200 {"challenge":"<c>"}` as JSON, one of the three answers Slack accepts.
 */
export function answerSlackUrlVerification({ payload }: HandshakeRequest): HandshakeOutcome {
  if (stringAt(payload, 'type') !== 'url_verification') return undefined;
  const challenge = stringAt(payload, 'challenge');
  if (challenge === undefined) return handshakeRefused(URL_VERIFICATION, 'url_verification has no challenge');
  return {
    kind: URL_VERIFICATION,
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ challenge }),
  };
}

/** Slack: verifier, signer, `event_id` dedupe, `event.type`, and the `url_verification` handshake. */
export const slackScheme: SchemeDefinition<'slack'> = {
  verify: verifySlack,
  sign: (request) => signV0(request, SLACK_FORMAT),
  // Slack re-sends the same event_id with x-slack-retry-num on retries.
  deliveryId: ({ payload }) => stringAt(payload, 'event_id'),
  eventType: ({ payload }) => stringAt(payload, 'event', 'type'),
  handshake: answerSlackUrlVerification,
};
