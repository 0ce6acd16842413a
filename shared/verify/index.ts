import type { VerifyConfig } from '../config/types.js';
import { verifyGithub } from './github.js';
import { verifyHmac } from './hmac.js';
import { verifyJwt } from './jwt.js';
import { verifyNone } from './none.js';
import { verifyShopify } from './shopify.js';
import { verifySlack } from './slack.js';
import { verifyStandardWebhooks } from './standard-webhooks.js';
import { verifyStripe } from './stripe.js';
import type { VerificationInput, VerificationResult } from './types.js';

export type {
  VerificationFailure,
  VerificationFailureReason,
  VerificationInput,
  VerificationResult,
  VerificationSuccess,
  Verifier,
} from './types.js';

/** Verifies a request with the verifier of the route's scheme. Bad requests resolve to failures. */
export async function verifyRequest(
  input: VerificationInput,
  config: VerifyConfig,
): Promise<VerificationResult> {
  switch (config.scheme) {
    case 'github':
      return verifyGithub(input, config);
    case 'stripe':
      return verifyStripe(input, config);
    case 'standardWebhooks':
      return verifyStandardWebhooks(input, config);
    case 'slack':
      return verifySlack(input, config);
    case 'shopify':
      return verifyShopify(input, config);
    case 'hmac':
      return verifyHmac(input, config);
    case 'jwt':
      return verifyJwt(input, config);
    case 'none':
      return verifyNone(input, config);
    default: {
      // A scheme outside the union can only come from a config that skipped validation.
      const unknown: never = config;
      throw new TypeError(`unknown verify scheme: ${String((unknown as { scheme?: unknown }).scheme)}`);
    }
  }
}
