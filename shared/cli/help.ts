/**
 * Help text: each command module keeps a `help` object beside its `options`, typed so that every
 * option has its line (`HelpFor<typeof options>`); this module lays it out.
 */

/** One option's help line. */
export interface OptionHelp {
  /** The value's placeholder (`N`, `T`, `FILE`); absent for a boolean flag. */
  readonly value?: string;
  /** What it does, on one line. */
  readonly text: string;
}

/** Help of one subcommand (`events list`): the command's options it takes, by name. */
export interface SubcommandHelp<Names extends string = string> {
  readonly usage: readonly string[];
  readonly description: string;
  readonly options: readonly Names[];
  readonly examples: readonly string[];
}

/** Help of one command: usage lines, what it does, a line per option, examples, subcommands. */
export interface CommandHelp<Names extends string = string> {
  readonly usage: readonly string[];
  readonly description: string;
  readonly options: { readonly [Name in Names]: OptionHelp };
  readonly examples: readonly string[];
  readonly subcommands?: { readonly [name: string]: SubcommandHelp<Names> };
}

/** The help type of a command whose `parseArgs` options are `Options`: a line for each. */
export type HelpFor<Options> = CommandHelp<Extract<keyof Options, string>>;

/** The flags every command takes (`--config`, `--json`, `--help`). */
export const COMMON_OPTION_HELP: Readonly<Record<string, OptionHelp>> = {
  config: { value: 'FILE', text: 'the config file (else HOOKLINE_CONFIG, else hookline.config.ts)' },
  json: { text: 'print one JSON document; an error is one JSON object on stderr' },
  help: { text: 'print this help (-h)' },
};

/** `--name VALUE  text` lines, the texts aligned. */
function optionLines(options: readonly [string, OptionHelp][]): string[] {
  const labels = options.map(
    ([name, help]) => `--${name}${help.value === undefined ? '' : ` ${help.value}`}`,
  );
  const width = Math.max(0, ...labels.map((label) => label.length));
  return options.map(([, help], index) => `  ${(labels[index] ?? '').padEnd(width)}  ${help.text}`);
}

/**
 * The help of `hookline <command>` (`summary` is its overview line), or of one of its subcommands;
 * a command with subcommands lists them all.
 */
export function renderCommandHelp(
  command: string,
  summary: string,
  help: CommandHelp,
  subcommand?: string,
): string {
  const sub = subcommand === undefined ? undefined : help.subcommands?.[subcommand];
  const entries = Object.entries(help.options) as [string, OptionHelp][];
  const shown = sub === undefined ? entries : entries.filter(([name]) => sub.options.includes(name));
  const usage = sub?.usage ?? help.usage;
  const subcommands = sub === undefined ? Object.entries(help.subcommands ?? {}) : [];
  const lines = [
    ...usage.map((line, index) => `${index === 0 ? 'usage: ' : '       '}${line}`),
    '',
    sub?.description ?? (help.description === '' ? summary : help.description),
  ];
  if (subcommands.length > 0) {
    const width = Math.max(...subcommands.map(([name]) => name.length));
    lines.push(
      '',
      'subcommands:',
      ...subcommands.map(([name, text]) => `  ${name.padEnd(width)}  ${firstSentence(text.description)}`),
    );
  }
  if (shown.length > 0) lines.push('', 'options:', ...optionLines(shown));
  lines.push('', 'common options:', ...optionLines(Object.entries(COMMON_OPTION_HELP)));
  lines.push('', 'examples:', ...(sub?.examples ?? help.examples).map((example) => `  ${example}`));
  if (subcommands.length > 0) lines.push('', `hookline help ${command} <subcommand> for one of them.`);
  return lines.join('\n');
}

function firstSentence(text: string): string {
  const end = text.search(/[.:;](\s|$)/);
  return end < 0 ? text : text.slice(0, end);
}
