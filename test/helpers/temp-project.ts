/**
 * A Hookline project in a temporary folder, outside the repository, as a user's would be: an ESM
 * `package.json` (like the repository's, so TypeScript files load as ES modules), `hookline.config.ts`
 * and handler modules under `handlers/`, importing Hookline from the repository's sources.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');

/** An import specifier, as a quoted string, for the repository file `file` (e.g. `shared/handler/index.ts`). */
export function repositorySource(file: string): string {
  return JSON.stringify(pathToFileURL(join(ROOT, file)).href);
}

/**
 * Writes the project and returns its folder. `config` is the object passed to `defineConfig`, as
 * source text; `handlers` gives, for the project's folder, each file under `handlers/` and its source.
 */
export function writeTempProject(options: {
  readonly prefix: string;
  readonly config: string;
  readonly handlers: (folder: string) => Readonly<Record<string, string>>;
}): string {
  const folder = mkdtempSync(join(tmpdir(), options.prefix));
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
