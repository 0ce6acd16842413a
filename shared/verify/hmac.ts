import type { HmacAlgorithm, HmacVerifyConfig, SignatureEncoding } from '../config/types.js';
import { bytesEqual, hmac } from './constant-time.js';
import type { SchemeDefinition } from './scheme.js';
import { checkTimestamp, DEFAULT_TOLERANCE_SECONDS, unixSeconds } from './timestamp.js';
import type {
  VerificationFailure,
  VerificationFailureReason,
  VerificationInput,
  VerificationResult,
} from './types.js';

/**
 * Generic HMAC verification, plus the building blocks the provider schemes (GitHub, Stripe, Slack,
 * Shopify) share: header reading, strict signature decoding and secret matching.
 */

const DIGEST_BYTES: Readonly<Record<HmacAlgorithm, number>> = { sha1: 20, sha256: 32, sha512: 64 };
const HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const PLACEHOLDER = /(\{timestamp\}|\{body\})/;

/** A header's value, or `undefined` when it is absent or empty. */
export function readHeader(headers: VerificationInput['headers'], name: string): string | undefined {
  const value = headers[name];
  // `typeof` guards against inherited properties when a configured name is e.g. `constructor`.
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Decodes a signature strictly: hex in either case, or canonical padded base64, of exactly the
 * digest length of `algorithm`. Anything else is `undefined`.
 */
export function decodeDigest(
  text: string,
  encoding: SignatureEncoding,
  algorithm: HmacAlgorithm,
): Uint8Array | undefined {
  const size = DIGEST_BYTES[algorithm];
  if (encoding === 'hex') {
    return text.length === size * 2 && HEX.test(text) ? Buffer.from(text, 'hex') : undefined;
  }
  if (text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  // Non-canonical base64 (stray bits in the last character) would give one MAC several spellings.
  return bytes.length === size && bytes.toString('base64') === text ? bytes : undefined;
}

/** Whether at least one usable (non-empty) secret is configured; an empty HMAC key is never used. */
export function hasUsableSecret(secrets: readonly string[]): boolean {
  return secrets.some((secret) => secret !== '');
}

/**
 * Index in `secrets` of the first secret whose MAC over `content` equals one of `signatures`
 * (compared in constant time), or `undefined` when none does.
 */
export function findMatchingSecret(
  secrets: readonly string[],
  algorithm: HmacAlgorithm,
  signatures: readonly Uint8Array[],
  content: readonly (string | Uint8Array)[],
): number | undefined {
  for (const [index, secret] of secrets.entries()) {
    if (secret === '') continue;
    const expected = hmac(algorithm, secret, ...content);
    if (signatures.some((signature) => bytesEqual(signature, expected))) return index;
  }
  return undefined;
}

/**
 * Splits a `signedContent` template into the parts to MAC, with the body as its raw bytes.
 * `undefined` when the template needs a timestamp and there is none.
 */
function signedContent(
  template: string,
  body: Uint8Array,
  timestamp: string | undefined,
): (string | Uint8Array)[] | undefined {
  const parts: (string | Uint8Array)[] = [];
  for (const piece of template.split(PLACEHOLDER)) {
    if (piece === '{body}') {
      parts.push(body);
    } else if (piece === '{timestamp}') {
      if (timestamp === undefined) return undefined;
      parts.push(timestamp);
    } else if (piece !== '') {
      parts.push(piece);
    }
  }
  return parts;
}

function fail(reason: VerificationFailureReason, detail: string): VerificationFailure {
  return { ok: false, scheme: 'hmac', reason, detail };
}

/** Verifies a generic HMAC signature header, optionally bound to a timestamp header. */
export function verifyHmac(input: VerificationInput, options: HmacVerifyConfig): VerificationResult {
  const algorithm = options.algorithm ?? 'sha256';
  const encoding = options.encoding ?? 'hex';
  const prefix = options.prefix ?? '';
  const header = options.header.toLowerCase();
  const timestampHeader = options.timestampHeader?.toLowerCase();
  const template = options.signedContent ?? (timestampHeader === undefined ? '{body}' : '{timestamp}.{body}');

  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');
  const signature = readHeader(input.headers, header);
  if (signature === undefined) return fail('missing_signature', `${header} header absent`);

  let timestamp: string | undefined;
  let signedAt: string | undefined;
  if (timestampHeader !== undefined) {
    timestamp = readHeader(input.headers, timestampHeader);
    if (timestamp === undefined) return fail('missing_timestamp', `${timestampHeader} header absent`);
    const check = checkTimestamp(timestamp, input.now, options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
    if (!check.ok) return fail(check.reason, check.detail);
    signedAt = check.signedAt;
  }

  if (!signature.startsWith(prefix)) {
    return fail('malformed_signature', `${header} does not start with the configured prefix`);
  }
  const digest = decodeDigest(signature.slice(prefix.length), encoding, algorithm);
  if (digest === undefined) {
    return fail('malformed_signature', `${header} is not a ${encoding} ${algorithm} digest`);
  }
  const content = signedContent(template, input.body, timestamp);
  if (content === undefined) {
    return fail('missing_timestamp', 'signedContent uses {timestamp} but no timestampHeader is configured');
  }

  const keyIndex = findMatchingSecret(input.secrets, algorithm, [digest], content);
  if (keyIndex === undefined) return fail('signature_mismatch', 'no secret produced this signature');
  return {
    ok: true,
    scheme: 'hmac',
    keyId: String(keyIndex),
    ...(signedAt === undefined ? {} : { signedAt }),
  };
}

export const hmacScheme: SchemeDefinition<'hmac'> = {
  verify: verifyHmac,
  sign: (request, options) => {
    const timestampHeader = options.timestampHeader?.toLowerCase();
    const timestamp = String(unixSeconds(request.now));
    const template =
      options.signedContent ?? (timestampHeader === undefined ? '{body}' : '{timestamp}.{body}');
    const content = signedContent(template, Buffer.from(request.body, 'utf8'), timestamp) ?? [];
    const digest = hmac(options.algorithm ?? 'sha256', request.secret, ...content);
    return {
      headers: {
        ...request.headers,
        [options.header.toLowerCase()]: `${options.prefix ?? ''}${digest.toString(options.encoding ?? 'hex')}`,
        ...(timestampHeader !== undefined && { [timestampHeader]: timestamp }),
      },
    };
  },
};
