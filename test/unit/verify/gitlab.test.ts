import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { gitlabVerify } from '../../../shared/config/schemes/gitlab.js';
import { gitlabScheme, verifyGitlab } from '../../../shared/verify/gitlab.js';
import { CannotSignError, type RequestToSign, type SchemeConfig } from '../../../shared/verify/scheme.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

// Oracles: token mode signs nothing (the header carries the token itself). Signing-token mode is
// Standard Webhooks, so the `standardwebhooks` reference library signs the requests and checks
// the ones `gitlabScheme.sign` produces.
const TOKEN = 'gitlab secret token';
const SIGNING_TOKEN = `whsec_${Buffer.from('gitlab signing token key bytes!!').toString('base64')}`;
const OTHER_SIGNING_TOKEN = `whsec_${Buffer.from('another signing token entirely').toString('base64')}`;
const NOW = new Date('2026-01-15T12:00:00.000Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const ID = '6a1a4a2e-2f3c-4f35-9b8e-2f4b1f0c9d11';
const PAYLOAD = '{"object_kind":"push","ref":"refs/heads/main","project":{"name":"répo 🚀"}}';
const TOKEN_MODE: SchemeConfig<'gitlab'> = { scheme: 'gitlab', secret: { name: 'GITLAB_TOKEN' } };
const SIGNING_MODE: SchemeConfig<'gitlab'> = { ...TOKEN_MODE, mode: 'signingToken' };

function request(
  body: string,
  headers: Record<string, string | undefined>,
  secrets: readonly string[],
  now = NOW,
): VerificationInput {
  return { body: new TextEncoder().encode(body), headers, secrets, now };
}

function standardHeaders(
  options: { secret?: string; id?: string; at?: Date; body?: string } = {},
): Record<string, string> {
  const at = options.at ?? NOW;
  const id = options.id ?? ID;
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(options.secret ?? SIGNING_TOKEN).sign(id, at, options.body ?? PAYLOAD),
  };
}

function toSign(secret: string, body = PAYLOAD, now = NOW): RequestToSign {
  return { method: 'POST', url: 'https://hooks.example.com/gitlab', body, secret, now, deliveryId: ID };
}

describe('verifyGitlab() in token mode', () => {
  it('accepts the webhook secret token in x-gitlab-token', () => {
    // Arrange
    const input = request(PAYLOAD, { 'x-gitlab-token': TOKEN }, [TOKEN]);

    // Act
    const result = verifyGitlab(input, TOKEN_MODE);

    // Assert
    expect(result).toEqual({ ok: true, scheme: 'gitlab', keyId: '0' });
  });

  it('accepts an empty body: nothing is signed', () => {
    expect(verifyGitlab(request('', { 'x-gitlab-token': TOKEN }, [TOKEN]), TOKEN_MODE).ok).toBe(true);
  });

  it('reports the index of the rotated secret that matched', () => {
    const input = request(PAYLOAD, { 'x-gitlab-token': 'new token' }, ['old token', 'new token']);

    expect(verifyGitlab(input, TOKEN_MODE)).toEqual({ ok: true, scheme: 'gitlab', keyId: '1' });
  });

  it.each([
    ['another token', 'not the token'],
    ['a prefix of the token', TOKEN.slice(0, -1)],
    ['the token with more after it', `${TOKEN}x`],
    ['the token in another case', TOKEN.toUpperCase()],
  ])('rejects %s', (_case, token) => {
    const result = verifyGitlab(request(PAYLOAD, { 'x-gitlab-token': token }, [TOKEN]), TOKEN_MODE);

    expect(result).toMatchObject({ ok: false, scheme: 'gitlab', reason: 'signature_mismatch' });
  });

  it('rejects a request without x-gitlab-token', () => {
    expect(verifyGitlab(request(PAYLOAD, {}, [TOKEN]), TOKEN_MODE)).toMatchObject({
      ok: false,
      reason: 'missing_token',
    });
  });

  it('rejects a signing-token request: token mode checks only x-gitlab-token', () => {
    const input = request(PAYLOAD, standardHeaders(), [SIGNING_TOKEN]);

    expect(verifyGitlab(input, TOKEN_MODE)).toMatchObject({ ok: false, reason: 'missing_token' });
  });

  it.each([[[]], [['']]])('rejects every request when the secrets are %j', (secrets) => {
    const result = verifyGitlab(request(PAYLOAD, { 'x-gitlab-token': '' }, secrets), TOKEN_MODE);

    expect(result).toMatchObject({ ok: false, reason: 'missing_secret' });
  });

  it('never puts the secret in the failure detail', () => {
    const text = JSON.stringify(
      verifyGitlab(request(PAYLOAD, { 'x-gitlab-token': 'guess' }, [TOKEN]), TOKEN_MODE),
    );

    expect(text).not.toContain(TOKEN);
  });
});

describe('verifyGitlab() in signingToken mode', () => {
  it('accepts a request signed by the standardwebhooks library', () => {
    // Arrange
    const input = request(PAYLOAD, standardHeaders(), [SIGNING_TOKEN]);

    // Act
    const result = verifyGitlab(input, SIGNING_MODE);

    // Assert
    expect(result).toEqual({ ok: true, scheme: 'gitlab', keyId: '0', signedAt: NOW.toISOString() });
  });

  it('accepts the signing token without its whsec_ prefix', () => {
    const input = request(PAYLOAD, standardHeaders(), [SIGNING_TOKEN.slice('whsec_'.length)]);

    expect(verifyGitlab(input, SIGNING_MODE)).toMatchObject({ ok: true });
  });

  it('accepts an empty payload', () => {
    const input = request('', standardHeaders({ body: '' }), [SIGNING_TOKEN]);

    expect(verifyGitlab(input, SIGNING_MODE)).toMatchObject({ ok: true });
  });

  it('accepts one matching signature among several', () => {
    const theirs = standardHeaders({ secret: OTHER_SIGNING_TOKEN })['webhook-signature'];
    const headers = {
      ...standardHeaders(),
      'webhook-signature': `${theirs} ${standardHeaders()['webhook-signature']}`,
    };

    expect(verifyGitlab(request(PAYLOAD, headers, [SIGNING_TOKEN]), SIGNING_MODE)).toMatchObject({
      ok: true,
    });
  });

  it('reports the index of the rotated signing token that matched', () => {
    const input = request(PAYLOAD, standardHeaders(), [OTHER_SIGNING_TOKEN, SIGNING_TOKEN]);

    expect(verifyGitlab(input, SIGNING_MODE)).toMatchObject({ ok: true, scheme: 'gitlab', keyId: '1' });
  });

  it('rejects a tampered body', () => {
    const input = request(`${PAYLOAD} `, standardHeaders(), [SIGNING_TOKEN]);

    expect(verifyGitlab(input, SIGNING_MODE)).toMatchObject({
      ok: false,
      scheme: 'gitlab',
      reason: 'signature_mismatch',
    });
  });

  it('rejects a tampered webhook-id', () => {
    const headers = { ...standardHeaders(), 'webhook-id': `${ID}x` };

    expect(verifyGitlab(request(PAYLOAD, headers, [SIGNING_TOKEN]), SIGNING_MODE)).toMatchObject({
      ok: false,
      reason: 'signature_mismatch',
    });
  });

  it('rejects a signature made with another signing token', () => {
    const input = request(PAYLOAD, standardHeaders({ secret: OTHER_SIGNING_TOKEN }), [SIGNING_TOKEN]);

    expect(verifyGitlab(input, SIGNING_MODE)).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it.each([
    ['webhook-id', 'missing_signature'],
    ['webhook-timestamp', 'missing_timestamp'],
    ['webhook-signature', 'missing_signature'],
  ])('rejects a request without %s', (name, reason) => {
    const headers: Record<string, string> = standardHeaders();
    delete headers[name];

    expect(verifyGitlab(request(PAYLOAD, headers, [SIGNING_TOKEN]), SIGNING_MODE)).toMatchObject({
      ok: false,
      scheme: 'gitlab',
      reason,
    });
  });

  it.each(['not-a-number', '1768478400.5', '-1', ''])('rejects the invalid timestamp %j', (timestamp) => {
    const headers = { ...standardHeaders(), 'webhook-timestamp': timestamp };

    const result = verifyGitlab(request(PAYLOAD, headers, [SIGNING_TOKEN]), SIGNING_MODE);

    expect(result.ok).toBe(false);
    expect(['malformed_timestamp', 'missing_timestamp']).toContain((result as { reason: string }).reason);
  });

  it('rejects a partial (truncated) signature', () => {
    const signature = standardHeaders()['webhook-signature'] ?? '';
    const headers = { ...standardHeaders(), 'webhook-signature': signature.slice(0, -8) };

    expect(verifyGitlab(request(PAYLOAD, headers, [SIGNING_TOKEN]), SIGNING_MODE)).toMatchObject({
      ok: false,
      reason: 'malformed_signature',
    });
  });

  it.each([
    ['older than the tolerance', NOW_SECONDS - 301],
    ['further in the future than the tolerance', NOW_SECONDS + 301],
  ])('rejects a timestamp %s (default 300 s)', (_case, seconds) => {
    const input = request(PAYLOAD, standardHeaders({ at: new Date(seconds * 1000) }), [SIGNING_TOKEN]);

    expect(verifyGitlab(input, SIGNING_MODE)).toMatchObject({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    });
  });

  it('accepts a timestamp exactly at the tolerance', () => {
    const input = request(PAYLOAD, standardHeaders({ at: new Date((NOW_SECONDS - 300) * 1000) }), [
      SIGNING_TOKEN,
    ]);

    expect(verifyGitlab(input, SIGNING_MODE)).toMatchObject({ ok: true });
  });

  it('applies a configured toleranceSeconds', () => {
    const input = request(PAYLOAD, standardHeaders({ at: new Date((NOW_SECONDS - 90) * 1000) }), [
      SIGNING_TOKEN,
    ]);

    expect(verifyGitlab(input, { ...SIGNING_MODE, toleranceSeconds: 60 })).toMatchObject({
      ok: false,
      reason: 'timestamp_out_of_tolerance',
    });
    expect(verifyGitlab(input, { ...SIGNING_MODE, toleranceSeconds: 120 })).toMatchObject({ ok: true });
  });

  it('rejects a plain x-gitlab-token in signingToken mode', () => {
    const input = request(PAYLOAD, { 'x-gitlab-token': SIGNING_TOKEN }, [SIGNING_TOKEN]);

    expect(verifyGitlab(input, SIGNING_MODE)).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it('rejects every request when no signing token is configured', () => {
    expect(verifyGitlab(request(PAYLOAD, standardHeaders(), []), SIGNING_MODE)).toMatchObject({
      ok: false,
      reason: 'missing_secret',
    });
  });
});

describe('gitlabScheme.sign()', () => {
  it('sends the token itself in token mode, with the delivery id as Idempotency-Key', async () => {
    const signed = await gitlabScheme.sign?.(toSign(TOKEN), TOKEN_MODE);

    expect(signed?.headers).toEqual({ 'x-gitlab-token': TOKEN, 'idempotency-key': ID });
    expect(verifyGitlab(request(PAYLOAD, signed?.headers ?? {}, [TOKEN]), TOKEN_MODE)).toMatchObject({
      ok: true,
    });
  });

  it('signs Standard Webhooks headers the reference library and verifyGitlab() accept', async () => {
    // Arrange: the reference library checks against the real clock
    const now = new Date();

    // Act
    const signed = await gitlabScheme.sign?.(toSign(SIGNING_TOKEN, PAYLOAD, now), SIGNING_MODE);
    const headers = signed?.headers ?? {};

    // Assert
    expect(() => new Webhook(SIGNING_TOKEN).verify(PAYLOAD, headers)).not.toThrow();
    expect(headers['webhook-id']).toBe(ID);
    expect(headers['idempotency-key']).toBe(ID);
    expect(verifyGitlab(request(PAYLOAD, headers, [SIGNING_TOKEN], now), SIGNING_MODE)).toMatchObject({
      ok: true,
    });
  });

  it.each([
    ['an empty secret', TOKEN_MODE, ''],
    ['an empty signing token', SIGNING_MODE, ''],
    ['a signing token that is not whsec_ base64', SIGNING_MODE, 'plain token'],
    ['an ed25519 public key', SIGNING_MODE, `whpk_${Buffer.alloc(32, 1).toString('base64')}`],
  ])('cannot sign with %s', (_case, options, secret) => {
    expect(() => gitlabScheme.sign?.(toSign(secret), options)).toThrow(CannotSignError);
  });
});

describe('gitlabScheme ids', () => {
  it('prefers Idempotency-Key, then X-Gitlab-Event-UUID, for the delivery id', () => {
    const both = { 'idempotency-key': 'idem-1', 'x-gitlab-event-uuid': 'uuid-1' };

    expect(gitlabScheme.deliveryId?.({ headers: both, payload: {} })).toBe('idem-1');
    expect(gitlabScheme.deliveryId?.({ headers: { 'x-gitlab-event-uuid': 'uuid-1' }, payload: {} })).toBe(
      'uuid-1',
    );
    expect(gitlabScheme.deliveryId?.({ headers: {}, payload: {} })).toBeUndefined();
  });

  it('takes the event type from X-Gitlab-Event, else the body object_kind', () => {
    const payload = JSON.parse(PAYLOAD) as unknown;

    expect(gitlabScheme.eventType?.({ headers: { 'x-gitlab-event': 'Push Hook' }, payload })).toBe(
      'Push Hook',
    );
    expect(gitlabScheme.eventType?.({ headers: {}, payload })).toBe('push');
  });
});

describe('gitlabVerify (route options)', () => {
  it('rejects toleranceSeconds outside signingToken mode', () => {
    expect(gitlabVerify.safeParse({ ...TOKEN_MODE, toleranceSeconds: 60 }).success).toBe(false);
    expect(gitlabVerify.safeParse({ ...SIGNING_MODE, toleranceSeconds: 60 }).success).toBe(true);
  });

  it('rejects an unknown mode', () => {
    expect(gitlabVerify.safeParse({ ...TOKEN_MODE, mode: 'hmac' }).success).toBe(false);
  });
});
