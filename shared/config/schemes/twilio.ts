/** Route options of the `twilio` scheme (Twilio Messaging and Voice webhooks). */
import { z } from 'zod';
import { secretReference } from '../schema-fields.js';

export const twilioVerify = z.strictObject({
  scheme: z.literal('twilio'),
  /** The account's Auth Token (the primary one: Twilio signs with it), used as the HMAC-SHA1 key. */
  secret: secretReference,
});
