/**
 * `npm run build` (also `prepare` and `prepack`): the installable package in `dist/`.
 *
 * - `tsc -p tsconfig.build.json`: JavaScript, `.d.ts` and source maps of `infra/`, the Lambda
 *   entry points (`functions/*.ts`) and `shared/`, in the same layout (`dist/infra`, `dist/functions`,
 *   `dist/shared`), so the construct finds the compiled entry points beside itself.
 * - esbuild: `dist/client.js`, `hookline/client` as one self-contained module.
 * - the files those modules read at run time that are not TypeScript: the console's assets,
 *   `shared/verify/package.json` (`sideEffects: false`, which lets esbuild leave unused schemes out of
 *   a bundle) and the SQS emulator's child-process script, which `hookline dev` starts with tsx by its
 *   `.ts` name (its imports resolve to the compiled modules beside it).
 *
 * `dist/` is removed first, so a module deleted from the sources does not linger in the package.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const at = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));

rmSync(at('dist'), { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (tsc.status !== 0) {
  process.stderr.write('build: tsc -p tsconfig.build.json failed (its errors are above)\n');
  process.exit(tsc.status ?? 1);
}

const { build } = await import('esbuild');
await build({
  entryPoints: [at('shared/client/index.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  outfile: at('dist/client.js'),
});

for (const path of [
  'shared/admin/console/assets',
  'shared/verify/package.json',
  'shared/local/sqs-emulator-process.ts',
]) {
  cpSync(at(path), at(`dist/${path}`), { recursive: true });
}
