import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodeStrictBase64 } from './encoding.js';
import { type TimestampedPublicKeyRule, verifyTimestampedPublicKey } from './public-key.js';
import { CannotSignError, type SchemeConfig, type SchemeDefinition } from './scheme.js';
import { DEFAULT_TOLERANCE_SECONDS } from './timestamp.js';
import type { VerificationInput, VerificationResult } from './types.js';

/**
 * Twilio SendGrid signed Event Webhook. `X-Twilio-Email-Event-Webhook-Signature` is the base64 ASN.1
 * DER ECDSA P-256/SHA-256 signature of `${X-Twilio-Email-Event-Webhook-Timestamp}${raw body}`.
 */

const SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
const TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';
const DER_SEQUENCE = 0x30;
/** A P-256 DER signature: SEQUENCE of two INTEGERs of at most 33 bytes each. */
const MIN_DER_SIGNATURE_BYTES = 8;
const MAX_DER_SIGNATURE_BYTES = 72;

/**
 * The DER signature when its outer SEQUENCE is whole (short-form length matching the bytes that
 * follow), so a truncated signature reads as malformed rather than as a mismatch.
 */
function decodeDerSignature(value: string): Buffer | undefined {
  const bytes = decodeStrictBase64(value);
  if (bytes === undefined) return undefined;
  if (bytes.length < MIN_DER_SIGNATURE_BYTES || bytes.length > MAX_DER_SIGNATURE_BYTES) return undefined;
  return bytes[0] === DER_SEQUENCE && bytes[1] === bytes.length - 2 ? bytes : undefined;
}

/** An ECDSA P-256 public key from base64 DER SubjectPublicKeyInfo, as the SendGrid dashboard shows it. */
function parseP256PublicKey(secret: string): KeyObject | undefined {
  const der = decodeStrictBase64(secret);
  if (der === undefined) return undefined;
  try {
    const key = createPublicKey({ key: der, format: 'der', type: 'spki' });
    const isP256 = key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
    return isP256 ? key : undefined;
  } catch {
    return undefined;
  }
}

const SENDGRID_RULE: TimestampedPublicKeyRule = {
  scheme: 'sendgrid',
  signatureHeader: SIGNATURE_HEADER,
  timestampHeader: TIMESTAMP_HEADER,
  decodeSignature: decodeDerSignature,
  signatureFormat: 'base64 of a DER ECDSA signature',
  parseKey: parseP256PublicKey,
  keyFormat: 'base64 DER of an ECDSA P-256 public key',
  digest: 'sha256',
};

/**
 * Verifies a SendGrid Event Webhook request against the verification key(s) (base64 DER SPKI).
 *
 * Differences from `@sendgrid/eventwebhook`: the raw body bytes are verified (the SDK decodes a
 * Buffer as UTF-8 first, and `JSON.stringify`s a parsed body, both of which can change what is
 * checked), and the timestamp must lie within `toleranceSeconds` (default 300) of now, past or
 * future. SendGrid signs the timestamp but documents no window and the SDK checks none; without
 * one a captured batch could be replayed forever.
 */
export function verifySendgrid(
  input: VerificationInput,
  options: SchemeConfig<'sendgrid'>,
): VerificationResult {
  return verifyTimestampedPublicKey(
    input,
    SENDGRID_RULE,
    options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
  );
}

/**
 * The batch's event type: the `event` (`delivered`, `bounce`) its items share. A batch that mixes
 * types has none, so a filter on one type never lets the other items through unseen.
 */
function sendgridEventType(payload: unknown): string | undefined {
  if (!Array.isArray(payload) || payload.length === 0) return undefined;
  const types = new Set(
    payload.map((item: unknown) =>
      typeof item === 'object' && item !== null ? (item as { event?: unknown }).event : undefined,
    ),
  );
  const [only] = types;
  return types.size === 1 && typeof only === 'string' ? only : undefined;
}

/**
 * No `deliveryId`: a batch has no id of its own (each item has an `sg_event_id`), so the gateway
 * dedupes a re-sent batch by its body hash.
 */
export const sendgridScheme: SchemeDefinition<'sendgrid'> = {
  verify: verifySendgrid,
  sign: () => {
    throw new CannotSignError('sendgrid verifies with a public key, which cannot sign');
  },
  eventType: ({ payload }) => sendgridEventType(payload),
};
