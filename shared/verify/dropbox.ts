import { bodySignature, hexSha256BodyFormat, verifyBodySignature } from './body-signature.js';
import { plainTextEcho } from './handshake-answers.js';
import type { SchemeConfig, SchemeDefinition } from './scheme.js';
import type { VerificationInput, VerificationResult } from './types.js';

const SIGNATURE_HEADER = 'x-dropbox-signature';
const DROPBOX_SIGNATURE = hexSha256BodyFormat(SIGNATURE_HEADER);

/**
 * Verifies a Dropbox webhook: `X-Dropbox-Signature` is the hex HMAC-SHA256 of the raw body with the
 * app secret. Nothing else is signed and no timestamp is sent, so a captured request can be replayed;
 * Dropbox's notifications only list changed accounts, which the app then reads through the API.
 */
export function verifyDropbox(
  input: VerificationInput,
  _options: SchemeConfig<'dropbox'>,
): VerificationResult {
  return verifyBodySignature('dropbox', input, DROPBOX_SIGNATURE);
}

export const dropboxScheme: SchemeDefinition<'dropbox'> = {
  verify: verifyDropbox,
  sign: (request) => ({
    headers: { [SIGNATURE_HEADER]: bodySignature(DROPBOX_SIGNATURE, request.secret, request.body) },
  }),
  /**
   * Dropbox's endpoint verification: `GET ?challenge=<c>` is answered with `<c>` as plain text
   * (unsigned). A GET without `challenge` is left to the method check.
   */
  challenge: ({ method, url }) => {
    if (method !== 'GET') return undefined;
    const challenge = url.searchParams.get('challenge');
    if (challenge === null || challenge === '') return undefined;
    return plainTextEcho('dropbox.challenge', challenge);
  },
  // No deliveryId or eventType: Dropbox documents no delivery id (the body hash dedupes retries)
  // and sends one kind of notification.
};
