/** Route options of the `sendgrid` scheme (Twilio SendGrid signed Event Webhook). */
import { z } from 'zod';
import { seconds, secretReference } from '../schema-fields.js';

export const sendgridVerify = z.strictObject({
  scheme: z.literal('sendgrid'),
  /**
   * The Event Webhook verification key (Mail Settings → Event Webhook → Signature Verification):
   * base64 DER of an ECDSA P-256 public key, without PEM armour. During a rotation the secret may
   * hold several keys as a JSON array; any one that verifies passes.
   */
  secret: secretReference,
  /**
   * Allowed distance, past or future, between `X-Twilio-Email-Event-Webhook-Timestamp` and now.
   * SendGrid signs the timestamp but documents no window; a window stops replays.
   * @default 300
   */
  toleranceSeconds: seconds(1, 3600).optional(),
});
