/**
 * A page of a bulk replay: the route's events re-delivered oldest first, spaced to the run's rate,
 * until the page's time budget is spent, and a cursor for the next page. Deployed, a page is one
 * admin request, and API Gateway gives that at most 30 seconds.
 */
import { isBodyStoreError } from '../body-store/errors.js';
import { EventNotFoundError, InvalidCursorError } from '../event-store/errors.js';
import type { EventState } from '../event-store/items.js';
import type { EventQuery } from '../event-store/listing-plan.js';
import { MAX_LIST_LIMIT } from '../event-store/query-checks.js';
import { type BulkPagePlan, planBulkPage } from './bulk-run.js';
import { encodeReplayCursor } from './cursor.js';
import {
  InvalidReplayCursorError,
  ReplayBodyUnavailableError,
  ReplayConflictError,
  ReplayEnqueueError,
} from './errors.js';
import { createPacer, type Pacer } from './pacer.js';
import { IN_FLIGHT, replayEvent } from './single.js';
import type {
  BulkReplayFailure,
  BulkReplayProgress,
  BulkReplayQuery,
  BulkReplayReport,
  ReplayContext,
  SkipReason,
} from './types.js';

const LISTING_PAGE = 100;
/** A dry run only reads, so it lists as much as one listing may. */
const DRY_RUN_LISTING_PAGE = MAX_LIST_LIMIT;

/** Replays one page of a bulk replay (the contract is `Replayer.replayMany`'s). */
export async function replayMany(
  context: ReplayContext,
  query: BulkReplayQuery,
  onProgress?: (progress: BulkReplayProgress) => void,
): Promise<BulkReplayReport> {
  return new BulkPage(context, planBulkPage(context, query), onProgress).run();
}

/** One page's progress through the run's listing. */
class BulkPage {
  private readonly context: ReplayContext;
  private readonly plan: BulkPagePlan;
  private readonly onProgress: ((progress: BulkReplayProgress) => void) | undefined;
  private readonly pacer: Pacer;
  private matched = 0;
  private enqueued = 0;
  private readonly replays: { original: string; id: string }[] = [];
  private readonly skippedEvents: { id: string; reason: SkipReason }[] = [];
  /** Whether a listing read has been made: every page makes at least one. */
  private listed = false;
  /** Listing cursor just past the last event handled (matched, and replayed or skipped). */
  private position: string | undefined;
  private exhausted = false;
  private failure: BulkReplayFailure | undefined;

  constructor(
    context: ReplayContext,
    plan: BulkPagePlan,
    onProgress: ((progress: BulkReplayProgress) => void) | undefined,
  ) {
    this.context = context;
    this.plan = plan;
    this.onProgress = onProgress;
    this.pacer = createPacer({
      ratePerSecond: plan.ratePerSecond,
      now: () => context.now().getTime(),
      sleep: context.sleep,
    });
    this.position = plan.run.listing;
  }

  async run(): Promise<BulkReplayReport> {
    const { run, limit, dryRun, scope } = this.plan;
    // A `since` at or after the run's start (in the future, say): nothing in range yet.
    if (run.since !== undefined && run.since.getTime() >= run.until.getTime()) return this.report();
    pages: while (
      run.matched + this.matched < limit &&
      !this.budgetSpent(0, this.matched > 0 || this.listed)
    ) {
      const page = await this.listPage({
        ...scope,
        ...(run.since !== undefined && { since: run.since }),
        until: run.until,
        limit: Math.min(dryRun ? DRY_RUN_LISTING_PAGE : LISTING_PAGE, limit - run.matched - this.matched),
        ...(this.position !== undefined && { cursor: this.position }),
      });
      this.listed = true;
      for (const event of page.events) {
        if (!(await this.handle(event))) break pages;
      }
      if (page.nextCursor === undefined) {
        this.exhausted = true;
        break;
      }
      this.position = page.nextCursor;
    }
    return this.finish();
  }

  /**
   * Spent once something that can start only `waitMs` from now would start at or past the
   * deadline; never before the page has made progress (an event matched, or a listing read).
   */
  private budgetSpent(waitMs = 0, progressed = this.matched > 0): boolean {
    return progressed && this.context.now().getTime() + waitMs >= this.plan.deadline;
  }

  /** Replays or skips `event`; false when the page stops before it (budget spent, or a failure). */
  private async handle(event: EventState): Promise<boolean> {
    const { dryRun, scope } = this.plan;
    const inFlight = IN_FLIGHT.has(event.status);
    const configured = this.context.targetOf(event.route) !== undefined;
    if (!dryRun && !inFlight && configured && this.budgetSpent(this.pacer.delayMs())) return false;
    if (inFlight) {
      this.skippedEvents.push({ id: event.id, reason: 'in_flight' });
    } else if (!configured) {
      this.skippedEvents.push({ id: event.id, reason: 'unknown_route' });
    } else if (!dryRun && !(await this.replay(event))) {
      return false;
    }
    this.matched += 1;
    this.position = this.context.deps.history.cursorAfter(scope, event);
    this.onProgress?.({ matched: this.matched, enqueued: this.enqueued, skipped: this.skippedEvents.length });
    return true;
  }

  /** Replays `event` at the run's pace; false when the queue or the body store failed. */
  private async replay(event: EventState): Promise<boolean> {
    await this.pacer.next();
    try {
      const result = await replayEvent(this.context, event.id);
      this.enqueued += 1;
      this.replays.push({ original: event.id, id: result.id });
      return true;
    } catch (error: unknown) {
      const reason = skipReasonOf(error);
      if (reason !== undefined) {
        this.skippedEvents.push({ id: event.id, reason });
        return true;
      }
      // The queue or the body store failed: stop before this event, which a later page retries.
      this.failure = failureOf(error, event.id);
      if (this.failure === undefined) throw error;
      return false;
    }
  }

  private async listPage(query: EventQuery) {
    try {
      return await this.context.deps.history.listEvents(query);
    } catch (error: unknown) {
      // The listing cursor inside a replay cursor was tampered with or comes from another run.
      if (error instanceof InvalidCursorError) {
        throw new InvalidReplayCursorError('its listing position is not valid', { cause: error });
      }
      throw error;
    }
  }

  private finish(): BulkReplayReport {
    const { run, limit, scope } = this.plan;
    const total = run.matched + this.matched;
    if (this.failure !== undefined) {
      // Always resumable, even when the first event failed: from the run's start if need be.
      const listing = this.position ?? this.context.deps.history.cursorAfter(scope, startOf(run.since));
      return this.report({
        nextCursor: encodeReplayCursor({ ...run, matched: total, listing }),
        error: this.failure,
      });
    }
    const nextCursor =
      this.exhausted || total >= limit || this.position === undefined
        ? undefined
        : encodeReplayCursor({ ...run, matched: total, listing: this.position });
    return this.report(nextCursor === undefined ? {} : { nextCursor });
  }

  private report(extra: Pick<BulkReplayReport, 'nextCursor' | 'error'> = {}): BulkReplayReport {
    return {
      matched: this.matched,
      enqueued: this.enqueued,
      skipped: this.skippedEvents.length,
      dryRun: this.plan.dryRun,
      replays: this.replays,
      skippedEvents: this.skippedEvents,
      ...extra,
    };
  }
}

/** Why a replay that failed skips its event: the listing is a moment old, the event may have changed since. */
function skipReasonOf(error: unknown): SkipReason | undefined {
  if (error instanceof ReplayConflictError) return 'in_flight';
  if (error instanceof EventNotFoundError) return 'not_found';
  if (error instanceof ReplayBodyUnavailableError) return 'body_unavailable';
  return undefined;
}

/**
 * What stops a bulk replay page early, as its report tells it: a failed send or body copy (the
 * cause is not reported: it may name internal resources); `undefined` for anything else.
 */
function failureOf(error: unknown, eventId: string): BulkReplayFailure | undefined {
  if (error instanceof ReplayEnqueueError) {
    return {
      code: 'queue_unavailable',
      message: `the replay of event ${eventId} could not be queued; continue with nextCursor later`,
    };
  }
  if (isBodyStoreError(error, 'body_store_failed')) {
    return {
      code: 'body_store_unavailable',
      message: `the body of event ${eventId} could not be copied for its replay; continue with nextCursor later`,
    };
  }
  return undefined;
}

/**
 * A stand-in for the event just before the first one a run can match: its listing key
 * (`<since>#`, or `#` without `since`) sorts before every event received at or after `since`.
 */
function startOf(since: Date | undefined): { id: string; receivedAt: string } {
  return { id: '', receivedAt: since?.toISOString() ?? '' };
}
