import { z } from 'zod';
import { secretReference } from '../schema-fields.js';

/** GitHub webhooks: `x-hub-signature-256: sha256=<hex HMAC-SHA256>` over the raw body. */
export const githubVerify = z.strictObject({
  scheme: z.literal('github'),
  secret: secretReference,
  /**
   * Also accept the legacy `x-hub-signature` (HMAC-SHA1) header when no sha256 header is sent.
   * @default false
   */
  allowSha1: z.boolean().optional(),
});
