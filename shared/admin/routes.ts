/** Finding the route an admin request names: by queue name (`order_status`) or by path (`/order/status/`). */
import { normalizePath } from '../config/queue-name.js';
import type { ResolvedRoute } from '../config/types.js';
import { HttpError } from '../http/errors.js';
import type { AdminErrorCode } from './errors.js';

/** What a route lookup needs of a target: its route and its queue's URL. */
export interface RouteLookupTarget {
  readonly route: ResolvedRoute;
  readonly queueUrl: string;
}

/**
 * The target `name` designates: the route's queue name (`order_status`), its SQS queue name as
 * deployed (`hookline-order_status`), or its path with or without the trailing slash. `name` is
 * already URL-decoded. Undefined when no configured route matches.
 */
export function findRouteTarget<T extends RouteLookupTarget>(
  targets: readonly T[],
  name: string,
): T | undefined {
  if (name.startsWith('/')) {
    const path = normalizePath(name);
    return targets.find((target) => normalizePath(target.route.path) === path);
  }
  return (
    targets.find((target) => target.route.queueName === name) ??
    targets.find((target) => deployedQueueName(target.queueUrl) === name)
  );
}

/** Like `findRouteTarget`, answering 404 `route_not_found` (naming the configured routes) when none matches. */
export function requireRouteTarget<T extends RouteLookupTarget>(targets: readonly T[], name: string): T {
  const target = findRouteTarget(targets, name);
  if (target !== undefined) return target;
  const known = targets.map((candidate) => `${candidate.route.queueName} (${candidate.route.path})`);
  throw new HttpError<AdminErrorCode>(
    404,
    'route_not_found',
    `no configured route "${name}"; routes: ${known.length === 0 ? 'none' : known.join(', ')}`,
  );
}

/** The full SQS queue name as deployed: the last segment of its URL (`.../123456789012/hookline-orders`). */
export function deployedQueueName(queueUrl: string): string {
  return queueUrl.slice(queueUrl.lastIndexOf('/') + 1);
}
