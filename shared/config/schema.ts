import { z } from 'zod';

const positiveInt = (max: number) => z.number().int().min(1).max(max);
const seconds = (min: number, max: number) => z.number().int().min(min).max(max);

/** Secrets Manager name characters; locally the name maps to an environment variable (see secrets). */
const secretReference = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9/_+=.@-]+$/, 'must use only letters, digits and /_+=.@-')
    .max(512),
  existing: z.boolean().optional(),
});

const tolerance = seconds(1, 3600).optional();
const headerName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'must be a valid HTTP header name')
  .transform((name) => name.toLowerCase());

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

export const verifySchemes = [
  'github',
  'stripe',
  'standardWebhooks',
  'slack',
  'shopify',
  'hmac',
  'jwt',
  'none',
] as const;

const verifySchema = z.discriminatedUnion('scheme', [
  z.strictObject({ scheme: z.literal('github'), secret: secretReference, allowSha1: z.boolean().optional() }),
  z.strictObject({ scheme: z.literal('stripe'), secret: secretReference, toleranceSeconds: tolerance }),
  z.strictObject({
    scheme: z.literal('standardWebhooks'),
    secret: secretReference,
    toleranceSeconds: tolerance,
  }),
  z.strictObject({ scheme: z.literal('slack'), secret: secretReference, toleranceSeconds: tolerance }),
  z.strictObject({ scheme: z.literal('shopify'), secret: secretReference }),
  z.strictObject({
    scheme: z.literal('hmac'),
    secret: secretReference,
    algorithm: z.enum(['sha1', 'sha256', 'sha512']).optional(),
    header: headerName,
    encoding: z.enum(['hex', 'base64']).optional(),
    prefix: z.string().max(64).optional(),
    timestampHeader: headerName.optional(),
    toleranceSeconds: tolerance,
    signedContent: z
      .string()
      .refine((template) => template.includes('{body}'), 'must contain {body}')
      .optional(),
  }),
  z
    .strictObject({
      scheme: z.literal('jwt'),
      secret: secretReference.optional(),
      jwksUrl: z
        .url({ protocol: /^https?$/ })
        .refine((url) => {
          if (!URL.canParse(url)) return true; // reported by z.url() already
          const { protocol, hostname } = new URL(url);
          return protocol === 'https:' || hostname === '127.0.0.1' || hostname === 'localhost';
        }, 'must use https (http only for localhost)')
        .optional(),
      algorithms: z.array(z.enum(jwtAlgorithms)).min(1).optional(),
      issuer: z.string().min(1).optional(),
      audience: z.string().min(1).optional(),
      clockToleranceSeconds: seconds(0, 600).optional(),
      maxTokenAgeSeconds: seconds(1, 86_400).optional(),
      header: headerName.optional(),
    })
    .superRefine((jwt, ctx) => {
      if ((jwt.secret === undefined) === (jwt.jwksUrl === undefined)) {
        ctx.addIssue({ code: 'custom', message: 'exactly one of secret and jwksUrl is required' });
      }
      const symmetric = (jwt.algorithms ?? []).filter((alg) => alg.startsWith('HS'));
      if (jwt.jwksUrl !== undefined && symmetric.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['algorithms'],
          message: `${symmetric.join(', ')} needs a shared secret, not a JWKS`,
        });
      }
      if (jwt.secret !== undefined && (jwt.algorithms ?? []).some((alg) => !alg.startsWith('HS'))) {
        ctx.addIssue({
          code: 'custom',
          path: ['algorithms'],
          message: 'a shared secret only supports HS256/HS384/HS512',
        });
      }
    }),
  z.strictObject({ scheme: z.literal('none') }),
]);

const httpMethod = z
  .string()
  .transform((method) => method.toUpperCase())
  .pipe(z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']));

const regexSource = z.string().refine((source) => {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}, 'must be a valid regular expression');

const cidr = z.union([z.cidrv4(), z.cidrv6()], {
  error: 'must be an IPv4 or IPv6 CIDR such as 203.0.113.0/24',
});

export const routeSchema = z.strictObject({
  path: z.string(),
  methods: z.array(httpMethod).min(1).optional(),
  enabled: z.boolean().optional(),
  verify: verifySchema,
  dedupe: z
    .strictObject({
      source: z.enum(['scheme', 'header', 'bodyHash', 'none']).optional(),
      header: headerName.optional(),
      windowSeconds: seconds(1, 365 * 86_400).optional(),
    })
    .refine((dedupe) => dedupe.source !== 'header' || dedupe.header !== undefined, {
      message: 'header is required when source is "header"',
      path: ['header'],
    })
    .optional(),
  handler: z.string().regex(/\.(ts|mts|js|mjs)$/, 'must be a .ts or .js file'),
  retry: z
    .strictObject({
      maxAttempts: positiveInt(1000).optional(),
      initialDelaySeconds: seconds(0, 43_200).optional(),
      multiplier: z.number().min(1).max(10).optional(),
      maxDelaySeconds: seconds(0, 43_200).optional(),
    })
    .optional(),
  batchSize: positiveInt(10_000).optional(),
  maxBatchingWindowSeconds: seconds(0, 300).optional(),
  maxConcurrency: z.number().int().min(2).max(1000).optional(),
  timeoutSeconds: positiveInt(900).optional(),
  memoryMb: z.number().int().min(128).max(10_240).optional(),
  maxBodyBytes: positiveInt(6 * 1024 * 1024).optional(),
  expectJson: z.boolean().optional(),
  retentionDays: positiveInt(3650).optional(),
  throttle: z
    .strictObject({ rateLimit: positiveInt(10_000).optional(), burstLimit: positiveInt(5_000).optional() })
    .optional(),
  filters: z
    .strictObject({
      methods: z.array(httpMethod).min(1).optional(),
      headers: z.record(headerName, regexSource).optional(),
      payload: z.record(z.string().min(1), z.string()).optional(),
    })
    .optional(),
  allowedSourceIps: z.array(cidr).min(1).optional(),
});

export const configSchema = z.strictObject({
  name: z
    .string()
    .regex(
      /^[a-z][a-z0-9-]{0,29}$/,
      'must be 1-30 lower-case letters, digits or dashes, starting with a letter',
    )
    .optional(),
  routes: z.array(routeSchema).min(1, 'at least one route is required'),
});

export type ParsedRoute = z.infer<typeof routeSchema>;
