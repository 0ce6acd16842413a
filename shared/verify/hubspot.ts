import { stringAt } from './payload.js';
import type { RequestToSign, SchemeConfig, SchemeDefinition, SignedRequest } from './scheme.js';
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

const SIGNATURE_HEADER = 'x-hubspot-signature-v3';
const TIMESTAMP_HEADER = 'x-hubspot-request-timestamp';
const DEFAULT_TOLERANCE_SECONDS = 300;
/** The escapes HubSpot's docs decode in the URI before signing (and only these). */
const DECODED_ESCAPES = /%(?:3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi;

const SIGNED_HEADERS: SignedHeaderNames = {
  scheme: 'hubspot',
  signatureHeader: SIGNATURE_HEADER,
  timestampHeader: TIMESTAMP_HEADER,
};

const fail = failureOf('hubspot');

/** `uri` with the escapes HubSpot's docs list (`%3A`, `%2F`, `%3F`, …) decoded, once. */
export function hubspotSignedUri(uri: string): string {
  return uri.replace(DECODED_ESCAPES, (encoded) => decodeURIComponent(encoded));
}

/**
 * Verifies a HubSpot v3 signature: `x-hubspot-signature-v3` is the base64 HMAC-SHA256, keyed with
 * the app's client secret, of method + URI + raw body + `x-hubspot-request-timestamp` (unix ms),
 * and the timestamp must lie within `toleranceSeconds` of now, past or future (the SDK checks only
 * the past). The docs decode `%3A %2F %3F %40 %21 %24 %27 %28 %29 %2A %2C %3B` in the URI first;
 * the SDK signs the URI as received. A match on either spelling passes: the decoded one is the
 * documented rule (so it accepts nothing HubSpot's own rule would not), and the as-received one
 * only matches a signature made over exactly the URI the request reached.
 * v1/v2 (plain SHA-256 digests, no timestamp) are not accepted.
 */
export function verifyHubspot(
  input: VerificationInput,
  options: SchemeConfig<'hubspot'>,
): VerificationResult {
  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');
  if (input.url === undefined || input.url === '' || input.method === undefined || input.method === '') {
    return fail('missing_url', 'the public URL or method of the request is unknown');
  }
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const signed = readSignedHeaders(input, SIGNED_HEADERS, (timestamp) =>
    checkMillisecondTimestamp(timestamp, input.now, tolerance),
  );
  if ('ok' in signed) return signed;
  const { signature, timestamp, signedAt } = signed;
  const digest = decodeDigest(signature, 'base64', 'sha256');
  if (digest === undefined)
    return fail('malformed_signature', `${SIGNATURE_HEADER} is not a base64 sha256 digest`);

  let keyIndex: number | undefined;
  for (const uri of new Set([hubspotSignedUri(input.url), input.url])) {
    keyIndex = findMatchingSecret(
      input.secrets,
      'sha256',
      [digest],
      [input.method, uri, input.body, timestamp],
    );
    if (keyIndex !== undefined) break;
  }
  if (keyIndex === undefined) return fail('signature_mismatch', 'no secret produced this signature');
  return { ok: true, scheme: 'hubspot', keyId: String(keyIndex), signedAt };
}

/**
 * Signs as HubSpot documents it: v3 over the decoded URI, timestamped in milliseconds.
 * @throws CannotSignError when the secret is empty (an HMAC key is never empty).
 */
export function signHubspot(request: RequestToSign): SignedRequest {
  requireSigningSecret('hubspot', request.secret);
  const timestamp = String(request.now.getTime());
  const method = request.method.toUpperCase();
  const signature = hmac(
    'sha256',
    request.secret,
    method,
    hubspotSignedUri(request.url),
    request.body,
    timestamp,
  );
  return { headers: { [SIGNATURE_HEADER]: signature.toString('base64'), [TIMESTAMP_HEADER]: timestamp } };
}

/** The first event of a batch (webhook bodies are arrays of events), or the payload itself. */
function firstEvent(payload: unknown): unknown {
  return Array.isArray(payload) ? payload[0] : payload;
}

export const hubspotScheme: SchemeDefinition<'hubspot'> = {
  verify: verifyHubspot,
  sign: signHubspot,
  // No deliveryId: HubSpot says `eventId` is "not guaranteed to be unique", and a body holds a
  // batch of up to 100 events, so no single id names the delivery.
  eventType: ({ payload }) => stringAt(firstEvent(payload), 'subscriptionType'),
};
