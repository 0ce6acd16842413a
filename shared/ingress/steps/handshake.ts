/**
 * The steps that answer a provider's handshakes (a check of the endpoint, not an event): `challenge`
 * before the method check and verification (GET challenges, unsigned requests), `handshake` after
 * verification for those the provider signs. A handshake is answered here and never stored.
 */
import type { VerifyScheme } from '../../config/types.js';
import { HttpError } from '../../http/errors.js';
import type { Log } from '../../logger.js';
import type { SecretResolver } from '../../secrets/resolver.js';
import { schemeOf } from '../../verify/registry.js';
import type { Handshake, HandshakeOutcome, SchemeDefinition } from '../../verify/scheme.js';
import type { Parsed, Received, Routed, Verified } from '../context.js';
import { handshakeTools, type UrlGetter } from '../handshake-tools.js';
import type { IngressErrorCode } from '../http.js';
import { type Answer, answer, type Step } from '../pipeline.js';
import { requestUrl } from '../request-url.js';

export interface HandshakeDependencies {
  readonly secrets: SecretResolver;
  readonly get: UrlGetter;
  readonly log: Log;
  readonly now: () => Date;
}

/** Step `challenge`: the scheme's checks that come before verification; others go on. */
export function challenge(deps: HandshakeDependencies): Step<Received & Routed> {
  return (context) => runHandshake(deps, context, undefined, (scheme) => scheme.challenge);
}

/** Step `handshake`: a verified request that is the scheme's handshake is answered, not queued. */
export function handshake(deps: HandshakeDependencies): Step<Received & Routed & Verified & Parsed> {
  return (context) => runHandshake(deps, context, context.payload, (scheme) => scheme.handshake);
}

async function runHandshake(
  deps: HandshakeDependencies,
  { request, origin, target }: Received & Routed,
  payload: unknown,
  pick: (scheme: SchemeDefinition<VerifyScheme>) => Handshake<VerifyScheme> | undefined,
): Promise<Answer | undefined> {
  const options = target.route.verify;
  const run = pick(schemeOf(options));
  if (run === undefined) return undefined;
  const outcome: HandshakeOutcome = await run(
    {
      method: request.method,
      url: new URL(requestUrl(target.route, origin, request)),
      headers: request.headers,
      body: request.body,
      payload,
      now: deps.now(),
    },
    options,
    handshakeTools(options, deps.secrets, deps.get),
  );
  if (outcome === undefined) return undefined;
  if ('refused' in outcome) {
    deps.log.warn('handshake refused', {
      scheme: options.scheme,
      kind: outcome.kind,
      detail: outcome.detail,
    });
    throw new HttpError<IngressErrorCode>(outcome.status, outcome.code, refusalMessage(outcome.code));
  }
  deps.log.info('handshake answered', {
    scheme: options.scheme,
    kind: outcome.kind,
    statusCode: outcome.statusCode,
  });
  return answer(
    {
      statusCode: outcome.statusCode,
      headers: { 'cache-control': 'no-store', ...outcome.headers },
      body: outcome.body ?? '',
    },
    'handshake',
  );
}

function refusalMessage(code: 'invalid_signature' | 'invalid_verify_token' | 'handshake_refused'): string {
  switch (code) {
    case 'invalid_signature':
      return 'the request signature could not be verified';
    case 'invalid_verify_token':
      return 'the verify token does not match';
    case 'handshake_refused':
      return 'the handshake was refused';
  }
}
