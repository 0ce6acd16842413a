/**
 * Telegram Bot API: an `Update` carrying a `message` (a user sent `/start`). Telegram signs nothing:
 * the signer adds `x-telegram-bot-api-secret-token`.
 */
import type { WebhookSample } from './sample.js';
import { jsonSample, numericId, unixSeconds } from './sample-builders.js';

const USER = { id: 123_456_789, is_bot: false, first_name: 'Ada', username: 'ada_l', language_code: 'en' };

const message = jsonSample({
  name: 'telegram.message',
  description: 'Telegram message update: a user sent /start to the bot',
  scheme: 'telegram',
  eventType: 'message',
  payload: (context) => ({
    update_id: numericId(context, 'telegram.update', 9),
    message: {
      message_id: numericId(context, 'telegram.message', 4),
      from: USER,
      chat: { id: USER.id, first_name: USER.first_name, username: USER.username, type: 'private' },
      date: unixSeconds(context.now),
      text: '/start',
      entities: [{ offset: 0, length: 6, type: 'bot_command' }],
    },
  }),
});

/** Telegram's sample: `telegram.message`. */
export const telegramSamples: readonly WebhookSample[] = [message];
