/**
 * The route configuration contract (`hookline.config.ts`). Everything here is plain data so the
 * same config can be validated at synth time, serialised into a Lambda's environment and read by
 * the local stack. Every type is derived from the zod schema (`schema.ts`, where the fields are
 * documented): `z.input` for what a config file holds, `z.output` for what `resolveConfig` returns.
 */
import type { z } from 'zod';
import type { configSchema, routeSchema } from './schema.js';

/** `T` with every property and array read-only, at every depth. */
type DeepReadonly<T> = T extends readonly (infer Item)[]
  ? readonly DeepReadonly<Item>[]
  : T extends object
    ? { readonly [Key in keyof T]: DeepReadonly<T[Key]> }
    : T;

/** A config as written in `hookline.config.ts`: every field with a default may be left out. */
export type HooklineConfig = DeepReadonly<z.input<typeof configSchema>>;
export type RouteConfig = HooklineConfig['routes'][number];
export type DedupeConfig = NonNullable<RouteConfig['dedupe']>;
export type RetryConfig = NonNullable<RouteConfig['retry']>;

/** A route with every default applied and its derived names. */
export type ResolvedRoute = DeepReadonly<
  Omit<z.output<typeof routeSchema>, 'expectJson'> & {
    /** The route's queue name, derived from `path`: `/order/status/` → `order_status`. */
    queueName: string;
    expectJson: boolean;
  }
>;

export type ResolvedConfig = DeepReadonly<
  Omit<z.output<typeof configSchema>, 'routes'> & { routes: ResolvedRoute[] }
>;

export type VerifyConfig = ResolvedRoute['verify'];
export type VerifyScheme = VerifyConfig['scheme'];
export type GithubVerifyConfig = Extract<VerifyConfig, { readonly scheme: 'github' }>;
export type StripeVerifyConfig = Extract<VerifyConfig, { readonly scheme: 'stripe' }>;
export type StandardWebhooksVerifyConfig = Extract<VerifyConfig, { readonly scheme: 'standardWebhooks' }>;
export type SlackVerifyConfig = Extract<VerifyConfig, { readonly scheme: 'slack' }>;
export type ShopifyVerifyConfig = Extract<VerifyConfig, { readonly scheme: 'shopify' }>;
export type HmacVerifyConfig = Extract<VerifyConfig, { readonly scheme: 'hmac' }>;
export type JwtVerifyConfig = Extract<VerifyConfig, { readonly scheme: 'jwt' }>;
export type NoVerifyConfig = Extract<VerifyConfig, { readonly scheme: 'none' }>;
export type HmacAlgorithm = NonNullable<HmacVerifyConfig['algorithm']>;
export type SignatureEncoding = NonNullable<HmacVerifyConfig['encoding']>;
export type JwtAlgorithm = NonNullable<JwtVerifyConfig['algorithms']>[number];
/** Where a verification secret comes from. */
export type SecretReference = GithubVerifyConfig['secret'];

export type FilterConfig = NonNullable<ResolvedRoute['filters']>;

/** The functions' logging with its defaults applied (`shared/config/logs.ts`). */
export type ResolvedLogs = NonNullable<ResolvedConfig['logs']>;

/** The event table's capacity mode as written (`shared/config/table-capacity.ts`). */
export type TableConfig = NonNullable<HooklineConfig['table']>;
/** The event table's capacity mode with every default of a provisioned table applied. */
export type ResolvedTable = NonNullable<ResolvedConfig['table']>;
export type ProvisionedTable = Extract<ResolvedTable, { readonly billing: 'provisioned' }>;
/** Auto scaling of the reads or the writes of the table and its indexes. */
export type CapacityScaling = ProvisionedTable['read'];

/** Typed identity helper for `hookline.config.ts`. */
export function defineConfig(config: HooklineConfig): HooklineConfig {
  return config;
}
