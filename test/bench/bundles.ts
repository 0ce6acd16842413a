/**
 * Bundles a Lambda entry the way the stack does (infra/hookline-function.ts `BUNDLING`: esbuild,
 * minified ESM with source maps and the AWS SDK inside), into `.bench/`, so what the bench runs and
 * measures is what would be deployed. The cloud bundle targets node24; this Node may be older, and
 * esbuild may emit syntax it cannot run, so the target never goes above this Node's major.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile } from 'esbuild';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BENCH_DIR = join(ROOT, '.bench');
/** This run's bundles: a folder per bench process, so two benches at once never overwrite each other's. */
export const OUT_DIR = join(BENCH_DIR, `run-${process.pid}`);

/** What CDK's NodejsFunction bundles for (runtime NODEJS_24_X). */
export const CLOUD_TARGET = 'node24';
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
export const TARGET = NODE_MAJOR < 24 ? `node${NODE_MAJOR}` : CLOUD_TARGET;

/** infra/hookline-function.ts `BUNDLING` as esbuild options. */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: TARGET,
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  external: [],
  metafile: true,
  logLevel: 'warning',
  absWorkingDir: ROOT,
} as const satisfies BuildOptions;

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

/** Bundles `entry` (a file, or source text resolved from the repository root) into `.bench/<name>.mjs`. */
export async function bundle(name: string, entry: string | { readonly contents: string }): Promise<Bundle> {
  const file = join(OUT_DIR, `${name}.mjs`);
  const input: BuildOptions =
    typeof entry === 'string'
      ? { entryPoints: [entry] }
      : { stdin: { contents: entry.contents, resolveDir: ROOT, sourcefile: `${name}.ts`, loader: 'ts' } };
  const { metafile } = await build({ ...BUNDLE_OPTIONS, ...input, outfile: file });
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
