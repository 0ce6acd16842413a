import { createHmac } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { describe, expect, it } from 'vitest';
import type { GithubVerifyConfig } from '../../../shared/config/types.js';
import { verifyGithub } from '../../../shared/verify/github.js';
import { requestBuilder } from '../../helpers/verify-requests.js';

const SECRET = "It's a Secret to Everybody";
const NOW = new Date('2026-01-15T12:00:00.000Z');
const OPTIONS: GithubVerifyConfig = { scheme: 'github', secret: { name: 'GITHUB_WEBHOOK_SECRET' } };
const PAYLOAD = '{"action":"opened","number":42,"pull_request":{"title":"Füx 🚀"}}';

const request = requestBuilder(NOW, SECRET);

function sha1Header(secret: string, body: string | Uint8Array): string {
  return `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`;
}

describe('verifyGithub()', () => {
  it('accepts the example from the GitHub docs', async () => {
    // Arrange
    const signature = await sign(SECRET, 'Hello, World!');
    const input = request('Hello, World!', { 'x-hub-signature-256': signature });

    // Act
    const result = verifyGithub(input, OPTIONS);

    // Assert
    expect(signature).toBe('sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
    expect(result).toEqual({ ok: true, scheme: 'github', keyId: '0' });
  });

  it('accepts a payload signed by @octokit/webhooks-methods', async () => {
    const input = request(PAYLOAD, { 'x-hub-signature-256': await sign(SECRET, PAYLOAD) });

    const result = verifyGithub(input, OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('accepts a signature written in upper-case hex', async () => {
    const signature = await sign(SECRET, PAYLOAD);
    const input = request(PAYLOAD, { 'x-hub-signature-256': `sha256=${signature.slice(7).toUpperCase()}` });

    const result = verifyGithub(input, OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('accepts an empty body', () => {
    const signature = `sha256=${createHmac('sha256', SECRET).update('').digest('hex')}`;
    const input = request('', { 'x-hub-signature-256': signature });

    const result = verifyGithub(input, OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('accepts a binary (non-UTF-8) body byte for byte', () => {
    const body = Uint8Array.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x7b]);
    const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
    const input = request(body, { 'x-hub-signature-256': signature });

    const result = verifyGithub(input, OPTIONS);

    expect(result.ok).toBe(true);
  });

  it('reports the index of the rotated secret that matched', async () => {
    const input = request(PAYLOAD, { 'x-hub-signature-256': await sign('new-secret', PAYLOAD) }, [
      'old-secret',
      'new-secret',
    ]);

    const result = verifyGithub(input, OPTIONS);

    expect(result).toEqual({ ok: true, scheme: 'github', keyId: '1' });
  });

  it('rejects a tampered body', async () => {
    const input = request(`${PAYLOAD} `, { 'x-hub-signature-256': await sign(SECRET, PAYLOAD) });

    const result = verifyGithub(input, OPTIONS);

    expect(result).toMatchObject({ ok: false, scheme: 'github', reason: 'signature_mismatch' });
  });

  it('rejects a signature made with another secret', async () => {
    const input = request(PAYLOAD, { 'x-hub-signature-256': await sign('not the secret', PAYLOAD) });

    const result = verifyGithub(input, OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a request without a signature header', () => {
    const result = verifyGithub(request(PAYLOAD, {}), OPTIONS);

    expect(result).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it('rejects every request when no secret is configured', async () => {
    const signature = await sign(SECRET, PAYLOAD);

    const results = [[], ['']].map((secrets) =>
      verifyGithub(request(PAYLOAD, { 'x-hub-signature-256': signature }, secrets), OPTIONS),
    );

    for (const result of results) expect(result).toMatchObject({ ok: false, reason: 'missing_secret' });
  });

  describe.each([
    ['without the sha256= prefix', '757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'],
    ['with a sha1= prefix', 'sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'],
    [
      'with an odd number of hex digits',
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1',
    ],
    ['with non-hex characters', 'sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'],
    ['that is truncated', 'sha256=757107ea0eb2509fc211221cce984b8a'],
    ['that is too long', 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1700'],
    ['that is empty after the prefix', 'sha256='],
    ['with surrounding spaces', ' sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'],
  ])('a signature %s', (_case, header) => {
    it('rejects it as malformed', () => {
      const result = verifyGithub(request('Hello, World!', { 'x-hub-signature-256': header }), OPTIONS);

      expect(result).toMatchObject({ ok: false, reason: 'malformed_signature' });
    });
  });

  it('never puts the secret or the expected signature in the failure detail', async () => {
    const expected = (await sign(SECRET, PAYLOAD)).slice('sha256='.length);
    const input = request(PAYLOAD, { 'x-hub-signature-256': await sign('wrong', PAYLOAD) });

    const result = verifyGithub(input, OPTIONS);

    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(JSON.stringify(result)).not.toContain(expected);
  });

  describe('legacy sha1 signatures', () => {
    it('accepts x-hub-signature when allowSha1 is set and no sha256 header is sent', () => {
      const input = request(PAYLOAD, { 'x-hub-signature': sha1Header(SECRET, PAYLOAD) });

      const result = verifyGithub(input, { ...OPTIONS, allowSha1: true });

      expect(result).toEqual({ ok: true, scheme: 'github', keyId: '0' });
    });

    it.each([
      ['allowSha1 is false', { ...OPTIONS, allowSha1: false }],
      ['allowSha1 is left at its default', OPTIONS],
    ])('rejects x-hub-signature when %s', (_case, options) => {
      const input = request(PAYLOAD, { 'x-hub-signature': sha1Header(SECRET, PAYLOAD) });

      const result = verifyGithub(input, options);

      expect(result).toMatchObject({ ok: false, reason: 'missing_signature' });
    });

    it('rejects a tampered body signed with sha1', () => {
      const input = request(`${PAYLOAD}x`, { 'x-hub-signature': sha1Header(SECRET, PAYLOAD) });

      const result = verifyGithub(input, { ...OPTIONS, allowSha1: true });

      expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    });

    it('rejects a sha256-length digest in the sha1 header', async () => {
      const input = request(PAYLOAD, {
        'x-hub-signature': (await sign(SECRET, PAYLOAD)).replace('sha256', 'sha1'),
      });

      const result = verifyGithub(input, { ...OPTIONS, allowSha1: true });

      expect(result).toMatchObject({ ok: false, reason: 'malformed_signature' });
    });

    it('rejects a valid sha1 signature when the sha256 header is sent but wrong', async () => {
      const input = request(PAYLOAD, {
        'x-hub-signature-256': await sign('wrong', PAYLOAD),
        'x-hub-signature': sha1Header(SECRET, PAYLOAD),
      });

      const result = verifyGithub(input, { ...OPTIONS, allowSha1: true });

      expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
    });
  });
});
