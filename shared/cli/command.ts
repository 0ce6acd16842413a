import { type ParseArgsConfig, parseArgs } from 'node:util';
import { errorMessage, HooklineError } from '../errors.js';
import { type CommandHelp, renderCommandHelp } from './help.js';

/** Wrong arguments: exit code 2 and the message, no stack trace. */
export class CliUsageError extends HooklineError<'usage'> {
  override name = 'CliUsageError';

  constructor(message: string) {
    super('usage', message);
  }
}

/** Parsed flag values, by flag name (what `parseArgs` returns). */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** One `hookline` command: its options, their help, and what it does; `run` returns the exit code. */
export interface CommandModule {
  readonly options: NonNullable<ParseArgsConfig['options']>;
  readonly help: CommandHelp;
  run(values: OptionValues, positionals: string[]): Promise<number>;
}

/** Flags every command accepts. */
const COMMON_OPTIONS = {
  config: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** One command of the CLI, as the registry lists it. */
export interface CommandEntry {
  readonly name: string;
  /** Its line in the overview. */
  readonly summary: string;
  load(): Promise<CommandModule>;
}

/** A command as `runCommand` names it in its help. */
export interface NamedCommand {
  readonly name: string;
  /** Its overview line. */
  readonly summary: string;
}

/**
 * Runs `command` with `args`: its help (on stdout, exit 0) when they ask for it, which wins over
 * any other mistake on the line; else parses them with its flags plus the common ones (bad flags
 * are a CliUsageError) and runs it.
 */
export async function runCommand(
  named: NamedCommand,
  command: CommandModule,
  args: readonly string[],
): Promise<number> {
  if (asksForHelp(args)) {
    process.stdout.write(`${commandHelp(named, command, subcommandIn(command, args))}\n`);
    return 0;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...args],
      options: { ...COMMON_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error: unknown) {
    throw new CliUsageError(errorMessage(error));
  }
  return command.run(parsed.values, parsed.positionals);
}

/** The help text of a command, or of its subcommand `subcommand` (a usage error if it has none such). */
export function commandHelp(named: NamedCommand, command: CommandModule, subcommand?: string): string {
  if (subcommand !== undefined && command.help.subcommands?.[subcommand] === undefined) {
    const known = Object.keys(command.help.subcommands ?? {});
    throw new CliUsageError(
      known.length === 0
        ? `hookline ${named.name} has no subcommands`
        : `unknown ${named.name} subcommand "${subcommand}" (${known.join(', ')})`,
    );
  }
  return renderCommandHelp(named.name, named.summary, command.help, subcommand);
}

/** `--help` or `-h` anywhere before a `--`. */
export function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/** The subcommand named on a command line that asks for help, if the command has one by that name. */
function subcommandIn(command: CommandModule, args: readonly string[]): string | undefined {
  const { positionals } = parseArgs({
    args: args.filter((arg) => arg !== '--help' && arg !== '-h'),
    options: { ...COMMON_OPTIONS, ...command.options },
    allowPositionals: true,
    strict: false,
  });
  const [first] = positionals;
  return first !== undefined && command.help.subcommands?.[first] !== undefined ? first : undefined;
}

/** `--config`, then `HOOKLINE_CONFIG`, then `hookline.config.ts`. */
export function configFileFrom(values: Record<string, unknown>): string {
  const flag = values.config;
  if (typeof flag === 'string' && flag !== '') return flag;
  return process.env.HOOKLINE_CONFIG ?? 'hookline.config.ts';
}

/**
 * A port from a flag or variable (`name`, for the message); `fallback` when unset or empty.
 * @throws CliUsageError for anything but a whole number from 1 to 65535
 */
export function portSetting(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new CliUsageError(`${name} must be a port number (1-65535), got "${value}"`);
  }
  return port;
}
