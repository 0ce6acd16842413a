import { z } from 'zod';
import { secretReference } from '../schema-fields.js';

/** Intercom webhooks: `X-Hub-Signature: sha1=<hex>` over the raw body. */
export const intercomVerify = z.strictObject({
  scheme: z.literal('intercom'),
  /** The app's client secret (Developer Hub → Basic information). */
  secret: secretReference,
});
