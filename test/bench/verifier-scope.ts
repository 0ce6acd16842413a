/**
 * Whether a route's ingress bundle (built for the route, `bundleIngress`) holds only the verifier
 * its scheme needs: the verification code in the bundle (modules under shared/verify/, and the
 * packages verifiers pull in, e.g. `jose`) against what a bundle of the route's scheme module alone
 * holds. A scheme module is the file under shared/verify/ that exports `<scheme>Scheme`
 * (test/helpers/scheme-modules.ts `schemeModules`).
 */
import { type Bundle, bundle, bundledInputs, packageOf } from './bundles.js';

export interface VerifierScope {
  readonly scheme: string;
  /** Scheme modules in the bundle (repository paths). */
  readonly schemeModules: readonly string[];
  /** Verification code the scheme does not need: module or package → bytes in the bundle. */
  readonly extra: ReadonlyMap<string, number>;
}

/** Bundles every scheme module together: which inputs (modules, packages) verification can pull in. */
export async function allVerifiers(modules: ReadonlyMap<string, string>): Promise<Bundle> {
  const contents = [...modules]
    .map(([scheme, path]) => `export { ${scheme}Scheme } from './${path.replace(/\.ts$/, '.js')}';`)
    .join('\n');
  return bundle('all-verifiers', { contents });
}

/** What `ingress` holds of verification code beyond what `scheme` needs. */
export async function verifierScope(
  ingress: Bundle,
  scheme: string,
  modules: ReadonlyMap<string, string>,
  everyVerifier: Bundle,
): Promise<VerifierScope> {
  const path = modules.get(scheme);
  if (path === undefined) throw new Error(`no module under shared/verify/ exports ${scheme}Scheme`);
  const needed = await bundle(`verifier-${scheme}`, {
    contents: `export { ${scheme}Scheme } from './${path.replace(/\.ts$/, '.js')}';`,
  });
  const neededKeys = new Set([...bundledInputs(needed.metafile).keys()].map(ownerOf));
  const verificationKeys = new Set([...bundledInputs(everyVerifier.metafile).keys()].map(ownerOf));
  const schemePaths = new Set(modules.values());
  const inIngress = bundledInputs(ingress.metafile);
  const extra = new Map<string, number>();
  for (const [input, bytes] of inIngress) {
    const owner = ownerOf(input);
    // Repository modules outside shared/verify/ (errors, text helpers) serve the rest of the ingress too.
    const verificationOnly = owner.startsWith('shared/verify/') || packageOf(input) !== '(hookline)';
    if (verificationOnly && verificationKeys.has(owner) && !neededKeys.has(owner)) {
      extra.set(owner, (extra.get(owner) ?? 0) + bytes);
    }
  }
  return {
    scheme,
    schemeModules: [...inIngress.keys()].filter((input) => schemePaths.has(input)),
    extra,
  };
}

/** A repository module by its path, a package by its name. */
function ownerOf(input: string): string {
  const owner = packageOf(input);
  return owner === '(hookline)' ? input : owner;
}
