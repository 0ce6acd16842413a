import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { eventPath } from '../admin/paths.js';
import type { BodyStore } from '../body-store/body-store.js';
import { normalizePath } from '../config/queue-name.js';
import type { ResolvedRoute, VerifyConfig } from '../config/types.js';
import {
  type BodyReference,
  type Envelope,
  encodeBody,
  serializeEnvelope,
  storableHeaders,
} from '../envelope.js';
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
  readonly store: Pick<
    EventStore,
    'claimDedupeKey' | 'putRequest' | 'resumeRequest' | 'deleteRequest' | 'getEvent' | 'putQueued'
  >;
  readonly queue: QueueSender;
  readonly secrets: SecretResolver;
  /**
   * Where bodies larger than `INLINE_BODY_LIMIT_BYTES` (and within the route's `maxBodyBytes`) are
   * kept; the event then carries a `bodyRef`. Without it such bodies are refused with 413.
   */
  readonly bodyStore?: Pick<BodyStore, 'put'>;
  /**
   * The origin webhook senders reach this ingress at, e.g. `http://127.0.0.1:3000`: the base of
   * the `statusUrl` in replies. @default `https://` + the request's API Gateway domain name
   */
  readonly publicUrl?: string;
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
  const publicUrl = deps.publicUrl?.replace(/\/+$/, '');
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

  async function accept(
    request: IncomingRequest,
    origin: string,
  ): Promise<APIGatewayProxyStructuredResultV2> {
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
    const bodyStore = checkBodySize(route, request.body.length, deps.bodyStore);

    const receivedAt = now();
    const verdict = await verify(route.verify, request, receivedAt);
    const payload = parsePayload(request, route.expectJson);
    if (!target.passesFilters({ method: request.method, headers: request.headers, payload })) {
      log.info('event filtered', { route: route.path });
      return jsonResponse(202, { status: 'filtered' });
    }

    const key = dedupeKey(route, { headers: request.headers, body: request.body, payload });
    const newRecordAs = (eventId: string, bodyRef?: BodyReference) =>
      newRecord(eventId, target, request, receivedAt, verdict, key, bodyRef);
    // An inline body's request data is written alongside the dedupe claim rather than after it:
    // request data without a state is shown nowhere, so a duplicate's copy is only discarded.
    const early = bodyStore === undefined ? newRecordAs(newId(receivedAt)) : undefined;
    let id = early?.id ?? newId(receivedAt);
    const [claim] = await Promise.all([
      key === undefined
        ? undefined
        : storeCall(() =>
            deps.store.claimDedupeKey({
              route: route.path,
              key,
              eventId: id,
              windowSeconds: route.dedupe.windowSeconds,
            }),
          ),
      early === undefined ? undefined : storeCall(() => deps.store.putRequest(early)),
    ]);
    if (claim !== undefined && !claim.claimed) {
      if (early !== undefined) await discardCopy(early.id);
      const existing = await storeCall(() => deps.store.getEvent(claim.eventId));
      if (existing !== undefined && existing.status !== 'received') {
        return duplicate(existing.id, route, origin);
      }
      // The earlier attempt stopped before its event was queued (it has no state yet, or a
      // `received` one from an older version): finish it under the same id.
      id = claim.eventId;
      log.info('resuming half-accepted event', { id, route: route.path });
    }

    let record = early;
    if (record?.id !== id) {
      // After the dedupe claim, so a duplicate never uploads its body again; before the request
      // data, so nothing ever points at a body that was not written.
      const bodyRef = bodyStore === undefined ? undefined : await storeBody(bodyStore, route, id, request);
      const late = newRecordAs(id, bodyRef);
      if (claim?.claimed === false) {
        // Only while the event has no state: a concurrent delivery may have queued it meanwhile.
        if (!(await storeCall(() => deps.store.resumeRequest(late)))) return duplicate(id, route, origin);
      } else {
        await storeCall(() => deps.store.putRequest(late));
      }
      record = late;
    }
    await enqueue(target.queueUrl, toEnvelope(record));
    // False when the handler took the message before this write, or a concurrent retry queued it:
    // either way this request's message is on the queue.
    const queued = record;
    await storeCall(() => deps.store.putQueued(queued));
    log.info('event queued', { id, route: route.path, status: 'queued', scheme: verdict.scheme });
    return jsonResponse(202, { id, status: 'queued', statusUrl: statusUrl(origin, id) });
  }

  /** Best effort: a leftover copy is never shown and expires with the route's retention. */
  async function discardCopy(copyId: string): Promise<void> {
    try {
      await deps.store.deleteRequest(copyId);
    } catch (error: unknown) {
      log.warn('duplicate request data left to expire', { id: copyId, error: errorText(error) });
    }
  }

  async function storeBody(
    store: Pick<BodyStore, 'put'>,
    route: ResolvedRoute,
    id: string,
    request: IncomingRequest,
  ): Promise<BodyReference> {
    const contentType = request.headers['content-type'];
    try {
      const ref = await store.put({
        route: route.path,
        eventId: id,
        body: request.body,
        ...(contentType !== undefined && { contentType }),
      });
      log.info('body stored', { id, route: route.path, store: ref.store, size: ref.size });
      return ref;
    } catch (error: unknown) {
      log.error('body store failed', {
        id,
        route: route.path,
        size: request.body.length,
        error: errorText(error),
      });
      throw new IngressHttpError(
        503,
        'body_store_unavailable',
        'the event body could not be stored; retry later',
      );
    }
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
      log.error('event store failed', { error: errorText(error) });
      throw new IngressHttpError(503, 'store_unavailable', 'the event could not be recorded; retry later');
    }
  }

  function duplicate(id: string, route: ResolvedRoute, origin: string): APIGatewayProxyStructuredResultV2 {
    log.info('duplicate delivery', { id, route: route.path });
    return jsonResponse(200, { id, duplicate: true, statusUrl: statusUrl(origin, id) });
  }

  return async (event) => {
    try {
      const origin = publicUrl ?? `https://${event.requestContext.domainName}`;
      return await accept(toIncomingRequest(event), origin);
    } catch (error: unknown) {
      if (error instanceof IngressHttpError) return errorResponse(error);
      log.error('ingress failed', { error: errorText(error) });
      return errorResponse(new IngressHttpError(500, 'internal_error', 'internal error; retry later'));
    }
  };
}

/** Where the event's status can be read (the admin API's event resource). */
export function statusUrl(origin: string, id: string): string {
  return `${origin}${eventPath(id)}`;
}

/**
 * Refuses a body the route or the ingress cannot take. Returns the store a body too large to travel
 * inline goes to, or undefined when it travels inline.
 */
function checkBodySize(
  route: ResolvedRoute,
  size: number,
  bodyStore: Pick<BodyStore, 'put'> | undefined,
): Pick<BodyStore, 'put'> | undefined {
  if (size > route.maxBodyBytes) {
    throw new IngressHttpError(
      413,
      'body_too_large',
      `body of ${size} bytes exceeds this route's limit of ${route.maxBodyBytes}`,
    );
  }
  if (size <= INLINE_BODY_LIMIT_BYTES) return undefined;
  if (bodyStore === undefined) {
    throw new IngressHttpError(
      413,
      'body_exceeds_inline_limit',
      `body of ${size} bytes exceeds the ${INLINE_BODY_LIMIT_BYTES}-byte limit for queued events (no body store is configured)`,
    );
  }
  return bodyStore;
}

function newRecord(
  id: string,
  target: IngressTarget,
  request: IncomingRequest,
  receivedAt: Date,
  verdict: VerificationSuccess,
  key: string | undefined,
  bodyRef: BodyReference | undefined,
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
    ...(bodyRef === undefined ? encodeBody(request.body) : { bodyRef }),
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
    ...(record.bodyRef !== undefined && { bodyRef: record.bodyRef }),
    ...(record.sourceIp !== undefined && { sourceIp: record.sourceIp }),
    verification: record.verification,
    ...(record.replayOf !== undefined && { replayOf: record.replayOf }),
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
