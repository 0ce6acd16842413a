import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { BodyStore } from '../body-store/body-store.js';
import type { ResolvedRoute } from '../config/types.js';
import type { EventStore } from '../event-store/event-store.js';
import { type NewEventId, newEventId } from '../ids.js';
import { type Log, silentLog } from '../logger.js';
import { type Metrics, silentMetrics } from '../metrics/metrics.js';
import type { EnvelopeKeys } from '../secrets/envelope-keys.js';
import type { SecretResolver } from '../secrets/resolver.js';
import { fetchStatus, type UrlGetter } from './handshake-tools.js';
import { ingressMetrics } from './metrics.js';
import { IngressPipeline } from './pipeline.js';
import { RequestLog, requestLogKeys } from './request-log.js';
import { dedupe } from './steps/dedupe.js';
import { enqueue } from './steps/enqueue.js';
import { filter } from './steps/filter.js';
import { challenge, handshake } from './steps/handshake.js';
import { identify } from './steps/identify.js';
import { matchRoute } from './steps/match-route.js';
import { parse } from './steps/parse.js';
import { receive } from './steps/receive.js';
import { record } from './steps/record.js';
import { redact } from './steps/redact.js';
import { reply } from './steps/reply.js';
import { checkMethod, checkSize, checkSourceIp } from './steps/request-checks.js';
import { verify } from './steps/verify.js';

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
    'claimRequest' | 'putRequest' | 'rewriteRequest' | 'deleteRequest' | 'getState' | 'putQueued'
  >;
  readonly queue: QueueSender;
  readonly secrets: SecretResolver;
  /** The stack's envelope keys: every envelope is signed with the first. */
  readonly envelopeKeys: EnvelopeKeys;
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
  /** GETs a provider's confirmation link (SNS). @default `fetch`, no redirects, 5 s timeout */
  readonly getUrl?: UrlGetter;
  /**
   * Every line carries the request's `route`, `eventId` and `traceId` once known (`./request-log.ts`).
   * @default silentLog
   */
  readonly log?: Log;
  /**
   * The X-Ray trace header of the current invocation, read for a route that traces: its root is the
   * `traceId` of the request's log lines. @default `process.env._X_AMZN_TRACE_ID`
   */
  readonly traceHeader?: () => string | undefined;
  /** Where each request's metrics go, once it is answered (`./metrics.ts`). @default silentMetrics */
  readonly metrics?: Metrics;
  readonly now?: () => Date;
  /** New event ids. @default newEventId: a ULID, a shard of the route at random, the route's tag */
  readonly newId?: NewEventId;
}

export type IngressHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * The ingress (docs/architecture.md, "Data path"): every request goes through these steps in order
 * (one module each in ./steps/), and the first that answers or refuses ends it. One instance per
 * Lambda container (one route deployed, every route locally); routes are compiled once, here.
 */
export function createIngress(deps: IngressDependencies): IngressHandler {
  const { store, queue, secrets, envelopeKeys } = deps;
  const requestLog = new RequestLog(deps.log ?? silentLog);
  const { log } = requestLog;
  const traceHeader = deps.traceHeader ?? (() => process.env._X_AMZN_TRACE_ID);
  const now = deps.now ?? (() => new Date());
  const handshakes = { secrets, log, now, get: deps.getUrl ?? fetchStatus };
  const metrics = deps.metrics ?? silentMetrics;
  const serve = IngressPipeline.start()
    .step(receive(deps.publicUrl))
    .step(matchRoute(deps.targets)) // 404
    .step(checkSourceIp) // 403
    .step(challenge(handshakes)) // a provider's endpoint check before verification, answered here
    .step(checkMethod) // 405
    .step(checkSize(deps.bodyStore)) // 413; picks the body store for a large body
    .step(verify({ secrets, log, now })) // 503 secret, 401
    .step(parse) // 400
    .step(handshake(handshakes)) // a signed handshake, answered here
    .step(filter(log)) // 202 filtered
    .step(identify) // the dedupe key, from the request as received
    .step(redact(deps.bodyStore)) // 400 unredactable; nothing later sees a redacted value
    .step(dedupe({ store, log, newId: deps.newId ?? ((now, route) => newEventId(now, route)) })) // 200 duplicate, or resume
    .step(record({ store, log })) // body store, request data; 503
    .step(enqueue({ queue, envelopeKeys, log })) // 503
    .finish(
      reply({ store, log }), // 202 queued
      log,
      (outcome) => metrics.publish(ingressMetrics(outcome)),
      (context) => requestLog.add(requestLogKeys(context, traceHeader)),
    );
  return (event) => requestLog.run(() => serve(event));
}
