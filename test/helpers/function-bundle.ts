/**
 * Small esbuild bundles of the project's modules, built as the functions are (minified ESM for Node,
 * every module inside) with a given `define`, for tests of what a bundle holds and does.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const PROJECT_ROOT = new URL('../..', import.meta.url).pathname;

export interface TestBundle {
  /** The bundle's file, runnable by this Node. */
  readonly file: string;
  /** The modules and packages with code in the output (repository-relative paths). */
  readonly inputs: string[];
}

/** Bundles `contents` (a module resolved from the project root) into `outDir/<name>.mjs`. */
export async function bundleSource(
  outDir: string,
  name: string,
  contents: string,
  define: Readonly<Record<string, string>> = {},
): Promise<TestBundle> {
  const file = join(outDir, `${name}.mjs`);
  const { metafile } = await build({
    stdin: { contents, resolveDir: PROJECT_ROOT, sourcefile: `${name}.ts`, loader: 'ts' },
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: `node${process.versions.node}`,
    // As infra/hookline-function.ts: without it esbuild leaves the branches a `define` makes dead.
    minify: true,
    define: { ...define },
    metafile: true,
    outfile: file,
    logLevel: 'error',
  });
  const inputs = Object.values(metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
      .map(([input]) => input),
  );
  return { file, inputs };
}

/** Imports a bundle built by `bundleSource`. */
export async function importBundle<Module>(bundle: TestBundle): Promise<Module> {
  return (await import(pathToFileURL(bundle.file).href)) as Module;
}
