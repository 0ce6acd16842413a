import type { FetchImplementation, JWTVerifyGetKey, JWTVerifyOptions } from 'jose';
import type { JwtAlgorithm, JwtVerifyConfig } from '../config/types.js';
import { HooklineError } from '../errors.js';
import { CannotSignError, type RequestToSign, type SchemeDefinition, type SignedRequest } from './scheme.js';
import { unixSeconds } from './timestamp.js';
import type { VerificationFailureReason, VerificationInput, VerificationResult } from './types.js';

/**
 * Bearer JWT verification with `jose`, against shared secrets (HS*) or a remote JWKS.
 *
 * `jose` is imported lazily so routes that use another scheme do not load it at cold start.
 */

export interface JwtVerifyDeps {
  /**
   * Fetch used to download the JWKS (jose's `customFetch`). Defaults to the global `fetch`.
   * Key sets fetched through a custom function are cached separately from the default ones.
   */
  readonly fetchJwks?: FetchImplementation;
}

const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
const DEFAULT_SECRET_ALGORITHMS: readonly JwtAlgorithm[] = ['HS256'];
const DEFAULT_JWKS_ALGORITHMS: readonly JwtAlgorithm[] = ['RS256', 'ES256'];
const SECRET_ALGORITHMS: ReadonlySet<JwtAlgorithm> = new Set(['HS256', 'HS384', 'HS512']);
const JWKS_TIMEOUT_MS = 3000;
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

type Jose = typeof import('jose');

/** Remote key sets by URL, kept for the life of the container so warm invocations reuse them. */
const defaultJwksCache = new Map<string, JWTVerifyGetKey>();
const customFetchJwksCache = new WeakMap<FetchImplementation, Map<string, JWTVerifyGetKey>>();

/** Thrown from our key resolver when the JWKS could not be obtained (network, HTTP status, JSON). */
class JwksUnavailableError extends HooklineError<'jwks_unavailable'> {
  override name = 'JwksUnavailableError';

  constructor(cause: unknown) {
    super('jwks_unavailable', 'jwks unavailable', { cause });
  }
}

type Failure = { readonly reason: VerificationFailureReason; readonly detail: string };

export async function verifyJwt(
  input: VerificationInput,
  options: JwtVerifyConfig,
  deps: JwtVerifyDeps = {},
): Promise<VerificationResult> {
  const jwksMode = options.jwksUrl !== undefined;
  if (!jwksMode && !input.secrets.some((secret) => secret !== '')) {
    return fail({ reason: 'missing_secret', detail: 'no shared secret configured' });
  }
  const headerName = (options.header ?? 'authorization').toLowerCase();
  const token = extractToken(input.headers[headerName], headerName);
  if (typeof token !== 'string') return fail(token);

  const allowed = allowedAlgorithms(options, jwksMode);
  if (allowed.length === 0) {
    return fail({
      reason: 'algorithm_not_allowed',
      detail: `no configured algorithm suits ${jwksMode ? 'a JWKS' : 'a shared secret'}`,
    });
  }

  const jose = await import('jose');
  const verifyOptions = joseVerifyOptions(input, options, allowed);
  return options.jwksUrl === undefined
    ? verifyAgainstSecrets(jose, token, input.secrets, verifyOptions)
    : verifyAgainstJwks(jose, token, options.jwksUrl, deps.fetchJwks, verifyOptions);
}

function fail({ reason, detail }: Failure): VerificationResult {
  return { ok: false, scheme: 'jwt', reason, detail };
}

/** The configured (or default) algorithms that suit the key kind: HS* for secrets, the others for a JWKS. */
function allowedAlgorithms(options: JwtVerifyConfig, jwksMode: boolean): JwtAlgorithm[] {
  return (options.algorithms ?? (jwksMode ? DEFAULT_JWKS_ALGORITHMS : DEFAULT_SECRET_ALGORITHMS)).filter(
    (alg) => SECRET_ALGORITHMS.has(alg) !== jwksMode,
  );
}

function joseVerifyOptions(
  input: VerificationInput,
  options: JwtVerifyConfig,
  allowed: JwtAlgorithm[],
): JWTVerifyOptions {
  return {
    algorithms: allowed,
    clockTolerance: options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
    currentDate: input.now,
    ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
    ...(options.audience === undefined ? {} : { audience: options.audience }),
    ...(options.maxTokenAgeSeconds === undefined ? {} : { maxTokenAge: options.maxTokenAgeSeconds }),
  };
}

async function verifyAgainstJwks(
  jose: Jose,
  token: string,
  jwksUrl: string,
  fetchJwks: FetchImplementation | undefined,
  verifyOptions: JWTVerifyOptions,
): Promise<VerificationResult> {
  let url: URL;
  try {
    url = new URL(jwksUrl);
  } catch {
    return fail({ reason: 'jwks_unavailable', detail: 'jwksUrl is not a valid URL' });
  }
  const getKey = remoteKeySet(jose, url, fetchJwks);
  try {
    const { protectedHeader } = await jose.jwtVerify(token, getKey, verifyOptions);
    return protectedHeader.kid === undefined
      ? { ok: true, scheme: 'jwt' }
      : { ok: true, scheme: 'jwt', keyId: protectedHeader.kid };
  } catch (error: unknown) {
    return fail(classify(jose, error));
  }
}

/** Tries each non-empty secret in turn; the key id of a match is the secret's index. */
async function verifyAgainstSecrets(
  jose: Jose,
  token: string,
  secrets: VerificationInput['secrets'],
  verifyOptions: JWTVerifyOptions,
): Promise<VerificationResult> {
  let last: Failure | undefined;
  for (const [index, secret] of secrets.entries()) {
    if (secret === '') continue;
    try {
      await jose.jwtVerify(token, new TextEncoder().encode(secret), verifyOptions);
      return { ok: true, scheme: 'jwt', keyId: String(index) };
    } catch (error: unknown) {
      last = classify(jose, error);
      // Only the signature depends on the secret: anything else fails the same way for every secret.
      if (last.reason !== 'signature_mismatch') return fail(last);
    }
  }
  return fail(last ?? { reason: 'signature_mismatch', detail: 'signature verification failed' });
}

function extractToken(value: unknown, headerName: string): string | Failure {
  // `typeof` guards against inherited properties when the configured name is e.g. `constructor`.
  const trimmed = typeof value === 'string' ? value.trim() : '';
  if (trimmed === '') {
    return { reason: 'missing_token', detail: `no ${headerName} header` };
  }
  if (headerName !== 'authorization') return trimmed;
  const match = BEARER.exec(trimmed);
  if (match?.[1] === undefined) {
    return { reason: 'missing_token', detail: 'authorization header is not a Bearer token' };
  }
  return match[1];
}

function remoteKeySet(jose: Jose, url: URL, fetchJwks: FetchImplementation | undefined): JWTVerifyGetKey {
  let cache = defaultJwksCache;
  if (fetchJwks !== undefined) {
    cache = customFetchJwksCache.get(fetchJwks) ?? new Map();
    customFetchJwksCache.set(fetchJwks, cache);
  }
  const cached = cache.get(url.href);
  if (cached !== undefined) return cached;

  const remote = jose.createRemoteJWKSet(url, {
    timeoutDuration: JWKS_TIMEOUT_MS,
    ...(fetchJwks === undefined ? {} : { [jose.customFetch]: fetchJwks }),
  });
  // Tag failures to obtain the key set so they are not mistaken for a bad token.
  const getKey: JWTVerifyGetKey = async (protectedHeader, token) => {
    try {
      return await remote(protectedHeader, token);
    } catch (error: unknown) {
      if (
        error instanceof jose.errors.JWKSNoMatchingKey ||
        error instanceof jose.errors.JWKSMultipleMatchingKeys ||
        error instanceof jose.errors.JOSENotSupported
      ) {
        throw error;
      }
      throw new JwksUnavailableError(error);
    }
  };
  cache.set(url.href, getKey);
  return getKey;
}

/** Maps what jose throws to a reason code; the detail is jose's message, which names no key material. */
function classify(jose: Jose, error: unknown): Failure {
  const { errors } = jose;
  if (error instanceof JwksUnavailableError) {
    const cause = error.cause instanceof Error ? `${error.cause.name}: ${error.cause.message}` : 'unknown';
    return { reason: 'jwks_unavailable', detail: cause };
  }
  if (!(error instanceof errors.JOSEError)) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : 'unexpected error';
    return { reason: 'malformed_token', detail };
  }
  const detail = error.message;
  if (error instanceof errors.JWTExpired) return { reason: 'token_expired', detail };
  if (error instanceof errors.JWTClaimValidationFailed) return { reason: 'token_claim_invalid', detail };
  if (error instanceof errors.JOSEAlgNotAllowed) return { reason: 'algorithm_not_allowed', detail };
  if (error instanceof errors.JWSSignatureVerificationFailed) return { reason: 'signature_mismatch', detail };
  if (error instanceof errors.JWKSNoMatchingKey) return { reason: 'signature_mismatch', detail };
  if (error instanceof errors.JWKSMultipleMatchingKeys) return { reason: 'signature_mismatch', detail };
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
    return { reason: 'jwks_unavailable', detail };
  }
  return { reason: 'malformed_token', detail };
}

export const jwtScheme: SchemeDefinition<'jwt'> = {
  verify: verifyJwt,
  sign: signJwt,
};

/** A bearer token valid for five minutes, with the route's issuer and audience, in the route's header. */
async function signJwt(request: RequestToSign, options: JwtVerifyConfig): Promise<SignedRequest> {
  if (options.secret === undefined) {
    throw new CannotSignError('the route verifies tokens against a JWKS: signing needs its private key');
  }
  const algorithm = (options.algorithms ?? DEFAULT_SECRET_ALGORITHMS).find((alg) =>
    SECRET_ALGORITHMS.has(alg),
  );
  if (algorithm === undefined) throw new CannotSignError('the route allows no HS* algorithm to sign with');
  const { SignJWT } = await import('jose');
  const issuedAt = unixSeconds(request.now);
  let token = new SignJWT({})
    .setProtectedHeader({ alg: algorithm })
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + 300);
  if (options.issuer !== undefined) token = token.setIssuer(options.issuer);
  if (options.audience !== undefined) token = token.setAudience(options.audience);
  const jwt = await token.sign(new TextEncoder().encode(request.secret));
  const header = options.header ?? 'authorization';
  return { headers: { [header]: header === 'authorization' ? `Bearer ${jwt}` : jwt } };
}
