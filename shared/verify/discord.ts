import type { KeyObject } from 'node:crypto';
import { decodeHex } from './encoding.js';
import { jsonAnswer } from './handshake-answers.js';
import { isJsonObject, stringAt } from './payload.js';
import { ed25519PublicKey, type TimestampedPublicKeyRule, verifyTimestampedPublicKey } from './public-key.js';
import {
  CannotSignError,
  type HandshakeOutcome,
  type HandshakeRequest,
  type SchemeConfig,
  type SchemeDefinition,
} from './scheme.js';
import { DEFAULT_TOLERANCE_SECONDS } from './timestamp.js';
import type { VerificationInput, VerificationResult } from './types.js';

/**
 * Discord: interactions endpoints and webhook events. `X-Signature-Ed25519` is the hex Ed25519
 * signature of `${X-Signature-Timestamp}${raw body}` under the application's public key.
 */

const SIGNATURE_HEADER = 'x-signature-ed25519';
const TIMESTAMP_HEADER = 'x-signature-timestamp';
const ED25519_PUBLIC_KEY_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;

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

/** An application public key: 32 bytes in hex, as the Developer Portal shows it. */
function parseEd25519PublicKey(secret: string): KeyObject | undefined {
  const raw = decodeHex(secret, ED25519_PUBLIC_KEY_BYTES);
  return raw === undefined ? undefined : ed25519PublicKey(raw);
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
  return isJsonObject(payload) ? payload[name] : undefined;
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
    return jsonAnswer('discord.ping', { type: INTERACTION_PING });
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
