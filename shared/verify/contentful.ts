import { escape as escapeQuery } from 'node:querystring';
import { readHeader } from './headers.js';
import {
  CannotSignError,
  type RequestToSign,
  type SchemeConfig,
  type SchemeDefinition,
  type SignedRequest,
} from './scheme.js';
import {
  decodeDigest,
  findMatchingSecret,
  hasUsableSecret,
  hmac,
  requireSigningSecret,
} from './signatures.js';
import { readSignedHeaders, type SignedHeaderNames } from './signed-headers.js';
import { checkMillisecondTimestamp } from './timestamp.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';
import { splitUrl } from './url.js';

const SIGNATURE_HEADER = 'x-contentful-signature';
const SIGNED_HEADERS_HEADER = 'x-contentful-signed-headers';
const TIMESTAMP_HEADER = 'x-contentful-timestamp';
const IDEMPOTENCY_HEADER = 'x-contentful-idempotency-key';
const TOPIC_HEADER = 'x-contentful-topic';
/** The toolkit's `verifyRequest` time to live. */
const DEFAULT_TOLERANCE_SECONDS = 30;

const SIGNED_HEADERS: SignedHeaderNames = {
  scheme: 'contentful',
  signatureHeader: SIGNATURE_HEADER,
  timestampHeader: TIMESTAMP_HEADER,
};

const fail = failureOf('contentful');

/** A request as Contentful canonicalises it before signing. */
interface CanonicalRequest {
  readonly method: string;
  /** Path and query, encoded as the toolkit encodes them. */
  readonly path: string;
  /** Lower-cased names and trimmed values; the timestamp and the signed-header list included. */
  readonly headers: ReadonlyMap<string, string>;
  readonly body: Uint8Array | string;
}

/**
 * The path and query of `url` as the toolkit canonicalises them: `encodeURI` of the path joined to
 * the `querystring.escape`d query. The whole query is taken: the toolkit keeps only the text up to
 * a second `?`, which would leave the rest unsigned. Undefined when `url` is not absolute or holds
 * text `encodeURI` refuses (a lone surrogate).
 */
export function canonicalPath(url: string): string | undefined {
  const parts = splitUrl(url);
  if (parts === undefined) return undefined;
  const withoutFragment = parts.rest.split('#', 1)[0] ?? '';
  const pathAndQuery = withoutFragment.startsWith('/') ? withoutFragment : `/${withoutFragment}`;
  const queryStart = pathAndQuery.indexOf('?');
  const pathname = queryStart === -1 ? pathAndQuery : pathAndQuery.slice(0, queryStart);
  const query = queryStart === -1 ? '' : pathAndQuery.slice(queryStart + 1);
  try {
    return encodeURI(query === '' ? pathname : `${pathname}?${escapeQuery(query)}`);
  } catch {
    return undefined;
  }
}

/** The signed headers with the two Contentful adds itself: the timestamp and the header list. */
function withSigningHeaders(headers: ReadonlyMap<string, string>, timestamp: string): Map<string, string> {
  const names = [...new Set([...headers.keys(), SIGNED_HEADERS_HEADER, TIMESTAMP_HEADER])].sort();
  const all = new Map(headers);
  all.set(TIMESTAMP_HEADER, timestamp);
  all.set(SIGNED_HEADERS_HEADER, names.join(','));
  return all;
}

/** `{METHOD}\n{path}\n{k1:v1;k2:v2}\n{body}`, headers sorted by name: what Contentful HMACs. */
function canonicalContent(request: CanonicalRequest): (string | Uint8Array)[] {
  const headers = [...request.headers.entries()]
    .sort(([a], [b]) => (a > b ? 1 : -1))
    .map(([name, value]) => `${name}:${value}`)
    .join(';');
  return [`${request.method}\n${request.path}\n${headers}\n`, request.body];
}

/** The names `x-contentful-signed-headers` lists, lower-cased and trimmed, or a reason it is unusable. */
function signedHeaderNames(value: string): string[] | string {
  const names = value
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  for (const required of [SIGNED_HEADERS_HEADER, TIMESTAMP_HEADER]) {
    if (!names.includes(required)) return `${SIGNED_HEADERS_HEADER} does not list ${required}`;
  }
  return names;
}

/** The listed headers' trimmed values (the two signing headers left to `withSigningHeaders`). */
function pickSignedHeaders(
  headers: VerificationInput['headers'],
  names: readonly string[],
): Map<string, string> | string {
  const picked = new Map<string, string>();
  for (const name of names) {
    if (name === SIGNED_HEADERS_HEADER || name === TIMESTAMP_HEADER) continue;
    const value = headers[name];
    if (typeof value !== 'string') return `signed header ${name} absent`;
    picked.set(name, value.trim());
  }
  return picked;
}

/**
 * Verifies a Contentful request (webhooks with a signing secret, app events and actions):
 * `x-contentful-signature` is the hex HMAC-SHA256 of the canonical request
 * `{METHOD}\n{path}\n{name:value;…}\n{raw body}` over the headers `x-contentful-signed-headers`
 * lists (it must list itself and `x-contentful-timestamp`), and `x-contentful-timestamp` (unix ms)
 * must lie within `toleranceSeconds` of now, past or future (the toolkit checks only the past).
 * A listed header that is absent fails rather than being skipped as the toolkit skips it.
 */
export function verifyContentful(
  input: VerificationInput,
  options: SchemeConfig<'contentful'>,
): VerificationResult {
  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');
  const path = input.url === undefined ? undefined : canonicalPath(input.url);
  if (path === undefined || input.method === undefined || input.method === '') {
    return fail('missing_url', 'the public URL or method of the request is unknown');
  }
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const signed = readSignedHeaders(input, SIGNED_HEADERS, (timestamp) =>
    checkMillisecondTimestamp(timestamp, input.now, tolerance),
  );
  if ('ok' in signed) return signed;
  const { signature, timestamp, signedAt } = signed;
  const digest = decodeDigest(signature, 'hex', 'sha256');
  if (digest === undefined)
    return fail('malformed_signature', `${SIGNATURE_HEADER} is not a hex sha256 digest`);

  const list = readHeader(input.headers, SIGNED_HEADERS_HEADER);
  if (list === undefined) return fail('malformed_signature', `${SIGNED_HEADERS_HEADER} header absent`);
  const names = signedHeaderNames(list);
  if (typeof names === 'string') return fail('malformed_signature', names);
  const picked = pickSignedHeaders(input.headers, names);
  if (typeof picked === 'string') return fail('malformed_signature', picked);

  // The toolkit signs the timestamp as its number reads back (`0123` is signed as `123`).
  const headers = withSigningHeaders(picked, String(Number(timestamp)));
  const content = canonicalContent({ method: input.method, path, headers, body: input.body });
  const keyIndex = findMatchingSecret(input.secrets, 'sha256', [digest], content);
  if (keyIndex === undefined) return fail('signature_mismatch', 'no secret produced this signature');
  return { ok: true, scheme: 'contentful', keyId: String(keyIndex), signedAt };
}

/**
 * Signs as the toolkit's `signRequest` does, listing the idempotency key among the signed headers.
 * @throws CannotSignError when the secret is empty or the URL is not absolute.
 */
export function signContentful(request: RequestToSign): SignedRequest {
  requireSigningSecret('contentful', request.secret);
  const path = canonicalPath(request.url);
  if (path === undefined) throw new CannotSignError(`scheme contentful cannot sign ${request.url}`);
  const timestamp = String(request.now.getTime());
  const headers = withSigningHeaders(new Map([[IDEMPOTENCY_HEADER, request.deliveryId]]), timestamp);
  const method = request.method.toUpperCase();
  const content = canonicalContent({ method, path, headers, body: request.body });
  return {
    headers: {
      ...Object.fromEntries(headers),
      [SIGNATURE_HEADER]: hmac('sha256', request.secret, ...content).toString('hex'),
    },
  };
}

export const contentfulScheme: SchemeDefinition<'contentful'> = {
  verify: verifyContentful,
  sign: signContentful,
  // Contentful repeats the idempotency key on each retry of one webhook call.
  deliveryId: ({ headers }) => readHeader(headers, IDEMPOTENCY_HEADER),
  eventType: ({ headers }) => readHeader(headers, TOPIC_HEADER),
};
