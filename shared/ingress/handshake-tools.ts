import type { VerifyConfig } from '../config/types.js';
import { HttpError } from '../http/errors.js';
import { SecretNotSetError, type SecretResolver } from '../secrets/resolver.js';
import type { HandshakeTools } from '../verify/scheme.js';
import type { IngressErrorCode } from './http.js';

/** How long a provider's confirmation link may take to answer (SNS `SubscribeURL`). */
const GET_TIMEOUT_MS = 5000;

/** Sends a GET and resolves its status; the ingress's only outbound call besides AWS. */
export type UrlGetter = (url: string) => Promise<number>;

export const fetchStatus: UrlGetter = async (url) => {
  // No redirect is followed: a scheme checks the host of the URL it confirms, not of another.
  const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(GET_TIMEOUT_MS) });
  await response.body?.cancel();
  return response.status;
};

/**
 * What a route's handshakes may use: its secrets through the ingress's resolver (a secret that
 * cannot be read is a 503, as in verification), storing one, and GETs to a provider's links.
 */
export function handshakeTools(
  options: VerifyConfig,
  secrets: SecretResolver,
  get: UrlGetter,
): HandshakeTools {
  const reference = 'secret' in options ? options.secret : undefined;
  return {
    async secrets() {
      if (reference === undefined) return [];
      try {
        return await secrets.resolve(reference);
      } catch (error: unknown) {
        if (error instanceof SecretNotSetError) return [];
        throw unavailable(error);
      }
    },
    async resolveSecret(other) {
      try {
        return await secrets.resolve(other);
      } catch (error: unknown) {
        if (error instanceof SecretNotSetError) return [];
        throw unavailable(error);
      }
    },
    async storeSecret(value) {
      if (reference === undefined || secrets.store === undefined) {
        throw new Error(`scheme ${options.scheme} stores a secret, and this gateway cannot write one`);
      }
      try {
        await secrets.store(reference, value);
      } catch (error: unknown) {
        throw unavailable(error);
      }
    },
    get,
  };
}

function unavailable(cause: unknown): HttpError<IngressErrorCode> {
  return new HttpError<IngressErrorCode>(
    503,
    'secret_unavailable',
    'verification is temporarily unavailable; retry later',
    { cause },
  );
}
