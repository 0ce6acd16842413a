/**
 * What a route's verification scheme needs of its deployment besides a function: the secrets it
 * reads, whether its handshake writes one, and the methods its provider checks the endpoint with.
 * The infrastructure and the local stack read these; the schemes' handshakes rely on them.
 */
import type { SecretReference, VerifyConfig } from './types.js';

/** The secret `verify.secret` names, when the scheme has one (JWKS-verified `jwt` has none). */
export function verifySecret(verify: VerifyConfig): SecretReference | undefined {
  return 'secret' in verify ? verify.secret : undefined;
}

/** The other secrets the scheme's options name (Meta's `verifyToken`, read by its handshake). */
export function otherSecrets(verify: VerifyConfig): SecretReference[] {
  return verify.scheme === 'meta' ? [verify.verifyToken] : [];
}

/**
 * Whether the scheme's handshake stores its signing key into `verify.secret` (Asana hands it over
 * in the handshake): the secret starts empty and the ingress may write it.
 */
export function handshakeStoresSecret(verify: VerifyConfig): boolean {
  return verify.scheme === 'asana';
}

/**
 * Headers that carry the route's secret itself (schemes that compare a token rather than check a
 * signature): like `authorization`, never stored, queued or shown.
 */
export function credentialHeaders(verify: VerifyConfig): readonly string[] {
  switch (verify.scheme) {
    case 'gitlab':
      return ['x-gitlab-token'];
    case 'telegram':
      return ['x-telegram-bot-api-secret-token'];
    case 'okta':
      return [verify.header ?? 'authorization'];
    default:
      return [];
  }
}

/** Methods the provider sends its endpoint check with, which the route accepts for that alone. */
export function challengeMethods(verify: VerifyConfig): readonly string[] {
  switch (verify.scheme) {
    case 'meta':
    case 'x':
    case 'dropbox':
    case 'okta':
      return ['GET'];
    default:
      return [];
  }
}
