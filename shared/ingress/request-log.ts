/**
 * The ingress's log keys per request (docs/architecture.md, "Tracing"): every line written while a
 * request is served, by any step, store call or refusal, carries the request's `route` once it is
 * matched, its `eventId` once claimed, and `traceId`. One ingress serves concurrent requests (every
 * route locally), so the keys live in an `AsyncLocalStorage` store per request, not in the `Log`
 * the steps were built with.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { correlationId, type Log, traceIdOf, withLogKeys } from '../logger.js';
import type { Claimed, Routed } from './context.js';

type Keys = Record<string, unknown>;

export class RequestLog {
  /** The log every step writes through: the base log with the current request's keys. */
  readonly log: Log;
  private readonly keys = new AsyncLocalStorage<Keys>();

  constructor(base: Log) {
    this.log = withLogKeys(base, () => this.keys.getStore());
  }

  /** Runs one request with keys of its own, none at first. */
  run<T>(serve: () => Promise<T>): Promise<T> {
    return this.keys.run({}, serve);
  }

  /** Adds `keys` to the current request's (outside `run`: nothing). */
  add(keys: Readonly<Keys>): void {
    const current = this.keys.getStore();
    if (current !== undefined) Object.assign(current, keys);
  }
}

/**
 * The keys a request's context gives its log lines: `route` once matched; `traceId`, the X-Ray
 * trace id of `traceHeader()` (`_X_AMZN_TRACE_ID`) when the route traces, and `eventId` once
 * claimed, `traceId` then defaulting to the event id.
 */
export function requestLogKeys(
  context: Partial<Routed & Claimed>,
  traceHeader: () => string | undefined,
): Keys {
  const route = context.target?.route;
  if (route === undefined) return {};
  const traceId = route.tracing === true ? traceIdOf(traceHeader()) : undefined;
  const { eventId } = context;
  return {
    route: route.path,
    ...(eventId !== undefined && { eventId, traceId: correlationId(route.tracing, traceHeader(), eventId) }),
    ...(eventId === undefined && traceId !== undefined && { traceId }),
  };
}
