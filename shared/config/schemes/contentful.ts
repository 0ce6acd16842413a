/** Route options of the `contentful` scheme (Contentful webhook and app request verification). */
import { z } from 'zod';
import { seconds, secretReference } from '../schema-fields.js';

export const contentfulVerify = z.strictObject({
  scheme: z.literal('contentful'),
  /** The space's webhook signing secret (or the app's signing secret): 64 characters. */
  secret: secretReference,
  /**
   * Allowed distance, past or future, between `x-contentful-timestamp` (ms) and now. The
   * toolkit's `verifyRequest` defaults to a 30 s time to live and checks only the past.
   * @default 30
   */
  toleranceSeconds: seconds(1, 3600).optional(),
});
