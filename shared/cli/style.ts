/**
 * Colour for the CLI's human output: only on a terminal, never with `NO_COLOR` set (non-empty,
 * https://no-color.org) nor under `--json`. Plain ANSI codes: the CLI needs four colours, not a library.
 */

/** A stream as far as colour cares: whether it is a terminal. */
export interface MaybeTerminal {
  readonly isTTY?: boolean;
}

/** Paints text, or leaves it as it is when colour is off. */
export interface Style {
  readonly enabled: boolean;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  /** An event status, attempt outcome or circuit state in its colour; other words unchanged. */
  status(text: string): string;
}

/** True when `stream` is a terminal and `NO_COLOR` is unset or empty. */
export function colorEnabled(
  stream: MaybeTerminal,
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

const STATUS_COLORS: Readonly<Record<string, 'red' | 'green' | 'yellow'>> = {
  delivered: 'green',
  failed: 'red',
  dead_lettered: 'red',
  retrying: 'yellow',
  processing: 'yellow',
  open: 'red',
  'half-open': 'yellow',
  paused: 'yellow',
};

/** The style of a stream: painting when `enabled`, identity functions otherwise. */
export function createStyle(enabled: boolean): Style {
  const paint = (open: number) => (text: string) => (enabled ? `\u001b[${open}m${text}\u001b[39m` : text);
  const colors = { red: paint(31), green: paint(32), yellow: paint(33) };
  return {
    enabled,
    ...colors,
    status: (text) => {
      // `delivered (after redrive)` is coloured by its first word.
      const color = STATUS_COLORS[text.split(' ')[0] ?? ''];
      return color === undefined ? text : colors[color](text);
    },
  };
}

/** The style for what a command writes on `stream`: none under `--json`. */
export function styleFor(stream: MaybeTerminal, json: boolean): Style {
  return createStyle(!json && colorEnabled(stream));
}
