/**
 * The ingress Lambda's bundle as deployed: its size and what it is made of, whether each route's
 * bundle holds only its scheme's verifier, and its cold import next to an SDK-only baseline bundled
 * the same way (fixtures/sdk-baseline.ts: the SDK clients the ingress constructs, nothing else), in
 * fresh Node processes, with source maps on (as deployed: `NODE_OPTIONS=--enable-source-maps`) and off.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Metafile } from 'esbuild';
import { loadConfig } from '../../shared/config/load.js';
import type { ResolvedRoute } from '../../shared/config/types.js';
import { queueSettings } from '../../shared/resources.js';
import {
  type Bundle,
  bundle,
  bundledInputs,
  CLOUD_TARGET,
  OUT_DIR,
  packageOf,
  ROOT,
  TARGET,
} from './bundles.js';
import {
  INGRESS_ENTRY,
  INGRESS_MEMORY_MB,
  ingressEnvironment,
  SOURCE_MAPS,
  secretArn,
} from './deployed-functions.js';
import { functionName, lambdaEnvironment } from './lambda-env.js';
import type { BenchSection } from './run.js';
import { fixed, formatBytes, formatTable, summarize, verdict } from './stats.js';
import { allVerifiers, schemeModules, verifierScope } from './verifier-scope.js';

const BASELINE_ENTRY = fileURLToPath(new URL('./fixtures/sdk-baseline.ts', import.meta.url));
const CONFIG_FILES = [
  join(ROOT, 'hookline.config.ts'),
  fileURLToPath(new URL('./fixtures/hookline.config.ts', import.meta.url)),
];
/** Fresh processes per variant (variants alternate), after one discarded warm-up round. */
const RUNS = 31;
const IMPORT_RATIO_TARGET = 1.25;
const CHILD_TIMEOUT_MS = 30_000;

/** Runs in each fresh process: times the import of the bundle whose file URL is argv[2]. */
const CHILD_SCRIPT = `
const url = process.argv[2];
const before = performance.now();
const module = await import(url);
const after = performance.now();
if (typeof module.handler !== 'function') throw new Error('bundle exports no handler function');
process.stdout.write(JSON.stringify({ importMs: after - before }));
`;

interface Variant {
  readonly label: string;
  readonly bundle: 'ingress' | 'baseline';
  readonly sourceMaps: boolean;
}

/** Alternated in this order; the deployed setting (source maps on) is what the target compares. */
const VARIANTS: readonly Variant[] = [
  { label: 'SDK-only baseline, source maps on', bundle: 'baseline', sourceMaps: true },
  { label: 'ingress as deployed, source maps on', bundle: 'ingress', sourceMaps: true },
  { label: 'SDK-only baseline, source maps off', bundle: 'baseline', sourceMaps: false },
  { label: 'ingress, source maps off', bundle: 'ingress', sourceMaps: false },
];

interface ColdRun {
  readonly importMs: number;
  readonly wallMs: number;
}

export const ingressBundleSection: BenchSection = {
  title: 'ingress bundle: size, verifiers per route, cold import vs the SDK alone',
  async run(print, figures) {
    const [ingress, baseline] = await Promise.all([
      bundle('ingress', INGRESS_ENTRY),
      bundle('sdk-baseline', BASELINE_ENTRY),
    ]);
    print(
      `esbuild ${TARGET}, ESM, minified, source maps without sources, every module bundled (infra/hookline-function.ts ` +
        `BUNDLING)${TARGET === CLOUD_TARGET ? '' : ` (the stack targets ${CLOUD_TARGET}; this Node is ${process.version})`}`,
    );
    const sizeRows: string[][] = [['<bundle', 'bytes', 'gzip', '<file']];
    for (const [label, built] of [
      ['ingress (as deployed)', ingress],
      ['SDK-only baseline', baseline],
    ] as const) {
      sizeRows.push([
        label,
        formatBytes(built.bytes),
        formatBytes(built.gzipBytes),
        relative(ROOT, built.file),
      ]);
    }
    for (const line of formatTable(sizeRows)) print(line);
    print('');
    printComposition(print, ingress.metafile);

    print('');
    await printVerifierScopes(print, ingress);

    print('');
    const runs = coldImports(ingress, baseline, await coldImportEnvironment());
    const stats = new Map(
      VARIANTS.map((variant) => [variant, summarize((runs.get(variant) ?? []).map((run) => run.importMs))]),
    );
    const walls = new Map(
      VARIANTS.map((variant) => [variant, summarize((runs.get(variant) ?? []).map((run) => run.wallMs))]),
    );
    print(
      `cold import: ${RUNS} fresh \`node\` processes per row, rows alternating, after one discarded round; import = ` +
        'performance.now() around `await import(bundle)` with the deployed environment, wall = spawn to exit',
    );
    const rows: string[][] = [['<variant', 'import min', 'median', 'max', 'wall median']];
    for (const variant of VARIANTS) {
      const own = stats.get(variant);
      const wall = walls.get(variant);
      if (own === undefined || wall === undefined) continue;
      rows.push([
        variant.label,
        `${fixed(own.min)} ms`,
        `${fixed(own.median)} ms`,
        `${fixed(own.max)} ms`,
        `${fixed(wall.median)} ms`,
      ]);
    }
    for (const line of formatTable(rows)) print(line);
    const medianOf = (which: Variant['bundle'], sourceMaps: boolean) =>
      stats.get(VARIANTS.find((v) => v.bundle === which && v.sourceMaps === sourceMaps) as Variant)?.median ??
      Number.NaN;
    const deployedRatio = medianOf('ingress', true) / medianOf('baseline', true);
    const offRatio = medianOf('ingress', false) / medianOf('baseline', false);
    const mapsCost = medianOf('ingress', true) - medianOf('ingress', false);
    print(
      `source maps (--enable-source-maps, NODE_OPTIONS on every function): +${fixed(mapsCost)} ms on the ingress's ` +
        `cold import (${fixed(medianOf('ingress', false))} → ${fixed(medianOf('ingress', true))} ms median), ` +
        `+${fixed(medianOf('baseline', true) - medianOf('baseline', false))} ms on the baseline; ratio with them off ` +
        `${fixed(offRatio, 2)}×. What they buy: stack traces in the logs name the source files and lines.`,
    );
    figures.coldImportVsSdkBaseline = deployedRatio;
    print('');
    print(
      `THE FIGURE  cold import, ingress as deployed / SDK-only baseline (medians, source maps on): ${fixed(deployedRatio, 2)}× ` +
        `(${fixed(medianOf('ingress', true))} ms / ${fixed(medianOf('baseline', true))} ms)   target ≤ ${IMPORT_RATIO_TARGET}×   ` +
        `${verdict(deployedRatio, IMPORT_RATIO_TARGET)}`,
    );
  },
};

function printComposition(print: (line: string) => void, metafile: Metafile): void {
  const families = new Map<string, number>();
  for (const [input, bytes] of bundledInputs(metafile)) {
    const family = packageFamily(packageOf(input));
    families.set(family, (families.get(family) ?? 0) + bytes);
  }
  const total = [...families.values()].reduce((sum, bytes) => sum + bytes, 0);
  print('ingress bundle by source (minified bytes in output):');
  const rows: string[][] = [['<source', 'bytes', 'share']];
  for (const [family, bytes] of [...families].sort((a, b) => b[1] - a[1])) {
    rows.push([family, formatBytes(bytes), `${((bytes / total) * 100).toFixed(1)} %`]);
  }
  for (const line of formatTable(rows)) print(line);
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

/**
 * Each route of the project's config and the bench's: does its ingress bundle hold only its scheme's
 * verifier? infra/webhook-route.ts bundles functions/ingress.ts for every route with the same
 * options, so every route's bundle is `ingress`.
 */
async function printVerifierScopes(print: (line: string) => void, ingress: Bundle): Promise<void> {
  const modules = schemeModules();
  const everyVerifier = await allVerifiers(modules);
  const routes: ResolvedRoute[] = [];
  for (const file of CONFIG_FILES) routes.push(...(await loadConfig(file)).routes);
  print(
    'verifiers per route (each route gets functions/ingress.ts bundled the same way): verification code in its ' +
      "bundle beyond what a bundle of its scheme's module alone holds",
  );
  const rows: string[][] = [['<route', '<scheme', 'scheme modules', 'not needed', '<largest', 'check']];
  for (const route of routes) {
    const scope = await verifierScope(ingress, route.verify.scheme, modules, everyVerifier);
    const extraBytes = [...scope.extra.values()].reduce((sum, bytes) => sum + bytes, 0);
    const largest = [...scope.extra]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([owner, bytes]) => `${owner.replace(/^shared\/verify\//, '')} ${formatBytes(bytes)}`)
      .join(', ');
    rows.push([
      route.path,
      route.verify.scheme,
      String(scope.schemeModules.length),
      formatBytes(extraBytes),
      largest === '' ? '—' : largest,
      scope.extra.size === 0 ? 'PASS' : 'MISS',
    ]);
  }
  for (const line of formatTable(rows)) print(line);
}

/** The deployed ingress's environment (its route's, with ARNs) and Lambda's, for the cold imports. */
async function coldImportEnvironment(): Promise<Record<string, string>> {
  const config = await loadConfig(CONFIG_FILES[1]);
  const route = config.routes[0];
  if (route === undefined) throw new Error('the bench config has no route');
  const name = functionName(config.name, 'Ingress');
  return {
    ...lambdaEnvironment({
      functionName: name,
      memoryMb: INGRESS_MEMORY_MB,
      endpoint: 'https://unused.invalid',
    }),
    ...ingressEnvironment({
      stackName: config.name,
      route,
      tableName: `${config.name}-events`,
      queueUrl: `https://sqs.us-east-1.amazonaws.com/123456789012/${queueSettings(route, config.name).queueName}`,
      secretArn: secretArn(`${config.name}-route`),
      envelopeKeyArn: secretArn(`${config.name}-envelope-key`),
    }),
  };
}

function coldImports(
  ingress: Bundle,
  baseline: Bundle,
  env: Record<string, string>,
): Map<Variant, ColdRun[]> {
  const child = join(OUT_DIR, 'cold-import.mjs');
  writeFileSync(child, CHILD_SCRIPT);
  const runs = new Map<Variant, ColdRun[]>(VARIANTS.map((variant) => [variant, []]));
  for (let round = -1; round < RUNS; round++) {
    for (const variant of VARIANTS) {
      const file = variant.bundle === 'ingress' ? ingress.file : baseline.file;
      const run = coldImport(child, file, variant.sourceMaps ? [SOURCE_MAPS] : [], env);
      if (round >= 0) runs.get(variant)?.push(run);
    }
  }
  return runs;
}

function coldImport(
  child: string,
  bundleFile: string,
  flags: readonly string[],
  env: Record<string, string>,
): ColdRun {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [...flags, child, pathToFileURL(bundleFile).href], {
    env,
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
  const { importMs } = JSON.parse(result.stdout) as { importMs: number };
  return { importMs, wallMs };
}
