/**
 * `POST /_hookline/routes/{route}/pause` (the route's consumer takes nothing more: its events wait
 * in the queue) and `POST /_hookline/routes/{route}/resume` (it takes them again, its circuit
 * closed). Both answer `{ route, circuit }`, the circuit as `GET /_hookline/routes` reports it.
 */
import type { RouteCircuit, RouteConsumers } from '../circuit/route-consumers.js';
import { HttpError } from '../http/errors.js';
import { jsonResponse } from '../http/response.js';
import type { AdminRequest, Endpoint } from './endpoint.js';
import { type AdminErrorCode, consumerFailure } from './errors.js';
import { type RouteLookupTarget, requireRouteTarget } from './routes.js';

/** A route with its queue's ARN (its consumer's key). */
interface ConsumerTarget extends RouteLookupTarget {
  readonly queueArn: string;
}

/** What the pause and resume endpoints use. */
interface RouteConsumerDependencies {
  readonly targets: readonly ConsumerTarget[];
  /** @default - none: both endpoints answer 501 `pause_unsupported` */
  readonly consumers?: RouteConsumers;
}

export function routeConsumerEndpoints(deps: RouteConsumerDependencies): {
  readonly routePause: Endpoint;
  readonly routeResume: Endpoint;
} {
  /** An endpoint that finds the path's `{route}` (404 `route_not_found`), then steers its consumer. */
  const steering = (
    change: (consumers: RouteConsumers, target: ConsumerTarget) => Promise<RouteCircuit>,
  ): Endpoint => ({
    unavailable: 'consumer_unavailable',
    async handle({ params }: AdminRequest) {
      const target = requireRouteTarget(deps.targets, params.route ?? '');
      if (deps.consumers === undefined) {
        throw new HttpError<AdminErrorCode>(
          501,
          'pause_unsupported',
          "this gateway cannot pause or resume its routes' consumers",
        );
      }
      let circuit: RouteCircuit;
      try {
        circuit = await change(deps.consumers, target);
      } catch (error: unknown) {
        throw consumerFailure(error);
      }
      return jsonResponse(200, { route: target.route.path, circuit });
    },
  });

  return {
    routePause: steering((consumers, target) => consumers.pause(target)),
    routeResume: steering((consumers, target) => consumers.resume(target)),
  };
}
