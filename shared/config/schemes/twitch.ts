/** Route options of the `twitch` scheme (Twitch EventSub over the webhook transport). */
import { z } from 'zod';
import { seconds, secretReference } from '../schema-fields.js';

export const twitchVerify = z.strictObject({
  scheme: z.literal('twitch'),
  /** The `transport.secret` given when creating the EventSub subscriptions (10 to 100 characters). */
  secret: secretReference,
  /**
   * Allowed distance, past or future, between `Twitch-Eventsub-Message-Timestamp` and now. Twitch
   * asks to reject messages older than 10 minutes.
   * @default 600
   */
  toleranceSeconds: seconds(1, 3600).optional(),
});
