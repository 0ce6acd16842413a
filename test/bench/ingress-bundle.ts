/**
 * The ingress Lambda's bundle: its size, and its cold import time in fresh Node processes next to a
 * hello-world handler bundled the same way. Diagnostic variants replace dependencies with no-op stubs
 * at bundle time (like marking them external, except nothing is loaded at run time either) so a
 * reader can see what each costs; they are not deployable.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import { ENV } from '../../shared/env-names.js';
import { makeRoute } from '../helpers/routes.js';
import type { BenchSection } from './run.js';
import { fixed, formatBytes, formatTable, median, summarize, verdict } from './stats.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT_DIR = join(ROOT, '.bench');
/** Fresh processes per variant (alternating variants), after one discarded warm-up round. */
const RUNS = 25;
const IMPORT_RATIO_TARGET = 1.3;
const CHILD_TIMEOUT_MS = 30_000;

/** What CDK's NodejsFunction bundles for (infra/webhook-route.ts, runtime NODEJS_24_X). */
const CLOUD_TARGET = 'node24';
const NODE_MAJOR = Number(process.versions.node.split('.')[0]);
/** esbuild may emit syntax this Node cannot run when targeting a newer one; never target above it. */
const TARGET = NODE_MAJOR < 24 ? `node${NODE_MAJOR}` : CLOUD_TARGET;

/**
 * The bundling options of infra/webhook-route.ts (`bundling: { minify, sourceMap, format: ESM,
 * mainFields, target, banner, externalModules: [] }`) as esbuild options, shared by every bundle.
 */
const BUNDLE_OPTIONS = {
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

/** Runs in each fresh process: times the import of the bundle whose file URL is argv[2]. */
const CHILD_SCRIPT = `
const url = process.argv[2];
const before = performance.now();
const module = await import(url);
const after = performance.now();
if (typeof module.handler !== 'function') throw new Error('bundle exports no handler function');
process.stdout.write(JSON.stringify({ importMs: after - before, readyMs: after }));
`;

/** What a variant's bundle is built from. */
type Source =
  /** An entry file, with some of its modules replaced by stubs (diagnostics only). */
  | { readonly entry: string; readonly stubs?: readonly Stub[] }
  /** hello-world importing the Node built-ins that another variant's bundle imports. */
  | { readonly helloWithBuiltinsOf: string }
  /** The bundle of another variant (same code, run with other Node flags). */
  | { readonly bundleOf: string };

interface Variant {
  readonly name: string;
  readonly label: string;
  readonly source: Source;
  /** Extra Node flags for the child process. */
  readonly nodeFlags?: readonly string[];
}

interface Stub {
  readonly label: string;
  readonly filter: RegExp;
  /** ESM source of the stub for module `path`. */
  readonly source: (path: string) => Promise<string>;
}

/** Every export of the real module becomes a constructible no-op class, so module-scope code runs. */
const AWS_SDK_STUB: Stub = {
  label: '@aws-sdk/*',
  filter: /^@aws-sdk\//,
  async source(path) {
    const names = Object.keys((await import(path)) as Record<string, unknown>).filter(
      (name) => name !== 'default' && /^[A-Za-z_$][\w$]*$/.test(name),
    );
    return names
      .map((name) => `export class ${name} { constructor() {} async send() { throw new Error('stub'); } }`)
      .join('\n');
  },
};

const LOGGER_STUB: Stub = {
  label: '@aws-lambda-powertools/logger',
  filter: /^@aws-lambda-powertools\/logger(\/|$)/,
  source: async () =>
    'export class Logger { info() {} warn() {} error() {} debug() {} addContext() {} }\n' +
    'export const injectLambdaContext = () => ({ before: () => {} });',
};

const MIDDY_STUB: Stub = {
  label: '@middy/core',
  filter: /^@middy\/core$/,
  source: async () =>
    'export default function middy(handler) { const h = (e, c) => handler(e, c); h.use = () => h; return h; }',
};

const HELLO = 'hello-world';
const HELLO_ENTRY = join(ROOT, 'test/bench/hello-world.ts');
const INGRESS = 'ingress';
const INGRESS_ENTRY = join(ROOT, 'functions/ingress.ts');
const OWN_CODE = 'ingress-own-code';

/** Bundled and measured in this order (variants a later one refers to come first). */
const VARIANTS: readonly Variant[] = [
  { name: HELLO, label: 'hello-world (baseline)', source: { entry: HELLO_ENTRY } },
  { name: INGRESS, label: 'ingress (as deployed)', source: { entry: INGRESS_ENTRY } },
  {
    name: 'ingress-no-sdk',
    label: 'ingress − AWS SDK',
    source: { entry: INGRESS_ENTRY, stubs: [AWS_SDK_STUB] },
  },
  {
    name: 'ingress-no-sdk-logger',
    label: 'ingress − SDK − logger',
    source: { entry: INGRESS_ENTRY, stubs: [AWS_SDK_STUB, LOGGER_STUB] },
  },
  {
    name: 'ingress-no-sdk-middy',
    label: 'ingress − SDK − middy',
    source: { entry: INGRESS_ENTRY, stubs: [AWS_SDK_STUB, MIDDY_STUB] },
  },
  {
    name: OWN_CODE,
    label: 'ingress − SDK − logger − middy',
    source: { entry: INGRESS_ENTRY, stubs: [AWS_SDK_STUB, LOGGER_STUB, MIDDY_STUB] },
  },
  {
    name: 'hello-world-builtins',
    label: 'hello-world + node: imports of ↑',
    source: { helloWithBuiltinsOf: OWN_CODE },
  },
  {
    name: 'hello-world-srcmaps',
    label: 'hello-world, --enable-source-maps',
    source: { bundleOf: HELLO },
    nodeFlags: ['--enable-source-maps'],
  },
  {
    name: 'ingress-srcmaps',
    label: 'ingress, --enable-source-maps',
    source: { bundleOf: INGRESS },
    nodeFlags: ['--enable-source-maps'],
  },
];

function stubPlugin(stubs: readonly Stub[]): Plugin {
  return {
    name: 'bench-stubs',
    setup(pluginBuild) {
      stubs.forEach((stub, index) => {
        pluginBuild.onResolve({ filter: stub.filter }, (args) => ({
          path: args.path,
          namespace: `bench-stub-${index}`,
        }));
        pluginBuild.onLoad({ filter: /.*/, namespace: `bench-stub-${index}` }, async (args) => ({
          contents: await stub.source(args.path),
          loader: 'js',
        }));
      });
    },
  };
}

interface Bundle {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly metafile: Metafile;
}

async function bundle(name: string, source: Source, bundles: ReadonlyMap<string, Bundle>): Promise<Bundle> {
  if ('bundleOf' in source) return bundled(bundles, source.bundleOf);
  const file = join(OUT_DIR, `${name}.mjs`);
  const input: BuildOptions =
    'entry' in source
      ? { entryPoints: [source.entry], plugins: source.stubs ? [stubPlugin(source.stubs)] : [] }
      : {
          stdin: {
            contents: helloWithImports(builtinImports(bundled(bundles, source.helloWithBuiltinsOf).metafile)),
            resolveDir: ROOT,
            sourcefile: `${name}.ts`,
            loader: 'ts',
          },
        };
  const { metafile } = await build({ ...BUNDLE_OPTIONS, ...input, outfile: file });
  if (metafile === undefined) throw new Error('esbuild returned no metafile');
  return { file, bytes: statSync(file).size, gzipBytes: gzipSync(readFileSync(file)).byteLength, metafile };
}

function bundled(bundles: ReadonlyMap<string, Bundle>, name: string): Bundle {
  const found = bundles.get(name);
  if (found === undefined) throw new Error(`variant ${name} is not bundled yet`);
  return found;
}

/** hello-world, also importing `paths`; exported so esbuild keeps the imports (built-ins are pure to it). */
function helloWithImports(paths: readonly string[]): string {
  const imports = paths.map((path, i) => `import * as imported${i} from '${path}';\n`).join('');
  const kept = `export const imported = [${paths.map((_, i) => `imported${i}`).join(', ')}];\n`;
  return imports + kept + readFileSync(HELLO_ENTRY, 'utf8');
}

/** The Node built-in modules a bundle imports (everything it leaves external). */
function builtinImports(metafile: Metafile): string[] {
  const paths = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const imported of output.imports) if (imported.external) paths.add(imported.path);
  }
  return [...paths].sort();
}

/** The environment the ingress reads at module scope, with dummy values; no secret ARN. */
function childEnvironment(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    AWS_REGION: 'us-east-1',
    [ENV.route]: JSON.stringify(makeRoute()),
    [ENV.tableName]: 'hookline-bench-events',
    [ENV.queueUrl]: 'http://127.0.0.1:1/q',
  };
}

interface ColdRun {
  readonly importMs: number;
  readonly readyMs: number;
  readonly wallMs: number;
}

function coldImport(child: string, bundleFile: string, flags: readonly string[]): ColdRun {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [...flags, child, pathToFileURL(bundleFile).href], {
    env: childEnvironment(),
    encoding: 'utf8',
    timeout: CHILD_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.error) throw result.error;
  if (result.status !== 0) {
    const stderr = result.stderr.length > 1500 ? `…${result.stderr.slice(-1500)}` : result.stderr;
    throw new Error(`cold import of ${bundleFile} exited ${result.status ?? result.signal}: ${stderr}`);
  }
  const { importMs, readyMs } = JSON.parse(result.stdout) as { importMs: number; readyMs: number };
  return { importMs, readyMs, wallMs };
}

/** Output bytes of the bundle by npm package (or `(hookline)` for this repository's code). */
function composition(metafile: Metafile): Map<string, number> {
  const bytes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const owner = match?.[1] ?? (input.includes(':') ? input.split(':')[0] : '(hookline)') ?? input;
      bytes.set(owner, (bytes.get(owner) ?? 0) + bytesInOutput);
    }
  }
  return bytes;
}

function packageFamily(name: string): string {
  if (name.startsWith('@aws-sdk/') || name.startsWith('@smithy/') || name.startsWith('@aws-crypto/')) {
    return 'AWS SDK (@aws-sdk, @smithy, @aws-crypto)';
  }
  if (name.startsWith('@aws-lambda-powertools/')) return 'Powertools (@aws-lambda-powertools/*)';
  if (name.startsWith('@middy/')) return '@middy/*';
  if (name === '(hookline)') return 'hookline code';
  return `other: ${name}`;
}

export const ingressBundleSection: BenchSection = {
  title: 'ingress bundle: size and cold import',
  async run(print) {
    rmSync(OUT_DIR, { recursive: true, force: true });
    mkdirSync(OUT_DIR, { recursive: true });
    const child = join(OUT_DIR, 'cold-import.mjs');
    writeFileSync(child, CHILD_SCRIPT);

    print(
      `esbuild ${BUNDLE_OPTIONS.format}, minify, sourcemap, platform ${BUNDLE_OPTIONS.platform}, ` +
        `all modules bundled (externalModules: []), createRequire banner, target ${TARGET}` +
        (TARGET === CLOUD_TARGET
          ? ''
          : ` (the cloud bundle targets ${CLOUD_TARGET}; this Node is ${process.version}, so ${TARGET} here)`),
    );
    const bundles = new Map<string, Bundle>();
    for (const variant of VARIANTS)
      bundles.set(variant.name, await bundle(variant.name, variant.source, bundles));

    const sizeRows: string[][] = [['<bundle', 'bytes', 'gzip', '<file']];
    for (const variant of VARIANTS) {
      if ('bundleOf' in variant.source) continue;
      const built = bundled(bundles, variant.name);
      sizeRows.push([
        variant.label,
        formatBytes(built.bytes),
        formatBytes(built.gzipBytes),
        relative(ROOT, built.file),
      ]);
    }
    for (const line of formatTable(sizeRows)) print(line);
    print(
      `node: imports of the own-code bundle: ${builtinImports(bundled(bundles, OWN_CODE).metafile).join(', ')}`,
    );

    const ingress = bundled(bundles, INGRESS);
    const families = new Map<string, number>();
    for (const [name, bytes] of composition(ingress.metafile)) {
      const family = packageFamily(name);
      families.set(family, (families.get(family) ?? 0) + bytes);
    }
    const total = [...families.values()].reduce((sum, bytes) => sum + bytes, 0);
    print('');
    print('ingress bundle by source (minified bytes in output):');
    const familyRows: string[][] = [['<source', 'bytes', 'share']];
    for (const [family, bytes] of [...families].sort((a, b) => b[1] - a[1])) {
      familyRows.push([family, formatBytes(bytes), `${((bytes / total) * 100).toFixed(1)} %`]);
    }
    for (const line of formatTable(familyRows)) print(line);

    print('');
    print(
      `cold import: ${RUNS} fresh \`node\` processes per row (rows alternate, one discarded warm-up round); ` +
        'import = performance.now() around `await import(bundle)`, wall = spawn to exit',
    );
    const runs = new Map<string, ColdRun[]>(VARIANTS.map((variant) => [variant.name, []]));
    for (let round = -1; round < RUNS; round++) {
      for (const variant of VARIANTS) {
        const run = coldImport(child, bundled(bundles, variant.name).file, variant.nodeFlags ?? []);
        if (round >= 0) runs.get(variant.name)?.push(run);
      }
    }

    const stats = (name: string) => {
      const samples = runs.get(name) ?? [];
      return {
        importMs: summarize(samples.map((run) => run.importMs)),
        readyMs: median(samples.map((run) => run.readyMs)),
        wallMs: summarize(samples.map((run) => run.wallMs)),
      };
    };
    const baseline = stats(HELLO);
    const rows: string[][] = [
      ['<variant', 'import med', 'import p90', 'ratio', 'ready med', 'wall med', 'wall p90', 'wall ratio'],
    ];
    for (const variant of VARIANTS) {
      const own = stats(variant.name);
      const base = variant.nodeFlags ? stats(`${HELLO}-srcmaps`) : baseline;
      rows.push([
        variant.label,
        `${fixed(own.importMs.median)} ms`,
        `${fixed(own.importMs.p90)} ms`,
        `${fixed(own.importMs.median / base.importMs.median, 2)}×`,
        `${fixed(own.readyMs)} ms`,
        `${fixed(own.wallMs.median)} ms`,
        `${fixed(own.wallMs.p90)} ms`,
        `${fixed(own.wallMs.median / base.wallMs.median, 2)}×`,
      ]);
    }
    for (const line of formatTable(rows)) print(line);
    print(
      'ratio = median / hello-world median (source-map rows: / hello-world with source maps); ' +
        'ready = process start to handler imported',
    );
    print(
      '"− X" rows: X replaced by no-op stubs at bundle time (what X costs; not deployable). ' +
        'The deployed function sets NODE_OPTIONS=--enable-source-maps (infra/webhook-route.ts): see the last row',
    );

    const ingressStats = stats(INGRESS);
    const importRatio = ingressStats.importMs.median / baseline.importMs.median;
    const wallRatio = ingressStats.wallMs.median / baseline.wallMs.median;
    print('');
    print(
      `THE FIGURE  cold import ratio, ingress / hello-world: ${fixed(importRatio, 2)}× ` +
        `(${fixed(ingressStats.importMs.median)} ms / ${fixed(baseline.importMs.median)} ms)   ` +
        `target ≤ ${IMPORT_RATIO_TARGET}×   ${verdict(importRatio, IMPORT_RATIO_TARGET)}`,
    );
    print(
      `            whole-process ratio:                     ${fixed(wallRatio, 2)}× ` +
        `(${fixed(ingressStats.wallMs.median)} ms / ${fixed(baseline.wallMs.median)} ms)   (context, not the target)`,
    );
  },
};
