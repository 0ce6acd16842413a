/** Builders of the requests verifier tests hand to the code under test. */
import type { VerificationInput } from '../../shared/verify/types.js';

/** What a test request carries besides its body and headers. */
export interface RequestContext {
  readonly secrets: readonly string[];
  readonly now: Date;
  readonly method?: string;
  readonly url?: string;
}

/** A `VerificationInput` of `body` (text encoded as UTF-8, bytes as they are) and `headers`. */
export function verificationRequest(
  body: string | Uint8Array,
  headers: Record<string, string | undefined>,
  context: RequestContext,
): VerificationInput {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return { body: bytes, headers, ...context };
}

/** The usual `request(body, headers, secrets = [secret])` of a verifier test, at `now`. */
export function requestBuilder(
  now: Date,
  secret: string,
): (
  body: string | Uint8Array,
  headers: Record<string, string | undefined>,
  secrets?: readonly string[],
) => VerificationInput {
  return (body, headers, secrets = [secret]) => verificationRequest(body, headers, { secrets, now });
}
