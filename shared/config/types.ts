/**
 * The route configuration contract (`hookline.config.ts`). Everything here is plain data so the
 * same config can be validated at synth time, serialised into a Lambda's environment and read by
 * the local stack.
 */

/** Where a verification secret comes from. */
export interface SecretReference {
  /**
   * Name of the secret. Deployed: the AWS Secrets Manager secret name (created by the stack unless
   * `existing` is true). Locally: the environment variable (or `.env` entry) holding the value.
   * A secret may hold several values for rotation as a JSON array of strings (`["new","old"]`);
   * any one of them that matches passes. Any other text is one value, taken whole.
   */
  readonly name: string;
  /**
   * Import an existing Secrets Manager secret instead of creating one.
   * @default false
   */
  readonly existing?: boolean;
}

export interface GithubVerifyConfig {
  readonly scheme: 'github';
  readonly secret: SecretReference;
  /**
   * Also accept the legacy `x-hub-signature` (HMAC-SHA1) header when no sha256 header is sent.
   * @default false
   */
  readonly allowSha1?: boolean;
}

export interface StripeVerifyConfig {
  readonly scheme: 'stripe';
  readonly secret: SecretReference;
  /** @default 300 */
  readonly toleranceSeconds?: number;
}

export interface StandardWebhooksVerifyConfig {
  readonly scheme: 'standardWebhooks';
  /** `whsec_`-prefixed base64 symmetric secrets and/or `whpk_` base64 ed25519 public keys (v1a). */
  readonly secret: SecretReference;
  /** @default 300 */
  readonly toleranceSeconds?: number;
}

export interface SlackVerifyConfig {
  readonly scheme: 'slack';
  readonly secret: SecretReference;
  /** @default 300 */
  readonly toleranceSeconds?: number;
}

export interface ShopifyVerifyConfig {
  readonly scheme: 'shopify';
  readonly secret: SecretReference;
}

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';
export type SignatureEncoding = 'hex' | 'base64';

export interface HmacVerifyConfig {
  readonly scheme: 'hmac';
  readonly secret: SecretReference;
  /** @default 'sha256' */
  readonly algorithm?: HmacAlgorithm;
  /** Header carrying the signature (case-insensitive). */
  readonly header: string;
  /** @default 'hex' */
  readonly encoding?: SignatureEncoding;
  /** Text in front of the signature value, e.g. `sha256=`. @default '' */
  readonly prefix?: string;
  /** Header carrying a unix timestamp (seconds) that is part of the signed content. */
  readonly timestampHeader?: string;
  /** Allowed clock skew when `timestampHeader` is set. @default 300 */
  readonly toleranceSeconds?: number;
  /**
   * What is signed: `{body}` is the raw body, `{timestamp}` the timestamp header value.
   * @default '{timestamp}.{body}' with a timestamp header, '{body}' otherwise
   */
  readonly signedContent?: string;
}

export type JwtAlgorithm =
  | 'HS256'
  | 'HS384'
  | 'HS512'
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA';

export interface JwtVerifyConfig {
  readonly scheme: 'jwt';
  /** Shared secret for HS* algorithms. Exactly one of `secret` and `jwksUrl` is required. */
  readonly secret?: SecretReference;
  /** Remote JWKS for asymmetric algorithms (cached by the verifier). */
  readonly jwksUrl?: string;
  /** Allowed `alg` values. @default ['HS256'] with a secret, ['RS256', 'ES256'] with a JWKS */
  readonly algorithms?: readonly JwtAlgorithm[];
  readonly issuer?: string;
  readonly audience?: string;
  /** @default 30 */
  readonly clockToleranceSeconds?: number;
  /** Reject tokens whose `iat` is older than this. */
  readonly maxTokenAgeSeconds?: number;
  /** Header carrying the token; `authorization` expects `Bearer <token>`. @default 'authorization' */
  readonly header?: string;
}

export interface NoVerifyConfig {
  readonly scheme: 'none';
}

export type VerifyConfig =
  | GithubVerifyConfig
  | StripeVerifyConfig
  | StandardWebhooksVerifyConfig
  | SlackVerifyConfig
  | ShopifyVerifyConfig
  | HmacVerifyConfig
  | JwtVerifyConfig
  | NoVerifyConfig;

export type VerifyScheme = VerifyConfig['scheme'];

/** Where an event's delivery id comes from for de-duplication. */
export interface DedupeConfig {
  /**
   * `scheme` uses the provider's delivery id (GitHub `x-github-delivery`, Standard Webhooks
   * `webhook-id`, Stripe body `id`, Shopify `x-shopify-webhook-id`, Slack event id), then
   * `x-idempotency-key`, then a body hash. `header` uses `header`; `bodyHash` always hashes.
   * @default 'scheme'
   */
  readonly source?: 'scheme' | 'header' | 'bodyHash' | 'none';
  /** Header to read when `source` is `header`. */
  readonly header?: string;
  /** How long a delivery id is remembered. @default 86400 (24 h) */
  readonly windowSeconds?: number;
}

export interface RetryConfig {
  /** Total attempts, including the first; also the queue's `maxReceiveCount`. @default 5 */
  readonly maxAttempts?: number;
  /** @default 10 */
  readonly initialDelaySeconds?: number;
  /** @default 2 */
  readonly multiplier?: number;
  /** Capped at 43200 (12 h, the SQS visibility limit). @default 900 */
  readonly maxDelaySeconds?: number;
}

/** Drop unwanted events at ingress: the event is answered 202 `filtered` and nothing is recorded. */
export interface FilterConfig {
  /** Only these methods pass. */
  readonly methods?: readonly string[];
  /** Header name → regular expression (source text) the header value must match. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Dotted payload path → pattern (`*` and `?` wildcards) the value's text must match. */
  readonly payload?: Readonly<Record<string, string>>;
}

export interface RouteConfig {
  /** Webhook path, e.g. `/order/status/`; its queue is named `order_status`. */
  readonly path: string;
  /** @default ['POST'] */
  readonly methods?: readonly string[];
  /** @default true */
  readonly enabled?: boolean;
  readonly verify: VerifyConfig;
  readonly dedupe?: DedupeConfig;
  /** Handler module entry file, relative to the project root. */
  readonly handler: string;
  readonly retry?: RetryConfig;
  /** SQS batch size for the handler. @default 10 */
  readonly batchSize?: number;
  /** Event source mapping batching window. @default 0 */
  readonly maxBatchingWindowSeconds?: number;
  /** Event source mapping maximum concurrency (2–1000). @default 2 */
  readonly maxConcurrency?: number;
  /** Handler timeout. @default 30 */
  readonly timeoutSeconds?: number;
  /** Handler memory. @default 512 */
  readonly memoryMb?: number;
  /** Largest accepted body. @default 262144 (256 KiB) */
  readonly maxBodyBytes?: number;
  /** Parse and require a JSON body (400 otherwise). @default true unless verify is slack */
  readonly expectJson?: boolean;
  /** Days to keep the event history and dedupe keys. @default 30 */
  readonly retentionDays?: number;
  /** API Gateway throttling for this route. @default { rateLimit: 100, burstLimit: 200 } */
  readonly throttle?: { readonly rateLimit?: number; readonly burstLimit?: number };
  readonly filters?: FilterConfig;
  /** Only requests from these CIDRs (IPv4/IPv6) are accepted; others get 403. */
  readonly allowedSourceIps?: readonly string[];
}

export interface HooklineConfig {
  /** Used in resource names. @default 'hookline' */
  readonly name?: string;
  readonly routes: readonly RouteConfig[];
}

/** A route with every default applied and its derived names. */
export interface ResolvedRoute {
  readonly path: string;
  readonly queueName: string;
  readonly methods: readonly string[];
  readonly enabled: boolean;
  readonly verify: VerifyConfig;
  readonly dedupe: Required<Omit<DedupeConfig, 'header'>> & { readonly header?: string };
  readonly handler: string;
  readonly retry: Required<RetryConfig>;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly maxConcurrency: number;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly maxBodyBytes: number;
  readonly expectJson: boolean;
  readonly retentionDays: number;
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly filters?: FilterConfig;
  readonly allowedSourceIps?: readonly string[];
}

export interface ResolvedConfig {
  readonly name: string;
  readonly routes: readonly ResolvedRoute[];
}

/** Typed identity helper for `hookline.config.ts`. */
export function defineConfig(config: HooklineConfig): HooklineConfig {
  return config;
}
