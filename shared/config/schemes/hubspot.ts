/** Route options of the `hubspot` scheme (HubSpot webhooks and app requests, signature v3). */
import { z } from 'zod';
import { seconds, secretReference } from '../schema-fields.js';

export const hubspotVerify = z.strictObject({
  scheme: z.literal('hubspot'),
  /** The app's client secret, used as the HMAC-SHA256 key. */
  secret: secretReference,
  /**
   * Allowed distance, past or future, between `x-hubspot-request-timestamp` (ms) and now. HubSpot
   * documents 5 minutes; its SDK checks only the past.
   * @default 300
   */
  toleranceSeconds: seconds(1, 3600).optional(),
});
