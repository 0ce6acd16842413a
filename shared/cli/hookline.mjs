#!/usr/bin/env node
// The `hookline` command: loads TypeScript sources (the CLI, hookline.config.ts and handler modules).
// In the repository it runs the CLI's sources; in the installed package, which ships only this file
// of them, the compiled CLI in dist/.
import { existsSync, readFileSync } from 'node:fs';

// Hookline supports Node 22 and 24; on an older Node the AWS SDK would print its support notice on
// every start of this command and of the emulators and workers it starts (they inherit this).
if (Number(process.versions.node.split('.')[0]) < 22) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

const args = process.argv.slice(2);
const isVersionFlag = (arg) => arg === '--version' || arg === '-v';

// `--version` is answered before the TypeScript loader is registered, which takes most of the
// CLI's start-up time; any other use of the flag is left to main.ts to refuse.
if (args.some(isVersionFlag) && args.every((arg) => isVersionFlag(arg) || arg === '--json')) {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  process.stdout.write(
    args.includes('--json') ? `${JSON.stringify({ version })}\n` : `hookline ${version}\n`,
  );
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const source = new URL('./main.ts', import.meta.url);
  const inRepository = existsSync(source);
  if (inRepository) (await import('node:module')).register('./source-condition.mjs', import.meta.url);
  await import(inRepository ? source.href : '../../dist/shared/cli/main.js');
}
