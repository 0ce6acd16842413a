import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { normalizePath } from '../config/queue-name.js';
import type { ResolvedRoute, VerifyConfig } from '../config/types.js';
import { type Envelope, encodeBody, serializeEnvelope, storableHeaders } from '../envelope.js';
import { InvalidTransitionError } from '../event-store/errors.js';
import type { EventStore } from '../event-store/event-store.js';
import type { EventRecord, NewEventRecord } from '../event-store/types.js';
import { newEventId } from '../ids.js';
import { type Log, silentLog } from '../logger.js';
import { INLINE_BODY_LIMIT_BYTES } from '../resources.js';
import type { SecretResolver } from '../secrets/resolver.js';
import { verifyRequest } from '../verify/index.js';
import type { VerificationSuccess } from '../verify/types.js';
import { dedupeKey } from './dedupe.js';
import { compileFilters, compileSourceIpCheck } from './filters.js';
import {
  errorResponse,
  type IncomingRequest,
  IngressHttpError,
  jsonResponse,
  toIncomingRequest,
} from './http.js';
import { parsePayload } from './payload.js';

/** A route served by this ingress and the queue its events go to. */
export interface IngressTarget {
  readonly route: ResolvedRoute;
  readonly queueUrl: string;
}

export interface QueueSender {
  send(queueUrl: string, body: string): Promise<void>;
}

export interface IngressDependencies {
  readonly targets: readonly IngressTarget[];
  readonly store: Pick<EventStore, 'claimDedupeKey' | 'putReceived' | 'getEvent' | 'markQueued'>;
  readonly queue: QueueSender;
  readonly secrets: SecretResolver;
  readonly log?: Log;
  readonly now?: () => Date;
  readonly newId?: (now: Date) => string;
}

export type IngressHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

interface CompiledTarget extends IngressTarget {
  readonly passesFilters: ReturnType<typeof compileFilters>;
  readonly sourceIpAllowed: ReturnType<typeof compileSourceIpCheck>;
}

/**
 * The ingress behaviour (DESIGN §2 step 2): match, verify, dedupe, record, enqueue. One instance per
 * Lambda container (one route deployed, every route locally); filters are compiled once here.
 */
export function createIngress(deps: IngressDependencies): IngressHandler {
  const log = deps.log ?? silentLog;
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? newEventId;
  const targets = new Map<string, CompiledTarget>(
    deps.targets.map((target) => [
      normalizePath(target.route.path),
      {
        ...target,
        passesFilters: compileFilters(target.route.filters),
        sourceIpAllowed: compileSourceIpCheck(target.route.allowedSourceIps),
      },
    ]),
  );

  async function accept(request: IncomingRequest): Promise<APIGatewayProxyStructuredResultV2> {
    const target = targets.get(normalizePath(request.path));
    if (target === undefined || !target.route.enabled) {
      throw new IngressHttpError(404, 'route_not_found', `no webhook route at ${request.path}`);
    }
    const { route } = target;
    if (!target.sourceIpAllowed(request.sourceIp)) {
      throw new IngressHttpError(403, 'source_ip_not_allowed', 'requests from this address are not accepted');
    }
    if (!route.methods.includes(request.method)) {
      throw new IngressHttpError(
        405,
        'method_not_allowed',
        `${request.method} is not allowed on ${route.path}`,
        {
          allow: route.methods.join(', '),
        },
      );
    }
    checkBodySize(route, request.body.length);

    const receivedAt = now();
    const verdict = await verify(route.verify, request, receivedAt);
    const payload = parsePayload(request, route.expectJson);
    if (!target.passesFilters({ method: request.method, headers: request.headers, payload })) {
      log.info('event filtered', { route: route.path });
      return jsonResponse(202, { status: 'filtered' });
    }

    const key = dedupeKey(route, { headers: request.headers, body: request.body, payload });
    let id = newId(receivedAt);
    if (key !== undefined) {
      const claim = await storeCall(() =>
        deps.store.claimDedupeKey({
          route: route.path,
          key,
          eventId: id,
          windowSeconds: route.dedupe.windowSeconds,
        }),
      );
      if (!claim.claimed) {
        const existing = await storeCall(() => deps.store.getEvent(claim.eventId));
        if (existing !== undefined && existing.status !== 'received') return duplicate(existing.id, route);
        // The earlier attempt stopped before its event was queued: finish it under the same id.
        id = claim.eventId;
        log.info('resuming half-accepted event', { id, route: route.path });
      }
    }

    const record = newRecord(id, target, request, receivedAt, verdict, key);
    try {
      await storeCall(() => deps.store.putReceived(record));
    } catch (error: unknown) {
      if (error instanceof InvalidTransitionError) return duplicate(id, route);
      throw error;
    }
    await enqueue(target.queueUrl, toEnvelope(record));
    try {
      await storeCall(() => deps.store.markQueued(id, route.path));
    } catch (error: unknown) {
      // Already past `received`: the handler picked the message up first, or a concurrent retry
      // queued it. Either way this request's message is on the queue.
      if (!(error instanceof InvalidTransitionError)) throw error;
    }
    log.info('event queued', { id, route: route.path, status: 'queued', scheme: verdict.scheme });
    return jsonResponse(202, { id, status: 'queued' });
  }

  async function verify(
    config: VerifyConfig,
    request: IncomingRequest,
    at: Date,
  ): Promise<VerificationSuccess> {
    let secrets: readonly string[] = [];
    if ('secret' in config && config.secret !== undefined) {
      try {
        secrets = await deps.secrets.resolve(config.secret);
      } catch (error: unknown) {
        log.error('secret unavailable', { scheme: config.scheme, error: errorText(error) });
        throw new IngressHttpError(
          503,
          'secret_unavailable',
          'verification is temporarily unavailable; retry later',
        );
      }
    }
    const result = await verifyRequest(
      { body: request.body, headers: request.headers, secrets, now: at },
      config,
    );
    if (!result.ok) {
      log.warn('verification failed', {
        scheme: result.scheme,
        reason: result.reason,
        detail: result.detail,
      });
      throw new IngressHttpError(401, 'invalid_signature', 'the request signature could not be verified');
    }
    return result;
  }

  async function enqueue(queueUrl: string, envelope: Envelope): Promise<void> {
    try {
      await deps.queue.send(queueUrl, serializeEnvelope(envelope));
    } catch (error: unknown) {
      log.error('enqueue failed', { id: envelope.id, route: envelope.route, error: errorText(error) });
      throw new IngressHttpError(503, 'queue_unavailable', 'the event could not be queued; retry later');
    }
  }

  async function storeCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error: unknown) {
      if (error instanceof InvalidTransitionError) throw error;
      log.error('event store failed', { error: errorText(error) });
      throw new IngressHttpError(503, 'store_unavailable', 'the event could not be recorded; retry later');
    }
  }

  function duplicate(id: string, route: ResolvedRoute): APIGatewayProxyStructuredResultV2 {
    log.info('duplicate delivery', { id, route: route.path });
    return jsonResponse(200, { id, duplicate: true });
  }

  return async (event) => {
    try {
      return await accept(toIncomingRequest(event));
    } catch (error: unknown) {
      if (error instanceof IngressHttpError) return errorResponse(error);
      log.error('ingress failed', { error: errorText(error) });
      return errorResponse(new IngressHttpError(500, 'internal_error', 'internal error; retry later'));
    }
  };
}

function checkBodySize(route: ResolvedRoute, size: number): void {
  if (size > route.maxBodyBytes) {
    throw new IngressHttpError(
      413,
      'body_too_large',
      `body of ${size} bytes exceeds this route's limit of ${route.maxBodyBytes}`,
    );
  }
  if (size > INLINE_BODY_LIMIT_BYTES) {
    throw new IngressHttpError(
      413,
      'body_exceeds_inline_limit',
      `body of ${size} bytes exceeds the ${INLINE_BODY_LIMIT_BYTES}-byte limit for queued events`,
    );
  }
}

function newRecord(
  id: string,
  target: IngressTarget,
  request: IncomingRequest,
  receivedAt: Date,
  verdict: VerificationSuccess,
  key: string | undefined,
): NewEventRecord {
  const { route } = target;
  return {
    id,
    route: route.path,
    queueName: route.queueName,
    receivedAt: receivedAt.toISOString(),
    method: request.method,
    path: request.path,
    query: request.query,
    headers: storableHeaders(request.headers),
    ...(request.headers['content-type'] !== undefined && { contentType: request.headers['content-type'] }),
    ...encodeBody(request.body),
    ...(request.sourceIp !== undefined && { sourceIp: request.sourceIp }),
    ...(key !== undefined && { dedupeKey: key }),
    verification: {
      scheme: verdict.scheme,
      verifiedAt: receivedAt.toISOString(),
      ...(verdict.keyId !== undefined && { keyId: verdict.keyId }),
      ...(verdict.signedAt !== undefined && { signedAt: verdict.signedAt }),
    },
    expiresAt: Math.floor(receivedAt.getTime() / 1000) + route.retentionDays * 86_400,
  };
}

export function toEnvelope(record: NewEventRecord | EventRecord): Envelope {
  return {
    v: 1,
    id: record.id,
    route: record.route,
    receivedAt: record.receivedAt,
    method: record.method,
    path: record.path,
    query: record.query ?? '',
    headers: record.headers,
    ...(record.contentType !== undefined && { contentType: record.contentType }),
    ...(record.body !== undefined && { body: record.body }),
    ...(record.bodyBase64 !== undefined && { bodyBase64: record.bodyBase64 }),
    ...(record.sourceIp !== undefined && { sourceIp: record.sourceIp }),
    verification: record.verification,
    ...(record.replayOf !== undefined && { replayOf: record.replayOf }),
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
