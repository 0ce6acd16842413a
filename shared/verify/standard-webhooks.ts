import type { KeyObject } from 'node:crypto';
import type { StandardWebhooksVerifyConfig } from '../config/types.js';
import { bytesEqual } from './constant-time.js';
import { decodeBase64PaddingOptional } from './encoding.js';
import { stringAt } from './payload.js';
import { ed25519PublicKey, signatureVerifies } from './public-key.js';
import { CannotSignError, type SchemeDefinition } from './scheme.js';
import { hmac } from './signatures.js';
import { checkTimestamp, DEFAULT_TOLERANCE_SECONDS, unixSeconds } from './timestamp.js';
import type { VerificationFailureReason, VerificationInput, VerificationResult } from './types.js';

/**
 * Standard Webhooks (https://www.standardwebhooks.com), also what Svix sends.
 *
 * Signed content is `${webhook-id}.${webhook-timestamp}.${raw body}`; `webhook-signature` is a
 * space-separated list of `v1,<base64 HMAC-SHA256>` and `v1a,<base64 ed25519>` entries, any of which
 * may match. Entries with other versions are ignored.
 */

const SYMMETRIC_PREFIX = 'whsec_';
const PUBLIC_KEY_PREFIX = 'whpk_';
const HMAC_SHA256_BYTES = 32;
const ED25519_PUBLIC_KEY_BYTES = 32;
const ED25519_SIGNATURE_BYTES = 64;

type SignatureVersion = 'v1' | 'v1a';

interface ParsedSignature {
  readonly version: SignatureVersion;
  readonly bytes: Buffer;
}

type VerificationKey =
  | { readonly kind: 'v1'; readonly index: number; readonly key: Buffer }
  | { readonly kind: 'v1a'; readonly index: number; readonly key: KeyObject };

export function verifyStandardWebhooks(
  input: VerificationInput,
  options: StandardWebhooksVerifyConfig,
): VerificationResult {
  if (!input.secrets.some((secret) => secret.trim() !== '')) {
    return fail('missing_secret', 'no secret configured');
  }

  const headers = readHeaders(input);
  if ('ok' in headers) return headers;

  const signed = checkTimestamp(
    headers.timestamp,
    input.now,
    options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
  );
  if (!signed.ok) return fail(signed.reason, signed.detail);

  const keys = parseSecrets(input.secrets);
  if (keys.length === 0) {
    return fail('malformed_secret', 'no secret is whsec_/whpk_ or bare base64 of a valid key');
  }

  const signatures = parseSignatureHeader(headers.signature);
  if (signatures.length === 0) return fail('malformed_signature', 'no v1 or v1a signature entry');

  const signedPrefix = Buffer.from(`${headers.id}.${headers.timestamp}.`, 'utf8');
  const key = matchingKey(keys, signatures, signedPrefix, input.body);
  if (key !== undefined) {
    return { ok: true, scheme: 'standardWebhooks', keyId: String(key.index), signedAt: signed.signedAt };
  }
  const ignored = input.secrets.length - keys.length;
  return fail(
    'signature_mismatch',
    `${signatures.length} signature(s) checked against ${keys.length} key(s)` +
      (ignored > 0 ? `; ${ignored} malformed secret(s) ignored` : ''),
  );
}

function fail(reason: VerificationFailureReason, detail: string): VerificationResult {
  return { ok: false, scheme: 'standardWebhooks', reason, detail };
}

interface SignedHeaders {
  readonly id: string;
  readonly timestamp: string;
  readonly signature: string;
}

/** The three signed headers, or the failure naming the first one missing. */
function readHeaders(input: VerificationInput): SignedHeaders | VerificationResult {
  const id = header(input, 'webhook-id', 'svix-id');
  const timestamp = header(input, 'webhook-timestamp', 'svix-timestamp');
  const signature = header(input, 'webhook-signature', 'svix-signature');
  if (id === undefined) return fail('missing_signature', 'no webhook-id header');
  if (timestamp === undefined) return fail('missing_timestamp', 'no webhook-timestamp header');
  if (signature === undefined) return fail('missing_signature', 'no webhook-signature header');
  return { id, timestamp, signature };
}

/** The usable keys among the secrets, each with its index; malformed secrets are left out. */
function parseSecrets(secrets: readonly string[]): VerificationKey[] {
  const keys: VerificationKey[] = [];
  secrets.forEach((secret, index) => {
    const key = parseSecret(secret, index);
    if (key !== undefined) keys.push(key);
  });
  return keys;
}

/** The first key (in secret order) that one of the signatures of its version matches. */
function matchingKey(
  keys: readonly VerificationKey[],
  signatures: readonly ParsedSignature[],
  signedPrefix: Buffer,
  body: Uint8Array,
): VerificationKey | undefined {
  // ed25519 signs the whole message, so it is copied into one buffer only when a v1a entry is present.
  const content = signatures.some((signature) => signature.version === 'v1a')
    ? Buffer.concat([signedPrefix, body])
    : Buffer.alloc(0);
  for (const key of keys) {
    const candidates = signatures.filter((signature) => signature.version === key.kind);
    if (candidates.length === 0) continue;
    let matched: boolean;
    if (key.kind === 'v1') {
      const expected = hmac('sha256', key.key, signedPrefix, body);
      matched = candidates.some((signature) => bytesEqual(signature.bytes, expected));
    } else {
      matched = candidates.some((signature) => signatureVerifies(null, content, key.key, signature.bytes));
    }
    if (matched) return key;
  }
  return undefined;
}

/** A header by its Standard Webhooks name, falling back to the Svix name; empty counts as missing. */
function header(input: VerificationInput, name: string, fallback: string): string | undefined {
  const value = input.headers[name] || input.headers[fallback];
  return value === undefined || value === '' ? undefined : value;
}

function parseSignatureHeader(value: string): ParsedSignature[] {
  const signatures: ParsedSignature[] = [];
  for (const entry of value.split(/\s+/)) {
    const comma = entry.indexOf(',');
    if (comma < 0) continue;
    const version = entry.slice(0, comma);
    if (version !== 'v1' && version !== 'v1a') continue;
    const bytes = decodeBase64PaddingOptional(entry.slice(comma + 1));
    const expectedLength = version === 'v1' ? HMAC_SHA256_BYTES : ED25519_SIGNATURE_BYTES;
    if (bytes?.length !== expectedLength) continue;
    signatures.push({ version, bytes });
  }
  return signatures;
}

/** `whsec_<base64>` or bare base64 → HMAC key; `whpk_<base64>` → ed25519 public key. */
function parseSecret(secret: string, index: number): VerificationKey | undefined {
  const trimmed = secret.trim();
  if (trimmed.startsWith(PUBLIC_KEY_PREFIX)) {
    const raw = decodeBase64PaddingOptional(trimmed.slice(PUBLIC_KEY_PREFIX.length));
    const key = raw?.length === ED25519_PUBLIC_KEY_BYTES ? ed25519PublicKey(raw) : undefined;
    return key === undefined ? undefined : { kind: 'v1a', index, key };
  }
  const encoded = trimmed.startsWith(SYMMETRIC_PREFIX) ? trimmed.slice(SYMMETRIC_PREFIX.length) : trimmed;
  const key = decodeBase64PaddingOptional(encoded);
  if (key === undefined || key.length === 0) return undefined;
  return { kind: 'v1', index, key };
}

export const standardWebhooksScheme: SchemeDefinition<'standardWebhooks'> = {
  verify: verifyStandardWebhooks,
  sign: (request) => {
    const key = parseSecret(request.secret, 0);
    if (key?.kind !== 'v1') {
      throw new CannotSignError(
        'the route verifies ed25519 (a whpk_ public key) or has no usable secret: signing needs the private key',
      );
    }
    const timestamp = unixSeconds(request.now);
    const mac = hmac('sha256', key.key, `${request.deliveryId}.${timestamp}.`, request.body);
    return {
      headers: {
        'webhook-id': request.deliveryId,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': `v1,${mac.toString('base64')}`,
      },
    };
  },
  deliveryId: ({ headers }) => headers['webhook-id'] ?? headers['svix-id'],
  dedupeKind: 'webhook',
  eventType: ({ payload }) => stringAt(payload, 'type'),
};
