/**
 * `hookline <command>` (DESIGN §7). Each command lives in its own module under `commands/` and is
 * loaded only when called, so `hookline send` does not pay for the local stack's imports.
 */
import { CliUsageError, type CommandModule, runCommand } from './command.js';

const COMMANDS: Readonly<Record<string, () => Promise<CommandModule>>> = {
  dev: () => import('./commands/dev.js'),
  process: () => import('./commands/process.js'),
  worker: () => import('./commands/worker.js'),
};

const USAGE = `usage: hookline <command> [options]

commands:
  dev                                   run the whole gateway locally (what npm start runs)
  process --route R [--count N] [--wait S]
                                        process up to N messages of a route once, print how many
  worker [--route R]...                 consume continuously until SIGINT/SIGTERM

common options: --config FILE (or HOOKLINE_CONFIG), --json`;

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 1 : 0;
  }
  const load = COMMANDS[name];
  if (load === undefined) {
    process.stderr.write(`hookline: unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  return runCommand(await load(), args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`hookline: ${message}\n`);
    process.exitCode = error instanceof CliUsageError ? 2 : 1;
  },
);
