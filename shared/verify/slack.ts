import type { SlackVerifyConfig } from '../config/types.js';
import { handshakeRefused, jsonAnswer } from './handshake-answers.js';
import { stringAt } from './payload.js';
import type { HandshakeOutcome, HandshakeRequest, SchemeDefinition } from './scheme.js';
import { DEFAULT_TOLERANCE_SECONDS } from './timestamp.js';
import type { VerificationInput, VerificationResult } from './types.js';
import { signV0, type V0SignatureFormat, verifyV0Signature } from './v0-signature.js';

const URL_VERIFICATION = 'slack.url_verification';

const SLACK_FORMAT: V0SignatureFormat = {
  scheme: 'slack',
  signatureHeader: 'x-slack-signature',
  timestampHeader: 'x-slack-request-timestamp',
};

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
  return jsonAnswer(URL_VERIFICATION, { challenge });
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
