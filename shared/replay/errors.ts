import { HooklineError } from '../errors.js';
import type { EventStatus } from '../event-store/types.js';

export type ReplayErrorCode =
  | 'event_in_flight'
  | 'route_not_found'
  | 'body_unavailable'
  | 'queue_unavailable'
  | 'invalid_cursor';

/** Base class of the replayer's own errors; event store and SDK errors pass through as they are. */
export class ReplayError extends HooklineError<ReplayErrorCode> {
  override name = 'ReplayError';
}

/**
 * The event is still on its way (`received`, `queued` or `processing`): a replay now could run the
 * handler twice at once for the same request. Replay it once it has settled.
 */
export class ReplayConflictError extends ReplayError {
  override name = 'ReplayConflictError';
  readonly id: string;
  readonly status: EventStatus;

  constructor(id: string, status: EventStatus) {
    super(
      'event_in_flight',
      `event ${id} is ${status}; replay it once it is delivered, ignored, retrying or dead-lettered`,
    );
    this.id = id;
    this.status = status;
  }
}

/** The event's route is not one the replayer has a queue for (removed from the config, or not deployed here). */
export class RouteNotConfiguredError extends ReplayError {
  override name = 'RouteNotConfiguredError';
  readonly id: string;
  readonly route: string;

  constructor(id: string, route: string) {
    super('route_not_found', `event ${id} belongs to route ${route}, which is not configured`);
    this.id = id;
    this.route = route;
  }
}

/**
 * Why a replay could not get its own copy of a body kept in the body store:
 * - `body_missing`: the stored body is gone (expired with the original's retention, deleted, or a
 *   reference to another store);
 * - `body_store_not_configured`: the replayer has no body store to copy it with.
 */
export type ReplayBodyUnavailableReason = 'body_missing' | 'body_store_not_configured';

/**
 * The event's body is kept in the body store (`bodyRef`) and cannot be copied for the replay, so
 * replaying it would deliver a reference to nothing. Nothing was written or sent; a retry cannot
 * help unless the body store is configured.
 */
export class ReplayBodyUnavailableError extends ReplayError {
  override name = 'ReplayBodyUnavailableError';
  /** The event that was to be replayed. */
  readonly id: string;
  readonly reason: ReplayBodyUnavailableReason;

  constructor(id: string, reason: ReplayBodyUnavailableReason, detail: string, options?: ErrorOptions) {
    super('body_unavailable', `event ${id} cannot be replayed: ${detail}`, options);
    this.id = id;
    this.reason = reason;
  }
}

/**
 * Sending the replay to its queue failed. A replay that never reached its queue has no state, so
 * the history never shows it; its request data is deleted too (`discarded`), or, if that deletion
 * fails as well, left to expire. Either way the original is not linked to it, and replaying the
 * original again is safe.
 */
export class ReplayEnqueueError extends ReplayError {
  override name = 'ReplayEnqueueError';
  /** The replay's own id. */
  readonly id: string;
  readonly replayOf: string;
  /** Whether the replay's request data was deleted; false when it is left to expire. */
  readonly discarded: boolean;

  constructor(id: string, replayOf: string, cause: unknown, discarded = false) {
    super('queue_unavailable', `replay ${id} of event ${replayOf} could not be queued`, { cause });
    this.id = id;
    this.replayOf = replayOf;
    this.discarded = discarded;
  }
}

/**
 * A bulk replay's `cursor` is malformed, or continues a run with other filters (route, status,
 * since, until, dry run) than the query it came with.
 */
export class InvalidReplayCursorError extends ReplayError {
  override name = 'InvalidReplayCursorError';

  constructor(reason: string, options?: ErrorOptions) {
    super(
      'invalid_cursor',
      `invalid cursor: ${reason}; pass back nextCursor unchanged with the same route, status, since, until and dryRun`,
      options,
    );
  }
}
