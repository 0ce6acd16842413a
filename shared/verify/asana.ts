import { bodySignature, hexSha256BodyFormat, verifyBodySignature } from './body-signature.js';
import { handshakeRefused } from './handshake-answers.js';
import { arrayAt, stringAt } from './payload.js';
import type { Handshake, HandshakeAnswer, SchemeConfig, SchemeDefinition } from './scheme.js';
import { findMatchingToken } from './tokens.js';
import type { VerificationInput, VerificationResult } from './types.js';

const SIGNATURE_HEADER = 'x-hook-signature';
const ASANA_SIGNATURE = hexSha256BodyFormat(SIGNATURE_HEADER);
const SECRET_HEADER = 'x-hook-secret';
const HANDSHAKE_KIND = 'asana.handshake';
/** Longer than any secret Asana hands out; a bound on what a stranger can make us store. */
const MAX_SECRET_LENGTH = 256;
/** Printable ASCII without space: what a header value that becomes an HMAC key may hold. */
const PRINTABLE = /^[\x21-\x7e]+$/;

/**
 * Verifies an Asana webhook: `X-Hook-Signature` is the hex HMAC-SHA256 of the raw body with the
 * `X-Hook-Secret` Asana sent in the webhook's handshake. No timestamp is signed.
 */
export function verifyAsana(input: VerificationInput, _options: SchemeConfig<'asana'>): VerificationResult {
  return verifyBodySignature('asana', input, ASANA_SIGNATURE);
}

function echo(secret: string): HandshakeAnswer {
  return { kind: HANDSHAKE_KIND, statusCode: 200, headers: { [SECRET_HEADER]: secret }, body: '' };
}

/**
 * Asana's handshake: an unsigned `POST` carrying `X-Hook-Secret: <s>`, answered 200 with the same
 * header. It is the one handshake that writes a secret, and it is unauthenticated, so it is
 * trust-on-first-use: `<s>` is stored only while the route has no secret yet. A handshake repeating
 * the stored value (Asana retrying) is answered again; any other value is refused 403, because
 * accepting it would let whoever knows the URL replace the signing key and then sign their own
 * events. To enroll a new webhook, an operator clears the route's secret first.
 */
const asanaChallenge: Handshake<'asana'> = async ({ method, headers }, _options, tools) => {
  const offered = headers[SECRET_HEADER];
  if (method !== 'POST' || offered === undefined) return undefined;
  if (offered === '' || offered.length > MAX_SECRET_LENGTH || !PRINTABLE.test(offered)) {
    return handshakeRefused(
      HANDSHAKE_KIND,
      `${SECRET_HEADER} is empty, longer than ${MAX_SECRET_LENGTH} or not printable ASCII`,
    );
  }
  const stored = (await tools.secrets()).filter((secret) => secret !== '');
  if (stored.length === 0) {
    await tools.storeSecret(offered);
    return echo(offered);
  }
  if (findMatchingToken(stored, offered) !== undefined) return echo(offered);
  return handshakeRefused(
    HANDSHAKE_KIND,
    `the route already has a secret and ${SECRET_HEADER} differs: clear it to re-enroll`,
  );
};

/** `resource_type.action` of the first event (`task.changed`); undefined for a heartbeat (no events). */
function asanaEventType(payload: unknown): string | undefined {
  const [first] = arrayAt(payload, 'events') ?? [];
  const resourceType = stringAt(first, 'resource', 'resource_type');
  const action = stringAt(first, 'action');
  return resourceType === undefined || action === undefined ? undefined : `${resourceType}.${action}`;
}

export const asanaScheme: SchemeDefinition<'asana'> = {
  verify: verifyAsana,
  sign: (request) => ({
    headers: { [SIGNATURE_HEADER]: bodySignature(ASANA_SIGNATURE, request.secret, request.body) },
  }),
  // Asana documents no delivery id: the body hash dedupes its retries.
  eventType: ({ payload }) => asanaEventType(payload),
  challenge: asanaChallenge,
};
