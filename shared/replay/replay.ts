/**
 * Replay: re-delivers stored events as new events linked to the originals. A replay gets a new id
 * and `receivedAt`, the original's request (same raw body, inline or by reference) and verdict,
 * and `replayOf`; it is recorded, queued and linked like an ingress event (`single.ts`). A bulk
 * replay re-delivers oldest first and runs in pages bounded by a time budget, each returning a
 * cursor for the next (`bulk.ts`).
 */
import { normalizePath } from '../config/queue-name.js';
import { newEventId } from '../ids.js';
import { replayMany } from './bulk.js';
import { replayEvent } from './single.js';
import type { ReplayContext, Replayer, ReplayerDependencies } from './types.js';

/**
 * A replayer over the event store and the queues of `deps.targets`: single replays for the admin
 * API's `POST /_hookline/replay {id}`, paged bulk replays for `{route, ...}`.
 */
export function createReplayer(deps: ReplayerDependencies): Replayer {
  const targets = new Map(deps.targets.map((target) => [normalizePath(target.route.path), target]));
  const context: ReplayContext = {
    deps,
    now: deps.now ?? (() => new Date()),
    newId: deps.newId ?? ((now, route) => newEventId(now, route)),
    sleep: deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    targetOf: (route) => targets.get(normalizePath(route)),
  };
  return {
    replayEvent: (id) => replayEvent(context, id),
    replayMany: (query, onProgress) => replayMany(context, query, onProgress),
  };
}
