import { type BodySignatureFormat, bodySignature, signBody, verifyBodySignature } from './body-signature.js';
import { handshakeRefused, plainTextEcho } from './handshake-answers.js';
import { readHeader } from './headers.js';
import { stringAt } from './payload.js';
import type {
  HandshakeOutcome,
  HandshakeRequest,
  HandshakeTools,
  SchemeConfig,
  SchemeDefinition,
} from './scheme.js';
import { findMatchingToken } from './tokens.js';
import type { VerificationInput, VerificationResult } from './types.js';

const SHA256_SIGNATURE: BodySignatureFormat = {
  header: 'x-hub-signature-256',
  algorithm: 'sha256',
  encoding: 'hex',
  prefix: 'sha256=',
};
const SHA1_SIGNATURE: BodySignatureFormat = {
  header: 'x-hub-signature',
  algorithm: 'sha1',
  encoding: 'hex',
  prefix: 'sha1=',
};
const HANDSHAKE = 'meta.verification';

/**
 * Verifies a Meta webhook: `x-hub-signature-256: sha256=<hex HMAC-SHA256 of the raw body>` with the
 * App Secret, or the legacy `x-hub-signature: sha1=<hex>` when `allowSha1` is set and no sha256
 * header was sent. Meta signs the bytes it sends (its JSON escapes non-ASCII as `\uXXXX`), so only
 * the raw body verifies, never re-encoded JSON.
 */
export function verifyMeta(input: VerificationInput, options: SchemeConfig<'meta'>): VerificationResult {
  const legacyOnly =
    options.allowSha1 === true &&
    readHeader(input.headers, SHA256_SIGNATURE.header) === undefined &&
    readHeader(input.headers, SHA1_SIGNATURE.header) !== undefined;
  return verifyBodySignature('meta', input, legacyOnly ? SHA1_SIGNATURE : SHA256_SIGNATURE);
}

/**
 * Meta's endpoint verification: `GET ?hub.mode=subscribe&hub.challenge=<c>&hub.verify_token=<t>`
 * is answered `200 text/plain <c>` when `t` is one of the route's `verifyToken` values, and refused
 * with 403 otherwise. A GET without `hub.mode` is not a handshake.
 */
export async function answerMetaVerification(
  request: HandshakeRequest,
  options: SchemeConfig<'meta'>,
  tools: HandshakeTools,
): Promise<HandshakeOutcome> {
  const query = request.url.searchParams;
  const mode = query.get('hub.mode');
  if (request.method !== 'GET' || mode === null) return undefined;
  if (mode !== 'subscribe')
    return handshakeRefused(HANDSHAKE, 'hub.mode is not subscribe', 'invalid_verify_token');
  const token = query.get('hub.verify_token');
  if (token === null || token === '')
    return handshakeRefused(HANDSHAKE, 'hub.verify_token absent', 'invalid_verify_token');

  const expected = await tools.resolveSecret(options.verifyToken);
  if (!expected.some((value) => value !== '')) {
    return handshakeRefused(HANDSHAKE, 'no verify token configured', 'invalid_verify_token');
  }
  if (findMatchingToken(expected, token) === undefined) {
    return handshakeRefused(
      HANDSHAKE,
      'hub.verify_token matches no configured verify token',
      'invalid_verify_token',
    );
  }
  const challenge = query.get('hub.challenge');
  if (challenge === null || challenge === '') return handshakeRefused(HANDSHAKE, 'hub.challenge absent');
  return plainTextEcho(HANDSHAKE, challenge);
}

/**
 * `<object>.<field>` (`whatsapp_business_account.messages`) when every change in the batch names the
 * same field, else `<object>` alone (`page`, `instagram`): a batch can mix fields, and naming it by
 * its first entry would route the others wrongly.
 */
export function metaEventType(payload: unknown): string | undefined {
  const object = stringAt(payload, 'object');
  if (object === undefined) return undefined;
  const fields = new Set(changesOf(payload).map((change) => stringAt(change, 'field')));
  const [field] = fields;
  return fields.size === 1 && field !== undefined ? `${object}.${field}` : object;
}

function changesOf(payload: unknown): unknown[] {
  const entries = (payload as { entry?: unknown }).entry;
  if (!Array.isArray(entries)) return [];
  return entries.flatMap((entry: unknown) => {
    const changes = (entry as { changes?: unknown } | null)?.changes;
    return Array.isArray(changes) ? changes : [];
  });
}

export const metaScheme: SchemeDefinition<'meta'> = {
  verify: verifyMeta,
  // Meta sends both headers on every delivery.
  sign: ({ body, secret }) => ({
    headers: {
      ...signBody('meta', SHA256_SIGNATURE, secret, body),
      [SHA1_SIGNATURE.header]: bodySignature(SHA1_SIGNATURE, secret, body),
    },
  }),
  // No delivery id: a batch carries per-object ids only (WhatsApp `messages[].id`), so dedupe hashes the body.
  eventType: ({ payload }) => metaEventType(payload),
  challenge: answerMetaVerification,
};
