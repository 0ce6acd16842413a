import { randomBytes } from 'node:crypto';
import { isJsonObject, parseJson, stringAt } from './payload.js';
import {
  CannotSignError,
  type RequestToSign,
  type SchemeConfig,
  type SchemeDefinition,
  type SignedRequest,
} from './scheme.js';
import { decodeDigests, findMatchingSecret, hasUsableSecret, hmac } from './signatures.js';
import { checkTimestamp, DEFAULT_TOLERANCE_SECONDS, unixSeconds } from './timestamp.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';

const fail = failureOf('mailgun');
/** Mailgun's tokens are 50 characters; 25 random bytes in hex look the same. */
const TOKEN_BYTES = 25;

/** The signature fields Mailgun sends inside the body. */
interface SignatureFields {
  readonly timestamp: string | undefined;
  readonly token: string | undefined;
  /** `signature`, and `parent-signature` (the primary account's key) for a sub-account's events. */
  readonly signatures: readonly string[];
}

/** A JSON string, or a safe integer as its decimal text (the docs call `timestamp` an int). */
function textOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  return Number.isSafeInteger(value) ? String(value) : undefined;
}

function fieldsOf(read: (name: string) => unknown): SignatureFields {
  return {
    timestamp: textOf(read('timestamp')),
    token: textOf(read('token')),
    signatures: [read('signature'), read('parent-signature')].filter(
      (value): value is string => typeof value === 'string' && value !== '',
    ),
  };
}

/**
 * The signature fields of a JSON body (`signature: {timestamp, token, signature}`) or of a
 * urlencoded form (fields of the same names); `undefined` when the body has none.
 */
function signatureFields(input: VerificationInput): SignatureFields | undefined {
  const text = Buffer.from(input.body).toString('utf8');
  if ((input.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(text);
    return fieldsOf((name) => form.get(name) ?? undefined);
  }
  const signature = (parseJson(text) as { signature?: unknown } | undefined)?.signature;
  return isJsonObject(signature) ? fieldsOf((name) => signature[name]) : undefined;
}

/**
 * Verifies a Mailgun webhook. The signature travels in the body: `signature.signature` is the hex
 * HMAC-SHA256 of `${timestamp}${token}` (no separator) with the webhook signing key, and
 * `signature.timestamp` must be within `toleranceSeconds` of now, past or future. **The rest of the
 * body is not covered**: a valid signature proves a Mailgun request was seen recently, not that
 * `event-data` is Mailgun's. Mailgun advises remembering tokens to refuse a replay within the window;
 * the gateway's dedupe on `event-data.id` does that for events. A sub-account's `parent-signature`
 * (primary account's key) is accepted too. multipart/form-data bodies (old-style webhooks with
 * attachments) are not read: they fail as unsigned.
 */
export function verifyMailgun(
  input: VerificationInput,
  options: SchemeConfig<'mailgun'>,
): VerificationResult {
  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');
  const fields = signatureFields(input);
  if (fields === undefined) return fail('missing_signature', 'body has no signature object');
  if (fields.signatures.length === 0) return fail('missing_signature', 'signature.signature absent');
  if (fields.timestamp === undefined) return fail('missing_timestamp', 'signature.timestamp absent');
  if (fields.token === undefined) return fail('missing_token', 'signature.token absent');
  const check = checkTimestamp(
    fields.timestamp,
    input.now,
    options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
  );
  if (!check.ok) return fail(check.reason, check.detail);

  const digests = decodeDigests(fields.signatures, 'hex', 'sha256');
  if (digests.length === 0)
    return fail('malformed_signature', 'signature.signature is not hex of a SHA-256 HMAC');
  const keyIndex = findMatchingSecret(input.secrets, 'sha256', digests, [fields.timestamp, fields.token]);
  if (keyIndex === undefined) return fail('signature_mismatch', 'no secret produced this signature');
  return { ok: true, scheme: 'mailgun', keyId: String(keyIndex), signedAt: check.signedAt };
}

/** The JSON body with its `signature` object set, as Mailgun posts it. */
function signMailgun(request: RequestToSign): SignedRequest {
  const payload = request.body === '' ? {} : parseJson(request.body);
  if (!isJsonObject(payload)) throw new CannotSignError('Mailgun signs a JSON object body');
  const timestamp = String(unixSeconds(request.now));
  const token = randomBytes(TOKEN_BYTES).toString('hex');
  const signature = {
    timestamp,
    token,
    signature: hmac('sha256', request.secret, `${timestamp}${token}`).toString('hex'),
  };
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...payload, signature }) };
}

export const mailgunScheme: SchemeDefinition<'mailgun'> = {
  verify: verifyMailgun,
  sign: signMailgun,
  /**
   * `event-data.id`, the event's id, the same on every retry. Not `token`: it names one signing,
   * and whether Mailgun signs a retry anew is not documented. Old-style form posts have neither id;
   * the body hash dedupes those.
   */
  deliveryId: ({ payload }) => stringAt(payload, 'event-data', 'id'),
  eventType: ({ payload }) => stringAt(payload, 'event-data', 'event') ?? stringAt(payload, 'event'),
};
