import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CompactSign,
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JWK,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JwtVerifyConfig } from '../../../shared/config/types.js';
import { verifyJwt } from '../../../shared/verify/jwt.js';
import type { VerificationInput } from '../../../shared/verify/types.js';

const NOW = new Date('2025-06-01T12:00:00.000Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const SECRET = 'a-long-enough-shared-secret-for-hs256';
const OTHER_SECRET = 'a-different-shared-secret-value-123';
const SECRET_CONFIG: JwtVerifyConfig = { scheme: 'jwt', secret: { name: 'JWT_SECRET' } };

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

interface TokenOptions {
  readonly alg?: string;
  readonly kid?: string;
  readonly iat?: number;
  readonly exp?: number;
  readonly nbf?: number;
  readonly iss?: string;
  readonly aud?: string;
}

async function token(key: Uint8Array | CryptoKey, options: TokenOptions = {}): Promise<string> {
  const jwt = new SignJWT({ sub: 'sender' })
    .setProtectedHeader({ alg: options.alg ?? 'HS256', ...(options.kid ? { kid: options.kid } : {}) })
    .setIssuedAt(options.iat ?? NOW_SECONDS)
    .setExpirationTime(options.exp ?? NOW_SECONDS + 600);
  if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
  if (options.iss !== undefined) jwt.setIssuer(options.iss);
  if (options.aud !== undefined) jwt.setAudience(options.aud);
  return jwt.sign(key);
}

function request(
  headers: Record<string, string | undefined>,
  secrets: readonly string[] = [SECRET],
): VerificationInput {
  return { body: encode('{}'), headers, secrets, now: NOW };
}

const bearer = (jwt: string): Record<string, string> => ({ authorization: `Bearer ${jwt}` });

describe('verifyJwt() with a shared secret', () => {
  it('accepts a valid HS256 bearer token', async () => {
    const jwt = await token(encode(SECRET));

    const result = await verifyJwt(request(bearer(jwt)), SECRET_CONFIG);

    expect(result).toEqual({ ok: true, scheme: 'jwt', keyId: '0' });
  });

  it('accepts the Bearer scheme in any case', async () => {
    const jwt = await token(encode(SECRET));

    const result = await verifyJwt(request({ authorization: `bearer ${jwt}` }), SECRET_CONFIG);

    expect(result.ok).toBe(true);
  });

  it('rejects a token signed with another secret', async () => {
    const jwt = await token(encode(OTHER_SECRET));

    const result = await verifyJwt(request(bearer(jwt)), SECRET_CONFIG);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('reports the index of the rotated secret that matched', async () => {
    const jwt = await token(encode(SECRET));

    const result = await verifyJwt(request(bearer(jwt), [OTHER_SECRET, SECRET]), SECRET_CONFIG);

    expect(result).toEqual({ ok: true, scheme: 'jwt', keyId: '1' });
  });

  it('rejects an expired token', async () => {
    const jwt = await token(encode(SECRET), { iat: NOW_SECONDS - 600, exp: NOW_SECONDS - 31 });

    const result = await verifyJwt(request(bearer(jwt)), SECRET_CONFIG);

    expect(result).toMatchObject({ ok: false, reason: 'token_expired' });
  });

  it('accepts a token expired within the clock tolerance', async () => {
    const jwt = await token(encode(SECRET), { iat: NOW_SECONDS - 600, exp: NOW_SECONDS - 29 });

    const result = await verifyJwt(request(bearer(jwt)), SECRET_CONFIG);

    expect(result.ok).toBe(true);
  });

  it('rejects a token not yet valid beyond the clock tolerance', async () => {
    const jwt = await token(encode(SECRET), { nbf: NOW_SECONDS + 120 });

    const result = await verifyJwt(request(bearer(jwt)), SECRET_CONFIG);

    expect(result).toMatchObject({ ok: false, reason: 'token_claim_invalid' });
  });

  it('honours a configured clock tolerance', async () => {
    const jwt = await token(encode(SECRET), { nbf: NOW_SECONDS + 120 });

    const result = await verifyJwt(request(bearer(jwt)), { ...SECRET_CONFIG, clockToleranceSeconds: 180 });

    expect(result.ok).toBe(true);
  });

  it('rejects a token from another issuer', async () => {
    const jwt = await token(encode(SECRET), { iss: 'https://evil.example' });

    const result = await verifyJwt(request(bearer(jwt)), { ...SECRET_CONFIG, issuer: 'https://idp.example' });

    expect(result).toMatchObject({ ok: false, reason: 'token_claim_invalid' });
  });

  it('rejects a token for another audience', async () => {
    const jwt = await token(encode(SECRET), { iss: 'https://idp.example', aud: 'other-service' });

    const result = await verifyJwt(request(bearer(jwt)), {
      ...SECRET_CONFIG,
      issuer: 'https://idp.example',
      audience: 'hookline',
    });

    expect(result).toMatchObject({ ok: false, reason: 'token_claim_invalid' });
  });

  it('accepts a token with the expected issuer and audience', async () => {
    const jwt = await token(encode(SECRET), { iss: 'https://idp.example', aud: 'hookline' });

    const result = await verifyJwt(request(bearer(jwt)), {
      ...SECRET_CONFIG,
      issuer: 'https://idp.example',
      audience: 'hookline',
    });

    expect(result.ok).toBe(true);
  });

  it('rejects an algorithm outside the allow-list', async () => {
    const jwt = await token(encode(SECRET), { alg: 'HS512' });

    const result = await verifyJwt(request(bearer(jwt)), SECRET_CONFIG);

    expect(result).toMatchObject({ ok: false, reason: 'algorithm_not_allowed' });
  });

  it('accepts an algorithm added to the allow-list', async () => {
    const jwt = await token(encode(SECRET), { alg: 'HS512' });

    const result = await verifyJwt(request(bearer(jwt)), {
      ...SECRET_CONFIG,
      algorithms: ['HS256', 'HS512'],
    });

    expect(result.ok).toBe(true);
  });

  it('rejects an unsecured (alg: none) token', async () => {
    const jwt = new UnsecuredJWT({ sub: 'sender' }).setIssuedAt(NOW_SECONDS).encode();

    const result = await verifyJwt(request(bearer(jwt)), SECRET_CONFIG);

    expect(result).toMatchObject({ ok: false, reason: 'algorithm_not_allowed' });
  });

  it.each(['garbage', 'a.b.c', '...', 'eyJhbGciOiJIUzI1NiJ9'])(
    'rejects the malformed token %j',
    async (jwt) => {
      const result = await verifyJwt(request(bearer(jwt)), SECRET_CONFIG);

      expect(result).toMatchObject({ ok: false, reason: 'malformed_token' });
    },
  );

  it('rejects a correctly signed token whose payload is not a claims set', async () => {
    const jwt = await new CompactSign(encode('not json'))
      .setProtectedHeader({ alg: 'HS256' })
      .sign(encode(SECRET));

    const result = await verifyJwt(request(bearer(jwt)), SECRET_CONFIG);

    expect(result).toMatchObject({ ok: false, reason: 'malformed_token' });
  });

  it('checks the signature before looking at the payload', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln';

    const result = await verifyJwt(request(bearer(jwt)), SECRET_CONFIG);

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it.each([
    ['no authorization header', {}],
    ['an empty authorization header', { authorization: '' }],
    ['a Basic authorization header', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['Bearer without a token', { authorization: 'Bearer ' }],
  ])('rejects a request with %s', async (_label, headers) => {
    const result = await verifyJwt(request(headers), SECRET_CONFIG);

    expect(result).toMatchObject({ ok: false, reason: 'missing_token' });
  });

  it('reads the raw token from a named header', async () => {
    const jwt = await token(encode(SECRET));
    const config: JwtVerifyConfig = { ...SECRET_CONFIG, header: 'X-Webhook-Token' };

    const inHeader = await verifyJwt(request({ 'x-webhook-token': jwt }), config);
    const inAuthorization = await verifyJwt(request(bearer(jwt)), config);

    expect(inHeader).toMatchObject({ ok: true, keyId: '0' });
    expect(inAuthorization).toMatchObject({ ok: false, reason: 'missing_token' });
  });

  it('does not read inherited properties as a named header', async () => {
    const result = await verifyJwt(request({}), { ...SECRET_CONFIG, header: 'constructor' });

    expect(result).toMatchObject({ ok: false, reason: 'missing_token' });
  });

  it('rejects a token older than maxTokenAgeSeconds', async () => {
    const jwt = await token(encode(SECRET), { iat: NOW_SECONDS - 120 });

    const fresh = await verifyJwt(request(bearer(jwt)), { ...SECRET_CONFIG, maxTokenAgeSeconds: 300 });
    const stale = await verifyJwt(request(bearer(jwt)), { ...SECRET_CONFIG, maxTokenAgeSeconds: 60 });

    expect(fresh.ok).toBe(true);
    expect(stale).toMatchObject({ ok: false, reason: 'token_expired' });
  });

  it('fails with missing_secret when no secret is configured', async () => {
    const jwt = await token(encode(SECRET));

    const result = await verifyJwt(request(bearer(jwt), []), SECRET_CONFIG);

    expect(result).toMatchObject({ ok: false, reason: 'missing_secret' });
  });

  it('never puts the secret or the token in the failure detail', async () => {
    const jwt = await token(encode(OTHER_SECRET));

    const result = await verifyJwt(request(bearer(jwt)), SECRET_CONFIG);

    const detail = result.ok ? '' : (result.detail ?? '');
    expect(detail).not.toContain(SECRET);
    expect(detail).not.toContain(jwt.split('.')[2] ?? jwt);
  });
});

describe('verifyJwt() with a remote JWKS', () => {
  let server: Server;
  let baseUrl: string;
  let hits = 0;
  let esKey: { publicKey: CryptoKey; privateKey: CryptoKey };
  let rsKey: { publicKey: CryptoKey; privateKey: CryptoKey };
  let jwks: { keys: JWK[] };

  beforeAll(async () => {
    esKey = await generateKeyPair('ES256', { extractable: true });
    rsKey = await generateKeyPair('RS256', { extractable: true });
    jwks = {
      keys: [
        { ...(await exportJWK(esKey.publicKey)), kid: 'es-1', alg: 'ES256', use: 'sig' },
        { ...(await exportJWK(rsKey.publicKey)), kid: 'rs-1', alg: 'RS256', use: 'sig' },
      ],
    };
    server = createServer((req, res) => {
      hits += 1;
      if (req.url?.startsWith('/jwks/') === true) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(jwks));
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  });

  /** A fresh URL per test so the module-level key set cache starts empty. */
  const jwksConfig = (overrides: Partial<JwtVerifyConfig> = {}): JwtVerifyConfig => ({
    scheme: 'jwt',
    jwksUrl: `${baseUrl}/jwks/${randomUUID()}.json`,
    ...overrides,
  });

  it('accepts an ES256 token signed by a key in the set and reports its kid', async () => {
    const jwt = await token(esKey.privateKey, { alg: 'ES256', kid: 'es-1' });

    const result = await verifyJwt(request(bearer(jwt), []), jwksConfig());

    expect(result).toEqual({ ok: true, scheme: 'jwt', keyId: 'es-1' });
  });

  it('accepts an RS256 token signed by a key in the set', async () => {
    const jwt = await token(rsKey.privateKey, { alg: 'RS256', kid: 'rs-1' });

    const result = await verifyJwt(request(bearer(jwt), []), jwksConfig());

    expect(result).toEqual({ ok: true, scheme: 'jwt', keyId: 'rs-1' });
  });

  it('rejects a token signed by another key under a known kid', async () => {
    const other = await generateKeyPair('ES256');
    const jwt = await token(other.privateKey, { alg: 'ES256', kid: 'es-1' });

    const result = await verifyJwt(request(bearer(jwt), []), jwksConfig());

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('rejects a token whose kid is not in the set', async () => {
    const other = await generateKeyPair('ES256');
    const jwt = await token(other.privateKey, { alg: 'ES256', kid: 'unknown' });

    const result = await verifyJwt(request(bearer(jwt), []), jwksConfig());

    expect(result).toMatchObject({ ok: false, reason: 'signature_mismatch' });
  });

  it('does not accept an HS256 token, even one keyed with a public key (algorithm confusion)', async () => {
    const jwt = await token(encode(JSON.stringify(jwks.keys[0])), { kid: 'es-1' });

    const result = await verifyJwt(request(bearer(jwt), [SECRET]), jwksConfig());

    expect(result).toMatchObject({ ok: false, reason: 'algorithm_not_allowed' });
  });

  it('fetches the key set once and reuses it for later verifications', async () => {
    const config = jwksConfig();
    const first = await token(esKey.privateKey, { alg: 'ES256', kid: 'es-1' });
    const second = await token(rsKey.privateKey, { alg: 'RS256', kid: 'rs-1' });

    const before = hits;
    const a = await verifyJwt(request(bearer(first), []), config);
    const afterFirst = hits;
    const b = await verifyJwt(request(bearer(second), []), config);
    const c = await verifyJwt(request(bearer(first), []), config);

    expect([a.ok, b.ok, c.ok]).toEqual([true, true, true]);
    expect(afterFirst - before).toBe(1);
    expect(hits).toBe(afterFirst);
  });

  it('fails with jwks_unavailable when the JWKS answers with an error status', async () => {
    const jwt = await token(esKey.privateKey, { alg: 'ES256', kid: 'es-1' });

    const result = await verifyJwt(request(bearer(jwt), []), {
      scheme: 'jwt',
      jwksUrl: `${baseUrl}/missing`,
    });

    expect(result).toMatchObject({ ok: false, reason: 'jwks_unavailable' });
  });

  it('fails with jwks_unavailable when the JWKS server is down', async () => {
    const down = createServer();
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const port = (down.address() as AddressInfo).port;
    await new Promise<void>((resolve) => down.close(() => resolve()));
    const jwt = await token(esKey.privateKey, { alg: 'ES256', kid: 'es-1' });

    const result = await verifyJwt(request(bearer(jwt), []), {
      scheme: 'jwt',
      jwksUrl: `http://127.0.0.1:${port}/jwks/${randomUUID()}.json`,
    });

    expect(result).toMatchObject({ ok: false, reason: 'jwks_unavailable' });
  });

  it('uses an injected fetch for the key set', async () => {
    const urls: string[] = [];
    const fetchJwks = async (url: string): Promise<Response> => {
      urls.push(url);
      return new Response(JSON.stringify(jwks), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    };
    const config: JwtVerifyConfig = { scheme: 'jwt', jwksUrl: 'https://idp.example/.well-known/jwks.json' };
    const jwt = await token(esKey.privateKey, { alg: 'ES256', kid: 'es-1' });

    const result = await verifyJwt(request(bearer(jwt), []), config, { fetchJwks });
    await verifyJwt(request(bearer(jwt), []), config, { fetchJwks });

    expect(result).toMatchObject({ ok: true, keyId: 'es-1' });
    expect(urls).toEqual(['https://idp.example/.well-known/jwks.json']);
  });
});
