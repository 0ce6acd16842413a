import { handshakeUnauthorized, jsonAnswer } from './handshake-answers.js';
import { arrayAt, stringAt } from './payload.js';
import type { Handshake, SchemeConfig, SchemeDefinition } from './scheme.js';
import { findMatchingToken, verifyTokenHeader } from './tokens.js';
import type { VerificationInput, VerificationResult } from './types.js';

const DEFAULT_HEADER = 'authorization';
const CHALLENGE_HEADER = 'x-okta-verification-challenge';
const CHALLENGE_KIND = 'okta.verification';

/**
 * Verifies an Okta Event Hook: the header the hook was configured with (`options.header`, default
 * `authorization`) must carry exactly one of the secrets, compared whole and in constant time.
 * Okta signs nothing: the header proves the sender knows it, not what the body says.
 */
export function verifyOkta(input: VerificationInput, options: SchemeConfig<'okta'>): VerificationResult {
  return verifyTokenHeader('okta', input, { header: options.header ?? DEFAULT_HEADER });
}

/**
 * Okta's one-time verification: `GET` with `X-Okta-Verification-Challenge: <v>` and the hook's auth
 * header. The auth header is checked like an event's (401 when it is wrong), then
 * `{"verification":"<v>"}` is answered as JSON.
 */
const oktaChallenge: Handshake<'okta'> = async ({ method, headers }, options, tools) => {
  const challenge = headers[CHALLENGE_HEADER];
  if (method !== 'GET' || challenge === undefined || challenge === '') return undefined;
  const header = options.header ?? DEFAULT_HEADER;
  const presented = headers[header];
  const secrets = await tools.secrets();
  if (presented === undefined || presented === '' || findMatchingToken(secrets, presented) === undefined) {
    return handshakeUnauthorized(CHALLENGE_KIND, `${header} is absent or equals no secret`);
  }
  return jsonAnswer(CHALLENGE_KIND, { verification: challenge });
};

/** The first event of the batch Okta delivers in `data.events`. */
function firstEvent(payload: unknown): unknown {
  return arrayAt(payload, 'data', 'events')?.[0];
}

export const oktaScheme: SchemeDefinition<'okta'> = {
  verify: verifyOkta,
  sign: (request, options) => ({ headers: { [options.header ?? DEFAULT_HEADER]: request.secret } }),
  /**
   * The first event's `uuid`. One request carries a batch of events, and each System Log event is
   * delivered in one batch only, so its first event names the batch; a retry repeats the batch.
   */
  deliveryId: ({ payload }) => stringAt(firstEvent(payload), 'uuid'),
  eventType: ({ payload }) => stringAt(firstEvent(payload), 'eventType'),
  challenge: oktaChallenge,
};
