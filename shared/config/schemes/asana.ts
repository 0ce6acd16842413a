/** Route options of the `asana` scheme (Asana webhooks). */
import { z } from 'zod';
import { secretReference } from '../schema-fields.js';

export const asanaVerify = z.strictObject({
  scheme: z.literal('asana'),
  /**
   * Where the webhook's `X-Hook-Secret` is kept. Leave the secret empty: the gateway stores the
   * value Asana sends in its handshake, and refuses a later handshake with another value (clear
   * the secret to enroll a new webhook).
   */
  secret: secretReference,
});
