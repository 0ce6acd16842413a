import { describe, expect, it } from 'vitest';
import { CannotSignError, type SchemeConfig } from '../../../shared/verify/scheme.js';
import { telegramScheme, verifyTelegram } from '../../../shared/verify/telegram.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

// Telegram signs nothing: the documented rule (core.telegram.org/bots/api#setwebhook) is that the
// header carries the secret_token exactly, 1-256 characters of A-Za-z0-9_-.
const SECRET = 'Tg_secret-Token_0123456789';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const OPTIONS: SchemeConfig<'telegram'> = { scheme: 'telegram', secret: { name: 'TELEGRAM_SECRET_TOKEN' } };
const HEADER = 'x-telegram-bot-api-secret-token';
const PAYLOAD =
  '{"update_id":815432987,"message":{"message_id":12,"chat":{"id":42,"type":"private"},"text":"/start"}}';

function request(
  headers: Record<string, string>,
  { body = PAYLOAD, secrets = [SECRET] as readonly string[] } = {},
): VerificationInput {
  return { body: new TextEncoder().encode(body), headers, secrets, now: NOW };
}

describe('verifyTelegram()', () => {
  it('accepts the secret token', () => {
    expect(verifyTelegram(request({ [HEADER]: SECRET }), OPTIONS)).toEqual({
      ok: true,
      scheme: 'telegram',
      keyId: '0',
    });
  });

  it('accepts an empty body (the body is not covered)', () => {
    expect(verifyTelegram(request({ [HEADER]: SECRET }, { body: '' }), OPTIONS).ok).toBe(true);
  });

  it('accepts the longest token Telegram allows', () => {
    const longest = 'a'.repeat(256);

    expect(verifyTelegram(request({ [HEADER]: longest }, { secrets: [longest] }), OPTIONS).ok).toBe(true);
  });

  it('reports the index of the rotated secret that matched', () => {
    const result = verifyTelegram(
      request({ [HEADER]: 'new_token' }, { secrets: ['old_token', 'new_token'] }),
      OPTIONS,
    );

    expect(result).toMatchObject({ ok: true, keyId: '1' });
  });

  describe.each([
    ['a wrong token', { [HEADER]: 'another_token' }, 'signature_mismatch'],
    ['a truncated token', { [HEADER]: SECRET.slice(0, -1) }, 'signature_mismatch'],
    ['a token with a suffix', { [HEADER]: `${SECRET}x` }, 'signature_mismatch'],
    ['a token differing in case', { [HEADER]: SECRET.toUpperCase() }, 'signature_mismatch'],
    ['no token', {}, 'missing_token'],
    ['an empty token', { [HEADER]: '' }, 'missing_token'],
    ['a token outside A-Za-z0-9_-', { [HEADER]: `${SECRET}!` }, 'malformed_token'],
    ['a token longer than 256 characters', { [HEADER]: 'a'.repeat(257) }, 'malformed_token'],
  ] as const)('with %s', (_case, headers, reason) => {
    it(`rejects it as ${reason}`, () => {
      expect(verifyTelegram(request(headers), OPTIONS)).toMatchObject({
        ok: false,
        scheme: 'telegram',
        reason,
      });
    });
  });

  it('rejects every request when no secret is configured', () => {
    expect(verifyTelegram(request({ [HEADER]: SECRET }, { secrets: [''] }), OPTIONS)).toMatchObject({
      ok: false,
      reason: 'missing_secret',
    });
  });

  it('never puts a secret in the failure detail', () => {
    const result = verifyTelegram(request({ [HEADER]: 'wrong' }), OPTIONS);

    expect(JSON.stringify(result)).not.toContain(SECRET);
  });
});

describe('telegramScheme.sign()', () => {
  const toSign = {
    method: 'POST',
    url: 'https://h.example.com/tg',
    body: PAYLOAD,
    now: NOW,
    deliveryId: '1',
  };

  it('sends the secret token header that verifyTelegram() accepts', async () => {
    const signed = await telegramScheme.sign?.({ ...toSign, secret: SECRET }, OPTIONS);

    expect(signed).toEqual({ headers: { [HEADER]: SECRET } });
    expect(verifyTelegram(request({ ...signed?.headers }), OPTIONS).ok).toBe(true);
  });

  it('refuses a secret Telegram would not accept as secret_token', () => {
    expect(() => telegramScheme.sign?.({ ...toSign, secret: 'has space' }, OPTIONS)).toThrow(CannotSignError);
  });
});

describe('telegramScheme ids', () => {
  it('takes the delivery id from update_id', () => {
    expect(telegramScheme.deliveryId?.({ headers: {}, payload: JSON.parse(PAYLOAD) })).toBe('815432987');
  });

  it.each([
    ['message', PAYLOAD],
    ['callback_query', '{"update_id":1,"callback_query":{"id":"4382","data":"ok"}}'],
    ['edited_channel_post', '{"update_id":2,"edited_channel_post":{"message_id":3}}'],
  ])('names the update kind %s', (kind, body) => {
    expect(telegramScheme.eventType?.({ headers: {}, payload: JSON.parse(body) })).toBe(kind);
  });

  it('has no event type for a payload without an update object', () => {
    expect(telegramScheme.eventType?.({ headers: {}, payload: { update_id: 3 } })).toBeUndefined();
  });
});
