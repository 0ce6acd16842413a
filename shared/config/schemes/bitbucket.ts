import { z } from 'zod';
import { secretReference } from '../schema-fields.js';

/** Bitbucket Cloud webhooks: `X-Hub-Signature: sha256=<hex>` over the raw body. */
export const bitbucketVerify = z.strictObject({
  scheme: z.literal('bitbucket'),
  /** The webhook's secret (Repository settings → Webhooks). */
  secret: secretReference,
});
