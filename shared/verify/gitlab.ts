import { signStandardWebhook } from '../client/hookline-client.js';
import type { StandardWebhooksVerifyConfig } from '../config/types.js';
import { readHeader } from './headers.js';
import { stringAt } from './payload.js';
import {
  CannotSignError,
  type RequestToSign,
  type SchemeConfig,
  type SchemeDefinition,
  type SignedRequest,
} from './scheme.js';
import { hasUsableSecret, requireSigningSecret } from './signatures.js';
import { verifyStandardWebhooks } from './standard-webhooks.js';
import { unixSeconds } from './timestamp.js';
import { findMatchingToken } from './tokens.js';
import { failureOf, type VerificationInput, type VerificationResult } from './types.js';

type GitlabOptions = SchemeConfig<'gitlab'>;

const TOKEN_HEADER = 'x-gitlab-token';
const fail = failureOf('gitlab');

/**
 * Verifies a GitLab webhook. `token` mode (the default, GitLab's only check unless the webhook has
 * a signing token): `x-gitlab-token` must equal one of the secrets, compared in constant time;
 * nothing is signed, so this proves only that the sender knows the token. `signingToken` mode:
 * the Standard Webhooks headers, HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` with the
 * base64-decoded `whsec_` signing token, timestamp within `toleranceSeconds` past and future.
 */
export function verifyGitlab(input: VerificationInput, options: GitlabOptions): VerificationResult {
  return options.mode === 'signingToken' ? verifySigningToken(input, options) : verifyToken(input);
}

function verifyToken(input: VerificationInput): VerificationResult {
  if (!hasUsableSecret(input.secrets)) return fail('missing_secret', 'no secret configured');
  const token = readHeader(input.headers, TOKEN_HEADER);
  if (token === undefined) return fail('missing_token', `${TOKEN_HEADER} header absent`);
  const keyIndex = findMatchingToken(input.secrets, token);
  if (keyIndex === undefined) return fail('signature_mismatch', `${TOKEN_HEADER} matches no secret`);
  return { ok: true, scheme: 'gitlab', keyId: String(keyIndex) };
}

/**
 * GitLab's signing token is Standard Webhooks: the shared verifier's result, reported as GitLab's.
 * That verifier also takes `svix-*` header names and `whpk_` (ed25519) keys; GitLab sends neither,
 * and accepting them loosens nothing, since each still needs a valid signature.
 */
function verifySigningToken(input: VerificationInput, options: GitlabOptions): VerificationResult {
  const standard: StandardWebhooksVerifyConfig = {
    scheme: 'standardWebhooks',
    secret: options.secret,
    ...(options.toleranceSeconds === undefined ? {} : { toleranceSeconds: options.toleranceSeconds }),
  };
  return { ...verifyStandardWebhooks(input, standard), scheme: 'gitlab' };
}

/** Signs as GitLab does: the token itself, or (signing token) the Standard Webhooks headers. */
function signGitlab(request: RequestToSign, options: GitlabOptions): SignedRequest {
  requireSigningSecret('gitlab', request.secret);
  // GitLab reuses the Idempotency-Key as the webhook-id.
  const idempotency = { 'idempotency-key': request.deliveryId };
  if (options.mode !== 'signingToken') {
    return { headers: { [TOKEN_HEADER]: request.secret, ...idempotency } };
  }
  const timestamp = unixSeconds(request.now);
  return {
    headers: {
      ...idempotency,
      'webhook-id': request.deliveryId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signingTokenSignature(request, timestamp),
    },
  };
}

function signingTokenSignature(request: RequestToSign, timestamp: number): string {
  try {
    return signStandardWebhook(request.secret, request.deliveryId, timestamp, request.body);
  } catch {
    throw new CannotSignError('scheme gitlab (signingToken) needs a whsec_ signing token to sign with');
  }
}

export const gitlabScheme: SchemeDefinition<'gitlab'> = {
  verify: verifyGitlab,
  sign: signGitlab,
  // Idempotency-Key (GitLab 17.4+) stays the same across retries; older GitLab sends only the event UUID.
  deliveryId: ({ headers }) =>
    readHeader(headers, 'idempotency-key') ?? readHeader(headers, 'x-gitlab-event-uuid'),
  eventType: ({ headers, payload }) =>
    readHeader(headers, 'x-gitlab-event') ?? stringAt(payload, 'object_kind'),
};
