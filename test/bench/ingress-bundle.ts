/**
 * The ingress Lambda's bundle as deployed, one per route (infra/webhook-route.ts bundles
 * functions/ingress.ts with the route's scheme and tracing as `define`s): its size and what it is made
 * of, whether each route's bundle holds only its scheme's verifier, and its cold import next to an
 * SDK-only baseline bundled the same way (fixtures/sdk-baseline.ts: the SDK clients the ingress
 * constructs, nothing else), in fresh Node processes, as deployed (no source maps at run time) and
 * with `NODE_OPTIONS=--enable-source-maps`, to show what they would add.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Metafile } from 'esbuild';
import {
  BUNDLED_SCHEME_IDENTIFIER,
  BUNDLED_TRACING_IDENTIFIER,
  SOURCE_MAPS_ENVIRONMENT,
} from '../../infra/hookline-function.js';
import { loadConfig } from '../../shared/config/load.js';
import type { ResolvedConfig, ResolvedRoute } from '../../shared/config/types.js';
import { queueSettings } from '../../shared/resources.js';
import { schemeModules } from '../helpers/scheme-modules.js';
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
  bundleIngress,
  INGRESS_MEMORY_MB,
  INGRESS_SOURCE_MAPS_AT_RUNTIME,
  ingressEnvironment,
  routeBundleSuffix,
  secretArn,
  sourceMapsEnvironment,
} from './deployed-functions.js';
import { functionName, lambdaEnvironment } from './lambda-env.js';
import type { BenchSection } from './run.js';
import { fixed, formatBytes, formatTable, summarize, verdict } from './stats.js';
import { allVerifiers, verifierScope } from './verifier-scope.js';

const BASELINE_ENTRY = fileURLToPath(new URL('./fixtures/sdk-baseline.ts', import.meta.url));
const PROJECT_CONFIG = join(ROOT, 'hookline.config.ts');
/** The bench's gateway: its route's ingress is the one cold-imported. */
const BENCH_CONFIG = fileURLToPath(new URL('./fixtures/hookline.config.ts', import.meta.url));
/** Fresh processes per variant (variants alternate), after one discarded warm-up round. */
const RUNS = 31;
const IMPORT_RATIO_TARGET = 1.25;
const CHILD_TIMEOUT_MS = 30_000;
const SOURCE_MAPS_OPTION = Object.entries(SOURCE_MAPS_ENVIRONMENT)
  .map(([name, value]) => `${name}=${value}`)
  .join(' ');

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

const mapsLabel = (sourceMaps: boolean) => `source maps ${sourceMaps ? 'on' : 'off'}`;
/** As the ingress runs (`INGRESS_SOURCE_MAPS_AT_RUNTIME`): what the target compares. */
const DEPLOYED_MAPS = INGRESS_SOURCE_MAPS_AT_RUNTIME;

/** Alternated in this order: both bundles as the ingress is deployed, then with source maps the other way. */
const VARIANTS: readonly Variant[] = [
  { label: `SDK-only baseline, ${mapsLabel(DEPLOYED_MAPS)}`, bundle: 'baseline', sourceMaps: DEPLOYED_MAPS },
  { label: `ingress as deployed, ${mapsLabel(DEPLOYED_MAPS)}`, bundle: 'ingress', sourceMaps: DEPLOYED_MAPS },
  {
    label: `SDK-only baseline, ${mapsLabel(!DEPLOYED_MAPS)}`,
    bundle: 'baseline',
    sourceMaps: !DEPLOYED_MAPS,
  },
  { label: `ingress, ${mapsLabel(!DEPLOYED_MAPS)}`, bundle: 'ingress', sourceMaps: !DEPLOYED_MAPS },
];

interface ColdRun {
  readonly importMs: number;
  readonly wallMs: number;
}

/** Each route's ingress bundle, built once for each set of `define`s (routes of one scheme share it). */
class RouteIngresses {
  private readonly built = new Map<string, Promise<Bundle>>();

  of(route: ResolvedRoute): Promise<Bundle> {
    const key = routeBundleSuffix(route);
    const found = this.built.get(key);
    if (found !== undefined) return found;
    const building = bundleIngress(route);
    this.built.set(key, building);
    return building;
  }
}

export const ingressBundleSection: BenchSection = {
  title: 'ingress bundle: size, verifiers per route, cold import vs the SDK alone',
  async run(print, figures) {
    const [project, bench] = await Promise.all([loadConfig(PROJECT_CONFIG), loadConfig(BENCH_CONFIG)]);
    const benchRoute = bench.routes[0];
    if (benchRoute === undefined) throw new Error('the bench config has no route');
    const ingresses = new RouteIngresses();
    const [ingress, baseline] = await Promise.all([
      ingresses.of(benchRoute),
      bundle('sdk-baseline', BASELINE_ENTRY),
    ]);
    print(
      `esbuild ${TARGET}, ESM, minified, source maps without sources, every module bundled (infra/hookline-function.ts ` +
        `BUNDLING)${TARGET === CLOUD_TARGET ? '' : ` (the stack targets ${CLOUD_TARGET}; this Node is ${process.version})`}; ` +
        `each route's ingress bundled for it, as infra/webhook-route.ts does: defines ${BUNDLED_SCHEME_IDENTIFIER} ` +
        `(the route's scheme) and ${BUNDLED_TRACING_IDENTIFIER} (its tracing)`,
    );
    const sizeRows: string[][] = [['<bundle', 'bytes', 'gzip', '<file']];
    for (const [label, built] of [
      [`ingress for ${benchRoute.path} (${describeDefines(benchRoute)}), as deployed`, ingress],
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
    printComposition(print, `ingress bundle for ${benchRoute.path}`, ingress.metafile);

    print('');
    await printVerifierScopes(print, [...project.routes, ...bench.routes], ingresses);

    print('');
    const runs = coldImports(ingress, baseline, coldImportEnvironment(bench, benchRoute));
    const stats = new Map(
      VARIANTS.map((variant) => [variant, summarize((runs.get(variant) ?? []).map((run) => run.importMs))]),
    );
    const walls = new Map(
      VARIANTS.map((variant) => [variant, summarize((runs.get(variant) ?? []).map((run) => run.wallMs))]),
    );
    print(
      `cold import: ${RUNS} fresh \`node\` processes per row, rows alternating, after one discarded round; import = ` +
        'performance.now() around `await import(bundle)` with the deployed environment, wall = spawn to exit; ' +
        `source maps on = ${SOURCE_MAPS_OPTION}`,
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
    const deployedRatio = medianOf('ingress', DEPLOYED_MAPS) / medianOf('baseline', DEPLOYED_MAPS);
    const withMapsRatio = medianOf('ingress', true) / medianOf('baseline', true);
    const mapsCost = medianOf('ingress', true) - medianOf('ingress', false);
    print(
      `source maps at run time (${SOURCE_MAPS_OPTION}: the handler and admin functions have it, the ingress ` +
        `${INGRESS_SOURCE_MAPS_AT_RUNTIME ? 'too' : 'not'}): +${fixed(mapsCost)} ms on the ingress's cold import ` +
        `(${fixed(medianOf('ingress', false))} → ${fixed(medianOf('ingress', true))} ms median), ` +
        `+${fixed(medianOf('baseline', true) - medianOf('baseline', false))} ms on the baseline's; ratio with them on ` +
        `for both ${fixed(withMapsRatio, 2)}×. What they would buy: stack traces in the logs naming the source ` +
        'files and lines.',
    );
    figures.coldImportVsSdkBaseline = deployedRatio;
    print('');
    print(
      `THE FIGURE  cold import, ingress as deployed / SDK-only baseline (medians, ${mapsLabel(DEPLOYED_MAPS)} for ` +
        `both, as the ingress runs): ${fixed(deployedRatio, 2)}× (${fixed(medianOf('ingress', DEPLOYED_MAPS))} ms / ` +
        `${fixed(medianOf('baseline', DEPLOYED_MAPS))} ms)   target ≤ ${IMPORT_RATIO_TARGET}×   ` +
        `${verdict(deployedRatio, IMPORT_RATIO_TARGET)}`,
    );
  },
};

/** `standardWebhooks, tracing off`: what a route's bundles are built for. */
function describeDefines(route: ResolvedRoute): string {
  return `${route.verify.scheme}, tracing ${route.tracing === true ? 'on' : 'off'}`;
}

function printComposition(print: (line: string) => void, title: string, metafile: Metafile): void {
  const families = new Map<string, number>();
  for (const [input, bytes] of bundledInputs(metafile)) {
    const family = packageFamily(packageOf(input));
    families.set(family, (families.get(family) ?? 0) + bytes);
  }
  const total = [...families.values()].reduce((sum, bytes) => sum + bytes, 0);
  print(`${title} by source (minified bytes in output):`);
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
 * Each route of the project's config and the bench's: does its ingress bundle, built for it as
 * infra/webhook-route.ts builds it, hold only its scheme's verifier?
 */
async function printVerifierScopes(
  print: (line: string) => void,
  routes: readonly ResolvedRoute[],
  ingresses: RouteIngresses,
): Promise<void> {
  const modules = schemeModules();
  const [everyVerifier, bundles] = await Promise.all([
    allVerifiers(modules),
    Promise.all(routes.map((route) => ingresses.of(route))),
  ]);
  print(
    "verifiers per route (each route's ingress bundled for it): verification code in its bundle beyond what a " +
      "bundle of its scheme's module alone holds",
  );
  const rows: string[][] = [
    ['<route', '<scheme', 'tracing', 'bundle', 'scheme modules', 'not needed', '<largest', 'check'],
  ];
  for (const [i, route] of routes.entries()) {
    const ingress = bundles[i];
    if (ingress === undefined) throw new Error(`no ingress bundle for ${route.path}`);
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
      route.tracing === true ? 'on' : 'off',
      formatBytes(ingress.bytes),
      String(scope.schemeModules.length),
      formatBytes(extraBytes),
      largest === '' ? '—' : largest,
      scope.extra.size === 0 ? 'PASS' : 'MISS',
    ]);
  }
  for (const line of formatTable(rows)) print(line);
}

/** The deployed ingress's environment (its route's, with ARNs) and Lambda's, for the cold imports. */
function coldImportEnvironment(config: ResolvedConfig, route: ResolvedRoute): Record<string, string> {
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

/** `env` with source maps turned on or off at run time (`NODE_OPTIONS`), whatever it had. */
function withSourceMaps(env: Readonly<Record<string, string>>, sourceMaps: boolean): Record<string, string> {
  const rest = Object.fromEntries(Object.entries(env).filter(([name]) => !(name in SOURCE_MAPS_ENVIRONMENT)));
  return { ...rest, ...sourceMapsEnvironment(sourceMaps) };
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
      const run = coldImport(child, file, withSourceMaps(env, variant.sourceMaps));
      if (round >= 0) runs.get(variant)?.push(run);
    }
  }
  return runs;
}

function coldImport(child: string, bundleFile: string, env: Record<string, string>): ColdRun {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [child, pathToFileURL(bundleFile).href], {
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
