/**
 * The bounds of a bulk replay, shared by the replayer (which enforces them), the admin API and the
 * CLI (which check flags against them). No imports, so the CLI loads nothing of the server.
 */

/** Replays sent per second when a run names no rate. */
export const DEFAULT_REPLAY_RATE_PER_SECOND = 10;
/** Most replays a run may send per second. */
export const MAX_REPLAY_RATE_PER_SECOND = 500;
/** Events a run matches at most when it names no limit. */
export const DEFAULT_BULK_REPLAY_LIMIT = 10_000;
/** Most events one run may match. */
export const MAX_BULK_REPLAY_LIMIT = 100_000;
/** How long a page runs when the caller names no budget, in milliseconds. */
export const DEFAULT_REPLAY_BUDGET_MS = 20_000;
/** Leaves room for the request around a page within API Gateway's 30 s integration timeout. */
export const MAX_REPLAY_BUDGET_MS = 25_000;
