import { createHash } from 'node:crypto';
import { parse as parseQuery, stringify as stringifyQuery } from 'node:querystring';
import { bytesEqual } from './constant-time.js';
import { readHeader } from './headers.js';
import { stringAt } from './payload.js';
import type { RequestToSign, SchemeDefinition, SignedRequest } from './scheme.js';
import {
  decodeDigest,
  findMatchingSecret,
  hasUsableSecret,
  hmac,
  requireSigningSecret,
} from './signatures.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';
import { splitUrl, type UrlParts } from './url.js';

const SIGNATURE_HEADER = 'x-twilio-signature';
const IDEMPOTENCY_HEADER = 'i-twilio-idempotency-token';
const BODY_HASH_PARAM = 'bodySHA256';
/** The status fields Twilio's callbacks carry, in the order `eventType` looks for them. */
const STATUS_FIELDS = ['MessageStatus', 'CallStatus', 'SmsStatus'] as const;
const DEFAULT_PORTS: Readonly<Record<string, string>> = { 'http://': ':80', 'https://': ':443' };

const fail = failureOf('twilio');

function joinUrl(parts: UrlParts, port: string): string {
  return `${parts.scheme}${parts.userInfo}${parts.host}${port}${parts.rest}`;
}

/** `url` as written, and with the scheme's default port added or removed. */
function withAndWithoutDefaultPort(url: string): string[] {
  const parts = splitUrl(url);
  if (parts === undefined) return [url];
  const defaultPort = DEFAULT_PORTS[parts.scheme.toLowerCase()];
  if (defaultPort === undefined) return [url];
  if (parts.port === '') return [url, joinUrl(parts, defaultPort)];
  return parts.port === defaultPort ? [url, joinUrl(parts, '')] : [url];
}

/** The query re-encoded as Node's legacy `querystring` writes it (`'` becomes `%27`). */
function withLegacyQuery(url: string): string {
  const start = url.indexOf('?');
  if (start === -1 || start === url.length - 1) return url;
  return `${url.slice(0, start)}?${stringifyQuery(parseQuery(url.slice(start + 1)))}`;
}

/**
 * Every spelling of `url` the Twilio SDK accepts a signature for: as received, with and without
 * the default port ("signature generation on the back end is inconsistent"), then as `new URL()`
 * normalises it, also with the legacy query encoding.
 */
function candidateUrls(url: string): string[] {
  const candidates = withAndWithoutDefaultPort(url);
  if (URL.canParse(url)) {
    for (const normalized of withAndWithoutDefaultPort(new URL(url).href)) {
      candidates.push(normalized, withLegacyQuery(normalized));
    }
  }
  return [...new Set(candidates)];
}

/** The `bodySHA256` query parameter of `url`, when it carries one (JSON webhooks). */
function bodyHashParam(url: string): string | undefined {
  const start = url.indexOf('?');
  if (start === -1) return undefined;
  const query = url.slice(start + 1).split('#', 1)[0] ?? '';
  return new URLSearchParams(query).get(BODY_HASH_PARAM) ?? undefined;
}

/**
 * What Twilio appends to the URL for a form POST: each parameter name in sorted order followed by
 * its value; a repeated name once per distinct value, values sorted.
 */
function formParameterText(body: Uint8Array | string): string {
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
  const values = new Map<string, Set<string>>();
  for (const [name, value] of new URLSearchParams(text)) {
    const seen = values.get(name) ?? new Set<string>();
    seen.add(value);
    values.set(name, seen);
  }
  return [...values.keys()]
    .sort()
    .flatMap((name) => [...(values.get(name) ?? [])].sort().map((value) => `${name}${value}`))
    .join('');
}

/** The parameter text Twilio signs after the URL: none for JSON webhooks (`bodySHA256`), else the form. */
function signedParameters(url: string, body: Uint8Array | string): string {
  return bodyHashParam(url) === undefined ? formParameterText(body) : '';
}

function sha256(body: Uint8Array | string): Buffer {
  return createHash('sha256').update(body).digest();
}

/**
 * Verifies a Twilio request: `x-twilio-signature` is the base64 HMAC-SHA1, keyed with the Auth
 * Token, of the full URL (query included) followed by the sorted form parameters as name+value.
 * A JSON webhook signs the URL alone, which carries `bodySHA256=<hex SHA-256 of the raw body>`,
 * and the body must match that hash. Like the SDK, the URL is also tried with and without the
 * default port and as `new URL()` normalises it. Unlike the SDK, a non-default port is never
 * dropped: a signature for `https://host/x` does not pass at `https://host:8443/x`.
 */
export function verifyTwilio(input: VerificationInput): VerificationResult {
  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');
  if (input.url === undefined || splitUrl(input.url) === undefined) {
    return fail('missing_url', 'the public URL of the request is unknown or not absolute');
  }
  const signature = readHeader(input.headers, SIGNATURE_HEADER);
  if (signature === undefined) return fail('missing_signature', `${SIGNATURE_HEADER} header absent`);
  const digest = decodeDigest(signature, 'base64', 'sha1');
  if (digest === undefined)
    return fail('malformed_signature', `${SIGNATURE_HEADER} is not a base64 sha1 digest`);

  const bodyHash = bodyHashParam(input.url);
  const expectedBodyHash = bodyHash === undefined ? undefined : decodeDigest(bodyHash, 'hex', 'sha256');
  if (bodyHash !== undefined && expectedBodyHash === undefined) {
    return fail('malformed_signature', `${BODY_HASH_PARAM} is not a hex sha256 digest`);
  }

  const parameters = signedParameters(input.url, input.body);
  let keyIndex: number | undefined;
  for (const url of candidateUrls(input.url)) {
    keyIndex = findMatchingSecret(input.secrets, 'sha1', [digest], [url, parameters]);
    if (keyIndex !== undefined) break;
  }
  if (keyIndex === undefined) return fail('signature_mismatch', 'no secret produced this signature');
  if (expectedBodyHash !== undefined && !bytesEqual(sha256(input.body), expectedBodyHash)) {
    return fail('signature_mismatch', `the body does not match ${BODY_HASH_PARAM}`);
  }
  return { ok: true, scheme: 'twilio', keyId: String(keyIndex) };
}

/**
 * Signs as Twilio does: HMAC-SHA1 of the URL and the sorted form parameters of the body, or of the
 * URL alone when it carries `bodySHA256` (a JSON webhook; the caller puts the body's hash there).
 * @throws CannotSignError when the secret is empty (an HMAC key is never empty).
 */
export function signTwilio(request: RequestToSign): SignedRequest {
  requireSigningSecret('twilio', request.secret);
  const signature = hmac('sha1', request.secret, request.url, signedParameters(request.url, request.body));
  return {
    headers: {
      [SIGNATURE_HEADER]: signature.toString('base64'),
      [IDEMPOTENCY_HEADER]: request.deliveryId,
    },
  };
}

export const twilioScheme: SchemeDefinition<'twilio'> = {
  verify: verifyTwilio,
  sign: signTwilio,
  // Twilio repeats this header on each retry of one webhook (its connection-override retries).
  deliveryId: ({ headers }) => readHeader(headers, IDEMPOTENCY_HEADER),
  // Status callbacks name their state in one of these fields (`delivered`, `completed`, `received`).
  eventType: ({ payload }) => STATUS_FIELDS.map((field) => stringAt(payload, field)).find(Boolean),
};
