import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from './errors.js';
import type { ResolvedConfig } from './types.js';
import { resolveConfig } from './validate.js';

export const DEFAULT_CONFIG_FILE = 'hookline.config.ts';

/**
 * Imports a config module (default export), validates it and checks that every handler file
 * exists relative to the config's folder. A TypeScript config is imported as it is when the process
 * can load TypeScript (tsx, vitest, Node's type stripping), else through tsx's `tsImport`, so a CDK
 * app running compiled JavaScript (the installed package) can load `hookline.config.ts` too.
 */
export async function loadConfig(file: string = DEFAULT_CONFIG_FILE): Promise<ResolvedConfig> {
  const path = resolve(file);
  if (!existsSync(path)) throw new ConfigError([`file not found: ${path}`], file);
  const module = await importConfigModule(path);
  const exported =
    typeof module === 'object' && module !== null && 'default' in module ? module.default : undefined;
  if (exported === undefined)
    throw new ConfigError(['no default export (use `export default defineConfig({...})`)'], file);
  const config = resolveConfig(exported, file);
  const missing = config.routes.flatMap((route, index) =>
    existsSync(resolve(dirname(path), route.handler))
      ? []
      : [`routes[${index}].handler: file not found: ${route.handler}`],
  );
  if (missing.length > 0) throw new ConfigError(missing, file);
  return config;
}

/** Node's answers to a TypeScript file it cannot load by itself. */
const NO_TYPESCRIPT = new Set(['ERR_UNKNOWN_FILE_EXTENSION', 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX']);

async function importConfigModule(path: string): Promise<unknown> {
  const url = pathToFileURL(path).href;
  try {
    return await import(url);
  } catch (error: unknown) {
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    if (!/\.[cm]?ts$/.test(path) || typeof code !== 'string' || !NO_TYPESCRIPT.has(code)) throw error;
  }
  // A variable specifier, so bundlers of a worker leave the TypeScript loader out.
  const loader = 'tsx/esm/api';
  const { tsImport } = (await import(loader)) as typeof import('tsx/esm/api');
  return tsImport(url, import.meta.url);
}

/** Handler entry as an absolute path, given the config file it was declared in. */
export function handlerEntry(configFile: string, handler: string): string {
  return resolve(dirname(resolve(configFile)), handler);
}
