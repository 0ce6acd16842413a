/**
 * The `logs` section of the config: what the functions' log groups receive, which CloudWatch Logs
 * bills by the byte ingested. Every function logs in Lambda's JSON format, so Lambda itself keeps
 * only lines at or above `level`; and Lambda's own START, END and REPORT lines for each invocation
 * (about 340 bytes, as much as the ingress's own line for an event) are written only with
 * `invocationReports`. Lambda's metrics (duration, errors, throttles) do not depend on them.
 */
import { z } from 'zod';
import { LOG_DEFAULTS } from './defaults.js';

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

export const logsSchema = z.strictObject(
  {
    /** The lowest level of the functions' lines Lambda keeps. @default 'INFO' */
    level: z
      .enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.map((level) => `"${level}"`).join(', ')}` })
      .default(LOG_DEFAULTS.level),
    /** Lambda's START/END/REPORT lines (duration, billed duration, memory used) per invocation. @default false */
    invocationReports: z.boolean({ error: 'must be true or false' }).default(LOG_DEFAULTS.invocationReports),
  },
  {
    error: (issue) =>
      issue.code === 'invalid_type'
        ? "must be an object such as { level: 'INFO', invocationReports: false }"
        : undefined,
  },
);
