/** How commands print: one JSON document with `--json`, human lines and tables otherwise. */
import { type ProgressLine, type ProgressStream, progressLine } from './progress.js';
import { type MaybeTerminal, type Style, styleFor } from './style.js';

/** Where a command writes; injectable so commands can be tested without a child process. */
export interface CommandOutput {
  readonly json: boolean;
  /** Colours for stdout: none under `--json`, off a terminal or with NO_COLOR. */
  readonly style: Style;
  /** A line on stdout. */
  line(text: string): void;
  /**
   * A line on stderr that belongs to the result (a route skipped, how to continue a stopped run);
   * not written under `--json`, where stderr carries errors only.
   */
  notice(text: string): void;
  /** The updating progress line on stderr (a terminal only, never under `--json`). */
  readonly progress: ProgressLine;
  /** The single JSON document of a `--json` run, on stdout. */
  document(value: unknown): void;
}

/** The streams a command writes to. */
export interface OutputStreams {
  readonly stdout: MaybeTerminal & { write(text: string): unknown };
  readonly stderr: ProgressStream;
}

/** The output of a command: JSON mode with `json`, written to `streams` (the process's by default). */
export function commandOutput(json: boolean, streams: OutputStreams = process): CommandOutput {
  const progress = progressLine(streams.stderr, json);
  return {
    json,
    style: styleFor(streams.stdout, json),
    line: (text) => streams.stdout.write(`${text}\n`),
    notice: (text) => {
      if (!json) progress.writeAbove(`${text}\n`);
    },
    progress,
    document: (value) => streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  };
}

/** `2024-05-01T10:00:00.123Z` → `2024-05-01 10:00:00Z` (UTC, to the second). */
export function formatTime(iso: string | undefined): string | undefined {
  if (iso === undefined) return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return match === null ? iso : `${match[1]} ${match[2]}Z`;
}

/** Seconds as a short age: `42s`, `5m 3s`, `2h 10m`, `3d 4h`. */
export function formatAge(seconds: number | undefined): string | undefined {
  if (seconds === undefined || !Number.isFinite(seconds)) return undefined;
  const total = Math.max(0, Math.round(seconds));
  if (total < 60) return `${total}s`;
  if (total < 3600) return `${Math.floor(total / 60)}m ${total % 60}s`;
  if (total < 86_400) return `${Math.floor(total / 3600)}h ${Math.floor((total % 3600) / 60)}m`;
  return `${Math.floor(total / 86_400)}d ${Math.floor((total % 86_400) / 3600)}h`;
}

/** Milliseconds as `85 ms` or `1.2 s`. */
export function formatDuration(ms: number | undefined): string | undefined {
  if (ms === undefined) return undefined;
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
