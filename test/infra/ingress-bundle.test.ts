/**
 * Each route's ingress bundle, as the stack builds it (CDK's NodejsFunction running esbuild with
 * `HooklineFunction`'s bundling options and its `define`s), holds only the verifier of the route's
 * scheme: no other scheme's module, and `jose` only in a JWT route's bundle; and the X-Ray SDK only
 * when the route has `tracing`. The modules a bundle holds are read from its source map.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_SCHEME_IDENTIFIER, BUNDLED_TRACING_IDENTIFIER } from '../../infra/hookline-function.js';
import { HooklineGateway } from '../../infra/hookline-gateway.js';
import type { ResolvedRoute } from '../../shared/config/types.js';
import { makeConfig, makeRoute } from '../helpers/routes.js';
import { packagesIn, schemesIn } from '../helpers/scheme-modules.js';

const PROJECT_ROOT = new URL('../..', import.meta.url).pathname;
/** Handler paths below are relative to this file's folder. */
const CONFIG_FILE = join(PROJECT_ROOT, 'test/infra/fixtures/hookline.config.ts');

/** The example handler: made by `defineHandler`, so its bundle holds the handler runtime. */
const github = makeRoute({ path: '/github/', handler: '../../../functions/handlers/github-events.ts' });
const jwt = makeRoute({
  path: '/jwt/',
  handler: 'handlers/beta.ts',
  verify: { scheme: 'jwt', jwksUrl: 'https://issuer.example.com/.well-known/jwks.json' },
  tracing: true,
});
const TRACER_PACKAGES = ['@aws-lambda-powertools/tracer', 'aws-xray-sdk-core'];

interface IngressBundle {
  readonly code: string;
  /** The modules and packages with code in the bundle (its source map's sources). */
  readonly sources: string[];
}

describe('route ingress and handler bundles', () => {
  const bundles = new Map<string, IngressBundle>();
  const bundleOf = (route: ResolvedRoute, fn: 'ingress' | 'handler' = 'ingress'): IngressBundle => {
    const found = bundles.get(`${fn} ${route.path}`);
    if (found === undefined) throw new Error(`no ${fn} bundle for ${route.path}`);
    return found;
  };

  beforeAll(() => {
    // Bundled for real: the two routes' ingress and handler functions and the admin function.
    const stack = new Stack(new App(), 'hookline');
    const gateway = new HooklineGateway(stack, 'Gateway', {
      config: makeConfig([github, jwt]),
      projectRoot: PROJECT_ROOT,
      configFile: CONFIG_FILE,
    });
    for (const route of [github, jwt]) {
      const webhookRoute = gateway.routes.get(route.path);
      if (webhookRoute === undefined) throw new Error(`no route ${route.path}`);
      for (const [fn, lambda] of [
        ['ingress', webhookRoute.ingressFunction],
        ['handler', webhookRoute.handlerFunction],
      ] as const) {
        const asset = lambda.node.findChild('Code') as Asset;
        const dir = join(Stage.of(stack)?.outdir ?? '', asset.assetPath);
        const map = JSON.parse(readFileSync(join(dir, 'index.mjs.map'), 'utf8')) as { sources: string[] };
        bundles.set(`${fn} ${route.path}`, {
          code: readFileSync(join(dir, 'index.mjs'), 'utf8'),
          sources: map.sources,
        });
      }
    }
  });

  it('gives a GitHub route the GitHub verifier only, without jose', () => {
    const { sources } = bundleOf(github);

    expect(schemesIn(sources)).toEqual(['github']);
    expect(packagesIn(sources)).not.toContain('jose');
  });

  it('gives a JWT route the JWT verifier and jose', () => {
    const { sources } = bundleOf(jwt);

    expect(schemesIn(sources)).toEqual(['jwt']);
    expect(packagesIn(sources)).toContain('jose');
  });

  it("gives a route's handler its own scheme only (the runtime reads event types through it)", () => {
    expect(schemesIn(bundleOf(github, 'handler').sources)).toEqual(['github']);
    expect(packagesIn(bundleOf(github, 'handler').sources)).not.toContain('jose');
  });

  it('holds Powertools Tracer and the X-Ray SDK only for a route with tracing', () => {
    for (const name of TRACER_PACKAGES) {
      expect(packagesIn(bundleOf(github).sources)).not.toContain(name);
      expect(packagesIn(bundleOf(jwt).sources)).toContain(name);
    }
  });

  it.each([
    ['shared/verify/registry.ts', BUNDLED_SCHEME_IDENTIFIER],
    ['shared/handler/tracing.ts', BUNDLED_TRACING_IDENTIFIER],
  ])('replaces the build-time identifier %s reads', (module, identifier) => {
    const source = readFileSync(join(PROJECT_ROOT, module), 'utf8');
    expect(source).toContain(`declare const ${identifier}:`);
    for (const route of [github, jwt]) {
      // `includes` rather than `toContain`: a failure would print the whole bundle.
      expect(bundleOf(route).code.includes(identifier)).toBe(false);
    }
  });
});
