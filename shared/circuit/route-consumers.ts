/**
 * A route's consumer as operators see and steer it (`hookline status`, `hookline route pause|resume`,
 * the admin API): its circuit, and pausing or resuming it. Deployed, that is the route's circuit item
 * and its event source mapping; the local stack implements the same port over its pollers.
 */
import { type Log, silentLog } from '../logger.js';
import type { CircuitRecord, CircuitRecords } from './circuit-record.js';
import type { EventSourceSwitch } from './event-source-switch.js';

export type CircuitState = 'closed' | 'open' | 'half-open' | 'paused';

/** A route consumer's circuit, as `GET /_hookline/routes` reports it. */
export interface RouteCircuit {
  readonly state: CircuitState;
  /** Failed handler attempts in a row (deployed: the count that opened it). */
  readonly failures?: number;
  /** The cool-down in force (doubled after each failed probe). */
  readonly coolDownSeconds?: number;
  /** When the circuit last opened (ISO 8601), while it is open or half-open. */
  readonly openedAt?: string;
  /** When the open circuit becomes half-open (ISO 8601), while it is open. */
  readonly halfOpensAt?: string;
  /** When an operator paused the consumer (ISO 8601), while it is paused. */
  readonly pausedAt?: string;
}

/** The route a consumer serves: its path, batch size, breaker and queue. */
export interface ConsumerRoute {
  readonly route: {
    readonly path: string;
    readonly batchSize: number;
    readonly circuitBreaker?: { readonly coolDownSeconds: number };
  };
  readonly queueArn: string;
}

export interface RouteConsumers {
  /** The route's circuit; undefined for a route without a breaker that was never paused. */
  circuit(target: ConsumerRoute): Promise<RouteCircuit | undefined>;
  /** Stops the route's consumer until `resume` (a pending probe is cancelled): events wait in the queue. */
  pause(target: ConsumerRoute): Promise<RouteCircuit>;
  /** Starts the route's consumer again with its circuit closed. */
  resume(target: ConsumerRoute): Promise<RouteCircuit>;
}

export interface DeployedRouteConsumersOptions {
  readonly records: Pick<CircuitRecords, 'read' | 'set'>;
  /** Where each pause and resume is logged (`consumer paused`, `consumer resumed`, with the route). @default silentLog */
  readonly log?: Log;
  /** The switch of the route's event source mapping on `queueArn`. */
  readonly switchOf: (queueArn: string) => Pick<EventSourceSwitch, 'disable' | 'enable' | 'cancelProbe'>;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** The deployed routes' consumers: circuit items and event source mappings. */
export function deployedRouteConsumers(options: DeployedRouteConsumersOptions): RouteConsumers {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? silentLog;
  const cancelPendingProbe = async (target: ConsumerRoute, before: CircuitRecord | undefined) => {
    if (before?.scheduleName !== undefined)
      await options.switchOf(target.queueArn).cancelProbe(before.scheduleName);
  };
  return {
    async circuit(target) {
      return circuitOf(await options.records.read(target.route.path), target, now());
    },
    async pause(target) {
      // Paused first, so no handler acts on the circuit; then the probe that would re-enable the
      // mapping is cancelled; the mapping goes off last, after a probe that fired meanwhile.
      const before = await options.records.set(target.route.path, 'paused');
      await cancelPendingProbe(target, before);
      await options.switchOf(target.queueArn).disable();
      log.info('consumer paused', { route: target.route.path, circuitBefore: before?.state ?? 'closed' });
      return { state: 'paused', pausedAt: now().toISOString() };
    },
    async resume(target) {
      const before = await options.records.set(target.route.path, 'closed');
      await cancelPendingProbe(target, before);
      await options.switchOf(target.queueArn).enable(target.route.batchSize);
      log.info('consumer resumed', { route: target.route.path, circuitBefore: before?.state ?? 'closed' });
      return closedCircuit(target);
    },
  };
}

/** The circuit a record describes at `now`. */
export function circuitOf(
  record: CircuitRecord | undefined,
  target: ConsumerRoute,
  now: Date,
): RouteCircuit | undefined {
  switch (record?.state) {
    case undefined:
    case 'closed':
      return target.route.circuitBreaker === undefined ? undefined : closedCircuit(target);
    case 'paused':
      return { state: 'paused', pausedAt: record.changedAt };
    case 'open': {
      const halfOpen = record.halfOpensAt !== undefined && now.getTime() >= Date.parse(record.halfOpensAt);
      return {
        state: halfOpen ? 'half-open' : 'open',
        ...(record.failures !== undefined && { failures: record.failures }),
        ...(record.coolDownSeconds !== undefined && { coolDownSeconds: record.coolDownSeconds }),
        ...(record.openedAt !== undefined && { openedAt: record.openedAt }),
        ...(!halfOpen && record.halfOpensAt !== undefined && { halfOpensAt: record.halfOpensAt }),
      };
    }
  }
}

function closedCircuit(target: ConsumerRoute): RouteCircuit {
  const breaker = target.route.circuitBreaker;
  return breaker === undefined
    ? { state: 'closed' }
    : { state: 'closed', failures: 0, coolDownSeconds: breaker.coolDownSeconds };
}
