import { createHash } from 'node:crypto';
import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { signTwilio, twilioScheme, verifyTwilio } from '../../../shared/verify/twilio.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

const AUTH_TOKEN = '12345abcde12345abcde12345abcde12';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const URL_BASE = 'https://hooks.example.com/twilio/sms?route=a';
const FORM =
  'To=%2B15551234567&From=%2B15557654321&Body=h%C3%A9llo+there&MessageSid=SM1&MessageStatus=received';

function formParams(body: string): Record<string, string | string[]> {
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const previous = params[name];
    params[name] = previous === undefined ? value : [previous, value].flat();
  }
  return params;
}

/** A form POST signed by the Twilio SDK's own signing function. */
function sdkSigned(url: string, body: string, token = AUTH_TOKEN): Record<string, string> {
  return { 'x-twilio-signature': twilio.getExpectedTwilioSignature(token, url, formParams(body)) };
}

function request(
  url: string | undefined,
  body: string,
  headers: Record<string, string | undefined>,
  secrets: readonly string[] = [AUTH_TOKEN],
): VerificationInput {
  return { method: 'POST', url, body: new TextEncoder().encode(body), headers, secrets, now: NOW };
}

function jsonUrl(body: string, base = URL_BASE): string {
  return `${base}&bodySHA256=${createHash('sha256').update(body).digest('hex')}`;
}

describe('verifyTwilio()', () => {
  it('accepts a form POST signed by the Twilio SDK', () => {
    const result = verifyTwilio(request(URL_BASE, FORM, sdkSigned(URL_BASE, FORM)));

    expect(result).toEqual({ ok: true, scheme: 'twilio', keyId: '0' });
  });

  it('accepts repeated parameters signed by the Twilio SDK (sorted, de-duplicated)', () => {
    const body = 'MediaUrl=b&Body=x&MediaUrl=a&MediaUrl=b';

    const result = verifyTwilio(request(URL_BASE, body, sdkSigned(URL_BASE, body)));

    expect(result.ok).toBe(true);
  });

  it('accepts an empty body (a GET or parameterless POST) signed over the URL alone', () => {
    const result = verifyTwilio(request(URL_BASE, '', sdkSigned(URL_BASE, '')));

    expect(result.ok).toBe(true);
  });

  it('accepts a JSON webhook whose bodySHA256 matches (the SDK validateRequestWithBody case)', () => {
    // Arrange
    const body = '{"event":"sms.status","sid":"SM1"}';
    const url = jsonUrl(body);
    const headers = { 'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, {}) };
    expect(twilio.validateRequestWithBody(AUTH_TOKEN, headers['x-twilio-signature'], url, body)).toBe(true);

    // Act
    const result = verifyTwilio(request(url, body, headers));

    // Assert
    expect(result.ok).toBe(true);
  });

  it('rejects a JSON webhook whose body does not match bodySHA256', () => {
    const url = jsonUrl('{"a":1}');
    const headers = { 'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, {}) };

    const result = verifyTwilio(request(url, '{"a":2}', headers));

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a bodySHA256 that is not a hex sha256 digest', () => {
    const url = `${URL_BASE}&bodySHA256=abc`;
    const headers = { 'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, {}) };

    const result = verifyTwilio(request(url, '{}', headers));

    expect(result).toMatchObject({ ok: false, reason: 'malformed_signature' });
  });

  describe.each([
    ['signed without the port, received with :443', 'https://h.example.com/t', 'https://h.example.com:443/t'],
    ['signed with :443, received without', 'https://h.example.com:443/t', 'https://h.example.com/t'],
    ['signed without the port, received with :80', 'http://h.example.com/t', 'http://h.example.com:80/t'],
  ])('the default port (%s)', (_name, signedUrl, receivedUrl) => {
    it('accepts the signature, as the SDK does', () => {
      const headers = sdkSigned(signedUrl, FORM);
      expect(
        twilio.validateRequest(
          AUTH_TOKEN,
          headers['x-twilio-signature'] ?? '',
          receivedUrl,
          formParams(FORM),
        ),
      ).toBe(true);

      const result = verifyTwilio(request(receivedUrl, FORM, headers));

      expect(result.ok).toBe(true);
    });
  });

  it('rejects a signature for another port', () => {
    const headers = sdkSigned('https://h.example.com/t', FORM);

    const result = verifyTwilio(request('https://h.example.com:8443/t', FORM, headers));

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('accepts a URL the SDK only matches once normalised (a quote in the query)', () => {
    const received = "https://h.example.com/t?name=o'brien";
    const headers = sdkSigned(new URL(received).href, FORM);

    const result = verifyTwilio(request(received, FORM, headers));

    expect(result.ok).toBe(true);
  });

  describe.each([
    ['a tampered parameter', URL_BASE, FORM.replace('SM1', 'SM2')],
    ['an added parameter', URL_BASE, `${FORM}&Extra=1`],
    ['another path', 'https://hooks.example.com/twilio/other?route=a', FORM],
    ['another query', 'https://hooks.example.com/twilio/sms?route=b', FORM],
  ])('with %s', (_name, url, body) => {
    it('rejects the request', () => {
      const result = verifyTwilio(request(url, body, sdkSigned(URL_BASE, FORM)));

      expect(result).toMatchObject({ ok: false, scheme: 'twilio', reason: 'signature_mismatch' });
    });
  });

  it('rejects a tampered signature', () => {
    const signature = sdkSigned(URL_BASE, FORM)['x-twilio-signature'] ?? '';
    const tampered = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;

    const result = verifyTwilio(request(URL_BASE, FORM, { 'x-twilio-signature': tampered }));

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature made with another token', () => {
    const result = verifyTwilio(request(URL_BASE, FORM, sdkSigned(URL_BASE, FORM, 'another-token')));

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('reports the index of the rotated secret that matched', () => {
    const input = request(URL_BASE, FORM, sdkSigned(URL_BASE, FORM, 'new-token'), ['old-token', 'new-token']);

    const result = verifyTwilio(input);

    expect(result).toEqual({ ok: true, scheme: 'twilio', keyId: '1' });
  });

  describe.each([
    ['missing_url', 'no URL', undefined, { 'x-twilio-signature': 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }],
    [
      'missing_url',
      'a relative URL',
      '/twilio/sms',
      { 'x-twilio-signature': 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' },
    ],
    ['missing_signature', 'no signature header', URL_BASE, {}],
    [
      'malformed_signature',
      'a truncated signature',
      URL_BASE,
      { 'x-twilio-signature': 'AAAAAAAAAAAAAAAAAAAA' },
    ],
    ['malformed_signature', 'a hex signature', URL_BASE, { 'x-twilio-signature': 'ab'.repeat(20) }],
  ])('fails with %s given %s', (reason, _name, url, headers) => {
    it('fails closed without throwing', () => {
      const result = verifyTwilio(request(url, FORM, headers));

      expect(result).toMatchObject({ ok: false, scheme: 'twilio', reason });
    });
  });

  it('fails with missing_secret when no secret is configured', () => {
    const result = verifyTwilio(request(URL_BASE, FORM, sdkSigned(URL_BASE, FORM), ['']));

    expect(result).toMatchObject({ ok: false, reason: 'missing_secret' });
  });

  it('never puts the expected signature in the detail', () => {
    const expected = sdkSigned(URL_BASE, FORM)['x-twilio-signature'] ?? '';

    const result = verifyTwilio(request(URL_BASE, FORM, { 'x-twilio-signature': `${'A'.repeat(27)}=` }));

    expect(JSON.stringify(result)).not.toContain(expected);
    expect(JSON.stringify(result)).not.toContain(AUTH_TOKEN);
  });
});

describe('signTwilio()', () => {
  const toSign = {
    method: 'POST',
    url: URL_BASE,
    body: FORM,
    secret: AUTH_TOKEN,
    now: NOW,
    deliveryId: 'idem-1',
  };

  it('signs a form POST so that the Twilio SDK accepts it', () => {
    const { headers } = signTwilio(toSign);

    expect(
      twilio.validateRequest(AUTH_TOKEN, headers['x-twilio-signature'] ?? '', URL_BASE, formParams(FORM)),
    ).toBe(true);
    expect(headers['i-twilio-idempotency-token']).toBe('idem-1');
  });

  it('signs a JSON webhook over its bodySHA256 URL so that the Twilio SDK accepts it', () => {
    const body = '{"a":1}';
    const url = jsonUrl(body);

    const { headers } = signTwilio({ ...toSign, url, body });

    expect(twilio.validateRequestWithBody(AUTH_TOKEN, headers['x-twilio-signature'] ?? '', url, body)).toBe(
      true,
    );
    expect(verifyTwilio(request(url, body, headers)).ok).toBe(true);
  });

  it('signs a request that verifyTwilio accepts', () => {
    const { headers } = signTwilio(toSign);

    expect(verifyTwilio(request(URL_BASE, FORM, headers))).toEqual({
      ok: true,
      scheme: 'twilio',
      keyId: '0',
    });
  });

  it('refuses to sign with an empty secret', () => {
    expect(() => signTwilio({ ...toSign, secret: '' })).toThrow(/needs a secret/);
  });
});

describe('twilioScheme', () => {
  it('takes the delivery id from i-twilio-idempotency-token', () => {
    const id = twilioScheme.deliveryId?.({ headers: { 'i-twilio-idempotency-token': 'tok-1' }, payload: {} });

    expect(id).toBe('tok-1');
  });

  describe.each([
    [{ MessageStatus: 'delivered', SmsStatus: 'delivered' }, 'delivered'],
    [{ CallStatus: 'completed' }, 'completed'],
    [{ SmsStatus: 'received' }, 'received'],
    [{ Body: 'hi' }, undefined],
  ])('given the form %j', (payload, expected) => {
    it(`reads the event type ${String(expected)}`, () => {
      expect(twilioScheme.eventType?.({ headers: {}, payload })).toBe(expected);
    });
  });
});
