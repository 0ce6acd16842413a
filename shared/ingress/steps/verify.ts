import type { VerifyConfig } from '../../config/types.js';
import { describeError } from '../../errors.js';
import { HttpError } from '../../http/errors.js';
import type { Log } from '../../logger.js';
import type { SecretResolver } from '../../secrets/resolver.js';
import { verifyRequest } from '../../verify/index.js';
import type { VerificationFailureReason } from '../../verify/types.js';
import type { Received, Routed, Verified } from '../context.js';
import type { IngressErrorCode } from '../http.js';
import type { Step } from '../pipeline.js';
import { requestUrl } from '../request-url.js';

export interface VerifyDependencies {
  readonly secrets: SecretResolver;
  readonly log: Log;
  readonly now: () => Date;
}

/**
 * Step `verify`: the route's scheme over the exact body bytes, at the time that becomes the event's
 * `receivedAt`. 503 `secret_unavailable` when the secret cannot be read, 401 `invalid_signature`
 * when the request does not verify (the reason is only logged).
 */
export function verify(deps: VerifyDependencies): Step<Received & Routed, Verified> {
  return async ({ request, origin, target }) => {
    const config = target.route.verify;
    const receivedAt = deps.now();
    const secrets = await resolveSecrets(deps, config);
    const result = await verifyRequest(
      {
        method: request.method,
        url: requestUrl(target.route, origin, request),
        body: request.body,
        headers: request.headers,
        secrets,
        now: receivedAt,
      },
      config,
    );
    if (!result.ok) {
      deps.log.warn('verification failed', {
        scheme: result.scheme,
        reason: result.reason,
        detail: result.detail,
      });
      // The provider's key could not be fetched (a JWKS, SNS's certificate): nothing says the request
      // is forged, and a 4xx would end SNS's retries, so the provider is asked to retry.
      if (KEY_UNAVAILABLE.has(result.reason)) throw verificationUnavailable();
      throw new HttpError<IngressErrorCode>(
        401,
        'invalid_signature',
        'the request signature could not be verified',
      );
    }
    return { receivedAt, verdict: result };
  };
}

/** The secret's current values (several while it rotates); none for a scheme without a secret. */
async function resolveSecrets(deps: VerifyDependencies, config: VerifyConfig): Promise<readonly string[]> {
  if (!('secret' in config) || config.secret === undefined) return [];
  try {
    return await deps.secrets.resolve(config.secret);
  } catch (error: unknown) {
    deps.log.error('secret unavailable', { scheme: config.scheme, error: describeError(error) });
    throw verificationUnavailable(error);
  }
}

const KEY_UNAVAILABLE: ReadonlySet<VerificationFailureReason> = new Set([
  'jwks_unavailable',
  'key_unavailable',
]);

function verificationUnavailable(cause?: unknown): HttpError<IngressErrorCode> {
  return new HttpError<IngressErrorCode>(
    503,
    'secret_unavailable',
    'verification is temporarily unavailable; retry later',
    cause === undefined ? {} : { cause },
  );
}
