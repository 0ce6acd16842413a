/**
 * Fixtures for the ingress step tests (test/unit/ingress-*.test.ts): requests, contexts built by the
 * real early steps, a recording log and a fake event store that records its calls in order.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ResolvedRoute } from '../../shared/config/types.js';
import type { BodyPlan, Received, Routed, Verified } from '../../shared/ingress/context.js';
import type { IncomingRequest } from '../../shared/ingress/http.js';
import type { IngressDependencies } from '../../shared/ingress/ingress.js';
import { Answer, type IngressResult, type Step } from '../../shared/ingress/pipeline.js';
import { matchRoute } from '../../shared/ingress/steps/match-route.js';
import type { Log } from '../../shared/logger.js';
import { makeRoute } from './routes.js';

export const ORIGIN = 'https://hooks.example.com';
export const QUEUE_URL = 'http://sqs.local/000000000000/order_status';
export const RECEIVED_AT = new Date('2025-01-02T03:04:05.000Z');

export function incoming(overrides: Partial<IncomingRequest> = {}): IncomingRequest {
  return {
    method: 'POST',
    path: '/order/status/',
    query: '',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from('{"order":"o-1"}'),
    sourceIp: '203.0.113.7',
    ...overrides,
  };
}

/** An API Gateway (HTTP API, payload v2) event of a POST to `path`, the body sent as text. */
export function gatewayEvent(
  path: string,
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'test' },
      requestId: 'request-1',
      routeKey: '$default',
      stage: '$default',
      time: RECEIVED_AT.toUTCString(),
      timeEpoch: RECEIVED_AT.getTime(),
    },
  };
}

/** Runs one step and returns what it added; fails the test when it answered instead. */
export async function added<In, Added extends object | undefined>(
  step: Step<In, Added>,
  context: In,
): Promise<Added> {
  const outcome = await step(context);
  if (outcome instanceof Answer) throw new Error(`the step answered ${outcome.result.statusCode}`);
  return outcome;
}

/** Runs one step and returns its answer; fails the test when it let the request through. */
export async function answered<In>(
  step: Step<In, object | undefined>,
  context: In,
): Promise<IngressResult & { json: unknown }> {
  const outcome = await step(context);
  if (!(outcome instanceof Answer)) throw new Error('the step did not answer');
  return { ...outcome.result, json: JSON.parse(outcome.result.body ?? 'null') };
}

/** A request matched to `route` by the real `matchRoute` step. */
export async function routed(
  route: ResolvedRoute = makeRoute({ verify: { scheme: 'none' } }),
  request: IncomingRequest = incoming({ path: route.path }),
): Promise<Received & Routed> {
  const received = { request, origin: ORIGIN };
  return { ...received, ...(await added(matchRoute([{ route, queueUrl: QUEUE_URL }]), received)) };
}

/** A matched request verified (scheme `none`) at RECEIVED_AT, its body travelling inline unless given a store. */
export async function verified(
  route?: ResolvedRoute,
  request?: IncomingRequest,
  bodyStore?: BodyPlan['bodyStore'],
): Promise<Received & Routed & BodyPlan & Verified> {
  return {
    ...(await routed(route, request)),
    bodyStore,
    receivedAt: RECEIVED_AT,
    verdict: { ok: true, scheme: 'none' },
  };
}

export interface LogEntry {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly attributes: Record<string, unknown>;
}

export function recordingLog(): { log: Log; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const write =
    (level: LogEntry['level']) =>
    (message: string, ...attributes: Record<string, unknown>[]) => {
      entries.push({ level, message, attributes: Object.assign({}, ...attributes) });
    };
  return {
    log: { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') },
    entries,
  };
}

type IngressStore = IngressDependencies['store'];

/**
 * An event store whose every method records `[method, first argument]` in `calls` (and every
 * argument in `callArgs`) when called, then does what `overrides` says (by default: claims
 * succeed, writes succeed, no event exists).
 */
export function fakeStore(
  overrides: Partial<IngressStore> = {},
): IngressStore & { calls: [string, unknown][]; callArgs: [string, unknown[]][] } {
  const calls: [string, unknown][] = [];
  const callArgs: [string, unknown[]][] = [];
  const defaults: IngressStore = {
    claimRequest: async ({ record }) => ({
      claimed: true,
      requestKey: `DEDUPE#${record.route}#${record.dedupeKey}`,
    }),
    putRequest: async (record) => `REQUEST#${record.id}`,
    rewriteRequest: async () => true,
    deleteRequest: async () => {},
    getState: async () => undefined,
    putQueued: async () => true,
  };
  const behaviour = { ...defaults, ...overrides };
  const recorded =
    <A extends unknown[], R>(name: keyof IngressStore, method: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      calls.push([name, args[0]]);
      callArgs.push([name, args]);
      return method(...args);
    };
  return {
    calls,
    callArgs,
    claimRequest: recorded('claimRequest', behaviour.claimRequest),
    putRequest: recorded('putRequest', behaviour.putRequest),
    rewriteRequest: recorded('rewriteRequest', behaviour.rewriteRequest),
    deleteRequest: recorded('deleteRequest', behaviour.deleteRequest),
    getState: recorded('getState', behaviour.getState),
    putQueued: recorded('putQueued', behaviour.putQueued),
  };
}

/** An error thrown by a fake AWS client. */
export function awsDown(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { name: 'TimeoutError' });
}
