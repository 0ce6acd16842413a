import {
  type BodySignatureFormat,
  bodySignature,
  hexSha256BodyFormat,
  verifyBodySignature,
} from './body-signature.js';
import { stringAt } from './payload.js';
import type { SchemeConfig, SchemeDefinition } from './scheme.js';
import type { VerificationInput, VerificationResult } from './types.js';

const SIGNATURE_HEADER = 'x-pagerduty-signature';
const VERSION_PREFIX = 'v1=';

/** The `v1` signatures of `v1=<hex>[,v1=<hex>…]`; entries of other versions are ignored. */
function v1Signatures(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith(VERSION_PREFIX))
    .map((entry) => entry.slice(VERSION_PREFIX.length));
}

const PAGERDUTY_SIGNATURE: BodySignatureFormat = {
  ...hexSha256BodyFormat(SIGNATURE_HEADER, 'a list of v1=<hex>'),
  signaturesIn: v1Signatures,
};

/**
 * Verifies a PagerDuty v3 webhook: `X-PagerDuty-Signature` lists one `v1=<hex HMAC-SHA256 of the
 * raw body>` per active subscription secret (several during a rotation); any one matching any
 * configured secret passes. No timestamp is signed.
 */
export function verifyPagerduty(
  input: VerificationInput,
  _options: SchemeConfig<'pagerduty'>,
): VerificationResult {
  return verifyBodySignature('pagerduty', input, PAGERDUTY_SIGNATURE);
}

export const pagerdutyScheme: SchemeDefinition<'pagerduty'> = {
  verify: verifyPagerduty,
  sign: (request) => ({
    headers: {
      'x-webhook-id': request.deliveryId,
      [SIGNATURE_HEADER]: `${VERSION_PREFIX}${bodySignature(PAGERDUTY_SIGNATURE, request.secret, request.body)}`,
    },
  }),
  // PagerDuty repeats X-Webhook-Id on every retry of a delivery.
  deliveryId: ({ headers }) => headers['x-webhook-id'],
  eventType: ({ payload }) => stringAt(payload, 'event', 'event_type'),
};
