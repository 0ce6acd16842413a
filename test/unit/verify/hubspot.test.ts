import { createHmac } from 'node:crypto';
import { Signature } from '@hubspot/api-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hubspotScheme, signHubspot, verifyHubspot } from '../../../shared/verify/hubspot.js';
import type { SchemeConfig } from '../../../shared/verify/scheme.js';
import { checkMillisecondTimestamp } from '../../../shared/verify/timestamp.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

const CLIENT_SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const NOW_MS = NOW.getTime();
const URI = 'https://hooks.example.com/hubspot?portal=62515';
const BODY =
  '[{"eventId":1,"subscriptionId":2,"portalId":62515,"occurredAt":1768478400000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM"}]';
const OPTIONS: SchemeConfig<'hubspot'> = { scheme: 'hubspot', secret: { name: 'HUBSPOT_CLIENT_SECRET' } };

/** A v3 signature made by the HubSpot SDK's own signing code (it signs the URI as given). */
function sdkSignature(
  uri: string,
  body: string,
  timestamp = NOW_MS,
  secret = CLIENT_SECRET,
  method = 'POST',
): string {
  // `signature` is required by the options type but unused when computing one.
  return Signature.getSignature(method, 'v3', {
    signature: '',
    clientSecret: secret,
    requestBody: body,
    url: uri,
    timestamp,
  });
}

function headersFor(signature: string, timestamp: number | string = NOW_MS): Record<string, string> {
  return { 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': String(timestamp) };
}

interface RequestChange {
  readonly url?: string | undefined;
  readonly method?: string | undefined;
  readonly body?: string;
  readonly secrets?: readonly string[];
}

/** A request to `URI` with `BODY`; `change` overrides any part, an explicit undefined included. */
function request(headers: Record<string, string | undefined>, change: RequestChange = {}): VerificationInput {
  const { url, method, body, secrets } = {
    url: URI,
    method: 'POST',
    body: BODY,
    secrets: [CLIENT_SECRET],
    ...change,
  };
  return { method, url, body: new TextEncoder().encode(body), headers, secrets, now: NOW };
}

describe('verifyHubspot()', () => {
  beforeEach(() => {
    // The SDK's isValid reads Date.now() for its own timestamp check.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('accepts a request signed by the HubSpot SDK', () => {
    const signature = sdkSignature(URI, BODY);

    const result = verifyHubspot(request(headersFor(signature)), OPTIONS);

    expect(result).toEqual({ ok: true, scheme: 'hubspot', keyId: '0', signedAt: NOW.toISOString() });
  });

  it('accepts a GET with an empty body', () => {
    const signature = sdkSignature(URI, '', NOW_MS, CLIENT_SECRET, 'GET');

    const result = verifyHubspot(request(headersFor(signature), { body: '', method: 'GET' }), OPTIONS);

    expect(result.ok).toBe(true);
  });

  describe('the URI escapes the docs decode', () => {
    const received =
      'https://hooks.example.com/hubspot?return=https%3A%2F%2Fapp.example.com%2Fx%3Fa%3D1&q=%20';
    const decoded = 'https://hooks.example.com/hubspot?return=https://app.example.com/x?a%3D1&q=%20';

    it('accepts a signature over the decoded URI (the documented rule)', () => {
      // Computed with node:crypto following the docs: method + decoded URI + body + timestamp.
      const signature = createHmac('sha256', CLIENT_SECRET)
        .update(`POST${decoded}${BODY}${NOW_MS}`)
        .digest('base64');

      const result = verifyHubspot(request(headersFor(signature), { url: received }), OPTIONS);

      expect(result.ok).toBe(true);
    });

    it('accepts a signature over the URI as received (what the SDK signs)', () => {
      const signature = sdkSignature(received, BODY);

      const result = verifyHubspot(request(headersFor(signature), { url: received }), OPTIONS);

      expect(result.ok).toBe(true);
    });

    it('does not decode escapes outside the documented list (%3D, %20)', () => {
      const overDecoded = 'https://hooks.example.com/hubspot?return=https://app.example.com/x?a=1&q= ';
      const signature = sdkSignature(overDecoded, BODY);

      const result = verifyHubspot(request(headersFor(signature), { url: received }), OPTIONS);

      expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    });
  });

  describe.each([
    ['a tampered body', { body: BODY.replace('123', '124') }],
    ['another URI', { url: 'https://hooks.example.com/hubspot?portal=1' }],
    ['another method', { method: 'PUT' }],
  ])('with %s', (_name, change) => {
    it('rejects the request', () => {
      const result = verifyHubspot(request(headersFor(sdkSignature(URI, BODY)), change), OPTIONS);

      expect(result).toMatchObject({ ok: false, scheme: 'hubspot', reason: 'signature_mismatch' });
    });
  });

  it('rejects a signature whose timestamp was changed', () => {
    const headers = headersFor(sdkSignature(URI, BODY, NOW_MS - 1000), NOW_MS);

    const result = verifyHubspot(request(headers), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a tampered signature', () => {
    const signature = sdkSignature(URI, BODY);
    const tampered = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;

    const result = verifyHubspot(request(headersFor(tampered)), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature made with another secret', () => {
    const result = verifyHubspot(request(headersFor(sdkSignature(URI, BODY, NOW_MS, 'other'))), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('reports the index of the rotated secret that matched', () => {
    const headers = headersFor(sdkSignature(URI, BODY, NOW_MS, 'new-secret'));

    const result = verifyHubspot(request(headers, { secrets: ['old-secret', 'new-secret'] }), OPTIONS);

    expect(result).toMatchObject({ ok: true, keyId: '1' });
  });

  it('rejects a signature older than the tolerance', () => {
    const old = NOW_MS - 301_000;

    const result = verifyHubspot(request(headersFor(sdkSignature(URI, BODY, old), old)), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(result).toHaveProperty('detail', expect.stringContaining('old'));
  });

  it('rejects a signature too far in the future (the SDK would accept it)', () => {
    // Arrange
    const future = NOW_MS + 301_000;
    const signature = sdkSignature(URI, BODY, future);
    const sdkAccepts = Signature.isValid({
      signatureVersion: 'v3',
      method: 'POST',
      url: URI,
      requestBody: BODY,
      clientSecret: CLIENT_SECRET,
      signature,
      timestamp: future,
    });

    // Act
    const result = verifyHubspot(request(headersFor(signature, future)), OPTIONS);

    // Assert
    expect(sdkAccepts).toBe(true);
    expect(result).toMatchObject({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(result).toHaveProperty('detail', expect.stringContaining('future'));
  });

  it('accepts a timestamp inside a configured tolerance', () => {
    const old = NOW_MS - 20 * 60_000;

    const result = verifyHubspot(request(headersFor(sdkSignature(URI, BODY, old), old)), {
      ...OPTIONS,
      toleranceSeconds: 1800,
    });

    expect(result.ok).toBe(true);
  });

  describe.each([
    ['missing_url', 'no URL', { url: undefined }, headersFor(sdkSignature(URI, BODY))],
    ['missing_url', 'no method', { method: undefined }, headersFor(sdkSignature(URI, BODY))],
    ['missing_signature', 'no signature', {}, { 'x-hubspot-request-timestamp': String(NOW_MS) }],
    ['missing_timestamp', 'no timestamp', {}, { 'x-hubspot-signature-v3': sdkSignature(URI, BODY) }],
    [
      'malformed_timestamp',
      'a timestamp in seconds with a fraction',
      {},
      headersFor(sdkSignature(URI, BODY), '1768478400.5'),
    ],
    ['malformed_timestamp', 'a negative timestamp', {}, headersFor(sdkSignature(URI, BODY), '-1')],
    ['malformed_timestamp', 'a huge timestamp', {}, headersFor(sdkSignature(URI, BODY), '9'.repeat(30))],
    ['malformed_signature', 'a truncated signature', {}, headersFor(sdkSignature(URI, BODY).slice(0, 30))],
    [
      'malformed_signature',
      'several signatures joined',
      {},
      headersFor(`${sdkSignature(URI, BODY)},${sdkSignature(URI, BODY, NOW_MS, 'other')}`),
    ],
  ])('fails with %s given %s', (reason, _name, change, headers) => {
    it('fails closed without throwing', () => {
      const result = verifyHubspot(request(headers, change), OPTIONS);

      expect(result).toMatchObject({ ok: false, scheme: 'hubspot', reason });
    });
  });

  it('fails with missing_secret when no secret is configured', () => {
    const result = verifyHubspot(request(headersFor(sdkSignature(URI, BODY)), { secrets: [''] }), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_secret' });
  });
});

describe('checkMillisecondTimestamp()', () => {
  it('fails closed on a NaN tolerance', () => {
    expect(checkMillisecondTimestamp(String(NOW_MS), NOW, Number.NaN)).toMatchObject({ ok: false });
  });

  it('accepts the exact edge of the tolerance', () => {
    expect(checkMillisecondTimestamp(String(NOW_MS - 30_000), NOW, 30)).toMatchObject({ ok: true });
  });
});

describe('signHubspot()', () => {
  const toSign = { method: 'post', url: URI, body: BODY, secret: CLIENT_SECRET, now: NOW, deliveryId: 'x' };

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('signs a request that the HubSpot SDK accepts', () => {
    const { headers } = signHubspot(toSign);

    const accepted = Signature.isValid({
      signatureVersion: 'v3',
      method: 'POST',
      url: URI,
      requestBody: BODY,
      clientSecret: CLIENT_SECRET,
      signature: headers['x-hubspot-signature-v3'] ?? '',
      timestamp: Number(headers['x-hubspot-request-timestamp']),
    });

    expect(accepted).toBe(true);
    expect(headers['x-hubspot-request-timestamp']).toBe(String(NOW_MS));
  });

  it('signs the decoded URI, as the docs describe, and verifyHubspot accepts it', () => {
    const url = 'https://hooks.example.com/hubspot?next=%2Fdeals%3A1';

    const { headers } = signHubspot({ ...toSign, url });

    expect(headers['x-hubspot-signature-v3']).toBe(
      sdkSignature('https://hooks.example.com/hubspot?next=/deals:1', BODY),
    );
    expect(verifyHubspot(request(headers, { url }), OPTIONS).ok).toBe(true);
  });

  it('refuses to sign with an empty secret', () => {
    expect(() => signHubspot({ ...toSign, secret: '' })).toThrow(/needs a secret/);
  });
});

describe('hubspotScheme', () => {
  it('takes the event type from the first event of the batch', () => {
    const payload = JSON.parse(BODY) as unknown;

    expect(hubspotScheme.eventType?.({ headers: {}, payload })).toBe('contact.creation');
  });

  it('has no delivery id (eventId is not guaranteed unique)', () => {
    expect(hubspotScheme.deliveryId).toBeUndefined();
  });
});
