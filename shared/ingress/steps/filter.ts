import { jsonResponse } from '../../http/response.js';
import type { Log } from '../../logger.js';
import type { Parsed, Received, Routed } from '../context.js';
import { answer, type Step } from '../pipeline.js';

/** Step `filter`: an event the route's `filters` drop is answered 202 `filtered`, and nothing is stored. */
export function filter(log: Log): Step<Received & Routed & Parsed> {
  return ({ request, target, payload }) => {
    if (target.passesFilters({ method: request.method, headers: request.headers, payload })) return undefined;
    log.info('event filtered', { route: target.route.path });
    return answer(jsonResponse(202, { status: 'filtered' }), 'filtered');
  };
}
