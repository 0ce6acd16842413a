import { signRequest, verifyRequest } from '@contentful/node-apps-toolkit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  canonicalPath,
  contentfulScheme,
  signContentful,
  verifyContentful,
} from '../../../shared/verify/contentful.js';
import type { SchemeConfig } from '../../../shared/verify/scheme.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

const SECRET = 'k7Hq2Zp9Xw4Lm8Rt3Vb6Nc1Yd5Fg0Js2Ua7Qe9Wi4Ko8Pl3Mz6Xc1Vb5Nn0Hh2Tt';
const OTHER_SECRET = 'A'.repeat(64);
const NOW = new Date('2026-01-15T12:00:00.000Z');
const NOW_MS = NOW.getTime();
const ORIGIN = 'https://hooks.example.com';
const PATH = '/contentful/entries?space=abc&env=master';
const BODY = '{"sys":{"id":"5KsDBWseXY6QegucYAoacS","type":"Entry"},"fields":{"title":{"en-US":"Café"}}}';
const EVENT_HEADERS = {
  'x-contentful-topic': 'ContentManagement.Entry.publish',
  'x-contentful-idempotency-key': 'f0d7ab4a5b1b2c3d',
  'content-type': 'application/vnd.contentful.management.v1+json',
};
const OPTIONS: SchemeConfig<'contentful'> = {
  scheme: 'contentful',
  secret: { name: 'CONTENTFUL_SIGNING_SECRET' },
};

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';

/** The request's headers (lower-cased) after the toolkit's `signRequest` signed them. */
function toolkitSigned(
  { path = PATH, body = BODY, method = 'POST' as Method, headers = EVENT_HEADERS, secret = SECRET } = {},
  timestamp = NOW_MS,
): Record<string, string> {
  const signed = signRequest(secret, { method, path, headers, body }, timestamp);
  return { ...headers, ...signed };
}

interface RequestChange {
  readonly url?: string | undefined;
  readonly method?: string | undefined;
  readonly body?: string;
  readonly secrets?: readonly string[];
}

/** A request to `PATH` with `BODY`; `change` overrides any part, an explicit undefined included. */
function request(headers: Record<string, string | undefined>, change: RequestChange = {}): VerificationInput {
  const { url, method, body, secrets } = {
    url: `${ORIGIN}${PATH}`,
    method: 'POST',
    body: BODY,
    secrets: [SECRET],
    ...change,
  };
  return { method, url, body: new TextEncoder().encode(body), headers, secrets, now: NOW };
}

beforeEach(() => {
  // The toolkit's verifyRequest reads Date.now() for its time-to-live check.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('verifyContentful()', () => {
  it('accepts a request signed by the toolkit', () => {
    const result = verifyContentful(request(toolkitSigned()), OPTIONS);

    expect(result).toEqual({ ok: true, scheme: 'contentful', keyId: '0', signedAt: NOW.toISOString() });
  });

  it('accepts an empty body', () => {
    const result = verifyContentful(request(toolkitSigned({ body: '' }), { body: '' }), OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('accepts app context headers the toolkit signs (CRN, space, environment)', () => {
    // Arrange
    const context = {
      spaceId: 'abc',
      envId: 'master',
      appId: 'app1',
      crn: 'crn:contentful:::content:spaces/abc',
    };
    const signed = signRequest(
      SECRET,
      { method: 'POST', path: PATH, headers: EVENT_HEADERS, body: BODY },
      NOW_MS,
      context,
    );

    // Act
    const result = verifyContentful(request({ ...EVENT_HEADERS, ...signed }), OPTIONS);

    // Assert
    expect(signed['x-contentful-signed-headers']).toContain('x-contentful-space-id');
    expect(result.ok).toBe(true);
  });

  describe.each([
    ['an encoded path and query', '/hooks/caf%C3%A9?q=a%20b&next=%2Fx'],
    ['characters encodeURI escapes', "/hooks/a b/é?q=o'brien&x=[1]"],
    ['no query', '/hooks'],
    ['an empty query', '/hooks?'],
    ['the root path', '/'],
  ])('with %s', (_name, path) => {
    it('canonicalises the path as the toolkit does', () => {
      const result = verifyContentful(request(toolkitSigned({ path }), { url: `${ORIGIN}${path}` }), OPTIONS);

      expect(result.ok).toBe(true);
    });
  });

  it('trims signed header values as the toolkit does', () => {
    const headers = { ...toolkitSigned(), 'x-contentful-topic': '  ContentManagement.Entry.publish ' };

    const result = verifyContentful(request(headers), OPTIONS);

    expect(result.ok).toBe(true);
  });

  describe.each([
    ['a tampered body', {}, { body: BODY.replace('Café', 'Cafe') }],
    ['another path', {}, { url: `${ORIGIN}/contentful/other?space=abc&env=master` }],
    ['another query', {}, { url: `${ORIGIN}/contentful/entries?space=abd&env=master` }],
    ['another method', {}, { method: 'PUT' }],
    ['a tampered signed header', { 'x-contentful-topic': 'ContentManagement.Entry.delete' }, {}],
    [
      'a shortened signed-header list',
      { 'x-contentful-signed-headers': 'x-contentful-signed-headers,x-contentful-timestamp' },
      {},
    ],
    ['a changed timestamp', { 'x-contentful-timestamp': String(NOW_MS - 1) }, {}],
  ])('with %s', (_name, headerChange, change) => {
    it('rejects the request', () => {
      const result = verifyContentful(request({ ...toolkitSigned(), ...headerChange }, change), OPTIONS);

      expect(result).toMatchObject({ ok: false, scheme: 'contentful', reason: 'signature_mismatch' });
    });
  });

  it('rejects a tampered signature', () => {
    const headers = toolkitSigned();
    const signature = headers['x-contentful-signature'] ?? '';
    const tampered = `${signature[0] === 'a' ? 'b' : 'a'}${signature.slice(1)}`;

    const result = verifyContentful(request({ ...headers, 'x-contentful-signature': tampered }), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature made with another secret', () => {
    const result = verifyContentful(request(toolkitSigned({ secret: OTHER_SECRET })), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('reports the index of the rotated secret that matched', () => {
    const input = request(toolkitSigned({ secret: OTHER_SECRET }), { secrets: [SECRET, OTHER_SECRET] });

    const result = verifyContentful(input, OPTIONS);

    expect(result).toMatchObject({ ok: true, keyId: '1' });
  });

  it('rejects a signature older than the tolerance', () => {
    const old = NOW_MS - 31_000;

    const result = verifyContentful(request(toolkitSigned({}, old)), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(() =>
      verifyRequest(SECRET, { method: 'POST', path: PATH, headers: toolkitSigned({}, old), body: BODY }),
    ).toThrow();
  });

  it('rejects a signature too far in the future (the toolkit would accept it)', () => {
    // Arrange
    const future = NOW_MS + 31_000;
    const headers = toolkitSigned({}, future);
    const toolkitAccepts = verifyRequest(SECRET, { method: 'POST', path: PATH, headers, body: BODY });

    // Act
    const result = verifyContentful(request(headers), OPTIONS);

    // Assert
    expect(toolkitAccepts).toBe(true);
    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
  });

  it('accepts an older signature inside a configured tolerance', () => {
    const old = NOW_MS - 120_000;

    const result = verifyContentful(request(toolkitSigned({}, old)), { ...OPTIONS, toleranceSeconds: 300 });

    expect(result.ok).toBe(true);
  });

  describe.each([
    ['missing_url', 'no URL', {}, { url: undefined }],
    ['missing_url', 'a relative URL', {}, { url: PATH }],
    ['missing_url', 'no method', {}, { method: undefined }],
    ['missing_signature', 'no signature', { 'x-contentful-signature': undefined }, {}],
    ['missing_timestamp', 'no timestamp', { 'x-contentful-timestamp': undefined }, {}],
    [
      'malformed_timestamp',
      'a timestamp that is not digits',
      { 'x-contentful-timestamp': `${NOW_MS}abc` },
      {},
    ],
    ['malformed_timestamp', 'a timestamp with a fraction', { 'x-contentful-timestamp': `${NOW_MS}.5` }, {}],
    ['malformed_signature', 'a truncated signature', { 'x-contentful-signature': 'ab'.repeat(20) }, {}],
    [
      'malformed_signature',
      'several signatures joined',
      { 'x-contentful-signature': `${'ab'.repeat(32)},${'cd'.repeat(32)}` },
      {},
    ],
    ['malformed_signature', 'no signed-header list', { 'x-contentful-signed-headers': undefined }, {}],
    [
      'malformed_signature',
      'a list without the timestamp',
      { 'x-contentful-signed-headers': 'x-contentful-signed-headers,x-contentful-topic' },
      {},
    ],
    [
      'malformed_signature',
      'a list without itself',
      { 'x-contentful-signed-headers': 'x-contentful-timestamp,x-contentful-topic' },
      {},
    ],
    ['malformed_signature', 'a listed header absent', { 'x-contentful-topic': undefined }, {}],
  ])('fails with %s given %s', (reason, _name, headerChange, change) => {
    it('fails closed without throwing', () => {
      const result = verifyContentful(request({ ...toolkitSigned(), ...headerChange }, change), OPTIONS);

      expect(result).toMatchObject({ ok: false, scheme: 'contentful', reason });
    });
  });

  it('fails with missing_secret when no secret is configured', () => {
    const result = verifyContentful(request(toolkitSigned(), { secrets: [] }), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_secret' });
  });
});

describe('canonicalPath()', () => {
  it('signs the whole query, even past a second ? (the toolkit drops that part)', () => {
    expect(canonicalPath(`${ORIGIN}/h?a=1?b=2`)).not.toBe(canonicalPath(`${ORIGIN}/h?a=1`));
  });

  it('leaves out the fragment', () => {
    expect(canonicalPath(`${ORIGIN}/h?a=1#top`)).toBe(canonicalPath(`${ORIGIN}/h?a=1`));
  });
});

describe('signContentful()', () => {
  const toSign = {
    method: 'post',
    url: `${ORIGIN}${PATH}`,
    body: BODY,
    secret: SECRET,
    now: NOW,
    deliveryId: 'delivery-1',
  };

  it('signs a request that the toolkit accepts', () => {
    const { headers } = signContentful(toSign);

    const accepted = verifyRequest(SECRET, { method: 'POST', path: PATH, headers, body: BODY });

    expect(accepted).toBe(true);
    expect(headers['x-contentful-idempotency-key']).toBe('delivery-1');
    expect(headers['x-contentful-timestamp']).toBe(String(NOW_MS));
  });

  it('signs a request that verifyContentful accepts', () => {
    const { headers } = signContentful(toSign);

    expect(verifyContentful(request(headers), OPTIONS).ok).toBe(true);
  });

  it('refuses to sign with an empty secret', () => {
    expect(() => signContentful({ ...toSign, secret: '' })).toThrow(/needs a secret/);
  });

  it('refuses to sign a relative URL', () => {
    expect(() => signContentful({ ...toSign, url: PATH })).toThrow(/cannot sign/);
  });
});

describe('contentfulScheme', () => {
  it('takes the delivery id and the event type from the headers', () => {
    const delivery = { headers: EVENT_HEADERS, payload: JSON.parse(BODY) as unknown };

    expect(contentfulScheme.deliveryId?.(delivery)).toBe('f0d7ab4a5b1b2c3d');
    expect(contentfulScheme.eventType?.(delivery)).toBe('ContentManagement.Entry.publish');
  });
});
