import { type ParseArgsConfig, parseArgs } from 'node:util';
import { errorMessage, HooklineError } from '../errors.js';

/** Wrong arguments: exit code 2 and the message, no stack trace. */
export class CliUsageError extends HooklineError<'usage'> {
  override name = 'CliUsageError';

  constructor(message: string) {
    super('usage', message);
  }
}

/** Parsed flag values, by flag name (what `parseArgs` returns). */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** One `hookline` command: its options and what it does; returns the process exit code. */
export interface CommandModule {
  readonly options: NonNullable<ParseArgsConfig['options']>;
  run(values: OptionValues, positionals: string[]): Promise<number>;
}

/** Flags every command accepts. */
const COMMON_OPTIONS = {
  config: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** Parses `args` with the command's flags plus the common ones and runs it; bad flags are a CliUsageError. */
export async function runCommand(command: CommandModule, args: readonly string[]): Promise<number> {
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

/** `--config`, then `HOOKLINE_CONFIG`, then `hookline.config.ts`. */
export function configFileFrom(values: Record<string, unknown>): string {
  const flag = values.config;
  if (typeof flag === 'string' && flag !== '') return flag;
  return process.env.HOOKLINE_CONFIG ?? 'hookline.config.ts';
}
