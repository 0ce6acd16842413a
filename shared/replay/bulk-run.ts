/**
 * The start of a bulk replay page: its query checked, and the run it starts or (from its cursor)
 * continues, before anything is listed.
 */
import type { ListingScope } from '../event-store/listing-plan.js';
import { checkTimeOrder } from '../event-store/query-checks.js';
import { decodeReplayCursor, type ReplayRun } from './cursor.js';
import {
  DEFAULT_BULK_REPLAY_LIMIT,
  DEFAULT_REPLAY_BUDGET_MS,
  DEFAULT_REPLAY_RATE_PER_SECOND,
  MAX_BULK_REPLAY_LIMIT,
  MAX_REPLAY_BUDGET_MS,
  MAX_REPLAY_RATE_PER_SECOND,
} from './limits.js';
import type { BulkReplayQuery, ReplayContext } from './types.js';

/** A run as a page starts it: without a listing position on the run's first page. */
type StartedRun = Omit<ReplayRun, 'listing'> & { readonly listing?: string };

/** What one page of a bulk replay works with. */
export interface BulkPagePlan {
  readonly run: StartedRun;
  /** The listing of the run's originals, oldest first. */
  readonly scope: ListingScope;
  readonly dryRun: boolean;
  /** Most events the whole run matches. */
  readonly limit: number;
  readonly ratePerSecond: number;
  /** When the page's budget is spent, in milliseconds on the replayer's clock. */
  readonly deadline: number;
}

/**
 * The plan of the page `query` asks for: a new run fixed at the replayer's clock, or the run its
 * cursor continues.
 * @throws RangeError for an invalid rate, limit or budget, or a `since` not before `until`;
 *   InvalidReplayCursorError for a cursor that is malformed or continues a run with other filters
 */
export function planBulkPage(
  context: Pick<ReplayContext, 'now' | 'targetOf'>,
  query: BulkReplayQuery,
): BulkPagePlan {
  const ratePerSecond = checkRate(query.ratePerSecond);
  const limit = checkLimit(query.limit);
  const budgetMs = checkBudget(query.budgetMs);
  const dryRun = query.dryRun ?? false;
  // The stored route is the configured path; accept it with or without the trailing slash.
  const route = context.targetOf(query.route)?.route.path ?? query.route;
  const { status, since } = query;
  checkTimeOrder(query);
  const startedAt = context.now();
  const run: StartedRun =
    query.cursor === undefined
      ? {
          route,
          ...(status !== undefined && { status }),
          ...(since !== undefined && { since }),
          // Events received after the run started (its own replays among them) are never matched.
          until: query.until === undefined || query.until > startedAt ? startedAt : query.until,
          dryRun,
          matched: 0,
        }
      : decodeReplayCursor(query.cursor, {
          route,
          ...(status !== undefined && { status }),
          ...(since !== undefined && { since }),
          ...(query.until !== undefined && { until: query.until }),
          dryRun,
        });
  const scope: ListingScope = { route, ...(status !== undefined && { status }), order: 'oldest' };
  return { run, scope, dryRun, limit, ratePerSecond, deadline: startedAt.getTime() + budgetMs };
}

function checkRate(rate: number | undefined): number {
  if (rate === undefined) return DEFAULT_REPLAY_RATE_PER_SECOND;
  if (!Number.isFinite(rate) || rate <= 0 || rate > MAX_REPLAY_RATE_PER_SECOND) {
    throw new RangeError(
      `ratePerSecond must be above 0 and at most ${MAX_REPLAY_RATE_PER_SECOND}, got ${rate}`,
    );
  }
  return rate;
}

function checkBudget(budgetMs: number | undefined): number {
  if (budgetMs === undefined) return DEFAULT_REPLAY_BUDGET_MS;
  if (!Number.isFinite(budgetMs) || budgetMs <= 0 || budgetMs > MAX_REPLAY_BUDGET_MS) {
    throw new RangeError(`budgetMs must be above 0 and at most ${MAX_REPLAY_BUDGET_MS}, got ${budgetMs}`);
  }
  return budgetMs;
}

function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_BULK_REPLAY_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_BULK_REPLAY_LIMIT) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_BULK_REPLAY_LIMIT}, got ${limit}`);
  }
  return limit;
}
