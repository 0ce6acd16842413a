/** Route options of the `linear` scheme (Linear webhooks). */
import { z } from 'zod';
import { seconds, secretReference } from '../schema-fields.js';

export const linearVerify = z.strictObject({
  scheme: z.literal('linear'),
  /** The webhook's signing secret (`lin_wh_…`), used verbatim as the HMAC key. */
  secret: secretReference,
  /**
   * Allowed distance, past or future, between the body's signed `webhookTimestamp` and now, as in
   * Linear's SDK.
   * @default 60
   */
  toleranceSeconds: seconds(1, 3600).optional(),
});
