import { describe, expectTypeOf, it } from 'vitest';
import { ROUTE_DEFAULTS } from '../../../shared/config/defaults.js';
import {
  defineConfig,
  type HooklineConfig,
  type JwtAlgorithm,
  type ResolvedConfig,
  type ResolvedRoute,
  type RetryConfig,
  type VerifyScheme,
} from '../../../shared/config/types.js';
import { resolveConfig } from '../../../shared/config/validate.js';

/** The types derived from the schema keep the shapes callers and config files rely on. */
describe('config types', () => {
  it('let a config file leave out every field with a default', () => {
    const config = defineConfig({
      routes: [{ path: '/hook/', verify: { scheme: 'none' }, handler: 'handlers/hook.ts' }],
    });

    expectTypeOf(config).toEqualTypeOf<HooklineConfig>();
    expectTypeOf<HooklineConfig['name']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<RetryConfig>().toEqualTypeOf<{
      readonly maxAttempts?: number | undefined;
      readonly initialDelaySeconds?: number | undefined;
      readonly multiplier?: number | undefined;
      readonly maxDelaySeconds?: number | undefined;
    }>();
  });

  it('accept a read-only config', () => {
    const routes = [
      { path: '/hook/', methods: ['POST', 'PUT'], verify: { scheme: 'none' }, handler: 'h.ts' },
    ] as const;

    expectTypeOf(defineConfig).toBeCallableWith({ routes });
  });

  it('reject an unknown field', () => {
    defineConfig({
      // @ts-expect-error the schema is strict: `colour` is not a route field
      routes: [{ path: '/hook/', verify: { scheme: 'none' }, handler: 'h.ts', colour: 'red' }],
    });
  });

  it('give a resolved route every default as a required field', () => {
    expectTypeOf(resolveConfig).returns.toEqualTypeOf<ResolvedConfig>();
    expectTypeOf<ResolvedConfig['name']>().toEqualTypeOf<string>();
    expectTypeOf<ResolvedRoute['queueName']>().toEqualTypeOf<string>();
    expectTypeOf<ResolvedRoute['expectJson']>().toEqualTypeOf<boolean>();
    expectTypeOf<ResolvedRoute['methods']>().toEqualTypeOf<readonly string[]>();
    expectTypeOf<ResolvedRoute['retry']>().toEqualTypeOf<Required<RetryConfig>>();
    expectTypeOf<ResolvedRoute['dedupe']['header']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<ResolvedRoute['throttle']>().toEqualTypeOf<{
      readonly rateLimit: number;
      readonly burstLimit: number;
    }>();
    expectTypeOf(ROUTE_DEFAULTS.retry).toExtend<ResolvedRoute['retry']>();
  });

  it('name every verify scheme and JWT algorithm', () => {
    expectTypeOf<VerifyScheme>().toEqualTypeOf<
      | 'github'
      | 'gitlab'
      | 'bitbucket'
      | 'stripe'
      | 'shopify'
      | 'slack'
      | 'twilio'
      | 'sendgrid'
      | 'mailgun'
      | 'postmark'
      | 'square'
      | 'paddle'
      | 'zoom'
      | 'twitch'
      | 'discord'
      | 'meta'
      | 'x'
      | 'msGraph'
      | 'dropbox'
      | 'okta'
      | 'asana'
      | 'linear'
      | 'intercom'
      | 'hubspot'
      | 'typeform'
      | 'sentry'
      | 'vercel'
      | 'contentful'
      | 'telegram'
      | 'pagerduty'
      | 'workos'
      | 'sns'
      | 'standardWebhooks'
      | 'hmac'
      | 'jwt'
      | 'none'
    >();
    expectTypeOf<'EdDSA'>().toExtend<JwtAlgorithm>();
    expectTypeOf<'none'>().not.toExtend<JwtAlgorithm>();
  });
});
