/**
 * The admin HTTP API under `/_hookline` (events, replay, queue status, pausing and resuming route
 * consumers, DLQ, statistics): what the CLI talks to.
 * Deployed it is its own Lambda behind IAM-authorized routes; locally the dev stack mounts it on
 * its HTTP server for loopback callers only. Every answer is JSON; failures are
 * `{ "error": { "code", "message" } }`, with 503 for outages the caller may retry.
 *
 * This module wires the endpoint groups into the route table and answers for all of them; each
 * group's handlers live in their own module (`event-endpoints.ts`, `replay-endpoint.ts`,
 * `route-status-endpoint.ts`, `route-consumer-endpoints.ts`, `dlq-endpoints.ts`, `stats-endpoint.ts`).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { BodyStore } from '../body-store/body-store.js';
import type { RouteConsumers } from '../circuit/route-consumers.js';
import type { ResolvedRoute } from '../config/types.js';
import { errorMessage } from '../errors.js';
import type { EventHistory } from '../event-store/history.js';
import { HttpError } from '../http/errors.js';
import { errorResponse } from '../http/response.js';
import { type Log, silentLog } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { StatsSource } from '../metrics/stats.js';
import type { Replayer } from '../replay/types.js';
import { dlqEndpoints } from './dlq-endpoints.js';
import { toAdminHttpError } from './errors.js';
import { eventEndpoints } from './event-endpoints.js';
import type { QueueAgeSource } from './queue-age.js';
import { replayEndpoint } from './replay-endpoint.js';
import { queryFields } from './request.js';
import { routeConsumerEndpoints } from './route-consumer-endpoints.js';
import { routeStatusEndpoint } from './route-status-endpoint.js';
import { type AdminRoute, adminRouteTable, findRoute } from './route-table.js';
import { statsEndpoint } from './stats-endpoint.js';

/** A configured route with its queue and DLQ. */
export interface AdminRouteTarget {
  readonly route: ResolvedRoute;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

export interface AdminDependencies {
  readonly targets: readonly AdminRouteTarget[];
  readonly history: EventHistory;
  readonly replayer: Replayer;
  readonly sqs: Pick<SQSClient, 'send'>;
  /** Reads bodies kept outside the event record (`bodyRef`) for `include=body`. */
  readonly bodyStore?: Pick<BodyStore, 'get'>;
  /**
   * Ages of the queues' oldest messages for `GET /_hookline/routes` (CloudWatch in AWS). When it
   * fails, routes are still reported, without ages, and a warning is logged.
   * @default - no source: routes are reported without ages (the local stack has no CloudWatch)
   */
  readonly queueAges?: QueueAgeSource;
  /**
   * Where `GET /_hookline/stats` reads its statistics: CloudWatch deployed, the local stack's
   * metrics collector locally. A failure is a 503 `metrics_unavailable`.
   * @default - none: the endpoint answers 501 `stats_unavailable`
   */
  readonly stats?: StatsSource;
  /**
   * The routes' consumers: each one's `circuit` in `GET /_hookline/routes` (a failed read leaves it
   * out, with a warning), and `POST /_hookline/routes/{route}/pause|resume` (a failure is a 503
   * `consumer_unavailable`). Deployed, the circuit items and event source mappings; locally, the
   * pollers.
   * @default - none: routes are reported without `circuit`, pause and resume answer 501 `pause_unsupported`
   */
  readonly consumers?: RouteConsumers;
  /**
   * Origin of the links in answers (`statusUrl`), e.g. `http://127.0.0.1:3000`.
   * @default `https://` + the request's domain name
   */
  readonly publicUrl?: string;
  readonly log?: Log;
  /** Where DLQ redrives report `Redriven` (replays report through the replayer's own). @default silent */
  readonly metrics?: Metrics;
  readonly now?: () => Date;
}

export type AdminApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** The admin API as one API Gateway (payload 2.0) handler. */
export function createAdminApi(deps: AdminDependencies): AdminApiHandler {
  const log = deps.log ?? silentLog;
  const now = deps.now ?? (() => new Date());
  const table = adminRouteTable({
    ...eventEndpoints(deps),
    ...replayEndpoint(deps),
    ...routeStatusEndpoint({ ...deps, log }),
    ...routeConsumerEndpoints(deps),
    ...dlqEndpoints({ ...deps, log }),
    ...statsEndpoint(deps),
  });

  return async (event) => {
    const method = event.requestContext.http.method.toUpperCase();
    let route: AdminRoute | undefined;
    try {
      const match = findRoute(table, method, event.rawPath);
      route = match.route;
      return await route.handle({ event, query: queryFields(event), now: now(), params: match.params });
    } catch (error: unknown) {
      const failure = toAdminHttpError(error, route?.unavailable ?? 'store_unavailable');
      if (failure.status >= 500) {
        log.error('admin request failed', {
          method,
          path: event.rawPath,
          code: failure.code,
          // A 503 answered for an AWS failure wraps it: the log shows what failed.
          error: errorMessage(error instanceof HttpError && error.cause !== undefined ? error.cause : error),
        });
      }
      return errorResponse(failure);
    }
  };
}
