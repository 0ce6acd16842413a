/** Route options of the `discord` scheme (interactions endpoint and webhook events). */
import { z } from 'zod';
import { seconds, secretReference } from '../schema-fields.js';

export const discordVerify = z.strictObject({
  scheme: z.literal('discord'),
  /**
   * The application's public key (Developer Portal → General Information), 64 hex digits. During a
   * rotation the secret may hold several keys as a JSON array; any one that verifies passes.
   */
  secret: secretReference,
  /**
   * Allowed distance, past or future, between `X-Signature-Timestamp` and now. Discord signs the
   * timestamp but documents no window (its library checks none); a window stops replays.
   * @default 300
   */
  toleranceSeconds: seconds(1, 3600).optional(),
});
