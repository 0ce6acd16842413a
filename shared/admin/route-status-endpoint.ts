/** `GET /_hookline/routes`: every route's queue depths, oldest message ages and (`counts=1`) events by status. */
import { GetQueueAttributesCommand, type QueueAttributeName, type SQSClient } from '@aws-sdk/client-sqs';
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

/** A route with the URLs of its queue and DLQ. */
interface StatusTarget extends RouteLookupTarget {
  readonly dlqUrl: string;
}

/**
 * A route consumer's circuit breaker, as the consumers outside Lambda (the local stack's pollers)
 * keep it (`shared/worker/circuit-breaker.ts`).
 */
export interface RouteCircuit {
  readonly state: 'closed' | 'open' | 'half-open';
  /** Failed handler attempts in a row. */
  readonly failures: number;
  /** The cool-down in force (doubled after each failed probe). */
  readonly coolDownSeconds: number;
  /** When the circuit last opened (ISO 8601), while it is not closed. */
  readonly openedAt?: string;
  /** When the open circuit becomes half-open (ISO 8601), while it is open. */
  readonly halfOpensAt?: string;
}

/** Where a route's circuit state is read: the route path → its circuit, undefined for none. */
export type RouteCircuitSource = (route: string) => RouteCircuit | undefined;

/** What the route status endpoint reads. */
interface RouteStatusDependencies {
  readonly targets: readonly StatusTarget[];
  readonly history: Pick<EventHistory, 'countByStatus'>;
  readonly sqs: Pick<SQSClient, 'send'>;
  /** @default - no source: routes are reported without ages */
  readonly queueAges?: QueueAgeSource;
  /** @default - none: routes are reported without `circuit` (deployed, until the breaker is there) */
  readonly circuits?: RouteCircuitSource;
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
   * The route's circuit breaker, for a route with a `circuitBreaker` whose consumer reports it: the
   * local stack's poller. Absent deployed (for now) and for routes without a breaker.
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
        deps.targets.map(async (target) => ({
          ...(await queueStatus(deps, target, withCounts ? now : undefined)),
          ...queueAgesOf(target, await ages),
          ...circuitOf(deps.circuits, target),
        })),
      );
      return jsonResponse(200, { routes: statuses });
    },
  };

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

/** The target's circuit, as a `RouteStatus` field, when the source has one. */
function circuitOf(
  circuits: RouteCircuitSource | undefined,
  target: StatusTarget,
): Pick<RouteStatus, 'circuit'> {
  const circuit = circuits?.(target.route.path);
  return circuit === undefined ? {} : { circuit };
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
