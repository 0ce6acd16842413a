/** Route options of the `mailgun` scheme (Mailgun webhooks, signed inside the body). */
import { z } from 'zod';
import { seconds, secretReference } from '../schema-fields.js';

export const mailgunVerify = z.strictObject({
  scheme: z.literal('mailgun'),
  /**
   * The account's HTTP webhook signing key. A sub-account's webhooks also carry `parent-signature`,
   * made with the primary account's key: either key may be listed.
   */
  secret: secretReference,
  /**
   * Allowed distance, past or future, between the signed `timestamp` and now. Mailgun leaves the
   * window to the receiver; up to 8 hours (its retry window) may be set.
   * @default 300
   */
  toleranceSeconds: seconds(1, 28_800).optional(),
});
