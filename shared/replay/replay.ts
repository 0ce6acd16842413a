/**
 * Replay: re-delivers stored events as new events linked to the originals. A
 * replay gets a new id and `receivedAt`, the original's request (same raw body, inline or by
 * reference) and verdict, and `replayOf`; it is recorded, queued and linked like an ingress event:
 * `putRequest` → send the envelope → `putQueued` → `addReplay` on the original.
 *
 * A body kept in the body store is copied to the replay's own key first (`<queue>/<replayId>`): the
 * bucket expires each body a route's retention after it was written, so a replay sharing the
 * original's object would lose its body while its record, kept a full retention from the replay,
 * still points at it.
 *
 * A bulk replay re-delivers oldest first and runs in pages bounded by a time budget, each call
 * returning a cursor for the next: deployed, a call is one admin request, and API Gateway gives
 * that at most 30 seconds.
 */
import type { BodyStore } from '../body-store/body-store.js';
import { isBodyStoreError } from '../body-store/errors.js';
import { normalizePath } from '../config/queue-name.js';
import type { ResolvedRoute } from '../config/types.js';
import { type BodyReference, type Envelope, serializeEnvelope } from '../envelope.js';
import { EventNotFoundError, InvalidCursorError } from '../event-store/errors.js';
import type { EventStore } from '../event-store/event-store.js';
import { type EventHistory, type ListingScope, MAX_LIST_LIMIT } from '../event-store/history.js';
import type { EventRecord, EventStatus, NewEventRecord } from '../event-store/types.js';
import { newEventId } from '../ids.js';
import { type QueueSender, toEnvelope } from '../ingress/ingress.js';
import { decodeReplayCursor, encodeReplayCursor, type ReplayRun } from './cursor.js';
import {
  InvalidReplayCursorError,
  ReplayBodyUnavailableError,
  ReplayConflictError,
  ReplayEnqueueError,
  RouteNotConfiguredError,
} from './errors.js';
import {
  DEFAULT_BULK_REPLAY_LIMIT,
  DEFAULT_REPLAY_BUDGET_MS,
  DEFAULT_REPLAY_RATE_PER_SECOND,
  MAX_BULK_REPLAY_LIMIT,
  MAX_REPLAY_BUDGET_MS,
  MAX_REPLAY_RATE_PER_SECOND,
} from './limits.js';
import { createPacer } from './pacer.js';

export { EventNotFoundError } from '../event-store/errors.js';
export {
  InvalidReplayCursorError,
  ReplayBodyUnavailableError,
  type ReplayBodyUnavailableReason,
  ReplayConflictError,
  ReplayEnqueueError,
  ReplayError,
  type ReplayErrorCode,
  RouteNotConfiguredError,
} from './errors.js';
export {
  DEFAULT_BULK_REPLAY_LIMIT,
  DEFAULT_REPLAY_BUDGET_MS,
  DEFAULT_REPLAY_RATE_PER_SECOND,
  MAX_BULK_REPLAY_LIMIT,
  MAX_REPLAY_BUDGET_MS,
  MAX_REPLAY_RATE_PER_SECOND,
} from './limits.js';

/** A configured route and the queue its events (and their replays) go to. */
export interface ReplayTarget {
  readonly route: ResolvedRoute;
  readonly queueUrl: string;
}

export interface ReplayerDependencies {
  readonly store: Pick<EventStore, 'getEvent' | 'putRequest' | 'putQueued' | 'addReplay' | 'discardUnqueued'>;
  /** Lists the originals; its client and table also delete a replay that could not be queued. */
  readonly history: Pick<EventHistory, 'listEvents' | 'cursorAfter'>;
  readonly targets: readonly ReplayTarget[];
  readonly queue: QueueSender;
  /**
   * Copies a body kept in the body store (`bodyRef`) to the replay's own key, so it lives as long as
   * the replay. The copy needs put rights on the route's key prefix.
   * @default - none: events whose body is in the body store cannot be replayed
   *   (ReplayBodyUnavailableError); events with inline bodies can
   */
  readonly bodyStore?: Pick<BodyStore, 'copy'>;
  /**
   * Replays' `receivedAt`, and the clock bulk replays are paced and time-boxed by.
   * @default () => new Date()
   */
  readonly now?: () => Date;
  /** @default newEventId */
  readonly newId?: (now: Date) => string;
  /** Waits between bulk sends; must let `now` advance by `ms`. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface ReplayResult {
  /** The replay's own event id. */
  readonly id: string;
  /** The replayed event's id. */
  readonly replayOf: string;
  readonly status: 'queued';
}

export interface BulkReplayQuery {
  /** The configured route path, e.g. `/order/status/`. */
  readonly route: string;
  /** Inclusive lower bound on the originals' `receivedAt`. */
  readonly since?: Date;
  /**
   * Exclusive upper bound on the originals' `receivedAt`; never later than the start of the run
   * (its first page), so a run does not replay its own replays. @default the start of the run
   */
  readonly until?: Date;
  /** Only events in this status. */
  readonly status?: EventStatus;
  /** Count what would be replayed and write nothing. @default false */
  readonly dryRun?: boolean;
  /** Most replays sent per second, up to 500. @default 10 */
  readonly ratePerSecond?: number;
  /** Most events matched (replayed or skipped) over the whole run, up to 100 000. @default 10 000 */
  readonly limit?: number;
  /**
   * Continues a run: the previous page's `nextCursor`, passed back unchanged with the same route,
   * status, `since`, `until` (or none) and `dryRun`. Relative times must be resolved once, before
   * the first page. `ratePerSecond`, `limit` and `budgetMs` may change between pages.
   */
  readonly cursor?: string;
  /**
   * How long this page may run, in milliseconds on the replayer's clock: no send (and no listing
   * read) starts after it is spent, though one that started may finish after it. Every page matches
   * at least one event, however small the budget. @default 20 000, at most 25 000
   */
  readonly budgetMs?: number;
}

export interface BulkReplayProgress {
  /** Events found so far (replayed, skipped, or in a dry run counted). */
  readonly matched: number;
  readonly enqueued: number;
  readonly skipped: number;
}

/**
 * Why an event matched by a bulk replay was not replayed: still on its way (`in_flight`), its
 * route not configured (`unknown_route`), gone since it was listed (`not_found`), or its body in
 * the body store gone or not reachable without a body store (`body_unavailable`).
 */
export type SkipReason = 'in_flight' | 'unknown_route' | 'not_found' | 'body_unavailable';

/**
 * Why a bulk replay page stopped early: a send failed (`queue_unavailable`) or a stored body could
 * not be copied (`body_store_unavailable`). A retry later, from the page's `nextCursor`, may work.
 */
export interface BulkReplayFailure {
  readonly code: 'queue_unavailable' | 'body_store_unavailable';
  readonly message: string;
}

/** What one page of a bulk replay did: every count and list covers this page only. */
export interface BulkReplayReport extends BulkReplayProgress {
  readonly dryRun: boolean;
  /** Each replay sent, in the order sent (oldest original first). */
  readonly replays: { original: string; id: string }[];
  readonly skippedEvents: { id: string; reason: SkipReason }[];
  /**
   * Set when the page stopped with events possibly left (the budget ran out, or `error`): pass it
   * back as `cursor` for the next page. The next page can turn out empty. Absent once the run has
   * matched every event in range, or `limit` events.
   */
  readonly nextCursor?: string;
  /**
   * Set when a send or a body copy failed partway: the page stopped there. The counts, lists and
   * `nextCursor` cover the events handled before it, so continuing from `nextCursor` replays the
   * event that failed and those after it, and none of the ones already replayed.
   */
  readonly error?: BulkReplayFailure;
}

export interface Replayer {
  /**
   * Replays one event.
   * @throws EventNotFoundError (code `event_not_found`) for an unknown id; ReplayConflictError
   *   (`event_in_flight`) while it is `queued` or `processing`; RouteNotConfiguredError
   *   (`route_not_found`); ReplayBodyUnavailableError (`body_unavailable`) when its body is kept
   *   in the body store and is gone, or no body store is configured, writing nothing;
   *   BodyStoreError (`body_store_failed`) when the body could not be copied (a retry may work),
   *   writing no record; ReplayEnqueueError (`queue_unavailable`) when the send fails, after
   *   deleting the replay's request data (`discarded`; left to expire if that fails too)
   */
  replayEvent(id: string): Promise<ReplayResult>;
  /**
   * Replays one page of the route's events matching `query`, oldest first (the order they were
   * received), spaced to `ratePerSecond`, until `budgetMs` is spent; `nextCursor` continues the
   * run. The rate holds within a page; the next page starts when the caller asks for it (the CLI
   * asks right away), so across pages it holds only as long as a page is not shorter than one
   * send interval. Events in flight, events of routes not configured and events whose stored body
   * is unavailable are skipped and reported. `onProgress` is called after each event. A failed send
   * (ReplayEnqueueError) or body copy (BodyStoreError `body_store_failed`) stops the page: its
   * report then carries `error`, and its `nextCursor` continues right after the last event handled,
   * so a later page retries the one that failed without replaying any before it again. A run whose
   * `since` is not before its start (a `since` in the future) matches nothing.
   * A dry run writes nothing and does not wait, reading larger pages; it reads no bodies, so it
   * counts events whose body is gone as replayed.
   * @throws RangeError for an invalid rate, limit, budget or query (a `since` not before `until`
   *   among them); InvalidReplayCursorError
   *   (`invalid_cursor`) for a cursor that is malformed or continues a run with other filters
   */
  replayMany(
    query: BulkReplayQuery,
    onProgress?: (progress: BulkReplayProgress) => void,
  ): Promise<BulkReplayReport>;
}

/** Statuses a replay must wait out: the original may be handled right now. */
const IN_FLIGHT: ReadonlySet<EventStatus> = new Set<EventStatus>(['received', 'queued', 'processing']);
const LISTING_PAGE = 100;
/** A dry run only reads, so it lists as much as one listing may. */
const DRY_RUN_LISTING_PAGE = MAX_LIST_LIMIT;

/**
 * A replayer over the event store and the queues of `deps.targets`: single replays for the admin
 * API's `POST /_hookline/replay {id}`, paged bulk replays for `{route, ...}`.
 */
export function createReplayer(deps: ReplayerDependencies): Replayer {
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? newEventId;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const targets = new Map(deps.targets.map((target) => [normalizePath(target.route.path), target]));
  const targetOf = (route: string) => targets.get(normalizePath(route));

  async function replayEvent(id: string): Promise<ReplayResult> {
    const original = await deps.store.getEvent(id);
    if (original === undefined) throw new EventNotFoundError(id);
    if (IN_FLIGHT.has(original.status)) throw new ReplayConflictError(id, original.status);
    const target = targetOf(original.route);
    if (target === undefined) throw new RouteNotConfiguredError(id, original.route);

    const at = now();
    const replayId = newId(at);
    const bodyRef =
      original.bodyRef === undefined
        ? undefined
        : await copyBody(original.id, original.bodyRef, target, replayId);
    const replay = replayRecord(original, target, replayId, at, bodyRef);
    await deps.store.putRequest(replay);
    try {
      await deps.queue.send(target.queueUrl, serializeEnvelope(envelopeOf(replay)));
    } catch (error: unknown) {
      throw new ReplayEnqueueError(replay.id, original.id, error, await discard(replay.id));
    }
    // False when the handler took the message before this write: it is past `queued` already.
    await deps.store.putQueued(replay);
    try {
      await deps.store.addReplay(original.id, replay.id);
    } catch (error: unknown) {
      // The original expired meanwhile; the replay still names it in `replayOf`.
      if (!(error instanceof EventNotFoundError)) throw error;
    }
    return { id: replay.id, replayOf: original.id, status: 'queued' };
  }

  async function replayMany(
    query: BulkReplayQuery,
    onProgress?: (progress: BulkReplayProgress) => void,
  ): Promise<BulkReplayReport> {
    const ratePerSecond = checkRate(query.ratePerSecond);
    const limit = checkLimit(query.limit);
    const budgetMs = checkBudget(query.budgetMs);
    const dryRun = query.dryRun ?? false;
    // The stored route is the configured path; accept it with or without the trailing slash.
    const route = targetOf(query.route)?.route.path ?? query.route;
    const { status, since } = query;
    if (since !== undefined && query.until !== undefined && since.getTime() >= query.until.getTime()) {
      throw new RangeError(
        `since (${since.toISOString()}) must be earlier than until (${query.until.toISOString()})`,
      );
    }
    const startedAt = now();
    const deadline = startedAt.getTime() + budgetMs;
    const run: Omit<ReplayRun, 'listing'> & { readonly listing?: string } =
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
    const pacer = createPacer({ ratePerSecond, now: () => now().getTime(), sleep });
    let matched = 0;
    let enqueued = 0;
    const replays: { original: string; id: string }[] = [];
    const skippedEvents: { id: string; reason: SkipReason }[] = [];
    const report = (extra: Pick<BulkReplayReport, 'nextCursor' | 'error'> = {}): BulkReplayReport => ({
      matched,
      enqueued,
      skipped: skippedEvents.length,
      dryRun,
      replays,
      skippedEvents,
      ...extra,
    });
    // A `since` at or after the run's start (in the future, say): nothing in range yet.
    if (run.since !== undefined && run.since.getTime() >= run.until.getTime()) return report();

    /** Whether a listing read has been made: every page makes at least one. */
    let listed = false;
    /**
     * Spent once something that can start only `waitMs` from now would start at or past the
     * deadline; never before the page has made progress (an event matched, or a listing read).
     */
    const budgetSpent = (waitMs = 0, progressed = matched > 0) =>
      progressed && now().getTime() + waitMs >= deadline;

    /** Listing cursor just past the last event handled (matched, and replayed or skipped). */
    let position = run.listing;
    let exhausted = false;
    let failure: BulkReplayFailure | undefined;
    pages: while (run.matched + matched < limit && !budgetSpent(0, matched > 0 || listed)) {
      const page = await listPage({
        ...scope,
        ...(run.since !== undefined && { since: run.since }),
        until: run.until,
        limit: Math.min(dryRun ? DRY_RUN_LISTING_PAGE : LISTING_PAGE, limit - run.matched - matched),
        ...(position !== undefined && { cursor: position }),
      });
      listed = true;
      for (const event of page.events) {
        const inFlight = IN_FLIGHT.has(event.status);
        const configured = targetOf(event.route) !== undefined;
        if (!dryRun && !inFlight && configured && budgetSpent(pacer.delayMs())) break pages;
        if (inFlight) {
          skippedEvents.push({ id: event.id, reason: 'in_flight' });
        } else if (!configured) {
          skippedEvents.push({ id: event.id, reason: 'unknown_route' });
        } else if (!dryRun) {
          await pacer.next();
          try {
            const result = await replayEvent(event.id);
            enqueued += 1;
            replays.push({ original: event.id, id: result.id });
          } catch (error: unknown) {
            // The listing is a moment old: the event may have been redriven or expired since.
            if (error instanceof ReplayConflictError)
              skippedEvents.push({ id: event.id, reason: 'in_flight' });
            else if (error instanceof EventNotFoundError)
              skippedEvents.push({ id: event.id, reason: 'not_found' });
            else if (error instanceof ReplayBodyUnavailableError)
              skippedEvents.push({ id: event.id, reason: 'body_unavailable' });
            else {
              // The queue or the body store failed: stop before this event, which a later page retries.
              failure = failureOf(error, event.id);
              if (failure === undefined) throw error;
              break pages;
            }
          }
        }
        matched += 1;
        position = deps.history.cursorAfter(scope, event);
        onProgress?.({ matched, enqueued, skipped: skippedEvents.length });
      }
      if (page.nextCursor === undefined) {
        exhausted = true;
        break;
      }
      position = page.nextCursor;
    }

    const total = run.matched + matched;
    if (failure !== undefined) {
      // Always resumable, even when the first event failed: from the run's start if need be.
      const listing = position ?? deps.history.cursorAfter(scope, startOf(run.since));
      return report({ nextCursor: encodeReplayCursor({ ...run, matched: total, listing }), error: failure });
    }
    const nextCursor =
      exhausted || total >= limit || position === undefined
        ? undefined
        : encodeReplayCursor({ ...run, matched: total, listing: position });
    return report(nextCursor === undefined ? {} : { nextCursor });
  }

  /**
   * Deletes the request data of a replay whose send failed, so nothing is left that nothing would
   * queue; false when that fails too (it then stays until it expires).
   */
  async function discard(replayId: string): Promise<boolean> {
    try {
      return await deps.store.discardUnqueued(replayId);
    } catch {
      return false;
    }
  }

  /**
   * The replay's own copy of the original's stored body, under the replay's id. A copy whose
   * record then cannot be written is referenced by nothing and expires with the route's retention.
   */
  async function copyBody(
    originalId: string,
    source: BodyReference,
    target: ReplayTarget,
    id: string,
  ): Promise<BodyReference> {
    const location = `${source.store}:${source.bucket}/${source.key}`;
    if (deps.bodyStore === undefined) {
      throw new ReplayBodyUnavailableError(
        originalId,
        'body_store_not_configured',
        `its body is kept in the body store (${location}) and this replayer has no body store to copy it with`,
      );
    }
    try {
      return await deps.bodyStore.copy(source, { route: target.route.path, eventId: id });
    } catch (error: unknown) {
      if (isBodyStoreError(error, 'body_missing')) {
        throw new ReplayBodyUnavailableError(
          originalId,
          'body_missing',
          `its body is no longer in the body store (${error.message})`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  async function listPage(query: Parameters<EventHistory['listEvents']>[0]) {
    try {
      return await deps.history.listEvents(query);
    } catch (error: unknown) {
      // The listing cursor inside a replay cursor was tampered with or comes from another run.
      if (error instanceof InvalidCursorError) {
        throw new InvalidReplayCursorError('its listing position is not valid', { cause: error });
      }
      throw error;
    }
  }

  return { replayEvent, replayMany };
}

/**
 * The replay of `original`: its request and verdict under a new id and time, linked by `replayOf`;
 * a stored body by `bodyRef`, the replay's own copy.
 */
function replayRecord(
  original: EventRecord,
  target: ReplayTarget,
  id: string,
  at: Date,
  bodyRef: BodyReference | undefined,
): NewEventRecord {
  return {
    id,
    route: target.route.path,
    queueName: target.route.queueName,
    receivedAt: at.toISOString(),
    method: original.method,
    path: original.path,
    ...(original.query !== undefined && { query: original.query }),
    headers: original.headers,
    ...(original.contentType !== undefined && { contentType: original.contentType }),
    ...(original.body !== undefined && { body: original.body }),
    ...(original.bodyBase64 !== undefined && { bodyBase64: original.bodyBase64 }),
    ...(bodyRef !== undefined && { bodyRef }),
    ...(original.sourceIp !== undefined && { sourceIp: original.sourceIp }),
    verification: original.verification,
    replayOf: original.id,
    expiresAt: Math.floor(at.getTime() / 1000) + target.route.retentionDays * 86_400,
  };
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

function envelopeOf(record: NewEventRecord): Envelope {
  const envelope = toEnvelope(record);
  return record.bodyRef === undefined ? envelope : { ...envelope, bodyRef: record.bodyRef };
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
