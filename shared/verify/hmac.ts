import type { HmacVerifyConfig } from '../config/types.js';
import { readHeader } from './headers.js';
import type { SchemeDefinition } from './scheme.js';
import { decodeDigest, findMatchingSecret, hasUsableSecret, hmac } from './signatures.js';
import { checkTimestamp, DEFAULT_TOLERANCE_SECONDS, unixSeconds } from './timestamp.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';

/** Generic HMAC verification: a route names the header, algorithm, encoding and signed content. */

const PLACEHOLDER = /(\{timestamp\}|\{body\})/;

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

const fail = failureOf('hmac');

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
        [options.header.toLowerCase()]: `${options.prefix ?? ''}${digest.toString(options.encoding ?? 'hex')}`,
        ...(timestampHeader !== undefined && { [timestampHeader]: timestamp }),
      },
    };
  },
};
