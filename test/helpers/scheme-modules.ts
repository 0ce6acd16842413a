/**
 * Which verify scheme modules a bundle holds, for the tests that check each route's ingress bundle
 * holds its own scheme's verifier only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VerifyScheme } from '../../shared/config/types.js';

const PROJECT_ROOT = new URL('../..', import.meta.url).pathname;
const VERIFY_DIR = 'shared/verify';

/** Every scheme's module by scheme name: the file under shared/verify/ exporting `<scheme>Scheme`. */
export function schemeModules(): ReadonlyMap<VerifyScheme, string> {
  const modules = new Map<VerifyScheme, string>();
  for (const file of readdirSync(join(PROJECT_ROOT, VERIFY_DIR)).filter((name) => name.endsWith('.ts'))) {
    const source = readFileSync(join(PROJECT_ROOT, VERIFY_DIR, file), 'utf8');
    for (const match of source.matchAll(/^export const (\w+)Scheme\b/gm)) {
      if (match[1] !== undefined) modules.set(match[1] as VerifyScheme, `${VERIFY_DIR}/${file}`);
    }
  }
  return modules;
}

/**
 * The scheme names whose modules are among `inputs` (esbuild metafile inputs or source map
 * sources, relative to any folder).
 */
export function schemesIn(inputs: readonly string[], modules = schemeModules()): VerifyScheme[] {
  return [...modules]
    .filter(([, path]) => inputs.some((input) => input === path || input.endsWith(`/${path}`)))
    .map(([scheme]) => scheme)
    .sort();
}

/** The npm packages among `inputs` (`jose`, `@aws-sdk/client-sqs`, …), sorted. */
export function packagesIn(inputs: readonly string[]): string[] {
  const packages = new Set<string>();
  for (const input of inputs) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
    if (name !== undefined) packages.add(name);
  }
  return [...packages].sort();
}
