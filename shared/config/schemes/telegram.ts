/** Route options of the `telegram` scheme (Telegram Bot API webhooks). */
import { z } from 'zod';
import { secretReference } from '../schema-fields.js';

export const telegramVerify = z.strictObject({
  scheme: z.literal('telegram'),
  /**
   * The `secret_token` given to `setWebhook` (1–256 characters of `A-Za-z0-9_-`), which Telegram
   * sends as `X-Telegram-Bot-Api-Secret-Token`. Nothing is signed; treat it as a password.
   */
  secret: secretReference,
});
