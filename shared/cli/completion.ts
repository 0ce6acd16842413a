/**
 * Shell completion scripts for `hookline`, written from the commands' own help (their flags and
 * subcommands), so completion lists exactly what the commands accept.
 */
import { COMMON_OPTION_HELP, type CommandHelp, type OptionHelp } from './help.js';

/** A flag as completion offers it. */
export interface CompletionFlag {
  readonly name: string;
  readonly text: string;
  readonly takesValue: boolean;
}

/** A command or subcommand as completion offers it. */
export interface CompletionCommand {
  readonly name: string;
  readonly summary: string;
  readonly flags: readonly CompletionFlag[];
  readonly subcommands: readonly CompletionCommand[];
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** What completion offers for a command, from its help. */
export function completionCommand(name: string, summary: string, help: CommandHelp): CompletionCommand {
  const flag = ([flagName, option]: [string, OptionHelp]): CompletionFlag => ({
    name: flagName,
    text: option.text,
    takesValue: option.value !== undefined,
  });
  const common = Object.entries(COMMON_OPTION_HELP).map(flag);
  const own = Object.entries(help.options) as [string, OptionHelp][];
  return {
    name,
    summary,
    flags: [...own.map(flag), ...common],
    subcommands: Object.entries(help.subcommands ?? {}).map(([subName, sub]) => ({
      name: subName,
      summary: sub.description,
      flags: [...own.filter(([optionName]) => sub.options.includes(optionName)).map(flag), ...common],
      subcommands: [],
    })),
  };
}

/** The completion script of `shell` for `commands`. */
export function completionScript(shell: Shell, commands: readonly CompletionCommand[]): string {
  if (shell === 'bash') return bashScript(commands);
  if (shell === 'zsh') return zshScript(commands);
  return fishScript(commands);
}

const flagWords = (flags: readonly CompletionFlag[]) => flags.map((flag) => `--${flag.name}`).join(' ');

function bashScript(commands: readonly CompletionCommand[]): string {
  const names = [...commands.map((command) => command.name), 'help'].join(' ');
  const cases = commands.flatMap((command) => [
    ...command.subcommands.map(
      (sub) => `    "${command.name} ${sub.name}") flags="${flagWords(sub.flags)}" ;;`,
    ),
    `    "${command.name} "*) flags="${flagWords(command.flags)}" ;;`,
  ]);
  const subs = commands
    .filter((command) => command.subcommands.length > 0)
    .map(
      (command) => `    ${command.name}) subs="${command.subcommands.map((sub) => sub.name).join(' ')}" ;;`,
    );
  return `# hookline completion for bash: eval "$(hookline completion bash)" in ~/.bashrc
_hookline() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmd="\${COMP_WORDS[1]}" sub="\${COMP_WORDS[2]}"
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "${names} --help --version" -- "$cur"))
    return
  fi
  local subs="" flags=""
  case "$cmd" in
    help) [[ $COMP_CWORD -eq 2 ]] && COMPREPLY=($(compgen -W "${names}" -- "$cur")); return ;;
${subs.join('\n')}
  esac
  if [[ $COMP_CWORD -eq 2 && -n "$subs" && "$cur" != -* ]]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
    return
  fi
  case "$cmd $sub" in
${cases.join('\n')}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  fi
}
complete -o default -F _hookline hookline
`;
}

/** `text` inside single quotes in zsh (and bash): `'` becomes `'\''`. */
const zshQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
/** A `_describe` entry: `name:description`, colons in the name escaped. */
const describeEntry = (name: string, text: string) => zshQuote(`${name.replaceAll(':', '\\:')}:${text}`);

function zshScript(commands: readonly CompletionCommand[]): string {
  const entries = [
    ...commands.map((command) => describeEntry(command.name, command.summary)),
    describeEntry('help', 'help on a command'),
  ];
  const flagArray = (flags: readonly CompletionFlag[]) =>
    flags.map((flag) => describeEntry(`--${flag.name}`, flag.text)).join(' ');
  const cases = commands.flatMap((command) => [
    ...command.subcommands.map(
      (sub) => `    '${command.name} ${sub.name}') flags=(${flagArray(sub.flags)}) ;;`,
    ),
    `    '${command.name} '*) flags=(${flagArray(command.flags)}) ;;`,
  ]);
  const subs = commands
    .filter((command) => command.subcommands.length > 0)
    .map(
      (command) =>
        `    ${command.name}) subs=(${command.subcommands.map((sub) => describeEntry(sub.name, sub.summary)).join(' ')}) ;;`,
    );
  return `#compdef hookline
# hookline completion for zsh: eval "$(hookline completion zsh)" in ~/.zshrc (after compinit)
_hookline() {
  local -a commands subs flags
  commands=(${entries.join(' ')})
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  local cmd=$words[2] sub=$words[3]
  case $cmd in
    help) (( CURRENT == 3 )) && _describe 'command' commands; return ;;
${subs.join('\n')}
  esac
  if (( CURRENT == 3 )) && (( $#subs )) && [[ $PREFIX != -* ]]; then
    _describe 'subcommand' subs
    return
  fi
  case "$cmd $sub" in
${cases.join('\n')}
  esac
  if [[ $PREFIX == -* ]]; then
    _describe 'option' flags
  else
    _files
  fi
}
compdef _hookline hookline
`;
}

/** `text` inside single quotes in fish: `\\` and `'` escaped. */
const fishQuote = (text: string) => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

function fishScript(commands: readonly CompletionCommand[]): string {
  const names = commands.map((command) => command.name).join(' ');
  const flagLine = (condition: string, flag: CompletionFlag) =>
    `complete -c hookline -n ${fishQuote(condition)} -l ${flag.name}${flag.takesValue ? ' -r' : ''} -d ${fishQuote(flag.text)}`;
  const lines = [
    '# hookline completion for fish: hookline completion fish > ~/.config/fish/completions/hookline.fish',
    `complete -c hookline -n '__fish_use_subcommand' -f -l help -d 'print the overview'`,
    `complete -c hookline -n '__fish_use_subcommand' -f -l version -d 'print the version'`,
    `complete -c hookline -n '__fish_use_subcommand' -f -a help -d 'help on a command'`,
    `complete -c hookline -n '__fish_seen_subcommand_from help' -f -a ${fishQuote(names)}`,
  ];
  for (const command of commands) {
    lines.push(
      `complete -c hookline -n '__fish_use_subcommand' -f -a ${command.name} -d ${fishQuote(command.summary)}`,
    );
    const subNames = command.subcommands.map((sub) => sub.name).join(' ');
    const seen = `__fish_seen_subcommand_from ${command.name}`;
    if (command.subcommands.length === 0) {
      for (const flag of command.flags) lines.push(flagLine(seen, flag));
      continue;
    }
    for (const sub of command.subcommands) {
      lines.push(
        `complete -c hookline -n ${fishQuote(`${seen}; and not __fish_seen_subcommand_from ${subNames}`)} -f -a ${sub.name} -d ${fishQuote(sub.summary)}`,
      );
      for (const flag of sub.flags)
        lines.push(flagLine(`${seen}; and __fish_seen_subcommand_from ${sub.name}`, flag));
    }
  }
  return `${lines.join('\n')}\n`;
}
