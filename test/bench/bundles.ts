/**
 * Bundles a Lambda entry the way the stack does (infra/hookline-function.ts: `BUNDLING`, as CDK's
 * NodejsFunction hands it to esbuild, and the `define`s every `HooklineFunction` gets), into
 * `.bench/`, so what the bench runs and measures is what would be deployed. The cloud bundle targets
 * node24; this Node may be older, and esbuild may emit syntax it cannot run, so the target never goes
 * above this Node's major.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { BUNDLED_TRACING_IDENTIFIER, BUNDLING, bundledScheme } from '../../infra/hookline-function.js';
import type { ResolvedRoute } from '../../shared/config/types.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BENCH_DIR = join(ROOT, '.bench');
/** This run's bundles: a folder per bench process, so two benches at once never overwrite each other's. */
export const OUT_DIR = join(BENCH_DIR, `run-${process.pid}`);

/** The `BundlingOptions` keys `esbuildOptions` translates; any other stops the bench. */
const TRANSLATED_KEYS: ReadonlySet<string> = new Set([
  'minify',
  'sourceMap',
  'sourcesContent',
  'format',
  'mainFields',
  'target',
  'banner',
  'externalModules',
  'define',
  'esbuildArgs',
  // Where esbuild runs (Docker or not), not what it builds.
  'forceDockerBundling',
]);

/**
 * CDK `BundlingOptions` as the esbuild options NodejsFunction passes for them (aws-lambda-nodejs
 * `Bundling`: `--bundle --platform=node`, then one flag per option set), with CDK's defaults for the
 * ones left out. Throws on an option it does not translate, so the bench never bundles otherwise
 * than the stack without saying so.
 */
export function esbuildOptions(bundling: nodejs.BundlingOptions): BuildOptions {
  const untranslated = Object.keys(bundling).filter((key) => !TRANSLATED_KEYS.has(key));
  if (untranslated.length > 0) {
    throw new Error(
      `test/bench/bundles.ts does not translate the bundling option(s) ${untranslated.join(', ')} of ` +
        'infra/hookline-function.ts: add them to esbuildOptions()',
    );
  }
  return {
    bundle: true,
    platform: 'node',
    format: bundling.format === nodejs.OutputFormat.ESM ? 'esm' : 'cjs',
    // NODEJS_24_X's target when none is given.
    target: bundling.target ?? 'node24',
    minify: bundling.minify ?? false,
    sourcemap: bundling.sourceMap ?? false,
    sourcesContent: bundling.sourcesContent ?? true,
    ...(bundling.mainFields !== undefined && { mainFields: [...bundling.mainFields] }),
    ...(bundling.banner !== undefined && { banner: { js: bundling.banner } }),
    // CDK leaves the runtime's AWS SDK v3 out unless told otherwise.
    external: [...(bundling.externalModules ?? ['@aws-sdk/*'])],
    define: { ...bundling.define },
    ...conditionsOf(bundling.esbuildArgs),
  };
}

/** `--conditions` of `esbuildArgs` as esbuild's `conditions`; any other raw flag stops the bench. */
function conditionsOf(args: nodejs.BundlingOptions['esbuildArgs']): Pick<BuildOptions, 'conditions'> {
  if (args === undefined) return {};
  const others = Object.keys(args).filter((flag) => flag !== '--conditions');
  if (others.length > 0) {
    throw new Error(`test/bench/bundles.ts does not translate the esbuild flag(s) ${others.join(', ')}`);
  }
  const conditions = args['--conditions'];
  return typeof conditions === 'string' ? { conditions: conditions.split(',') } : {};
}

const DEPLOYED_OPTIONS = esbuildOptions(BUNDLING);

/** What CDK's NodejsFunction bundles for (`BUNDLING.target`, runtime NODEJS_24_X). */
export const CLOUD_TARGET = String(DEPLOYED_OPTIONS.target);
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
const CLOUD_MAJOR = Number(/^node(\d+)$/.exec(CLOUD_TARGET)?.[1] ?? Number.NaN);
export const TARGET = NODE_MAJOR < CLOUD_MAJOR ? `node${NODE_MAJOR}` : CLOUD_TARGET;

/** infra/hookline-function.ts `BUNDLING` as esbuild options, for this Node, with a metafile. */
export const BUNDLE_OPTIONS = {
  ...DEPLOYED_OPTIONS,
  target: TARGET,
  metafile: true,
  logLevel: 'warning',
  absWorkingDir: ROOT,
} as const satisfies BuildOptions;

/**
 * The `define`s infra/hookline-function.ts bundles a `HooklineFunction` with: the caller's, and
 * whether the function traces (`BUNDLED_TRACING_IDENTIFIER`).
 */
export function functionDefine(
  tracing: boolean,
  define: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return { ...define, [BUNDLED_TRACING_IDENTIFIER]: JSON.stringify(tracing) };
}

/**
 * A route's ingress and handler (infra/webhook-route.ts, infra/route-handler.ts): its scheme
 * (`bundledScheme`) and its tracing.
 */
export function routeDefine(route: ResolvedRoute): Record<string, string> {
  return functionDefine(route.tracing === true, bundledScheme(route));
}

/** Creates this run's folder and removes those of bench processes no longer running (and older files). */
export function prepareOutDir(): void {
  mkdirSync(BENCH_DIR, { recursive: true });
  for (const entry of readdirSync(BENCH_DIR)) {
    const pid = /^run-(\d+)$/.exec(entry)?.[1];
    if (pid === undefined || !isRunning(Number(pid)))
      rmSync(join(BENCH_DIR, entry), { recursive: true, force: true });
  }
  mkdirSync(OUT_DIR, { recursive: true });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface Bundle {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly metafile: Metafile;
}

/**
 * Bundles `entry` (a file, or source text resolved from the repository root) into `.bench/<name>.mjs`,
 * with `define` (`functionDefine`, `routeDefine` for a Hookline function; none for the peers).
 */
export async function bundle(
  name: string,
  entry: string | { readonly contents: string },
  define: Readonly<Record<string, string>> = {},
): Promise<Bundle> {
  const file = join(OUT_DIR, `${name}.mjs`);
  const input: BuildOptions =
    typeof entry === 'string'
      ? { entryPoints: [entry] }
      : { stdin: { contents: entry.contents, resolveDir: ROOT, sourcefile: `${name}.ts`, loader: 'ts' } };
  const { metafile } = await build({
    ...BUNDLE_OPTIONS,
    ...input,
    define: { ...BUNDLE_OPTIONS.define, ...define },
    outfile: file,
  });
  if (metafile === undefined) throw new Error('esbuild returned no metafile');
  return { file, bytes: statSync(file).size, gzipBytes: gzipSync(readFileSync(file)).byteLength, metafile };
}

/** The modules and packages a bundle holds (bytes each contributes to the output, above 0). */
export function bundledInputs(metafile: Metafile): Map<string, number> {
  const inputs = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (bytesInOutput > 0) inputs.set(input, (inputs.get(input) ?? 0) + bytesInOutput);
    }
  }
  return inputs;
}

/** The npm package an input belongs to, or `(hookline)` for this repository's code. */
export function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match?.[1] ?? (input.includes(':') ? (input.split(':')[0] ?? input) : '(hookline)');
}
