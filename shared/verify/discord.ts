import { createPublicKey, type KeyObject, verify as verifySignature } from 'node:crypto';
import type { VerifyScheme } from '../config/types.js';
import { readHeader } from './hmac.js';
import {
  CannotSignError,
  type HandshakeOutcome,
  type HandshakeRequest,
  type SchemeConfig,
  type SchemeDefinition,
  stringAt,
} from './scheme.js';
import { checkTimestamp, DEFAULT_TOLERANCE_SECONDS } from './timestamp.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';

/**
 * Discord: interactions endpoints and webhook events. `X-Signature-Ed25519` is the hex Ed25519
 * signature of `${X-Signature-Timestamp}${raw body}` under the application's public key.
 */

const SIGNATURE_HEADER = 'x-signature-ed25519';
const TIMESTAMP_HEADER = 'x-signature-timestamp';
const ED25519_PUBLIC_KEY_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;
const HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Interaction `type` values (discord-interactions' `InteractionType`). */
const INTERACTION_TYPES: Readonly<Record<number, string>> = {
  1: 'PING',
  2: 'APPLICATION_COMMAND',
  3: 'MESSAGE_COMPONENT',
  4: 'APPLICATION_COMMAND_AUTOCOMPLETE',
  5: 'MODAL_SUBMIT',
};
const INTERACTION_PING = 1;
const WEBHOOK_EVENT_PING = 0;

/**
 * How a provider signs `${timestamp header}${raw body}` with a private key, verified against the
 * public keys among the route's secrets. Discord (Ed25519) and SendGrid (ECDSA P-256) differ only
 * in these parts.
 */
export interface TimestampedPublicKeyRule {
  readonly scheme: VerifyScheme;
  /** Lower-cased header names. */
  readonly signatureHeader: string;
  readonly timestampHeader: string;
  /** The signature's bytes when the header value is well formed, else undefined. */
  readonly decodeSignature: (value: string) => Buffer | undefined;
  /** Describes the expected signature format in failure details. */
  readonly signatureFormat: string;
  /** The public key a secret holds, or undefined when it holds none of the expected kind. */
  readonly parseKey: (secret: string) => KeyObject | undefined;
  /** Describes the expected key format in failure details. */
  readonly keyFormat: string;
  /** Digest for `crypto.verify`: `null` for Ed25519, which hashes internally. */
  readonly digest: 'sha256' | null;
}

/**
 * Verifies a signature over `${timestamp}${raw body}` against every public key among the secrets;
 * `keyId` is the index of the key that verified. The timestamp is unix seconds, checked past and
 * future against `toleranceSeconds`.
 */
export function verifyTimestampedPublicKey(
  input: VerificationInput,
  rule: TimestampedPublicKeyRule,
  toleranceSeconds: number,
): VerificationResult {
  const fail = failureOf(rule.scheme);
  if (!input.secrets.some((secret) => secret.trim() !== '')) {
    return fail('missing_secret', 'no public key configured');
  }
  const signature = readHeader(input.headers, rule.signatureHeader);
  if (signature === undefined) return fail('missing_signature', `${rule.signatureHeader} header absent`);
  const timestamp = readHeader(input.headers, rule.timestampHeader);
  if (timestamp === undefined) return fail('missing_timestamp', `${rule.timestampHeader} header absent`);
  const signed = checkTimestamp(timestamp, input.now, toleranceSeconds);
  if (!signed.ok) return fail(signed.reason, signed.detail);

  const signatureBytes = rule.decodeSignature(signature);
  if (signatureBytes === undefined) {
    return fail('malformed_signature', `${rule.signatureHeader} is not ${rule.signatureFormat}`);
  }
  const keys = input.secrets.map((secret) => rule.parseKey(secret.trim()));
  if (keys.every((key) => key === undefined)) {
    return fail('malformed_secret', `no configured secret is ${rule.keyFormat}`);
  }

  const content = Buffer.concat([Buffer.from(timestamp, 'utf8'), input.body]);
  const index = keys.findIndex(
    (key) => key !== undefined && signatureVerifies(rule.digest, content, key, signatureBytes),
  );
  if (index < 0) {
    return fail('signature_mismatch', `signature checked against ${keys.filter(Boolean).length} key(s)`);
  }
  return { ok: true, scheme: rule.scheme, keyId: String(index), signedAt: signed.signedAt };
}

function signatureVerifies(
  digest: 'sha256' | null,
  content: Buffer,
  key: KeyObject,
  signature: Buffer,
): boolean {
  try {
    return verifySignature(digest, content, key, signature);
  } catch {
    // A signature that is not even a valid encoding for the key type (say, bad DER) is a mismatch.
    return false;
  }
}

/**
 * Strict, canonical, padded base64 (so one value has one spelling); undefined otherwise. Shared
 * with the other public-key schemes (SendGrid keys and signatures, SNS signatures).
 */
export function decodeCanonicalBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}

/** Strict hex of exactly `bytes` bytes, either case; undefined otherwise. */
function decodeHex(text: string, bytes: number): Buffer | undefined {
  return text.length === bytes * 2 && HEX.test(text) ? Buffer.from(text, 'hex') : undefined;
}

function parseEd25519PublicKey(secret: string): KeyObject | undefined {
  const raw = decodeHex(secret, ED25519_PUBLIC_KEY_BYTES);
  if (raw === undefined) return undefined;
  try {
    return createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
      format: 'jwk',
    });
  } catch {
    return undefined;
  }
}

const DISCORD_RULE: TimestampedPublicKeyRule = {
  scheme: 'discord',
  signatureHeader: SIGNATURE_HEADER,
  timestampHeader: TIMESTAMP_HEADER,
  decodeSignature: (value) => decodeHex(value, ED25519_SIGNATURE_BYTES),
  signatureFormat: `${ED25519_SIGNATURE_BYTES * 2} hex digits`,
  parseKey: parseEd25519PublicKey,
  keyFormat: `an Ed25519 public key of ${ED25519_PUBLIC_KEY_BYTES * 2} hex digits`,
  digest: null,
};

/**
 * Verifies a Discord request: `X-Signature-Ed25519` (hex Ed25519) over
 * `${X-Signature-Timestamp}${raw body}` under one of the application public keys (hex).
 *
 * Unlike `discord-interactions`' `verifyKey`, which checks no time, the timestamp must lie within
 * `toleranceSeconds` (default 300) of now, past or future, so a captured request cannot be replayed
 * later. Discord sends deliberately bad signatures to check the endpoint; those fail here (401).
 */
export function verifyDiscord(
  input: VerificationInput,
  options: SchemeConfig<'discord'>,
): VerificationResult {
  return verifyTimestampedPublicKey(
    input,
    DISCORD_RULE,
    options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
  );
}

/** A top-level field of a JSON object payload; undefined for anything else. */
function field(payload: unknown, name: string): unknown {
  return typeof payload === 'object' && payload !== null && !Array.isArray(payload)
    ? (payload as Record<string, unknown>)[name]
    : undefined;
}

/** Whether the payload is a webhook event (it carries an `event` object) rather than an interaction. */
function isWebhookEvent(payload: unknown): boolean {
  const event = field(payload, 'event');
  return typeof event === 'object' && event !== null;
}

/**
 * The event type: a webhook event's `event.type` (`APPLICATION_AUTHORIZED`), `PING` for a webhook
 * events ping, else the interaction type's name (`APPLICATION_COMMAND`).
 */
function discordEventType(payload: unknown): string | undefined {
  if (isWebhookEvent(payload)) return stringAt(payload, 'event', 'type');
  const type = field(payload, 'type');
  if (type === WEBHOOK_EVENT_PING) return 'PING';
  return typeof type === 'number' ? INTERACTION_TYPES[type] : undefined;
}

/**
 * Answers Discord's signed PINGs: an interactions PING (`{"type":1}`) gets the PONG
 * `{"type":1}` as JSON; a webhook events PING (`{"type":0}`) gets `204` with no body.
 */
function discordHandshake(request: HandshakeRequest): HandshakeOutcome {
  const { payload } = request;
  if (isWebhookEvent(payload)) return undefined;
  const type = field(payload, 'type');
  if (type === INTERACTION_PING) {
    return {
      kind: 'discord.ping',
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: INTERACTION_PING }),
    };
  }
  if (type === WEBHOOK_EVENT_PING) return { kind: 'discord.webhook_ping', statusCode: 204 };
  return undefined;
}

export const discordScheme: SchemeDefinition<'discord'> = {
  verify: verifyDiscord,
  sign: () => {
    throw new CannotSignError('discord verifies with the application public key, which cannot sign');
  },
  // The interaction id; webhook events carry none, so the gateway falls back to the body hash.
  deliveryId: ({ payload }) => stringAt(payload, 'id'),
  eventType: ({ payload }) => discordEventType(payload),
  handshake: discordHandshake,
};
