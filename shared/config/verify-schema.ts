/** How a route verifies a request: one strict object per scheme, told apart by `scheme`. */
import { z } from 'zod';
import { headerName, seconds, secretReference } from './schema-fields.js';
import { asanaVerify } from './schemes/asana.js';
import { bitbucketVerify } from './schemes/bitbucket.js';
import { contentfulVerify } from './schemes/contentful.js';
import { discordVerify } from './schemes/discord.js';
import { dropboxVerify } from './schemes/dropbox.js';
import { gitlabVerify } from './schemes/gitlab.js';
import { hubspotVerify } from './schemes/hubspot.js';
import { intercomVerify } from './schemes/intercom.js';
import { linearVerify } from './schemes/linear.js';
import { mailgunVerify } from './schemes/mailgun.js';
import { metaVerify } from './schemes/meta.js';
import { msGraphVerify } from './schemes/ms-graph.js';
import { oktaVerify } from './schemes/okta.js';
import { paddleVerify } from './schemes/paddle.js';
import { pagerdutyVerify } from './schemes/pagerduty.js';
import { postmarkVerify } from './schemes/postmark.js';
import { sendgridVerify } from './schemes/sendgrid.js';
import { sentryVerify } from './schemes/sentry.js';
import { snsVerify } from './schemes/sns.js';
import { squareVerify } from './schemes/square.js';
import { telegramVerify } from './schemes/telegram.js';
import { twilioVerify } from './schemes/twilio.js';
import { twitchVerify } from './schemes/twitch.js';
import { typeformVerify } from './schemes/typeform.js';
import { vercelVerify } from './schemes/vercel.js';
import { workosVerify } from './schemes/workos.js';
import { xVerify } from './schemes/x.js';
import { zoomVerify } from './schemes/zoom.js';

const tolerance = seconds(1, 3600).optional();

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

const github = z.strictObject({
  scheme: z.literal('github'),
  secret: secretReference,
  /**
   * Also accept the legacy `x-hub-signature` (HMAC-SHA1) header when no sha256 header is sent.
   * @default false
   */
  allowSha1: z.boolean().optional(),
});

const stripe = z.strictObject({
  scheme: z.literal('stripe'),
  secret: secretReference,
  /** @default 300 */
  toleranceSeconds: tolerance,
});

const standardWebhooks = z.strictObject({
  scheme: z.literal('standardWebhooks'),
  /** `whsec_`-prefixed base64 symmetric secrets and/or `whpk_` base64 ed25519 public keys (v1a). */
  secret: secretReference,
  /** @default 300 */
  toleranceSeconds: tolerance,
});

const slack = z.strictObject({
  scheme: z.literal('slack'),
  secret: secretReference,
  /** @default 300 */
  toleranceSeconds: tolerance,
});

const shopify = z.strictObject({ scheme: z.literal('shopify'), secret: secretReference });

const hmac = z.strictObject({
  scheme: z.literal('hmac'),
  secret: secretReference,
  /** @default 'sha256' */
  algorithm: z.enum(['sha1', 'sha256', 'sha512']).optional(),
  /** Header carrying the signature (case-insensitive). */
  header: headerName,
  /** @default 'hex' */
  encoding: z.enum(['hex', 'base64']).optional(),
  /** Text in front of the signature value, e.g. `sha256=`. @default '' */
  prefix: z.string().max(64).optional(),
  /** Header carrying a unix timestamp (seconds) that is part of the signed content. */
  timestampHeader: headerName.optional(),
  /** Allowed clock skew when `timestampHeader` is set. @default 300 */
  toleranceSeconds: tolerance,
  /**
   * What is signed: `{body}` is the raw body, `{timestamp}` the timestamp header value.
   * @default '{timestamp}.{body}' with a timestamp header, '{body}' otherwise
   */
  signedContent: z
    .string()
    .refine((template) => template.includes('{body}'), 'must contain {body}')
    .optional(),
});

const jwksUrl = z.url({ protocol: /^https?$/ }).refine((url) => {
  if (!URL.canParse(url)) return true; // reported by z.url() already
  const { protocol, hostname } = new URL(url);
  return protocol === 'https:' || hostname === '127.0.0.1' || hostname === 'localhost';
}, 'must use https (http only for localhost)');

const jwt = z
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

export const verifySchema = z.discriminatedUnion('scheme', [
  github,
  stripe,
  standardWebhooks,
  slack,
  shopify,
  hmac,
  jwt,
  gitlabVerify,
  bitbucketVerify,
  metaVerify,
  xVerify,
  intercomVerify,
  vercelVerify,
  typeformVerify,
  mailgunVerify,
  postmarkVerify,
  msGraphVerify,
  dropboxVerify,
  oktaVerify,
  asanaVerify,
  telegramVerify,
  pagerdutyVerify,
  sentryVerify,
  twilioVerify,
  squareVerify,
  hubspotVerify,
  contentfulVerify,
  paddleVerify,
  zoomVerify,
  twitchVerify,
  linearVerify,
  workosVerify,
  discordVerify,
  sendgridVerify,
  snsVerify,
  z.strictObject({ scheme: z.literal('none') }),
]);

/** Every `scheme` value, in the order of `verifySchema`'s options. */
export const verifySchemes = verifySchema.options.map((option) => option.shape.scheme.value);

/** Whether `name` is a scheme a route can name (an envelope from another release may carry any text). */
export function isVerifyScheme(name: string): name is (typeof verifySchemes)[number] {
  return (verifySchemes as readonly string[]).includes(name);
}
