/**
 * `hookline completion bash|zsh|fish`: prints the completion script of that shell, with every
 * command, subcommand and flag (read from the commands' own help).
 */
import { CliUsageError, type CommandEntry, type CommandModule, type OptionValues } from '../command.js';
import { completionCommand, completionScript, SHELLS, type Shell } from '../completion.js';
import type { HelpFor } from '../help.js';

/** This command's flags, besides `--config` and `--json`. */
export const options = {} as const satisfies CommandModule['options'];

/** This command's help. */
export const help: HelpFor<typeof options> = {
  usage: ['hookline completion bash|zsh|fish'],
  description: "Prints a completion script for the shell: commands, subcommands and each command's flags.",
  options: {},
  examples: [
    'eval "$(hookline completion bash)"      # in ~/.bashrc',
    'eval "$(hookline completion zsh)"       # in ~/.zshrc, after compinit',
    'hookline completion fish > ~/.config/fish/completions/hookline.fish',
  ],
  subcommands: {
    bash: {
      usage: ['hookline completion bash'],
      description: 'The bash completion script.',
      options: [],
      examples: ['eval "$(hookline completion bash)"'],
    },
    zsh: {
      usage: ['hookline completion zsh'],
      description: 'The zsh completion script (load it after compinit).',
      options: [],
      examples: ['eval "$(hookline completion zsh)"'],
    },
    fish: {
      usage: ['hookline completion fish'],
      description: 'The fish completion script.',
      options: [],
      examples: ['hookline completion fish > ~/.config/fish/completions/hookline.fish'],
    },
  },
};

/** The command, completing `commands` (the registry's, this one included). */
export function completionModule(commands: readonly CommandEntry[]): CommandModule {
  return { options, help, run: (values, positionals) => run(commands, values, positionals) };
}

/** Runs the command; resolves with its exit code. */
async function run(
  commands: readonly CommandEntry[],
  _values: OptionValues,
  positionals: readonly string[],
): Promise<number> {
  const [shell, ...extra] = positionals;
  if (!isShell(shell)) {
    throw new CliUsageError(
      shell === undefined
        ? `usage: hookline completion ${SHELLS.join('|')}`
        : `no completion for shell "${shell}" (${SHELLS.join(', ')})`,
    );
  }
  if (extra.length > 0) throw new CliUsageError(`unexpected argument "${extra[0]}"`);
  const completions = await Promise.all(
    commands.map(async (entry) => completionCommand(entry.name, entry.summary, (await entry.load()).help)),
  );
  process.stdout.write(completionScript(shell, completions));
  return 0;
}

function isShell(value: string | undefined): value is Shell {
  return SHELLS.some((shell) => shell === value);
}
