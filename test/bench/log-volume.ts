/**
 * What a function's log lines weigh in CloudWatch Logs. Every line is one log event; CloudWatch
 * counts an event as its UTF-8 message plus 26 bytes (documented for PutLogEvents' batch size; AWS
 * does not say whether ingestion billing adds it, so it is counted: the figure is an upper bound by
 * at most 26 bytes a line). Lambda also writes three lines of its own around each invocation
 * (START, END, REPORT in the text log format the functions use), modelled here from their format.
 * Pure; unit-tested in `test/unit/bench/log-volume.test.ts`.
 */

export const LOG_EVENT_OVERHEAD_BYTES = 26;

export interface LogVolume {
  readonly lines: number;
  /** Message bytes (each line with its newline) plus the per-event overhead. */
  readonly bytes: number;
}

/** The log events in `output` (text written to stdout/stderr): one per non-empty line. */
export function logVolume(output: string): LogVolume {
  const lines = output.split('\n').filter((line) => line.trim() !== '');
  const bytes = lines.reduce(
    (sum, line) => sum + Buffer.byteLength(`${line}\n`) + LOG_EVENT_OVERHEAD_BYTES,
    0,
  );
  return { lines: lines.length, bytes };
}

export interface InvocationReport {
  readonly requestId: string;
  readonly durationMs: number;
  readonly memoryMb: number;
  readonly maxMemoryUsedMb: number;
}

/** The START, END and REPORT lines Lambda writes for a warm invocation (text format). */
export function platformLines(report: InvocationReport): string {
  const { requestId, durationMs, memoryMb, maxMemoryUsedMb } = report;
  return [
    `START RequestId: ${requestId} Version: $LATEST`,
    `END RequestId: ${requestId}`,
    `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.ceil(durationMs)} ms\t` +
      `Memory Size: ${memoryMb} MB\tMax Memory Used: ${Math.round(maxMemoryUsedMb)} MB\t`,
  ]
    .map((line) => `${line}\n`)
    .join('');
}
