import { handshakeRefused, jsonAnswer } from './handshake-answers.js';
import { stringAt } from './payload.js';
import type {
  HandshakeOutcome,
  HandshakeRequest,
  HandshakeTools,
  SchemeConfig,
  SchemeDefinition,
} from './scheme.js';
import { hexHmacSha256 } from './signatures.js';
import { DEFAULT_TOLERANCE_SECONDS } from './timestamp.js';
import type { VerificationInput, VerificationResult } from './types.js';
import { signV0, type V0SignatureFormat, verifyV0Signature } from './v0-signature.js';

/**
 * Zoom: `x-zm-signature: v0=<hex>`, HMAC-SHA256 of `v0:${x-zm-request-timestamp}:${rawBody}` with
 * the app's Secret Token: Slack's rule under other header names.
 */

const URL_VALIDATION = 'zoom.endpoint.url_validation';

const ZOOM_FORMAT: V0SignatureFormat = {
  scheme: 'zoom',
  signatureHeader: 'x-zm-signature',
  timestampHeader: 'x-zm-request-timestamp',
};

/**
 * Verifies a Zoom webhook over the raw body, as Zoom's docs specify (the Rivet SDK signs a
 * re-serialized body instead and checks no time); `x-zm-request-timestamp` must be within
 * `toleranceSeconds` of now in either direction.
 */
export function verifyZoom(input: VerificationInput, options: SchemeConfig<'zoom'>): VerificationResult {
  return verifyV0Signature(input, ZOOM_FORMAT, options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
}

/**
 * The Secret Token to answer a validation with: the one that signed the request (Zoom checks the
 * answer against the token it signed with), else the first, the newest during a rotation.
 */
async function signingSecret(
  request: HandshakeRequest,
  options: SchemeConfig<'zoom'>,
  tools: HandshakeTools,
): Promise<string | undefined> {
  const secrets = await tools.secrets();
  const verified = verifyZoom(
    { headers: request.headers, body: request.body, secrets, now: request.now },
    options,
  );
  const index = verified.ok ? Number(verified.keyId) : 0;
  return secrets[index] || undefined;
}

/**
 * Answers `endpoint.url_validation` (sent signed, when the URL is saved and every 72 h) with
 * `200 {"plainToken","encryptedToken"}`, `encryptedToken` the hex HMAC-SHA256 of `plainToken`.
 */
export async function answerZoomUrlValidation(
  request: HandshakeRequest,
  options: SchemeConfig<'zoom'>,
  tools: HandshakeTools,
): Promise<HandshakeOutcome> {
  if (stringAt(request.payload, 'event') !== 'endpoint.url_validation') return undefined;
  const plainToken = stringAt(request.payload, 'payload', 'plainToken');
  if (plainToken === undefined || plainToken === '') {
    return handshakeRefused(URL_VALIDATION, 'endpoint.url_validation has no plainToken');
  }
  const secret = await signingSecret(request, options, tools);
  if (secret === undefined) return handshakeRefused(URL_VALIDATION, 'no secret token configured');
  return jsonAnswer(URL_VALIDATION, { plainToken, encryptedToken: hexHmacSha256(secret, plainToken) });
}

/** Zoom webhooks: verifier, signer, body `event`, and the `endpoint.url_validation` handshake. */
export const zoomScheme: SchemeDefinition<'zoom'> = {
  verify: verifyZoom,
  sign: (request) => signV0(request, ZOOM_FORMAT),
  // No delivery id: Zoom sends none that is documented as stable across retries, and `event_ts` +
  // `event` could join two events of one millisecond. The gateway's body hash then dedupes the
  // retries that carry the same body.
  eventType: ({ payload }) => stringAt(payload, 'event'),
  handshake: answerZoomUrlValidation,
};
