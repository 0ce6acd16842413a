/**
 * `GET /_hookline/stats?route=R&since=T&until=T&by=eventType`: per route, received, processed,
 * failed, success rate, processing and end-to-end times over a window (docs/architecture.md,
 * "Statistics"), from the gateway's `StatsSource`: CloudWatch deployed, the local stack's
 * collector locally. Answers the `StatsReport` contract as it is.
 */
import { HttpError } from '../http/errors.js';
import { jsonResponse } from '../http/response.js';
import type { StatsSource } from '../metrics/stats.js';
import type { Endpoint } from './endpoint.js';
import { type AdminErrorCode, invalidField } from './errors.js';
import { optionalString, timeRange } from './request.js';
import { type RouteLookupTarget, requireRouteTarget } from './routes.js';

/** What the stats endpoint reads. */
interface StatsDependencies {
  readonly targets: readonly RouteLookupTarget[];
  /** @default - none: the endpoint answers 501 `stats_unavailable` */
  readonly stats?: StatsSource;
}

/** The window when `since` is not given: the last 24 hours. */
export const DEFAULT_STATS_WINDOW_MS = 86_400_000;
/** The only grouping `by` takes. */
const BY_EVENT_TYPE = 'eventType';

export function statsEndpoint(deps: StatsDependencies): { readonly stats: Endpoint } {
  const stats: Endpoint = {
    unavailable: 'metrics_unavailable',
    async handle({ query, now }) {
      const name = optionalString(query, 'route');
      const targets = name === undefined ? deps.targets : [requireRouteTarget(deps.targets, name)];
      const by = optionalString(query, 'by');
      if (by !== undefined && by !== BY_EVENT_TYPE) throw invalidField('by', `must be ${BY_EVENT_TYPE}`);
      const range = timeRange(query, now);
      const until = range.until ?? now;
      const since = range.since ?? new Date(until.getTime() - DEFAULT_STATS_WINDOW_MS);
      if (since.getTime() >= until.getTime()) {
        throw invalidField('since', `must be earlier than until (${until.toISOString()})`);
      }
      if (deps.stats === undefined) {
        throw new HttpError<AdminErrorCode>(501, 'stats_unavailable', 'this gateway keeps no statistics');
      }
      const report = await deps.stats.stats({
        since,
        until,
        byEventType: by !== undefined,
        routes: targets.map(({ route }) => ({
          path: route.path,
          ...(route.metrics?.eventTypes !== undefined && { eventTypes: route.metrics.eventTypes }),
        })),
      });
      return jsonResponse(200, report);
    },
  };
  return { stats };
}
