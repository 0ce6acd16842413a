import { idAt, isJsonObject } from './payload.js';
import { CannotSignError, type SchemeConfig, type SchemeDefinition } from './scheme.js';
import { verifyTokenHeader } from './tokens.js';
import type { VerificationInput, VerificationResult } from './types.js';

const TOKEN_HEADER = 'x-telegram-bot-api-secret-token';
/** `setWebhook`'s `secret_token`: 1–256 characters, only `A-Z`, `a-z`, `0-9`, `_` and `-`. */
const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

/**
 * Verifies a Telegram Bot API webhook: `X-Telegram-Bot-Api-Secret-Token` must equal one of the
 * secrets (constant time). Nothing is signed: the token proves the sender knows it, not that the
 * body is Telegram's.
 */
export function verifyTelegram(
  input: VerificationInput,
  _options: SchemeConfig<'telegram'>,
): VerificationResult {
  return verifyTokenHeader('telegram', input, { header: TOKEN_HEADER, format: SECRET_TOKEN });
}

/** The kind of update: the one Update field present besides `update_id` (`message`, `callback_query`…). */
function updateKind(payload: unknown): string | undefined {
  if (!isJsonObject(payload)) return undefined;
  return Object.keys(payload).find((key) => key !== 'update_id' && isJsonObject(payload[key]));
}

export const telegramScheme: SchemeDefinition<'telegram'> = {
  verify: verifyTelegram,
  sign: (request) => {
    if (!SECRET_TOKEN.test(request.secret)) {
      throw new CannotSignError('a Telegram secret_token is 1-256 characters of A-Z, a-z, 0-9, _ and -');
    }
    return { headers: { [TOKEN_HEADER]: request.secret } };
  },
  // update_id increases by one per update and is the same when Telegram retries it.
  deliveryId: ({ payload }) => idAt(payload, 'update_id'),
  eventType: ({ payload }) => updateKind(payload),
};
