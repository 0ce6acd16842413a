import { handshakeRefused, plainTextEcho } from './handshake-answers.js';
import { readHeader } from './headers.js';
import { parseJson, stringAt } from './payload.js';
import type {
  HandshakeOutcome,
  HandshakeRequest,
  RequestToSign,
  SchemeConfig,
  SchemeDefinition,
  SignedRequest,
} from './scheme.js';
import { decodePrefixedDigest, findMatchingSecret, hasUsableSecret, hexHmacSha256 } from './signatures.js';
import { checkEpochMilliseconds } from './timestamp.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';

/**
 * Twitch EventSub (webhook transport): `Twitch-Eventsub-Message-Signature: sha256=<hex>`,
 * HMAC-SHA256 of `${message id}${message timestamp}${rawBody}` (no separators) with the
 * subscription's secret. The timestamp is RFC 3339 with up to nanoseconds.
 */

const ID_HEADER = 'twitch-eventsub-message-id';
const TIMESTAMP_HEADER = 'twitch-eventsub-message-timestamp';
const SIGNATURE_HEADER = 'twitch-eventsub-message-signature';
const TYPE_HEADER = 'twitch-eventsub-message-type';
const RETRY_HEADER = 'twitch-eventsub-message-retry';
const SUBSCRIPTION_TYPE_HEADER = 'twitch-eventsub-subscription-type';
const SUBSCRIPTION_VERSION_HEADER = 'twitch-eventsub-subscription-version';
const PREFIX = 'sha256=';
const VERIFICATION = 'webhook_callback_verification';
const REVOCATION = 'revocation';
/** Twitch: "make sure the message isn't more than 10 minutes old". */
const DEFAULT_TOLERANCE_SECONDS = 600;
const fail = failureOf('twitch');

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Whether the date-time parts name a real instant (no 31 April, no hour 24, no leap second). */
function isRealDateTime(parts: readonly number[], utc: Date): boolean {
  const [year, month, day, hour, minute, second] = parts;
  return (
    utc.getUTCFullYear() === year &&
    utc.getUTCMonth() + 1 === month &&
    utc.getUTCDate() === day &&
    utc.getUTCHours() === hour &&
    utc.getUTCMinutes() === minute &&
    utc.getUTCSeconds() === second
  );
}

/**
 * Milliseconds since the epoch of an RFC 3339 date-time (`2019-11-16T10:11:12.634234626Z`), the
 * fraction truncated to milliseconds; undefined for anything else, an impossible date included.
 */
export function parseRfc3339(text: string): number | undefined {
  const match = RFC3339.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '', zulu, sign, offsetHours, offsetMinutes] =
    match;
  const parts = [year, month, day, hour, minute, second].map(Number);
  const [y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0] = parts;
  const local = new Date(Date.UTC(y, mo - 1, d, h, mi, s, Number(fraction.padEnd(3, '0').slice(0, 3))));
  if (!isRealDateTime(parts, local)) return undefined;
  if (zulu !== undefined) return local.getTime();
  const [offsetH, offsetM] = [Number(offsetHours), Number(offsetMinutes)];
  if (offsetH > 23 || offsetM > 59) return undefined;
  const offset = (sign === '-' ? -1 : 1) * (offsetH * 60 + offsetM) * 60_000;
  return local.getTime() - offset;
}

/**
 * Verifies a Twitch EventSub message: its id, timestamp and signature headers, the timestamp within
 * `toleranceSeconds` of now in either direction (Twitch's docs only ask to reject old messages).
 */
export function verifyTwitch(input: VerificationInput, options: SchemeConfig<'twitch'>): VerificationResult {
  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');
  const id = readHeader(input.headers, ID_HEADER);
  const timestamp = readHeader(input.headers, TIMESTAMP_HEADER);
  const signature = readHeader(input.headers, SIGNATURE_HEADER);
  if (signature === undefined) return fail('missing_signature', `${SIGNATURE_HEADER} header absent`);
  if (id === undefined) return fail('missing_signature', `${ID_HEADER} header absent`);
  if (timestamp === undefined) return fail('missing_timestamp', `${TIMESTAMP_HEADER} header absent`);
  const signedAt = parseRfc3339(timestamp);
  if (signedAt === undefined) return fail('malformed_timestamp', 'timestamp is not an RFC 3339 date-time');
  const check = checkEpochMilliseconds(
    signedAt,
    input.now,
    options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
  );
  if (!check.ok) return fail(check.reason, check.detail);

  const digest = decodePrefixedDigest(signature, PREFIX, 'hex', 'sha256');
  if (digest === undefined) return fail('malformed_signature', `${SIGNATURE_HEADER} is not ${PREFIX}<hex>`);
  const keyIndex = findMatchingSecret(input.secrets, 'sha256', [digest], [id, timestamp, input.body]);
  if (keyIndex === undefined) return fail('signature_mismatch', 'no secret produced this signature');
  return { ok: true, scheme: 'twitch', keyId: String(keyIndex), signedAt: check.signedAt };
}

/** The message type a body stands for: a challenge, an event, or a subscription no longer enabled. */
function messageTypeOf(payload: unknown): string {
  if (stringAt(payload, 'challenge') !== undefined) return VERIFICATION;
  const status = stringAt(payload, 'subscription', 'status');
  const hasEvent = typeof payload === 'object' && payload !== null && 'event' in payload;
  return !hasEvent && status !== undefined && status !== 'enabled' ? REVOCATION : 'notification';
}

/** Signs as Twitch sends, the message type and subscription headers read from the body. */
function signTwitch({ body, secret, now, deliveryId }: RequestToSign): SignedRequest {
  const timestamp = now.toISOString();
  const payload = parseJson(body);
  const subscriptionType = stringAt(payload, 'subscription', 'type');
  const subscriptionVersion = stringAt(payload, 'subscription', 'version');
  return {
    headers: {
      [ID_HEADER]: deliveryId,
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: `${PREFIX}${hexHmacSha256(secret, deliveryId, timestamp, body)}`,
      [TYPE_HEADER]: messageTypeOf(payload),
      [RETRY_HEADER]: '0',
      ...(subscriptionType === undefined ? {} : { [SUBSCRIPTION_TYPE_HEADER]: subscriptionType }),
      ...(subscriptionVersion === undefined ? {} : { [SUBSCRIPTION_VERSION_HEADER]: subscriptionVersion }),
    },
  };
}

/**
 * Answers Twitch's signed messages about the subscription itself, after verification:
 * `webhook_callback_verification` with `200`, `text/plain` and the raw challenge; `revocation` with
 * `204`, logged (`handshake answered`, kind `twitch.revocation`) but never stored as an event, as
 * Twitch only needs its 2xx.
 */
export function answerTwitchVerification({ headers, payload }: HandshakeRequest): HandshakeOutcome {
  const type = readHeader(headers, TYPE_HEADER);
  if (type === REVOCATION) return { kind: `twitch.${REVOCATION}`, statusCode: 204 };
  if (type !== VERIFICATION) return undefined;
  const kind = `twitch.${VERIFICATION}`;
  const challenge = stringAt(payload, 'challenge');
  if (challenge === undefined || challenge === '')
    return handshakeRefused(kind, `${VERIFICATION} has no challenge`);
  return plainTextEcho(kind, challenge);
}

/** Twitch EventSub: verifier, signer, message-id dedupe, and the challenge handshake. */
export const twitchScheme: SchemeDefinition<'twitch'> = {
  verify: verifyTwitch,
  sign: signTwitch,
  handshake: answerTwitchVerification,
  deliveryId: ({ headers }) => readHeader(headers, ID_HEADER),
  eventType: ({ headers }) => readHeader(headers, SUBSCRIPTION_TYPE_HEADER),
};
