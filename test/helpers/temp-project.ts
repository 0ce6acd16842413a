/**
 * A Hookline project in a temporary folder, outside the repository unless asked otherwise, as a
 * user's would be: an ESM `package.json` (like the repository's, so TypeScript files load as ES
 * modules), `hookline.config.ts` and handler modules under `handlers/`, importing Hookline from the
 * repository's sources.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type DevStack, type DevStackOptions, startDevStack } from '../../shared/local/dev-stack.js';
import { freePort } from './emulators.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** An import specifier, as a quoted string, for the repository file `file` (e.g. `shared/handler/index.ts`). */
export function repositorySource(file: string): string {
  return JSON.stringify(pathToFileURL(join(ROOT, file)).href);
}

/**
 * Like `repositorySource`, relative to `folder` (the importing module's folder): a module that CDK
 * bundles for a Lambda needs it, esbuild does not resolve `file:` URLs.
 */
export function bundleableRepositorySource(folder: string, file: string): string {
  const path = relative(folder, join(ROOT, file));
  return JSON.stringify(path.startsWith('.') ? path : `./${path}`);
}

/**
 * Writes the project and returns its folder. `config` is the object passed to `defineConfig`, as
 * source text; `handlers` gives, for the project's folder, each file under `handlers/` and its source.
 * `parent` is the folder it is made in (the system's temporary folder by default).
 */
export function writeTempProject(options: {
  readonly prefix: string;
  readonly config: string;
  readonly handlers: (folder: string) => Readonly<Record<string, string>>;
  readonly parent?: string;
}): string {
  const folder = mkdtempSync(join(options.parent ?? tmpdir(), options.prefix));
  mkdirSync(join(folder, 'handlers'));
  writeFileSync(join(folder, 'package.json'), `${JSON.stringify({ type: 'module', private: true })}\n`);
  writeFileSync(
    join(folder, 'hookline.config.ts'),
    `import { defineConfig } from ${repositorySource('shared/config/types.ts')};\nexport default defineConfig(${options.config});\n`,
  );
  for (const [file, source] of Object.entries(options.handlers(folder))) {
    writeFileSync(join(folder, 'handlers', file), source);
  }
  return folder;
}

/** Writes `folder/.env` with one `NAME=value` line per variable (values quoted where needed). */
export function writeEnvFile(folder: string, variables: Readonly<Record<string, string>>): void {
  const line = ([name, value]: [string, string]) =>
    `${name}=${/[\s"'#]/.test(value) ? JSON.stringify(value) : value}`;
  writeFileSync(join(folder, '.env'), `${Object.entries(variables).map(line).join('\n')}\n`);
}

/**
 * The local stack (`startDevStack`, what `npm start` runs) of the project in `folder`: its
 * `hookline.config.ts` and `.env`, on free ports so it never meets a developer's own stack, polling
 * every second, its table in memory (the tests of the kept table start their own). `options` adds
 * to (or overrides) those settings, e.g. a `log`.
 */
export async function startProjectStack(
  folder: string,
  configFile = join(folder, 'hookline.config.ts'),
  options: Pick<DevStackOptions, 'log' | 'persist'> = {},
): Promise<DevStack> {
  return startDevStack({
    persist: false,
    ...options,
    configFile,
    port: await freePort(),
    sqsPort: await freePort(),
    dynamoDbPort: await freePort(),
    envFile: join(folder, '.env'),
    waitSeconds: 1,
  });
}
