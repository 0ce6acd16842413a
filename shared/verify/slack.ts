import type { SlackVerifyConfig } from '../config/types.js';
import { decodeDigest, findMatchingSecret, hasUsableSecret, readHeader } from './hmac.js';
import { type SchemeDefinition, stringAt } from './scheme.js';
import { checkTimestamp, DEFAULT_TOLERANCE_SECONDS } from './timestamp.js';
import type {
  VerificationFailure,
  VerificationFailureReason,
  VerificationInput,
  VerificationResult,
} from './types.js';

const SIGNATURE_HEADER = 'x-slack-signature';
const TIMESTAMP_HEADER = 'x-slack-request-timestamp';
const PREFIX = 'v0=';

function fail(reason: VerificationFailureReason, detail: string): VerificationFailure {
  return { ok: false, scheme: 'slack', reason, detail };
}

/**
 * Verifies a Slack request: `x-slack-signature: v0=<hex>`, HMAC-SHA256 of `v0:${timestamp}:${rawBody}`
 * with the signing secret, and `x-slack-request-timestamp` within `toleranceSeconds` of now.
 */
export function verifySlack(input: VerificationInput, options: SlackVerifyConfig): VerificationResult {
  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');
  const signature = readHeader(input.headers, SIGNATURE_HEADER);
  if (signature === undefined) return fail('missing_signature', `${SIGNATURE_HEADER} header absent`);
  const timestamp = readHeader(input.headers, TIMESTAMP_HEADER);
  if (timestamp === undefined) return fail('missing_timestamp', `${TIMESTAMP_HEADER} header absent`);
  const check = checkTimestamp(timestamp, input.now, options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
  if (!check.ok) return fail(check.reason, check.detail);

  const digest = signature.startsWith(PREFIX)
    ? decodeDigest(signature.slice(PREFIX.length), 'hex', 'sha256')
    : undefined;
  if (digest === undefined) return fail('malformed_signature', `${SIGNATURE_HEADER} is not ${PREFIX}<hex>`);

  const keyIndex = findMatchingSecret(input.secrets, 'sha256', [digest], [`v0:${timestamp}:`, input.body]);
  if (keyIndex === undefined) return fail('signature_mismatch', 'no secret produced this signature');
  return { ok: true, scheme: 'slack', keyId: String(keyIndex), signedAt: check.signedAt };
}

export const slackScheme: SchemeDefinition<'slack'> = {
  verify: verifySlack,
  // Slack re-sends the same event_id with x-slack-retry-num on retries.
  deliveryId: ({ payload }) => stringAt(payload, 'event_id'),
  eventType: ({ payload }) => stringAt(payload, 'event', 'type'),
};
