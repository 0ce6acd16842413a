import { createHmac } from 'node:crypto';
import { sign as octokitSign, verify as octokitVerify } from '@octokit/webhooks-methods';
import { describe, expect, it } from 'vitest';
import { bitbucketScheme, verifyBitbucket } from '../../../shared/verify/bitbucket.js';
import { CannotSignError, type RequestToSign } from '../../../shared/verify/scheme.js';
import { requestBuilder } from '../../helpers/verify-requests.js';

// Oracle: @octokit/webhooks-methods signs `sha256=<hex HMAC-SHA256 of the body>`, the exact format
// Bitbucket Cloud puts in `X-Hub-Signature`. Its `sign` refuses an empty payload, so the empty-body
// case computes the signature with node:crypto, following the same documented rule.
const SECRET = 'bitbucket webhook secret';
const NOW = new Date('2026-01-15T12:00:00.000Z');
const PAYLOAD = '{"push":{"changes":[{"new":{"name":"main"}}]},"repository":{"full_name":"team/répo 🚀"}}';
const HEADER = 'x-hub-signature';

const request = requestBuilder(NOW, SECRET);

function cryptoSignature(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function toSign(body: string, secret = SECRET): RequestToSign {
  return {
    method: 'POST',
    url: 'https://hooks.example.com/bitbucket',
    body,
    secret,
    now: NOW,
    deliveryId: 'd-1',
  };
}

describe('verifyBitbucket()', () => {
  it('accepts a request signed by @octokit/webhooks-methods', async () => {
    // Arrange
    const input = request(PAYLOAD, { [HEADER]: await octokitSign(SECRET, PAYLOAD) });

    // Act
    const result = verifyBitbucket(input);

    // Assert
    expect(result).toEqual({ ok: true, scheme: 'bitbucket', keyId: '0' });
  });

  it('accepts an empty body', () => {
    const result = verifyBitbucket(request('', { [HEADER]: cryptoSignature(SECRET, '') }));

    expect(result.ok).toBe(true);
  });

  it('accepts a binary (non-UTF-8) body byte for byte', () => {
    const body = Uint8Array.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28]);

    const result = verifyBitbucket(request(body, { [HEADER]: cryptoSignature(SECRET, body) }));

    expect(result.ok).toBe(true);
  });

  it('accepts a signature written in upper-case hex', async () => {
    const signature = await octokitSign(SECRET, PAYLOAD);
    const input = request(PAYLOAD, { [HEADER]: `sha256=${signature.slice(7).toUpperCase()}` });

    expect(verifyBitbucket(input).ok).toBe(true);
  });

  it('reports the index of the rotated secret that matched', async () => {
    const input = request(PAYLOAD, { [HEADER]: await octokitSign('new secret', PAYLOAD) }, [
      'old secret',
      'new secret',
    ]);

    const result = verifyBitbucket(input);

    expect(result).toEqual({ ok: true, scheme: 'bitbucket', keyId: '1' });
  });

  it('rejects a tampered body', async () => {
    const input = request(`${PAYLOAD} `, { [HEADER]: await octokitSign(SECRET, PAYLOAD) });

    expect(verifyBitbucket(input)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a tampered signature', async () => {
    const signature = await octokitSign(SECRET, PAYLOAD);
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;

    const result = verifyBitbucket(request(PAYLOAD, { [HEADER]: flipped }));

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a signature made with another secret', async () => {
    const input = request(PAYLOAD, { [HEADER]: await octokitSign('not the secret', PAYLOAD) });

    expect(verifyBitbucket(input)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects GitHub’s sha256 header: Bitbucket sends the sha256 digest in x-hub-signature', async () => {
    const input = request(PAYLOAD, { 'x-hub-signature-256': await octokitSign(SECRET, PAYLOAD) });

    expect(verifyBitbucket(input)).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it('rejects a request without a signature header', () => {
    expect(verifyBitbucket(request(PAYLOAD, {}))).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it.each([[[]], [['']]])('rejects every request when the secrets are %j', async (secrets) => {
    const input = request(PAYLOAD, { [HEADER]: await octokitSign(SECRET, PAYLOAD) }, secrets);

    expect(verifyBitbucket(input)).toMatchObject({ ok: false, reason: 'missing_secret' });
  });

  describe.each([
    ['without the sha256= prefix', (s: string) => s.slice('sha256='.length)],
    ['with a sha1= prefix', (s: string) => s.replace('sha256=', 'sha1=')],
    ['that is truncated (partial)', (s: string) => s.slice(0, -2)],
    ['that is too long', (s: string) => `${s}00`],
    ['with non-hex characters', (s: string) => `${s.slice(0, -1)}g`],
    [
      'in base64 instead of hex',
      (s: string) => `sha256=${Buffer.from(s.slice(7), 'hex').toString('base64')}`,
    ],
    ['that is empty after the prefix', () => 'sha256='],
    ['sent twice (two headers joined with a comma)', (s: string) => `${s},${s}`],
  ])('a signature %s', (_case, mangle) => {
    it('rejects it as malformed', async () => {
      const input = request(PAYLOAD, { [HEADER]: mangle(await octokitSign(SECRET, PAYLOAD)) });

      expect(verifyBitbucket(input)).toMatchObject({ ok: false, reason: 'malformed_signature' });
    });
  });

  it('never puts the secret or the expected signature in the failure detail', async () => {
    const expected = (await octokitSign(SECRET, PAYLOAD)).slice('sha256='.length);
    const input = request(PAYLOAD, { [HEADER]: await octokitSign('wrong', PAYLOAD) });

    const text = JSON.stringify(verifyBitbucket(input));

    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(expected);
  });
});

describe('bitbucketScheme.sign()', () => {
  it('signs a request @octokit/webhooks-methods and verifyBitbucket() accept', async () => {
    // Arrange / Act
    const signed = await bitbucketScheme.sign?.(toSign(PAYLOAD), {
      scheme: 'bitbucket',
      secret: { name: 'S' },
    });
    const signature = signed?.headers[HEADER] ?? '';

    // Assert
    expect(await octokitVerify(SECRET, PAYLOAD, signature)).toBe(true);
    expect(verifyBitbucket(request(PAYLOAD, signed?.headers ?? {}))).toMatchObject({ ok: true });
    expect(signed?.headers['x-request-uuid']).toBe('d-1');
  });

  it('cannot sign without a secret', () => {
    expect(() =>
      bitbucketScheme.sign?.(toSign(PAYLOAD, ''), { scheme: 'bitbucket', secret: { name: 'S' } }),
    ).toThrow(CannotSignError);
  });
});

describe('bitbucketScheme ids', () => {
  it('takes the delivery id from x-request-uuid and the event type from x-event-key', () => {
    const delivery = {
      headers: { 'x-request-uuid': 'a8f0c5d2-1111-4e2b-9c1e-0123456789ab', 'x-event-key': 'repo:push' },
      payload: {},
    };

    expect(bitbucketScheme.deliveryId?.(delivery)).toBe('a8f0c5d2-1111-4e2b-9c1e-0123456789ab');
    expect(bitbucketScheme.eventType?.(delivery)).toBe('repo:push');
  });

  it('has no delivery id when the header is absent', () => {
    expect(bitbucketScheme.deliveryId?.({ headers: {}, payload: {} })).toBeUndefined();
  });
});
