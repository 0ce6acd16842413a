/**
 * One updating line on stderr for long work (bulk replay, `dlq redrive --wait`, `worker`): drawn
 * only when stderr is a terminal; piped or under `--json` it writes nothing at all.
 */

/** A stream the progress line is drawn on. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** The progress line of a command. */
export interface ProgressLine {
  readonly enabled: boolean;
  /** Replaces the line's text. */
  update(text: string): void;
  /** Erases the line (before the command's results are printed). */
  clear(): void;
  /** Writes `text` (whole lines) on the stream above the line, which is drawn again below it. */
  writeAbove(text: string): void;
}

/** Erase the whole line, cursor to its start. */
const ERASE = '\r\u001b[2K';

/** The progress line on `stream`, drawn only when `stream` is a terminal and `json` is false. */
export function progressLine(stream: ProgressStream, json: boolean): ProgressLine {
  const enabled = !json && stream.isTTY === true;
  let current = '';
  // A line longer than the terminal wraps, and `\r` would then only erase its last row.
  const fitted = (text: string) => {
    // A pseudo-terminal may report 0 columns: take the usual 80 then.
    const width = Math.max(20, (stream.columns || 80) - 1);
    return text.length > width ? `${text.slice(0, width - 1)}…` : text;
  };
  return {
    enabled,
    update: (text) => {
      current = fitted(text.replace(/\s*\n\s*/g, ' '));
      if (enabled) stream.write(`${ERASE}${current}`);
    },
    clear: () => {
      if (enabled && current !== '') stream.write(ERASE);
      current = '';
    },
    writeAbove: (text) => {
      if (!enabled || current === '') {
        stream.write(text);
        return;
      }
      stream.write(`${ERASE}${text}${current}`);
    },
  };
}
