import { z } from 'zod';
import { seconds, secretReference } from '../schema-fields.js';

/** Stripe webhooks: `stripe-signature: t=<unix>,v1=<hex>`, HMAC-SHA256 of `${t}.${raw body}`. */
export const stripeVerify = z.strictObject({
  scheme: z.literal('stripe'),
  secret: secretReference,
  /** @default 300 */
  toleranceSeconds: seconds(1, 3600).optional(),
});
