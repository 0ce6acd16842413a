/**
 * `GET /_hookline/routes`: every route's queue depths, oldest message ages, consumer circuit and
 * (`counts=1`) events by status.
 */
import { GetQueueAttributesCommand, type QueueAttributeName, type SQSClient } from '@aws-sdk/client-sqs';
import type { RouteCircuit, RouteConsumers } from '../circuit/route-consumers.js';
import { errorMessage } from '../errors.js';
import type { EventHistory } from '../event-store/history.js';
import type { EventStatus } from '../event-store/types.js';
import { jsonResponse } from '../http/response.js';
import type { Log } from '../logger.js';
import type { Endpoint } from './endpoint.js';
import { toAdminHttpError } from './errors.js';
import type { QueueAgeSource } from './queue-age.js';
import { optionalBoolean } from './request.js';
import { deployedQueueName, type RouteLookupTarget } from './routes.js';

/** A route with the URLs of its queue and DLQ and its queue's ARN (its consumer's key). */
interface StatusTarget extends RouteLookupTarget {
  readonly queueArn: string;
  readonly dlqUrl: string;
}

/** What the route status endpoint reads. */
interface RouteStatusDependencies {
  readonly targets: readonly StatusTarget[];
  readonly history: Pick<EventHistory, 'countByStatus'>;
  readonly sqs: Pick<SQSClient, 'send'>;
  /** @default - no source: routes are reported without ages */
  readonly queueAges?: QueueAgeSource;
  /** @default - none: routes are reported without `circuit` */
  readonly consumers?: Pick<RouteConsumers, 'circuit'>;
  readonly log: Log;
}

/** One route's queue status. */
export interface RouteStatus {
  /** The route path, e.g. `/order/status/`. */
  readonly route: string;
  readonly queueName: string;
  /** Messages waiting to be received (SQS `ApproximateNumberOfMessages`). */
  readonly queued: number;
  /** Messages received and not yet deleted or back (`ApproximateNumberOfMessagesNotVisible`). */
  readonly inFlight: number;
  /** Messages sent with a delay that has not passed (`ApproximateNumberOfMessagesDelayed`). */
  readonly delayed: number;
  /** Messages in the route's DLQ. */
  readonly dlqDepth: number;
  /**
   * Age in seconds of the queue's oldest message: the latest minute's maximum of the CloudWatch metric
   * `AWS/SQS ApproximateAgeOfOldestMessage` (SQS has no such queue attribute), so a few minutes
   * behind the depths. Present in AWS; absent locally (no CloudWatch), when CloudWatch has no recent
   * datapoint for the queue, or when CloudWatch could not be read. Never worked out by peeking at messages.
   */
  readonly oldestMessageAgeSeconds?: number;
  /** The same for the route's DLQ: how long its oldest dead letter has waited. */
  readonly dlqOldestMessageAgeSeconds?: number;
  /** Events by status received in the last 24 hours (with `counts=1`). */
  readonly counts?: Record<EventStatus, number>;
  /**
   * The route consumer's circuit: its breaker's state for a route with a `circuitBreaker`, or
   * `paused` while an operator paused it. Absent for a route without a breaker that is not paused,
   * and when the circuit could not be read.
   */
  readonly circuit?: RouteCircuit;
}

const DAY_MS = 86_400_000;

export function routeStatusEndpoint(deps: RouteStatusDependencies): { readonly routeStatus: Endpoint } {
  /**
   * Every route queue's and DLQ's oldest message age, in one request to the source. A failure leaves
   * the ages out (depths matter more) and is logged as a warning, not answered as an error.
   */
  async function oldestMessageAges(): Promise<ReadonlyMap<string, number>> {
    if (deps.queueAges === undefined) return new Map();
    const names = deps.targets.flatMap((target) => [
      deployedQueueName(target.queueUrl),
      deployedQueueName(target.dlqUrl),
    ]);
    try {
      return await deps.queueAges.oldestMessageAges(names);
    } catch (error: unknown) {
      deps.log.warn('queue ages unavailable', { error: errorMessage(error) });
      return new Map();
    }
  }

  const routeStatus: Endpoint = {
    unavailable: 'queue_unavailable',
    async handle({ query, now }) {
      const withCounts = optionalBoolean(query, 'counts') ?? false;
      const ages = oldestMessageAges(); // never rejects: asked alongside the depths
      const statuses = await Promise.all(
        deps.targets.map(async (target) => {
          const circuit = circuitOf(target); // never rejects either
          return {
            ...(await queueStatus(deps, target, withCounts ? now : undefined)),
            ...queueAgesOf(target, await ages),
            ...(await circuit),
          };
        }),
      );
      return jsonResponse(200, { routes: statuses });
    },
  };

  /**
   * The target's circuit, as a `RouteStatus` field, when its consumer has one. A failed read leaves
   * it out and is logged as a warning, like the ages.
   */
  async function circuitOf(target: StatusTarget): Promise<Pick<RouteStatus, 'circuit'>> {
    if (deps.consumers === undefined) return {};
    try {
      const circuit = await deps.consumers.circuit(target);
      return circuit === undefined ? {} : { circuit };
    } catch (error: unknown) {
      deps.log.warn('circuit unavailable', { route: target.route.path, error: errorMessage(error) });
      return {};
    }
  }

  return { routeStatus };
}

/** The target's depths (and with `countsAt`, its last 24 hours' events by status). */
async function queueStatus(
  deps: Pick<RouteStatusDependencies, 'history' | 'sqs'>,
  target: StatusTarget,
  countsAt?: Date,
): Promise<RouteStatus> {
  const [queue, dlq, counts] = await Promise.all([
    queueAttributes(deps.sqs, target.queueUrl, ['All']),
    queueAttributes(deps.sqs, target.dlqUrl, ['ApproximateNumberOfMessages']),
    countsAt === undefined
      ? undefined
      : deps.history
          .countByStatus(target.route.path, { since: new Date(countsAt.getTime() - DAY_MS) })
          .catch((error: unknown) => {
            throw toAdminHttpError(error, 'store_unavailable');
          }),
  ]);
  return {
    route: target.route.path,
    queueName: target.route.queueName,
    queued: count(queue.ApproximateNumberOfMessages),
    inFlight: count(queue.ApproximateNumberOfMessagesNotVisible),
    delayed: count(queue.ApproximateNumberOfMessagesDelayed),
    dlqDepth: count(dlq.ApproximateNumberOfMessages),
    ...(counts !== undefined && { counts }),
  };
}

/** The ages `ages` holds for the target's queue and DLQ, as `RouteStatus` fields. */
function queueAgesOf(
  target: StatusTarget,
  ages: ReadonlyMap<string, number>,
): Pick<RouteStatus, 'oldestMessageAgeSeconds' | 'dlqOldestMessageAgeSeconds'> {
  const oldest = ages.get(deployedQueueName(target.queueUrl));
  const dlqOldest = ages.get(deployedQueueName(target.dlqUrl));
  return {
    ...(oldest !== undefined && { oldestMessageAgeSeconds: oldest }),
    ...(dlqOldest !== undefined && { dlqOldestMessageAgeSeconds: dlqOldest }),
  };
}

async function queueAttributes(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
  names: QueueAttributeName[],
): Promise<Record<string, string>> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: names }),
  );
  return Attributes;
}

function count(value: string | undefined): number {
  const number = Number(value ?? 0);
  return Number.isFinite(number) ? number : 0;
}
