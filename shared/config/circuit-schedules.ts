/**
 * Names of the circuits' probe schedules, shared by the stack (which grants each handler its own
 * route's names only) and the runtime (which creates them). Scheduler names are at most 64
 * characters of `[0-9A-Za-z_.-]`: a route path cannot be one, so its hash stands in.
 */
import { createHash } from 'node:crypto';

/** The stack's schedule group: `<prefix>-circuits`. */
export function circuitScheduleGroup(prefix: string): string {
  return `${prefix}-circuits`;
}

/** What every probe schedule of `route` starts with: `circuit-<12 hex of the path's SHA-256>-`. */
export function circuitSchedulePrefix(route: string): string {
  return `circuit-${createHash('sha256').update(route).digest('hex').slice(0, 12)}-`;
}

/** The probe schedule of `route`'s circuit opened at `openedAt`. */
export function circuitScheduleName(route: string, openedAt: Date): string {
  return `${circuitSchedulePrefix(route)}${openedAt.getTime()}`;
}
