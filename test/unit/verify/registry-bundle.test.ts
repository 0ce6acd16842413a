/**
 * The verify registry bundled for one scheme (esbuild `define: { HOOKLINE_BUNDLED_SCHEME: '"<scheme>"' }`,
 * as infra bundles each route's ingress) holds that scheme's verifier and what it imports, nothing
 * more, and refuses every other scheme loudly. Bundled without the define it holds every scheme.
 * test/infra/ingress-bundle.test.ts checks the ingress bundles the stack builds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { VerifyScheme } from '../../../shared/config/types.js';
import { verifySchema } from '../../../shared/config/verify-schema.js';
import type { schemeNamed } from '../../../shared/verify/registry.js';
import { bundleSource, importBundle, type TestBundle } from '../../helpers/function-bundle.js';
import { packagesIn, schemeModules, schemesIn } from '../../helpers/scheme-modules.js';

const REGISTRY = 'shared/verify/registry.ts';
const OUT_DIR = mkdtempSync(join(tmpdir(), 'hookline-registry-bundle-'));
const MODULES = schemeModules();

afterAll(() => rmSync(OUT_DIR, { recursive: true, force: true }));

const registries = new Map<string, Promise<TestBundle>>();

/** The registry bundled for `scheme` (every scheme without one), built once per file. */
function bundleRegistry(scheme?: VerifyScheme): Promise<TestBundle> {
  const name = `registry-${scheme ?? 'all'}`;
  const built =
    registries.get(name) ??
    bundleSource(
      OUT_DIR,
      name,
      `export { schemeNamed } from './${REGISTRY.replace(/\.ts$/, '.js')}';`,
      scheme === undefined ? {} : { HOOKLINE_BUNDLED_SCHEME: JSON.stringify(scheme) },
    );
  registries.set(name, built);
  return built;
}

function bundleAlone(scheme: VerifyScheme): Promise<TestBundle> {
  const path = MODULES.get(scheme);
  if (path === undefined) throw new Error(`no module under shared/verify/ exports ${scheme}Scheme`);
  return bundleSource(
    OUT_DIR,
    `alone-${scheme}`,
    `export { ${scheme}Scheme } from './${path.replace(/\.ts$/, '.js')}';`,
  );
}

async function importRegistry(bundle: TestBundle): Promise<typeof schemeNamed> {
  return (await importBundle<{ schemeNamed: typeof schemeNamed }>(bundle)).schemeNamed;
}

const verifyModules = (inputs: readonly string[]) =>
  inputs.filter((input) => input.startsWith('shared/verify/')).sort();

describe('the verify registry bundled for one scheme', () => {
  it('finds a module for every scheme a route can name', () => {
    const names = verifySchema.options.map((option) => option.shape.scheme.value);
    expect([...MODULES.keys()].sort()).toEqual([...names].sort());
  });

  describe.each([...MODULES.keys()])('%s', (scheme) => {
    it('holds that scheme’s module and what it imports, and nothing of the other schemes', async () => {
      const [registry, alone] = await Promise.all([bundleRegistry(scheme), bundleAlone(scheme)]);

      // Some schemes build on another's module (GitLab's signing-token mode on Standard Webhooks').
      expect(schemesIn(registry.inputs, MODULES)).toContain(scheme);
      expect(schemesIn(registry.inputs, MODULES)).toEqual(schemesIn(alone.inputs, MODULES));
      expect(verifyModules(registry.inputs)).toEqual([...verifyModules(alone.inputs), REGISTRY].sort());
      expect(packagesIn(registry.inputs)).toEqual(packagesIn(alone.inputs));
    });

    it('answers its own scheme and throws for any other', async () => {
      const lookUp = await importRegistry(await bundleRegistry(scheme));
      const other: VerifyScheme = scheme === 'github' ? 'jwt' : 'github';

      expect(typeof lookUp(scheme).verify).toBe('function');
      expect(() => lookUp(other)).toThrow(
        new RegExp(`^verify scheme ${other} is not in this bundle, which holds ${scheme} only`),
      );
      expect(() => lookUp('nope' as VerifyScheme)).toThrow(/^unknown verify scheme: nope$/);
    });
  });

  it('holds every scheme, jose with jwt, when no scheme is defined (local stack, CLI, hookline/verify)', async () => {
    const registry = await bundleRegistry();
    const lookUp = await importRegistry(registry);

    expect(schemesIn(registry.inputs, MODULES)).toEqual([...MODULES.keys()].sort());
    expect(packagesIn(registry.inputs)).toContain('jose');
    for (const scheme of MODULES.keys()) expect(typeof lookUp(scheme).verify).toBe('function');
  });

  it('holds jose in the jwt bundle only', async () => {
    const [jwt, github] = await Promise.all([bundleRegistry('jwt'), bundleRegistry('github')]);

    expect(packagesIn(jwt.inputs)).toContain('jose');
    expect(packagesIn(github.inputs)).toEqual([]);
  });
});
