/** Route options of the `zoom` scheme (Zoom webhooks signed with the app's secret token). */
import { z } from 'zod';
import { seconds, secretReference } from '../schema-fields.js';

export const zoomVerify = z.strictObject({
  scheme: z.literal('zoom'),
  /** The event subscription's Secret Token (not the deprecated verification token). */
  secret: secretReference,
  /**
   * Allowed distance, past or future, between `x-zm-request-timestamp` and now. Zoom's docs ask to
   * reject stale requests without giving a window; its Rivet SDK checks none.
   * @default 300
   */
  toleranceSeconds: seconds(1, 3600).optional(),
});
