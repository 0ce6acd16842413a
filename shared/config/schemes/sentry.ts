/** Route options of the `sentry` scheme (Sentry integration platform webhooks). */
import { z } from 'zod';
import { secretReference } from '../schema-fields.js';

export const sentryVerify = z.strictObject({
  scheme: z.literal('sentry'),
  /** The integration's Client Secret, the key of `Sentry-Hook-Signature`. */
  secret: secretReference,
});
