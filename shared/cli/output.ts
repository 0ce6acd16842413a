/** How commands print: one JSON document with `--json`, human lines and tables otherwise. */

/** Where a command writes; injectable so commands can be tested without a child process. */
export interface CommandOutput {
  readonly json: boolean;
  /** A line on stdout. */
  line(text: string): void;
  /** Progress or notices on stderr (never mixed into `--json` output). */
  progress(text: string): void;
  /** The single JSON document of a `--json` run, on stdout. */
  document(value: unknown): void;
}

/** The output of a command: JSON mode with `json`, written to `streams` (the process's by default). */
export function commandOutput(
  json: boolean,
  streams: { stdout: { write(text: string): unknown }; stderr: { write(text: string): unknown } } = process,
): CommandOutput {
  return {
    json,
    line: (text) => streams.stdout.write(`${text}\n`),
    progress: (text) => streams.stderr.write(`${text}\n`),
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
