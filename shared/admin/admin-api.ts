/**
 * The admin HTTP API under `/_hookline` (events, replay, queue status, DLQ): what the CLI talks to.
 * Deployed it is its own Lambda behind IAM-authorized routes; locally the dev stack mounts it on
 * its HTTP server for loopback callers only. Every answer is JSON; failures are
 * `{ "error": { "code", "message" } }`, with 503 for outages the caller may retry.
 */
import { GetQueueAttributesCommand, type QueueAttributeName, type SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { BodyStore } from '../body-store/body-store.js';
import { BodyStoreError } from '../body-store/errors.js';
import type { ResolvedRoute } from '../config/types.js';
import {
  DEFAULT_DLQ_LIST_MAX,
  listDlqMessages,
  MAX_DLQ_LIST,
  MAX_REDRIVE_RATE_PER_SECOND,
  redriveTasks,
  startRedrive,
} from '../dlq/dlq.js';
import { encodeBody } from '../envelope.js';
import { type EventDetail, type EventHistory, MAX_LIST_LIMIT } from '../event-store/history.js';
import type { EventStatus } from '../event-store/types.js';
import { jsonResponse } from '../ingress/http.js';
import { type Log, silentLog } from '../logger.js';
import {
  InvalidReplayCursorError,
  MAX_BULK_REPLAY_LIMIT,
  MAX_REPLAY_BUDGET_MS,
  MAX_REPLAY_RATE_PER_SECOND,
  type Replayer,
} from '../replay/replay.js';
import { AdminHttpError, invalidField, toAdminHttpError, type UnavailableCode } from './errors.js';
import { ADMIN_PATH_PREFIX, eventPath, isAdminPath } from './paths.js';
import type { QueueAgeSource } from './queue-age.js';
import {
  type Fields,
  includes,
  jsonBody,
  optionalBoolean,
  optionalInteger,
  optionalStatus,
  optionalString,
  queryFields,
  requiredString,
  timeRange,
} from './request.js';
import { deployedQueueName, requireRouteTarget } from './routes.js';

export { ADMIN_PATH_PREFIX, eventPath, isAdminPath } from './paths.js';

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
   * Origin of the links in answers (`statusUrl`), e.g. `http://127.0.0.1:3000`.
   * @default `https://` + the request's domain name
   */
  readonly publicUrl?: string;
  readonly log?: Log;
  readonly now?: () => Date;
}

export type AdminApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** An event as the API shows it: no body unless asked for, plus links to related events. */
export type EventView = Omit<EventDetail, 'body' | 'bodyBase64'> & {
  body?: string;
  bodyBase64?: string;
  /** Set when `include=body` was asked for but the body cannot be shown (the event itself can). */
  bodyError?: { code: 'body_missing' | 'body_store_not_configured' | 'body_too_large'; message: string };
  links: { self: string; replayOf?: string; replays: string[] };
};

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
}

const DAY_MS = 86_400_000;
/**
 * Largest body `include=body` returns: base64 makes 4 MiB into 5.3 MB, still under the 6 MB a Lambda
 * response can carry. Larger bodies are named, not sent.
 */
export const MAX_SHOWN_BODY_BYTES = 4 * 1024 * 1024;

interface AdminRequest {
  readonly event: APIGatewayProxyEventV2;
  readonly query: Fields;
  readonly now: Date;
  /** Path segments after the prefix, decoded. */
  readonly segments: readonly string[];
}

interface Endpoint {
  readonly method: string;
  /** Also the 503 code for an AWS failure nothing more specific explains. */
  readonly unavailable: UnavailableCode;
  handle(request: AdminRequest): Promise<APIGatewayProxyStructuredResultV2>;
}

/** The admin API as one API Gateway (payload 2.0) handler. */
export function createAdminApi(deps: AdminDependencies): AdminApiHandler {
  const log = deps.log ?? silentLog;
  const now = deps.now ?? (() => new Date());

  const origin = (event: APIGatewayProxyEventV2) =>
    deps.publicUrl ?? `https://${event.requestContext.domainName}`;

  const getEvent: Endpoint = {
    method: 'GET',
    unavailable: 'store_unavailable',
    async handle({ query, segments }) {
      const id = segments[1] ?? '';
      const withBody = includes(query, ['body']).has('body');
      const detail = await deps.history.getEvent(id);
      if (detail === undefined) throw new AdminHttpError(404, 'event_not_found', `event ${id} not found`);
      return jsonResponse(200, { event: await eventView(detail, withBody) });
    },
  };

  const listEvents: Endpoint = {
    method: 'GET',
    unavailable: 'store_unavailable',
    async handle({ query, now }) {
      const target = requireRouteTarget(deps.targets, requiredString(query, 'route'));
      const status = optionalStatus(query, 'status');
      const limit = optionalInteger(query, 'limit', 1, MAX_LIST_LIMIT);
      const cursor = optionalString(query, 'cursor');
      const page = await deps.history.listEvents({
        route: target.route.path,
        ...timeRange(query, now),
        ...(status !== undefined && { status }),
        ...(limit !== undefined && { limit }),
        ...(cursor !== undefined && { cursor }),
      });
      return jsonResponse(200, {
        events: page.events,
        ...(page.nextCursor !== undefined && { nextCursor: page.nextCursor }),
      });
    },
  };

  const replay: Endpoint = {
    method: 'POST',
    unavailable: 'store_unavailable',
    async handle({ event, now }) {
      const body = jsonBody(event);
      const id = optionalString(body, 'id');
      const routeName = optionalString(body, 'route');
      if (id !== undefined && routeName !== undefined) {
        throw invalidField('id', 'give either id (one event) or route (bulk), not both');
      }
      if (id !== undefined) {
        const result = await deps.replayer.replayEvent(id);
        const statusUrl = `${origin(event)}${eventPath(result.id)}`;
        return jsonResponse(202, { replay: { ...result, statusUrl } });
      }
      if (routeName === undefined) throw invalidField('id', 'id (one event) or route (bulk) is required');
      const target = requireRouteTarget(deps.targets, routeName);
      const status = optionalStatus(body, 'status');
      const dryRun = optionalBoolean(body, 'dryRun') ?? false;
      const ratePerSecond = optionalInteger(body, 'ratePerSecond', 1, MAX_REPLAY_RATE_PER_SECOND);
      const limit = optionalInteger(body, 'limit', 1, MAX_BULK_REPLAY_LIMIT);
      const cursor = optionalString(body, 'cursor');
      const budgetMs = optionalInteger(body, 'budgetMs', 1, MAX_REPLAY_BUDGET_MS);
      try {
        const report = await deps.replayer.replayMany({
          route: target.route.path,
          ...timeRange(body, now),
          ...(status !== undefined && { status }),
          dryRun,
          ...(ratePerSecond !== undefined && { ratePerSecond }),
          ...(limit !== undefined && { limit }),
          ...(cursor !== undefined && { cursor }),
          ...(budgetMs !== undefined && { budgetMs }),
        });
        return jsonResponse(dryRun ? 200 : 202, { report });
      } catch (error: unknown) {
        if (error instanceof InvalidReplayCursorError) throw invalidField('cursor', error.message);
        throw error;
      }
    },
  };

  const routes: Endpoint = {
    method: 'GET',
    unavailable: 'queue_unavailable',
    async handle({ query, now }) {
      const withCounts = optionalBoolean(query, 'counts') ?? false;
      const ages = oldestMessageAges(); // never rejects: asked alongside the depths
      const statuses = await Promise.all(
        deps.targets.map(async (target) => ({
          ...(await routeStatus(deps, target, withCounts ? now : undefined)),
          ...queueAgesOf(target, await ages),
        })),
      );
      return jsonResponse(200, { routes: statuses });
    },
  };

  const dlqList: Endpoint = {
    method: 'GET',
    unavailable: 'queue_unavailable',
    async handle({ query, segments }) {
      const target = requireRouteTarget(deps.targets, segments[1] ?? '');
      const max = optionalInteger(query, 'max', 1, MAX_DLQ_LIST) ?? DEFAULT_DLQ_LIST_MAX;
      const messages = await listDlqMessages({ sqs: deps.sqs, events: deps.history, log }, target.dlqUrl, {
        max,
      });
      return jsonResponse(200, { route: target.route.path, messages });
    },
  };

  const redriveStart: Endpoint = {
    method: 'POST',
    unavailable: 'queue_unavailable',
    async handle({ event, segments }) {
      const target = requireRouteTarget(deps.targets, segments[1] ?? '');
      const ratePerSecond = optionalInteger(jsonBody(event), 'ratePerSecond', 1, MAX_REDRIVE_RATE_PER_SECOND);
      const { taskHandle } = await startRedrive(deps.sqs, {
        dlqArn: target.dlqArn,
        sourceArn: target.queueArn,
        ...(ratePerSecond !== undefined && { ratePerSecond }),
      });
      log.info('dlq redrive started', { route: target.route.path, ratePerSecond });
      return jsonResponse(202, { route: target.route.path, taskHandle });
    },
  };

  const redriveList: Endpoint = {
    method: 'GET',
    unavailable: 'queue_unavailable',
    async handle({ segments }) {
      const target = requireRouteTarget(deps.targets, segments[1] ?? '');
      return jsonResponse(200, {
        route: target.route.path,
        tasks: await redriveTasks(deps.sqs, target.dlqArn),
      });
    },
  };

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
      log.warn('queue ages unavailable', { error: errorMessage(error) });
      return new Map();
    }
  }

  /** The endpoints of a path, by method; undefined when no endpoint has that path. */
  function endpointsFor(segments: readonly string[]): readonly Endpoint[] | undefined {
    const [resource, , action] = segments;
    if (resource === 'events' && segments.length === 1) return [listEvents];
    if (resource === 'events' && segments.length === 2) return [getEvent];
    if (resource === 'replay' && segments.length === 1) return [replay];
    if (resource === 'routes' && segments.length === 1) return [routes];
    if (resource === 'dlq' && segments.length === 2) return [dlqList];
    if (resource === 'dlq' && segments.length === 3 && action === 'redrive')
      return [redriveList, redriveStart];
    return undefined;
  }

  async function eventView(detail: EventDetail, withBody: boolean): Promise<EventView> {
    const { body, bodyBase64, ...rest } = detail;
    const links = {
      self: eventPath(detail.id),
      ...(detail.replayOf !== undefined && { replayOf: eventPath(detail.replayOf) }),
      replays: (detail.replays ?? []).map(eventPath),
    };
    if (!withBody) return { ...rest, links };
    if (detail.bodyRef === undefined) {
      return {
        ...rest,
        ...(body !== undefined && { body }),
        ...(bodyBase64 !== undefined && { bodyBase64 }),
        links,
      };
    }
    if (detail.bodyRef.size > MAX_SHOWN_BODY_BYTES) {
      const { store, bucket, key, size } = detail.bodyRef;
      const where = store === 's3' ? `s3://${bucket}/${key}` : `the local body store under ${key}`;
      const message = `the body is ${size} bytes, more than the ${MAX_SHOWN_BODY_BYTES} an answer can carry; read it from ${where}`;
      return { ...rest, bodyError: { code: 'body_too_large', message }, links };
    }
    if (deps.bodyStore === undefined) {
      const message = 'the body is kept in a body store this API is not configured with';
      return { ...rest, bodyError: { code: 'body_store_not_configured', message }, links };
    }
    try {
      return { ...rest, ...encodeBody(await deps.bodyStore.get(detail.bodyRef)), links };
    } catch (error: unknown) {
      if (isBodyMissing(error)) {
        return { ...rest, bodyError: { code: 'body_missing', message: errorMessage(error) }, links };
      }
      throw error;
    }
  }

  return async (event) => {
    const method = event.requestContext.http.method.toUpperCase();
    let endpoint: Endpoint | undefined;
    try {
      const segments = adminSegments(event.rawPath);
      const endpoints = endpointsFor(segments);
      if (endpoints === undefined) {
        throw new AdminHttpError(404, 'not_found', `no admin endpoint at ${event.rawPath}`);
      }
      endpoint = endpoints.find((candidate) => candidate.method === method);
      if (endpoint === undefined) {
        const allow = endpoints.map((candidate) => candidate.method).join(', ');
        throw new AdminHttpError(405, 'method_not_allowed', `${method} is not allowed on ${event.rawPath}`, {
          allow,
        });
      }
      return await endpoint.handle({ event, query: queryFields(event), now: now(), segments });
    } catch (error: unknown) {
      const failure = toAdminHttpError(error, endpoint?.unavailable ?? 'store_unavailable');
      if (failure.status >= 500) {
        log.error('admin request failed', {
          method,
          path: event.rawPath,
          code: failure.code,
          error: errorMessage(error),
        });
      }
      return jsonResponse(
        failure.status,
        { error: { code: failure.code, message: failure.message } },
        failure.headers,
      );
    }
  };
}

/**
 * The decoded segments after `/_hookline`. A DLQ route given as a path (`%2Forder%2Fstatus%2F`) is
 * one segment; if a proxy already decoded its slashes, everything between `dlq/` and an optional
 * trailing `/redrive` is still taken as the route.
 */
function adminSegments(rawPath: string): string[] {
  if (!isAdminPath(rawPath)) return [];
  let rest = rawPath.slice(ADMIN_PATH_PREFIX.length + 1);
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  if (rest.startsWith('dlq/')) {
    const route = rest.slice('dlq/'.length);
    return route.endsWith('/redrive')
      ? ['dlq', decodeSegment(route.slice(0, -'/redrive'.length)), 'redrive']
      : ['dlq', decodeSegment(route)];
  }
  return rest.split('/').map(decodeSegment);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalidField('path', `"${segment}" is not a valid URL-encoded segment`);
  }
}

async function routeStatus(
  deps: AdminDependencies,
  target: AdminRouteTarget,
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
  target: AdminRouteTarget,
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

function isBodyMissing(error: unknown): boolean {
  return error instanceof BodyStoreError && error.code === 'body_missing';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
