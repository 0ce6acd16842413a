import { z } from 'zod';
import { seconds, secretReference } from '../schema-fields.js';

/** Standard Webhooks (and Svix): `webhook-id`, `webhook-timestamp` and `webhook-signature`. */
export const standardWebhooksVerify = z.strictObject({
  scheme: z.literal('standardWebhooks'),
  /** `whsec_`-prefixed base64 symmetric secrets and/or `whpk_` base64 ed25519 public keys (v1a). */
  secret: secretReference,
  /** @default 300 */
  toleranceSeconds: seconds(1, 3600).optional(),
});
