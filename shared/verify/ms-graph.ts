import { plainTextEcho } from './handshake-answers.js';
import { arrayAt, isJsonObject, parseJson, stringAt } from './payload.js';
import {
  CannotSignError,
  type Handshake,
  type RequestToSign,
  type SchemeConfig,
  type SchemeDefinition,
} from './scheme.js';
import { hasUsableSecret } from './signatures.js';
import { findMatchingToken } from './tokens.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';

const fail = failureOf('msGraph');

/**
 * Verifies a Microsoft Graph change notification collection: the JSON body's `value[]` must hold at
 * least one notification, and every notification's `clientState` must equal one of the secrets
 * (constant time). Graph signs nothing on basic notifications: `clientState` proves the sender knows
 * the subscription's secret, not what the body says. `keyId` is the secret the first notification
 * matched (several subscriptions, each with its own clientState, may share a batch).
 */
export function verifyMsGraph(
  input: VerificationInput,
  _options: SchemeConfig<'msGraph'>,
): VerificationResult {
  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');
  const notifications = arrayAt(parseJson(Buffer.from(input.body).toString('utf8')), 'value');
  if (notifications === undefined || notifications.length === 0) {
    return fail('missing_token', 'body has no value[] notifications');
  }
  let firstMatch = 0;
  for (const [index, notification] of notifications.entries()) {
    const clientState = stringAt(notification, 'clientState');
    if (clientState === undefined || clientState === '') {
      return fail('missing_token', `value[${index}] has no clientState`);
    }
    const keyIndex = findMatchingToken(input.secrets, clientState);
    if (keyIndex === undefined)
      return fail('signature_mismatch', `value[${index}].clientState equals no secret`);
    if (index === 0) firstMatch = keyIndex;
  }
  return { ok: true, scheme: 'msGraph', keyId: String(firstMatch) };
}

/**
 * Graph's subscription validation: a request (a `POST` from Graph) with `?validationToken=<t>` is
 * answered, unsigned, with the URL-decoded token as plain text.
 */
const msGraphChallenge: Handshake<'msGraph'> = ({ url }) => {
  const token = url.searchParams.get('validationToken');
  if (token === null || token === '') return undefined;
  return plainTextEcho('msGraph.validation', token);
};

/** The body with every notification's `clientState` set to the secret: Graph's only credential. */
function signMsGraph(request: RequestToSign): { headers: Record<string, string>; body: string } {
  const collection = parseJson(request.body);
  const notifications = arrayAt(collection, 'value');
  if (!isJsonObject(collection) || notifications === undefined || !notifications.every(isJsonObject)) {
    throw new CannotSignError('a Microsoft Graph body is a JSON object with a value[] of notifications');
  }
  const value = notifications.map((notification) => ({ ...notification, clientState: request.secret }));
  return { headers: {}, body: JSON.stringify({ ...collection, value }) };
}

export const msGraphScheme: SchemeDefinition<'msGraph'> = {
  verify: verifyMsGraph,
  sign: signMsGraph,
  // Graph documents no notification id that stays the same on retries: the body hash dedupes them.
  eventType: ({ payload }) => {
    const [first] = arrayAt(payload, 'value') ?? [];
    return stringAt(first, 'lifecycleEvent') ?? stringAt(first, 'changeType');
  },
  challenge: msGraphChallenge,
};
