import { z } from 'zod';
import { headerName, seconds, secretReference } from '../schema-fields.js';

const jwtAlgorithms = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

const jwksUrl = z.url({ protocol: /^https?$/ }).refine((url) => {
  if (!URL.canParse(url)) return true; // reported by z.url() already
  const { protocol, hostname } = new URL(url);
  return protocol === 'https:' || hostname === '127.0.0.1' || hostname === 'localhost';
}, 'must use https (http only for localhost)');

/** Bearer JWTs, checked against shared secrets (HS*) or a remote JWKS. */
export const jwtVerify = z
  .strictObject({
    scheme: z.literal('jwt'),
    /** Shared secret for HS* algorithms. Exactly one of `secret` and `jwksUrl` is required. */
    secret: secretReference.optional(),
    /** Remote JWKS for asymmetric algorithms (cached by the verifier). */
    jwksUrl: jwksUrl.optional(),
    /** Allowed `alg` values. @default ['HS256'] with a secret, ['RS256', 'ES256'] with a JWKS */
    algorithms: z.array(z.enum(jwtAlgorithms)).min(1).optional(),
    issuer: z.string().min(1).optional(),
    audience: z.string().min(1).optional(),
    /** @default 30 */
    clockToleranceSeconds: seconds(0, 600).optional(),
    /** Reject tokens whose `iat` is older than this. */
    maxTokenAgeSeconds: seconds(1, 86_400).optional(),
    /** Header carrying the token; `authorization` expects `Bearer <token>`. @default 'authorization' */
    header: headerName.optional(),
  })
  .superRefine((config, ctx) => {
    if ((config.secret === undefined) === (config.jwksUrl === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'exactly one of secret and jwksUrl is required' });
    }
    const symmetric = (config.algorithms ?? []).filter((alg) => alg.startsWith('HS'));
    if (config.jwksUrl !== undefined && symmetric.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['algorithms'],
        message: `${symmetric.join(', ')} needs a shared secret, not a JWKS`,
      });
    }
    if (config.secret !== undefined && (config.algorithms ?? []).some((alg) => !alg.startsWith('HS'))) {
      ctx.addIssue({
        code: 'custom',
        path: ['algorithms'],
        message: 'a shared secret only supports HS256/HS384/HS512',
      });
    }
  });
