import { normalizePath } from '../../config/queue-name.js';
import type { ResolvedRoute } from '../../config/types.js';
import { HttpError } from '../../http/errors.js';
import type { CompiledTarget, Received, Routed } from '../context.js';
import { compileFilters, compileSourceIpCheck } from '../filters.js';
import type { IngressErrorCode } from '../http.js';
import type { Step } from '../pipeline.js';

/**
 * Step `match route`: the route at the request's path (`/a/b` and `/a/b/` alike). 404
 * `route_not_found` for no route or a disabled one. Each route's filters and source IP check are
 * compiled once, here.
 */
export function matchRoute(
  targets: readonly { readonly route: ResolvedRoute; readonly queueUrl: string }[],
): Step<Received, Routed> {
  const byPath = new Map<string, CompiledTarget>(
    targets.map(({ route, queueUrl }) => [
      normalizePath(route.path),
      {
        route,
        queueUrl,
        passesFilters: compileFilters(route.filters),
        sourceIpAllowed: compileSourceIpCheck(route.allowedSourceIps),
      },
    ]),
  );
  return ({ request }) => {
    const target = byPath.get(normalizePath(request.path));
    if (target === undefined || !target.route.enabled) {
      throw new HttpError<IngressErrorCode>(404, 'route_not_found', `no webhook route at ${request.path}`);
    }
    return { target };
  };
}
