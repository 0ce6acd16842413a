import { describe, expect, it } from 'vitest';
import { requestUrl } from '../../../shared/ingress/request-url.js';
import { verify } from '../../../shared/ingress/steps/verify.js';
import { twilioScheme } from '../../../shared/verify/twilio.js';
import { added, incoming, ORIGIN, RECEIVED_AT, recordingLog, routed } from '../../helpers/ingress-steps.js';
import { makeRoute } from '../../helpers/routes.js';

const SECRET = 'twilio-auth-token';
const PUBLIC_URL = 'https://hooks.example.org/sms/status';
const BODY = 'MessageSid=SM1&MessageStatus=delivered';
const secrets = { resolve: async () => [SECRET] };

const direct = makeRoute({ path: '/twilio/', verify: { scheme: 'twilio', secret: { name: 'T' } } });
const proxied = makeRoute({ ...direct, publicUrl: PUBLIC_URL });

describe('requestUrl()', () => {
  it('is the origin the request reached, its path and its query as received', () => {
    expect(requestUrl(direct, ORIGIN, incoming({ path: '/twilio/', query: 'b=2&a=1' }))).toBe(
      `${ORIGIN}/twilio/?b=2&a=1`,
    );
  });

  it("is the route's publicUrl, with the request's query, behind a custom domain or proxy", () => {
    expect(requestUrl(proxied, ORIGIN, incoming({ path: '/twilio/', query: 'a=1' }))).toBe(
      `${PUBLIC_URL}?a=1`,
    );
    expect(requestUrl(proxied, ORIGIN, incoming({ path: '/twilio/', query: '' }))).toBe(PUBLIC_URL);
  });
});

describe('verify() of a URL-aware scheme', () => {
  /** A Twilio callback signed for the URL Twilio was given, arriving at the gateway's own URL. */
  async function arriving(route: typeof direct) {
    const signed = await twilioScheme.sign?.(
      {
        method: 'POST',
        url: `${PUBLIC_URL}?tenant=7`,
        body: BODY,
        secret: SECRET,
        now: RECEIVED_AT,
        deliveryId: 'd1',
      },
      proxied.verify as never,
    );
    const headers = { 'content-type': 'application/x-www-form-urlencoded', ...signed?.headers };
    return routed(route, incoming({ path: '/twilio/', query: 'tenant=7', headers, body: Buffer.from(BODY) }));
  }

  it("verifies against the route's publicUrl", async () => {
    const step = verify({ secrets, log: recordingLog().log, now: () => RECEIVED_AT });

    const { verdict } = await added(step, await arriving(proxied));

    expect(verdict).toMatchObject({ ok: true, scheme: 'twilio' });
  });

  it('refuses the same request without it: the URL it reached is not the one signed', async () => {
    const step = verify({ secrets, log: recordingLog().log, now: () => RECEIVED_AT });

    await expect(Promise.resolve(step(await arriving(direct)))).rejects.toMatchObject({
      status: 401,
      code: 'invalid_signature',
    });
  });
});
