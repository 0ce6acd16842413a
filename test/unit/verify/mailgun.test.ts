import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mailgunScheme, verifyMailgun } from '../../../shared/verify/mailgun.js';
import { CannotSignError, type SchemeConfig } from '../../../shared/verify/scheme.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

const SECRET = 'key-3ax6xnjp29jd6fds4gc373sgvjxteol0';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const OPTIONS: SchemeConfig<'mailgun'> = { scheme: 'mailgun', secret: { name: 'MAILGUN_SIGNING_KEY' } };
const TOKEN = 'e0b5477167110d68991efc6b9f89f0a11066af27834600e123';
const EVENT_DATA = { id: 'CPgfbmQMTCKtHW6uIWtuVe', event: 'delivered', recipient: 'alice@example.com' };

/**
 * Mailgun's documented rule (documentation.mailgun.com, Securing Webhooks), computed with
 * node:crypto: hex HMAC-SHA256 of timestamp and token concatenated, with the signing key. Mailgun's
 * example values are not a usable vector (their key is not published).
 */
function mailgunSignature(timestamp: string, token: string, key = SECRET): string {
  return createHmac('sha256', key).update(`${timestamp}${token}`).digest('hex');
}

interface Fields {
  timestamp?: string | number;
  token?: string;
  signature?: string;
  'parent-signature'?: string;
}

function signedFields(timestamp = String(NOW_SECONDS), key = SECRET): Fields {
  return { timestamp, token: TOKEN, signature: mailgunSignature(timestamp, TOKEN, key) };
}

function jsonBody(signature: Fields | undefined, eventData: unknown = EVENT_DATA): string {
  return JSON.stringify({ ...(signature === undefined ? {} : { signature }), 'event-data': eventData });
}

function request(
  body: string,
  { secrets = [SECRET] as readonly string[], now = NOW, contentType = 'application/json' } = {},
): VerificationInput {
  return { body: new TextEncoder().encode(body), headers: { 'content-type': contentType }, secrets, now };
}

describe('verifyMailgun()', () => {
  it('accepts a JSON webhook signed by the rule', () => {
    const result = verifyMailgun(request(jsonBody(signedFields())), OPTIONS);

    expect(result).toEqual({ ok: true, scheme: 'mailgun', keyId: '0', signedAt: NOW.toISOString() });
  });

  it('accepts a urlencoded form webhook with the same fields', () => {
    // Arrange: old-style webhooks post the fields at the top level of a form.
    const form = new URLSearchParams({ ...(signedFields() as Record<string, string>), event: 'delivered' });

    // Act
    const result = verifyMailgun(
      request(form.toString(), { contentType: 'application/x-www-form-urlencoded; charset=utf-8' }),
      OPTIONS,
    );

    // Assert
    expect(result).toMatchObject({ ok: true, keyId: '0' });
  });

  it('accepts a timestamp sent as a JSON number', () => {
    const fields = { ...signedFields(), timestamp: NOW_SECONDS };

    expect(verifyMailgun(request(jsonBody(fields)), OPTIONS).ok).toBe(true);
  });

  it('uses a key-prefixed signing key verbatim', () => {
    const withoutPrefix = signedFields(String(NOW_SECONDS), SECRET.replace(/^key-/, ''));

    expect(verifyMailgun(request(jsonBody(withoutPrefix)), OPTIONS)).toMatchObject({
      reason: 'signature_mismatch',
    });
  });

  it('accepts a body with an empty payload besides the signature', () => {
    const body = JSON.stringify({ signature: signedFields() });

    expect(verifyMailgun(request(body), OPTIONS).ok).toBe(true);
  });

  it('does not cover the rest of the body (documented Mailgun behaviour)', () => {
    const tampered = jsonBody(signedFields(), { ...EVENT_DATA, event: 'failed' });

    expect(verifyMailgun(request(tampered), OPTIONS).ok).toBe(true);
  });

  it("accepts a sub-account's parent-signature made with the primary account's key", () => {
    // Arrange: the route lists the primary account's key only.
    const fields = {
      ...signedFields(String(NOW_SECONDS), 'sub-account-key'),
      'parent-signature': mailgunSignature(String(NOW_SECONDS), TOKEN, 'primary-key'),
    };

    // Act
    const result = verifyMailgun(request(jsonBody(fields), { secrets: ['primary-key'] }), OPTIONS);

    // Assert
    expect(result).toMatchObject({ ok: true, keyId: '0' });
  });

  it('reports the index of the rotated secret that matched', () => {
    const body = jsonBody(signedFields(String(NOW_SECONDS), 'new-key'));

    expect(verifyMailgun(request(body, { secrets: ['old-key', 'new-key'] }), OPTIONS)).toMatchObject({
      keyId: '1',
    });
  });

  it('accepts a timestamp at the edge of the tolerance, either side', () => {
    expect(verifyMailgun(request(jsonBody(signedFields(String(NOW_SECONDS - 300)))), OPTIONS).ok).toBe(true);
    expect(verifyMailgun(request(jsonBody(signedFields(String(NOW_SECONDS + 300)))), OPTIONS).ok).toBe(true);
  });

  it('rejects a signature older than the tolerance', () => {
    const result = verifyMailgun(request(jsonBody(signedFields(String(NOW_SECONDS - 301)))), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  it('rejects a signature too far in the future', () => {
    const result = verifyMailgun(request(jsonBody(signedFields(String(NOW_SECONDS + 301)))), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  it('applies the configured tolerance', () => {
    const body = jsonBody(signedFields(String(NOW_SECONDS - 3600)));

    expect(verifyMailgun(request(body), { ...OPTIONS, toleranceSeconds: 3600 }).ok).toBe(true);
  });

  describe.each([
    ['a missing signature object', jsonBody(undefined), 'missing_signature'],
    ['an empty body', '', 'missing_signature'],
    ['a body that is not JSON', 'not json', 'missing_signature'],
    ['a missing signature field', jsonBody({ ...signedFields(), signature: undefined }), 'missing_signature'],
    ['a missing timestamp', jsonBody({ ...signedFields(), timestamp: undefined }), 'missing_timestamp'],
    ['a missing token', jsonBody({ ...signedFields(), token: undefined }), 'missing_token'],
    ['an invalid timestamp', jsonBody({ ...signedFields(), timestamp: '2026-01-15' }), 'malformed_timestamp'],
    [
      'a partial signature',
      jsonBody({ ...signedFields(), signature: signedFields().signature?.slice(0, 40) }),
      'malformed_signature',
    ],
    [
      'a tampered token',
      jsonBody({ ...signedFields(), token: `${TOKEN.slice(0, -1)}4` }),
      'signature_mismatch',
    ],
    [
      'a tampered timestamp',
      jsonBody({ ...signedFields(), timestamp: String(NOW_SECONDS - 1) }),
      'signature_mismatch',
    ],
    [
      'a tampered signature',
      jsonBody({ ...signedFields(), signature: mailgunSignature(String(NOW_SECONDS), 'other-token') }),
      'signature_mismatch',
    ],
    ['a wrong key', jsonBody(signedFields(String(NOW_SECONDS), 'wrong-key')), 'signature_mismatch'],
  ] as const)('with %s', (_case, body, reason) => {
    it(`rejects it as ${reason}`, () => {
      expect(verifyMailgun(request(body), OPTIONS)).toMatchObject({ ok: false, scheme: 'mailgun', reason });
    });
  });

  it('rejects every request when no secret is configured', () => {
    expect(verifyMailgun(request(jsonBody(signedFields()), { secrets: [] }), OPTIONS)).toMatchObject({
      reason: 'missing_secret',
    });
  });
});

describe('mailgunScheme.sign()', () => {
  const toSign = {
    method: 'POST',
    url: 'https://h.example.com/mg',
    secret: SECRET,
    now: NOW,
    deliveryId: 'd',
  };

  it('returns the body with a signature object that the documented rule and verifyMailgun() accept', async () => {
    // Arrange
    const payload = JSON.stringify({ 'event-data': EVENT_DATA });

    // Act
    const signed = await mailgunScheme.sign?.({ ...toSign, body: payload }, OPTIONS);

    // Assert
    const body = JSON.parse(signed?.body ?? '{}') as { signature: Required<Fields>; 'event-data': unknown };
    expect(body['event-data']).toEqual(EVENT_DATA);
    expect(body.signature.timestamp).toBe(String(NOW_SECONDS));
    expect(body.signature.token).toMatch(/^[0-9a-f]{50}$/);
    expect(body.signature.signature).toBe(mailgunSignature(String(NOW_SECONDS), body.signature.token));
    expect(verifyMailgun(request(signed?.body ?? ''), OPTIONS).ok).toBe(true);
  });

  it('signs an empty body as a body holding only the signature', async () => {
    const signed = await mailgunScheme.sign?.({ ...toSign, body: '' }, OPTIONS);

    expect(verifyMailgun(request(signed?.body ?? ''), OPTIONS).ok).toBe(true);
  });

  it('draws a new token for each request', async () => {
    const first = await mailgunScheme.sign?.({ ...toSign, body: '{}' }, OPTIONS);
    const second = await mailgunScheme.sign?.({ ...toSign, body: '{}' }, OPTIONS);

    expect(first?.body).not.toBe(second?.body);
  });

  it('refuses a body that is not a JSON object', () => {
    expect(() => mailgunScheme.sign?.({ ...toSign, body: '[1,2]' }, OPTIONS)).toThrow(CannotSignError);
  });
});

describe('mailgunScheme ids', () => {
  it('takes the delivery id and event type from event-data', () => {
    const delivery = { headers: {}, payload: JSON.parse(jsonBody(signedFields())) as unknown };

    expect(mailgunScheme.deliveryId?.(delivery)).toBe('CPgfbmQMTCKtHW6uIWtuVe');
    expect(mailgunScheme.eventType?.(delivery)).toBe('delivered');
  });

  it('does not use the per-signing token as a delivery id', () => {
    const delivery = { headers: {}, payload: { signature: signedFields() } };

    expect(mailgunScheme.deliveryId?.(delivery)).toBeUndefined();
  });

  it('names the event of an old-style form post', () => {
    expect(mailgunScheme.eventType?.({ headers: {}, payload: { event: 'opened' } })).toBe('opened');
  });
});
