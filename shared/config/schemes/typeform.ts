import { z } from 'zod';
import { secretReference } from '../schema-fields.js';

/** Typeform webhooks: `Typeform-Signature: sha256=<base64>` over the raw body. */
export const typeformVerify = z.strictObject({
  scheme: z.literal('typeform'),
  /** The `secret` set on the webhook (API or form Connect panel). */
  secret: secretReference,
});
