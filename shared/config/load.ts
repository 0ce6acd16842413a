import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from './errors.js';
import type { ResolvedConfig } from './types.js';
import { resolveConfig } from './validate.js';

export const DEFAULT_CONFIG_FILE = 'hookline.config.ts';

/**
 * Imports a config module (default export), validates it and checks that every handler file
 * exists relative to the config's folder. TypeScript configs need a TS-aware loader (tsx, vitest).
 */
export async function loadConfig(file: string = DEFAULT_CONFIG_FILE): Promise<ResolvedConfig> {
  const path = resolve(file);
  if (!existsSync(path)) throw new ConfigError([`file not found: ${path}`], file);
  const module: unknown = await import(pathToFileURL(path).href);
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

/** Handler entry as an absolute path, given the config file it was declared in. */
export function handlerEntry(configFile: string, handler: string): string {
  return resolve(dirname(resolve(configFile)), handler);
}
