import { type BodySignatureFormat, bodySignature, signBody, verifyBodySignature } from './body-signature.js';
import { handshakeRefused, jsonAnswer } from './handshake-answers.js';
import { isJsonObject } from './payload.js';
import type { HandshakeOutcome, HandshakeRequest, HandshakeTools, SchemeDefinition } from './scheme.js';
import type { VerificationInput, VerificationResult } from './types.js';

/** X signs events and answers CRCs the same way: `sha256=` and a base64 HMAC-SHA256. */
const X_SIGNATURE: BodySignatureFormat = {
  header: 'x-twitter-webhooks-signature',
  algorithm: 'sha256',
  encoding: 'base64',
  prefix: 'sha256=',
};
const HANDSHAKE = 'x.crc';
/** Far above any token X sends, far below what would let a caller have arbitrary content signed. */
const MAX_CRC_TOKEN_LENGTH = 1024;
/** A JSON object or array, the only bodies an X route's handler takes as events. */
const JSON_DOCUMENT = /^\s*[[{]/;

/**
 * Verifies an X Account Activity webhook: `x-twitter-webhooks-signature: sha256=<base64
 * HMAC-SHA256 of the raw body>` keyed with the app's consumer secret. Nothing is timestamped.
 */
export function verifyX(input: VerificationInput): VerificationResult {
  return verifyBodySignature('x', input, X_SIGNATURE);
}

/**
 * X's Challenge-Response Check: `GET ?crc_token=<t>` is answered `200 application/json
 * {"response_token":"sha256=<base64 HMAC-SHA256(consumer secret, t)>"}` with the newest secret.
 *
 * The answer is the signature X would put on a body equal to `t`, so anyone who can send a GET
 * could have a forged event signed. Tokens that look like a JSON document (what an event body is),
 * or are unusually long, are therefore refused; X documents its tokens as short opaque strings.
 * X's docs answer every token; this refusal is Hookline's own.
 */
export async function answerXCrc(
  request: HandshakeRequest,
  _options: unknown,
  tools: HandshakeTools,
): Promise<HandshakeOutcome> {
  const token = request.url.searchParams.get('crc_token');
  if (request.method !== 'GET' || token === null) return undefined;
  if (token === '') return handshakeRefused(HANDSHAKE, 'crc_token is empty');
  if (token.length > MAX_CRC_TOKEN_LENGTH || JSON_DOCUMENT.test(token)) {
    return handshakeRefused(HANDSHAKE, 'crc_token could be signed as an event body');
  }
  const secret = (await tools.secrets()).find((value) => value !== '');
  if (secret === undefined)
    return handshakeRefused(HANDSHAKE, 'no consumer secret configured to answer with');
  return jsonAnswer(HANDSHAKE, { response_token: bodySignature(X_SIGNATURE, secret, token) });
}

/** The activity's kind: the payload's top-level key ending in `_events` (`tweet_create_events`). */
export function xEventType(payload: unknown): string | undefined {
  if (!isJsonObject(payload)) return undefined;
  return Object.keys(payload).find((key) => key.endsWith('_events'));
}

export const xScheme: SchemeDefinition<'x'> = {
  verify: verifyX,
  sign: ({ body, secret }) => ({ headers: signBody('x', X_SIGNATURE, secret, body) }),
  // X sends no delivery id: dedupe falls back to a body hash.
  eventType: ({ payload }) => xEventType(payload),
  challenge: answerXCrc,
};
