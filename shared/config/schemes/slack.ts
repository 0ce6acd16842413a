import { z } from 'zod';
import { seconds, secretReference } from '../schema-fields.js';

/** Slack requests: `x-slack-signature: v0=<hex>` and `x-slack-request-timestamp`. */
export const slackVerify = z.strictObject({
  scheme: z.literal('slack'),
  secret: secretReference,
  /** @default 300 */
  toleranceSeconds: seconds(1, 3600).optional(),
});
