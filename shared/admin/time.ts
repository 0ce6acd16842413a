/**
 * Time bounds for event queries (`since`, `until`), shared by the admin API and the CLI: a duration
 * back from now (`30m`, `24h`, `7d`) or an ISO 8601 date or date-time.
 */

import { HooklineError } from '../errors.js';

/** Seconds per unit of a relative bound. */
const UNIT_SECONDS = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 } as const;

const RELATIVE = /^(\d{1,9})([smhdw])$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A date-time must say its offset: without one it would mean a different instant on every machine. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * A time bound that is neither a relative duration nor an ISO 8601 date or date-time with an offset.
 * Not an HTTP error: the admin API maps it to a 400 naming the query field (`optionalTime` in
 * `request.ts`), the CLI to a usage error naming the flag.
 */
export class TimeBoundError extends HooklineError<'invalid_time_bound'> {
  override name = 'TimeBoundError';
  /** The text as given (untrimmed). */
  readonly text: string;

  constructor(text: string) {
    super(
      'invalid_time_bound',
      `"${text}" is not a time: use a duration back from now (30m, 24h, 7d, 2w) or ISO 8601 (2024-05-01, 2024-05-01T12:00:00Z)`,
    );
    this.text = text;
  }
}

/**
 * The instant `text` names: `<n>s|m|h|d|w` is that long before `now`; `YYYY-MM-DD` is midnight UTC
 * of that day; a date-time needs `Z` or an offset (`+02:00`).
 * @throws TimeBoundError
 */
export function parseTimeBound(text: string, now: Date): Date {
  const trimmed = text.trim();
  const relative = RELATIVE.exec(trimmed);
  if (relative !== null) {
    const [, amount, unit] = relative;
    const seconds = Number(amount) * UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS];
    return new Date(now.getTime() - seconds * 1000);
  }
  if (ISO_DATE.test(trimmed) || ISO_DATE_TIME.test(trimmed)) {
    const at = new Date(ISO_DATE.test(trimmed) ? `${trimmed}T00:00:00Z` : trimmed);
    if (!Number.isNaN(at.getTime()) && isCalendarDate(trimmed.slice(0, 10))) return at;
  }
  throw new TimeBoundError(text);
}

/** `Date` rolls 2024-02-31 over to March 2: the written day must exist. */
function isCalendarDate(day: string): boolean {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, date)).toISOString().slice(0, 10) === day;
}
