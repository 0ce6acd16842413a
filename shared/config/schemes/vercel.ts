import { z } from 'zod';
import { secretReference } from '../schema-fields.js';

/** Vercel webhooks: `x-vercel-signature: <hex HMAC-SHA1>` over the raw body. */
export const vercelVerify = z.strictObject({
  scheme: z.literal('vercel'),
  /** The webhook's secret (shown once when it is created); integration webhooks use the Client Secret. */
  secret: secretReference,
});
