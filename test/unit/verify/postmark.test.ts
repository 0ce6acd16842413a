import { describe, expect, it } from 'vitest';
import { postmarkScheme, verifyPostmark } from '../../../shared/verify/postmark.js';
import { CannotSignError, type SchemeConfig } from '../../../shared/verify/scheme.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

// Postmark signs nothing: the documented rule (postmarkapp.com webhooks overview) is HTTP Basic
// credentials written in the webhook URL, which the client sends per RFC 7617.
const SECRET = 'hookline:s3cr3t:with:colons';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const OPTIONS: SchemeConfig<'postmark'> = { scheme: 'postmark', secret: { name: 'POSTMARK_BASIC_AUTH' } };
const PAYLOAD =
  '{"RecordType":"Delivery","MessageID":"883953f4-6105-42a2-a16a-77a8eac79483","Recipient":"john@example.com","DeliveredAt":"2026-01-15T11:59:58Z"}';

/** The Authorization header an HTTP client sends for `https://user:pass@host/` (RFC 7617). */
function basic(credentials: string): string {
  return `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
}

function request(
  headers: Record<string, string>,
  { body = PAYLOAD, secrets = [SECRET] as readonly string[] } = {},
): VerificationInput {
  return { body: new TextEncoder().encode(body), headers, secrets, now: NOW };
}

describe('verifyPostmark()', () => {
  it('accepts the Basic credentials of the webhook URL', () => {
    expect(verifyPostmark(request({ authorization: basic(SECRET) }), OPTIONS)).toEqual({
      ok: true,
      scheme: 'postmark',
      keyId: '0',
    });
  });

  it('accepts what fetch() sends for credentials in the URL', () => {
    // Arrange: the WHATWG URL parser percent-encodes; the client decodes before building the header.
    const url = new URL('https://hookline:p%C3%A4ss@hooks.example.com/postmark');
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;

    // Act
    const result = verifyPostmark(
      request({ authorization: basic(credentials) }, { secrets: ['hookline:päss'] }),
      OPTIONS,
    );

    // Assert
    expect(result.ok).toBe(true);
  });

  it('accepts a lower-case scheme word', () => {
    const header = basic(SECRET).replace('Basic', 'basic');

    expect(verifyPostmark(request({ authorization: header }), OPTIONS).ok).toBe(true);
  });

  it('accepts an empty body (the body is not covered)', () => {
    expect(verifyPostmark(request({ authorization: basic(SECRET) }, { body: '' }), OPTIONS).ok).toBe(true);
  });

  it('reports the index of the rotated secret that matched', () => {
    const result = verifyPostmark(
      request({ authorization: basic('u:new') }, { secrets: ['u:old', 'u:new'] }),
      OPTIONS,
    );

    expect(result).toMatchObject({ ok: true, keyId: '1' });
  });

  describe.each([
    ['a wrong password', { authorization: basic('hookline:wrong') }, 'signature_mismatch'],
    ['a truncated password', { authorization: basic(SECRET.slice(0, -1)) }, 'signature_mismatch'],
    ['no authorization header', {}, 'missing_token'],
    ['a Bearer token', { authorization: `Bearer ${SECRET}` }, 'malformed_token'],
    ['credentials that are not base64', { authorization: 'Basic hookline:secret' }, 'malformed_token'],
    ['unpadded base64', { authorization: basic('hookline:pw').replace(/=+$/, '') }, 'malformed_token'],
    ['credentials without a colon', { authorization: basic('hooklinesecret') }, 'malformed_token'],
  ] as const)('with %s', (_case, headers, reason) => {
    it(`rejects it as ${reason}`, () => {
      expect(verifyPostmark(request(headers), OPTIONS)).toMatchObject({
        ok: false,
        scheme: 'postmark',
        reason,
      });
    });
  });

  it('rejects every request when no secret is configured', () => {
    expect(verifyPostmark(request({ authorization: basic(':') }, { secrets: [''] }), OPTIONS)).toMatchObject({
      reason: 'missing_secret',
    });
  });
});

describe('postmarkScheme.sign()', () => {
  const toSign = { method: 'POST', url: 'https://h.example.com', body: PAYLOAD, now: NOW, deliveryId: 'x' };

  it('sends the Basic credentials, which verifyPostmark() accepts', async () => {
    const signed = await postmarkScheme.sign?.({ ...toSign, secret: SECRET }, OPTIONS);

    expect(signed).toEqual({ headers: { authorization: basic(SECRET) } });
    expect(verifyPostmark(request({ ...signed?.headers }), OPTIONS).ok).toBe(true);
  });

  it('refuses a secret that is not user:pass', () => {
    expect(() => postmarkScheme.sign?.({ ...toSign, secret: 'nocolon' }, OPTIONS)).toThrow(CannotSignError);
  });
});

describe('postmarkScheme ids', () => {
  it('names the event by RecordType', () => {
    expect(postmarkScheme.eventType?.({ headers: {}, payload: JSON.parse(PAYLOAD) })).toBe('Delivery');
  });

  it('keys a delivery by record type, message, recipient and time', () => {
    expect(postmarkScheme.deliveryId?.({ headers: {}, payload: JSON.parse(PAYLOAD) })).toBe(
      'Delivery:883953f4-6105-42a2-a16a-77a8eac79483:john@example.com:2026-01-15T11:59:58Z',
    );
  });

  it('tells two opens of one message apart', () => {
    const open = { RecordType: 'Open', MessageID: 'm1', Recipient: 'a@example.com' };
    const first = { ...open, ReceivedAt: '2026-01-15T11:00:00.1234567Z' };
    const second = { ...open, ReceivedAt: '2026-01-15T11:05:00.7654321Z' };

    expect(postmarkScheme.deliveryId?.({ headers: {}, payload: first })).not.toBe(
      postmarkScheme.deliveryId?.({ headers: {}, payload: second }),
    );
  });

  it('keys a bounce by its Email and BouncedAt', () => {
    const bounce = {
      RecordType: 'Bounce',
      ID: 42,
      MessageID: 'm2',
      Email: 'b@example.com',
      BouncedAt: '2026-01-15T10:00:00Z',
    };

    expect(postmarkScheme.deliveryId?.({ headers: {}, payload: bounce })).toBe(
      'Bounce:m2:b@example.com:2026-01-15T10:00:00Z',
    );
  });

  it('has no delivery id without RecordType or MessageID', () => {
    expect(postmarkScheme.deliveryId?.({ headers: {}, payload: { MessageID: 'm3' } })).toBeUndefined();
    expect(postmarkScheme.deliveryId?.({ headers: {}, payload: { RecordType: 'Open' } })).toBeUndefined();
  });
});
