import type { VerifyScheme } from '../config/types.js';

/** Why a request failed verification. Logged, never sent to the caller. */
export type VerificationFailureReason =
  | 'missing_signature'
  | 'malformed_signature'
  | 'missing_timestamp'
  | 'malformed_timestamp'
  | 'timestamp_out_of_tolerance'
  | 'signature_mismatch'
  | 'missing_secret'
  | 'malformed_secret'
  | 'missing_token'
  | 'malformed_token'
  | 'token_expired'
  | 'token_claim_invalid'
  | 'algorithm_not_allowed'
  | 'jwks_unavailable'
  | 'missing_url'
  | 'key_unavailable'
  /** A validly signed message from a sender the route does not accept (an SNS topic not listed). */
  | 'topic_not_allowed';

export interface VerificationInput {
  /** The request method, upper-cased (schemes that sign it: HubSpot, Contentful). */
  readonly method?: string;
  /**
   * The public URL the provider sent the request to, query included, as it configured it: what
   * URL-aware schemes (Twilio, Square, HubSpot, Contentful) sign. Without it they fail closed.
   */
  readonly url?: string;
  /** The exact bytes received (API Gateway base64 bodies already decoded). */
  readonly body: Uint8Array;
  /** Header names lower-cased; repeated headers joined with `,` as API Gateway does. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Candidate secret values (rotation): any match passes. */
  readonly secrets: readonly string[];
  /** Current time; injected so tests control it. */
  readonly now: Date;
}

export interface VerificationSuccess {
  readonly ok: true;
  readonly scheme: VerifyScheme;
  /** Index in `secrets` of the value that matched (or a JWKS key id), for rotation audits. */
  readonly keyId?: string;
  /** Timestamp the sender signed, when the scheme has one (ISO 8601). */
  readonly signedAt?: string;
}

export interface VerificationFailure {
  readonly ok: false;
  readonly scheme: VerifyScheme;
  readonly reason: VerificationFailureReason;
  /** Short diagnostic for logs; never contains secrets or expected signatures. */
  readonly detail?: string;
}

export type VerificationResult = VerificationSuccess | VerificationFailure;

/** A verifier for one scheme: a pure function of its input and the route's options. */
export type Verifier<TOptions> = (
  input: VerificationInput,
  options: TOptions,
) => VerificationResult | Promise<VerificationResult>;

/** A failure of `scheme`, for verifiers that report many: `const fail = failureOf('gitlab')`. */
export function failureOf(
  scheme: VerifyScheme,
): (reason: VerificationFailureReason, detail: string) => VerificationFailure {
  return (reason, detail) => ({ ok: false, scheme, reason, detail });
}
