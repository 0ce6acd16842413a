/**
 * `GET /_hookline/dlq/{route}` (the DLQ's messages, none consumed), `POST /_hookline/dlq/{route}/redrive`
 * (start moving them back to the route queue) and `GET /_hookline/dlq/{route}/redrive` (its move tasks).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  DEFAULT_DLQ_LIST_MAX,
  type DlqDependencies,
  listDlqMessages,
  MAX_DLQ_LIST,
  MAX_REDRIVE_RATE_PER_SECOND,
  redriveTasks,
  startRedrive,
} from '../dlq/dlq.js';
import { jsonResponse } from '../http/response.js';
import type { Log } from '../logger.js';
import { type Metrics, silentMetrics } from '../metrics/metrics.js';
import type { AdminRequest, Endpoint } from './endpoint.js';
import { jsonBody, optionalInteger } from './request.js';
import { type RouteLookupTarget, requireRouteTarget } from './routes.js';

/** A route with its queue's ARN and its DLQ's URL and ARN. */
interface DlqTarget extends RouteLookupTarget {
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

/** What the DLQ endpoints use. */
interface DlqEndpointDependencies {
  readonly targets: readonly DlqTarget[];
  readonly history: DlqDependencies['events'];
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly log: Log;
  readonly metrics?: Metrics;
}

export function dlqEndpoints(deps: DlqEndpointDependencies): {
  readonly listDlq: Endpoint;
  readonly redriveStart: Endpoint;
  readonly redriveStatus: Endpoint;
} {
  /** The target the path's `{route}` names (404 `route_not_found` for none). */
  const targetOf = ({ params }: AdminRequest) => requireRouteTarget(deps.targets, params.route ?? '');

  const listDlq: Endpoint = {
    unavailable: 'queue_unavailable',
    async handle(request) {
      const target = targetOf(request);
      const max = optionalInteger(request.query, 'max', 1, MAX_DLQ_LIST) ?? DEFAULT_DLQ_LIST_MAX;
      const messages = await listDlqMessages(
        { sqs: deps.sqs, events: deps.history, log: deps.log },
        target.dlqUrl,
        { max },
      );
      return jsonResponse(200, { route: target.route.path, messages });
    },
  };

  const redriveStart: Endpoint = {
    unavailable: 'queue_unavailable',
    async handle(request) {
      const target = targetOf(request);
      const ratePerSecond = optionalInteger(
        jsonBody(request.event),
        'ratePerSecond',
        1,
        MAX_REDRIVE_RATE_PER_SECOND,
      );
      const { taskHandle } = await startRedrive(
        deps.sqs,
        {
          dlqArn: target.dlqArn,
          sourceArn: target.queueArn,
          ...(ratePerSecond !== undefined && { ratePerSecond }),
        },
        { metrics: deps.metrics ?? silentMetrics, route: target.route.path },
      );
      deps.log.info('dlq redrive started', { route: target.route.path, ratePerSecond });
      return jsonResponse(202, { route: target.route.path, taskHandle });
    },
  };

  const redriveStatus: Endpoint = {
    unavailable: 'queue_unavailable',
    async handle(request) {
      const target = targetOf(request);
      return jsonResponse(200, {
        route: target.route.path,
        tasks: await redriveTasks(deps.sqs, target.dlqArn),
      });
    },
  };

  return { listDlq, redriveStart, redriveStatus };
}
