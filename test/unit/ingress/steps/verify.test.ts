import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../../shared/http/errors.js';
import { verify } from '../../../../shared/ingress/steps/verify.js';
import type { SecretResolver } from '../../../../shared/secrets/resolver.js';
import { SecretUnavailableError } from '../../../../shared/secrets/resolver.js';
import { added, incoming, RECEIVED_AT, recordingLog, routed } from '../../../helpers/ingress-steps.js';
import { makeRoute } from '../../../helpers/routes.js';
import { githubHeaders } from '../../../helpers/signers.js';

const SECRET = "It's a Secret to Everybody";
const route = makeRoute({
  path: '/github/',
  verify: { scheme: 'github', secret: { name: 'GITHUB_WEBHOOK_SECRET' } },
});
const body = JSON.stringify({ ref: 'refs/heads/main' });
/** A well-formed RS256 token (header and claims only matter until the key is fetched). */
const UNSIGNED_RS256 = [
  Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'k1' })).toString('base64url'),
  Buffer.from(JSON.stringify({ sub: 'partner', exp: 4_102_444_800 })).toString('base64url'),
  Buffer.from('signature').toString('base64url'),
].join('.');

function resolver(values: readonly string[]): SecretResolver & { asked: number } {
  const counted = {
    asked: 0,
    async resolve() {
      counted.asked += 1;
      return values;
    },
  };
  return counted;
}

async function signedBy(secret: string) {
  const headers = await githubHeaders(secret, body, 'delivery-1');
  return routed(route, incoming({ path: route.path, headers, body: Buffer.from(body) }));
}

describe('verify()', () => {
  it("adds the verdict and the verification time as the event's receivedAt", async () => {
    const { log } = recordingLog();
    const step = verify({ secrets: resolver([SECRET]), log, now: () => RECEIVED_AT });

    const result = await added(step, await signedBy(SECRET));

    expect(result).toEqual({ receivedAt: RECEIVED_AT, verdict: { ok: true, scheme: 'github', keyId: '0' } });
  });

  it('names the rotated secret value that matched', async () => {
    const step = verify({
      secrets: resolver(['old', SECRET]),
      log: recordingLog().log,
      now: () => RECEIVED_AT,
    });

    const { verdict } = await added(step, await signedBy(SECRET));

    expect(verdict.keyId).toBe('1');
  });

  it('refuses a wrong signature with 401 invalid_signature, logging only the reason', async () => {
    const { log, entries } = recordingLog();
    const step = verify({ secrets: resolver([SECRET]), log, now: () => RECEIVED_AT });
    const context = await signedBy('wrong secret');

    const error = await Promise.resolve(step(context)).catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_signature' });
    expect(entries).toEqual([
      {
        level: 'warn',
        message: 'verification failed',
        attributes: {
          scheme: 'github',
          reason: 'signature_mismatch',
          detail: 'no secret produced this signature',
        },
      },
    ]);
    expect(JSON.stringify(entries)).not.toContain(SECRET);
  });

  it('answers 503 secret_unavailable when the secret cannot be read', async () => {
    const { log, entries } = recordingLog();
    const secrets: SecretResolver = {
      resolve: async () => {
        throw new SecretUnavailableError('GITHUB_WEBHOOK_SECRET is not set');
      },
    };
    const step = verify({ secrets, log, now: () => RECEIVED_AT });

    const error = await Promise.resolve(step(await signedBy(SECRET))).catch((thrown: unknown) => thrown);

    expect(error).toMatchObject({ status: 503, code: 'secret_unavailable' });
    expect(entries).toEqual([
      {
        level: 'error',
        message: 'secret unavailable',
        attributes: { scheme: 'github', error: 'SecretUnavailableError: GITHUB_WEBHOOK_SECRET is not set' },
      },
    ]);
  });

  it("answers 503 secret_unavailable when the provider's key cannot be fetched, so it retries", async () => {
    const { log, entries } = recordingLog();
    // Nothing listens on port 1: the JWKS download fails at once.
    const jwksRoute = makeRoute({
      path: '/partner/',
      verify: { scheme: 'jwt', jwksUrl: 'http://127.0.0.1:1/jwks' },
    });
    const context = await routed(
      jwksRoute,
      incoming({ path: jwksRoute.path, headers: { authorization: `Bearer ${UNSIGNED_RS256}` } }),
    );

    const error = await Promise.resolve(
      verify({ secrets: resolver([]), log, now: () => RECEIVED_AT })(context),
    ).catch((thrown: unknown) => thrown);

    expect(error).toMatchObject({ status: 503, code: 'secret_unavailable' });
    expect(entries[0]?.attributes).toMatchObject({ scheme: 'jwt', reason: 'jwks_unavailable' });
  });

  it('reads no secret for a scheme without one', async () => {
    const secrets = resolver([]);
    const step = verify({ secrets, log: recordingLog().log, now: () => RECEIVED_AT });
    const open = makeRoute({ path: '/open/', verify: { scheme: 'none' } });

    const { verdict } = await added(step, await routed(open));

    expect(verdict.scheme).toBe('none');
    expect(secrets.asked).toBe(0);
  });
});
