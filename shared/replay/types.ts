/**
 * What a replayer is given and what it answers: its dependencies, the queries and reports of single
 * and bulk replays, and the context both kinds of replay run in.
 */
import type { BodyStore } from '../body-store/body-store.js';
import type { ResolvedRoute } from '../config/types.js';
import type { EventStore } from '../event-store/event-store.js';
import type { EventHistory } from '../event-store/history.js';
import type { EventStatus } from '../event-store/types.js';
import type { NewEventId } from '../ids.js';
import type { QueueSender } from '../ingress/ingress.js';
import type { Metrics } from '../metrics/metrics.js';
import type { EnvelopeKeys } from '../secrets/envelope-keys.js';

/** A configured route and the queue its events (and their replays) go to. */
export interface ReplayTarget {
  readonly route: ResolvedRoute;
  readonly queueUrl: string;
}

export interface ReplayerDependencies {
  readonly store: Pick<EventStore, 'getEvent' | 'putRequest' | 'putQueued' | 'addReplay' | 'discardUnqueued'>;
  /** Lists the originals of a bulk replay. */
  readonly history: Pick<EventHistory, 'listEvents' | 'cursorAfter'>;
  readonly targets: readonly ReplayTarget[];
  readonly queue: QueueSender;
  /** The stack's envelope keys: a replay is signed as the ingress signs. */
  readonly envelopeKeys: EnvelopeKeys;
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
  /** New event ids. @default newEventId: a ULID, a shard of the route at random, the route's tag */
  readonly newId?: NewEventId;
  /** Waits between bulk sends; must let `now` advance by `ms`. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Where `Replayed` goes, once per replay queued. @default silentMetrics */
  readonly metrics?: Metrics;
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

/** What single and bulk replays share: the dependencies with their defaults settled. */
export interface ReplayContext {
  readonly deps: ReplayerDependencies;
  readonly now: () => Date;
  readonly newId: NewEventId;
  readonly sleep: (ms: number) => Promise<void>;
  /** The configured target of `route`, with or without its trailing slash. */
  readonly targetOf: (route: string) => ReplayTarget | undefined;
}
