/** Route options of the `workos` scheme (WorkOS webhooks). */
import { z } from 'zod';
import { seconds, secretReference } from '../schema-fields.js';

export const workosVerify = z.strictObject({
  scheme: z.literal('workos'),
  /** The webhook endpoint's secret, used verbatim as the HMAC key. */
  secret: secretReference,
  /**
   * Allowed distance, past or future, between the signed `t` (milliseconds) and now. WorkOS's SDK
   * allows 180 s and checks only the age.
   * @default 180
   */
  toleranceSeconds: seconds(1, 3600).optional(),
});
