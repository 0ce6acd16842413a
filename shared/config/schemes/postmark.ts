/** Route options of the `postmark` scheme (Postmark webhooks: HTTP Basic credentials, no signature). */
import { z } from 'zod';
import { secretReference } from '../schema-fields.js';

export const postmarkVerify = z.strictObject({
  scheme: z.literal('postmark'),
  /**
   * `user:pass`, the Basic credentials written into the webhook URL
   * (`https://user:pass@host/path`). Postmark sends them as `Authorization: Basic …`.
   */
  secret: secretReference,
});
