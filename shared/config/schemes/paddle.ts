/** Route options of the `paddle` scheme (Paddle Billing notifications). */
import { z } from 'zod';
import { seconds, secretReference } from '../schema-fields.js';

export const paddleVerify = z.strictObject({
  scheme: z.literal('paddle'),
  /** The notification destination's secret key (`pdl_ntfset_…`), used verbatim as the HMAC key. */
  secret: secretReference,
  /**
   * Allowed distance, past or future, between the signed `ts` and now. Paddle's SDK allows 5 s
   * (age only); the wider default leaves room for a Lambda cold start and clock skew, and a
   * replay inside the window carries the same `event_id`, which dedupe drops.
   * @default 60
   */
  toleranceSeconds: seconds(1, 3600).optional(),
});
