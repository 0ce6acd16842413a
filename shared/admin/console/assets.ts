/**
 * The page's script and style sheet, plain files beside this module (no build step), read once
 * when the console is made.
 */
import { readFileSync } from 'node:fs';

export interface ConsoleAsset {
  readonly contentType: string;
  readonly body: string;
}

const FILES = {
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
} as const;

/** Every asset by its name under `/_hookline/console/assets/`. */
export function loadConsoleAssets(): ReadonlyMap<string, ConsoleAsset> {
  return new Map(
    Object.entries(FILES).map(([name, contentType]) => [
      name,
      { contentType, body: readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8') },
    ]),
  );
}
