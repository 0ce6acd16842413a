/**
 * The local stack's `RouteConsumers`: each route's consumer is its poller, paused and resumed in
 * memory (the deployed ones are event source mappings: `shared/circuit/route-consumers.ts`).
 */
import type { ConsumerRoute, RouteCircuit, RouteConsumers } from '../circuit/route-consumers.js';
import type { Poller, PollerStats } from '../worker/poller.js';

/** The consumers of `pollers` (route path → its poller). */
export function pollerConsumers(
  pollers: ReadonlyMap<string, Pick<Poller, 'pause' | 'resume' | 'stats'>>,
): RouteConsumers {
  const pollerOf = (target: ConsumerRoute) => {
    const poller = pollers.get(target.route.path);
    if (poller === undefined) throw new Error(`internal: no poller for route ${target.route.path}`);
    return poller;
  };
  const circuitNow = (target: ConsumerRoute): RouteCircuit => {
    const circuit = pollerCircuit(pollerOf(target).stats());
    return circuit ?? { state: 'closed' };
  };
  return {
    async circuit(target) {
      const poller = pollers.get(target.route.path);
      return poller === undefined ? undefined : pollerCircuit(poller.stats());
    },
    async pause(target) {
      await pollerOf(target).pause();
      return circuitNow(target);
    },
    async resume(target) {
      pollerOf(target).resume();
      return circuitNow(target);
    },
  };
}

/**
 * A poller's circuit as the admin API reports it: paused, else its breaker's state; undefined for
 * a poller without a breaker that is not paused.
 */
export function pollerCircuit(stats: Pick<PollerStats, 'circuit' | 'pausedAt'>): RouteCircuit | undefined {
  if (stats.pausedAt !== undefined) return { state: 'paused', pausedAt: stats.pausedAt };
  const { circuit } = stats;
  if (circuit === undefined) return undefined;
  return {
    state: circuit.state,
    failures: circuit.failures,
    coolDownSeconds: circuit.coolDownSeconds,
    ...(circuit.openedAt !== undefined && { openedAt: circuit.openedAt }),
    ...(circuit.halfOpensAt !== undefined && { halfOpensAt: circuit.halfOpensAt }),
  };
}
