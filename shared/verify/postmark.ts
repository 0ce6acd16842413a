import { decodeStrictBase64 } from './encoding.js';
import { readHeader } from './headers.js';
import { stringAt } from './payload.js';
import { CannotSignError, type DeliveryView, type SchemeConfig, type SchemeDefinition } from './scheme.js';
import { hasUsableSecret } from './signatures.js';
import { findMatchingToken } from './tokens.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';

const fail = failureOf('postmark');
const BASIC = /^basic (\S+)$/i;
/** The field each record type stamps its time in (Delivery, Open/Click, Bounce/SpamComplaint, SubscriptionChange). */
const TIME_FIELDS = ['DeliveredAt', 'ReceivedAt', 'BouncedAt', 'ChangedAt'] as const;

/**
 * Verifies a Postmark webhook. Postmark signs nothing: the webhook URL carries HTTP Basic
 * credentials (`https://user:pass@host/path`), sent as `Authorization: Basic base64(user:pass)`,
 * and the decoded `user:pass` must equal one of the secrets (constant time). It proves the sender
 * knows the credentials, not what the body says.
 */
export function verifyPostmark(
  input: VerificationInput,
  _options: SchemeConfig<'postmark'>,
): VerificationResult {
  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');
  const authorization = readHeader(input.headers, 'authorization');
  if (authorization === undefined) return fail('missing_token', 'authorization header absent');
  const encoded = BASIC.exec(authorization)?.[1];
  const credentials = encoded === undefined ? undefined : decodeStrictBase64(encoded)?.toString('utf8');
  if (credentials === undefined || !credentials.includes(':')) {
    return fail('malformed_token', 'authorization is not Basic base64(user:pass)');
  }
  const keyIndex = findMatchingToken(input.secrets, credentials);
  if (keyIndex === undefined) return fail('signature_mismatch', 'the Basic credentials equal no secret');
  return { ok: true, scheme: 'postmark', keyId: String(keyIndex) };
}

/**
 * `RecordType:MessageID:recipient:time`. One message yields several records of one type (a Delivery
 * per recipient, an Open per open, a Click per click), so type and message id alone would drop real
 * events as duplicates; the recipient and the record's own time tell them apart and are the same
 * when Postmark retries the record.
 */
function postmarkDeliveryId({ payload }: DeliveryView): string | undefined {
  const recordType = stringAt(payload, 'RecordType');
  const messageId = stringAt(payload, 'MessageID');
  if (recordType === undefined || messageId === undefined) return undefined;
  const recipient = stringAt(payload, 'Recipient') ?? stringAt(payload, 'Email') ?? '';
  const time = TIME_FIELDS.map((field) => stringAt(payload, field)).find((value) => value !== undefined);
  return [recordType, messageId, recipient, time ?? ''].join(':');
}

export const postmarkScheme: SchemeDefinition<'postmark'> = {
  verify: verifyPostmark,
  sign: (request) => {
    if (!request.secret.includes(':')) throw new CannotSignError('a Postmark secret is user:pass');
    return { headers: { authorization: `Basic ${Buffer.from(request.secret, 'utf8').toString('base64')}` } };
  },
  deliveryId: postmarkDeliveryId,
  eventType: ({ payload }) => stringAt(payload, 'RecordType'),
};
