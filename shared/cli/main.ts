/**
 * `hookline <command>`: the entry point of the CLI. Each command lives in its own module under
 * `commands/` (see `registry.ts`); help, usage errors, `--json` errors and exit codes are handled
 * here and in `command.ts` the same way for all of them. `--version` is answered by `hookline.mjs`
 * before this module loads.
 */
import { CliUsageError, commandHelp, runCommand } from './command.js';
import { EXIT_USAGE, failureOf, printFailure } from './failure.js';
import { findCommand, overview } from './registry.js';

async function main(argv: readonly string[]): Promise<number> {
  // `hookline --json <command> ...` is `hookline <command> ... --json`.
  const leadingJson = argv.findIndex((arg) => arg !== '--json');
  const [name, ...args] = leadingJson > 0 ? [...argv.slice(leadingJson), '--json'] : argv;
  if (name === undefined || name === '--json') {
    if (name === '--json') throw new CliUsageError('no command given: hookline --help lists them');
    process.stderr.write(`${overview()}\n`);
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const [topic, subcommand, ...extra] = args.filter(
      (arg) => arg !== '--json' && arg !== '--help' && arg !== '-h',
    );
    if (topic === undefined) {
      process.stdout.write(`${overview()}\n`);
      return 0;
    }
    if (extra.length > 0) throw new CliUsageError(`unexpected argument "${extra[0]}"`);
    const entry = findCommand(topic);
    if (entry === undefined) throw unknownCommand(topic);
    process.stdout.write(`${commandHelp(entry, await entry.load(), subcommand)}\n`);
    return 0;
  }
  if (name === '--version' || name === '-v') {
    throw new CliUsageError(`${name} takes no other arguments than --json`);
  }
  const entry = findCommand(name);
  if (entry === undefined) throw unknownCommand(name);
  return runCommand(entry, await entry.load(), args);
}

function unknownCommand(name: string): CliUsageError {
  return new CliUsageError(
    name.startsWith('-')
      ? `unknown option "${name}" before the command: hookline --help lists the commands`
      : `unknown command "${name}": hookline --help lists the commands`,
  );
}

/** Whether the command line asks for JSON output (before a `--`), known even when it does not parse. */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

const argv = process.argv.slice(2);
main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const failure = failureOf(error);
    printFailure(failure, wantsJson(argv));
    process.exitCode = failure.exitCode;
  },
);
