/**
 * The admin API's route table: every endpoint of `ADMIN_ENDPOINTS` (the method and path pattern the
 * infrastructure registers too) with its handler, and the lookup of the one a request names.
 */
import { HttpError } from '../http/errors.js';
import { ADMIN_ENDPOINTS, ADMIN_PATH_PREFIX, type AdminEndpointName, isAdminPath } from '../http/paths.js';
import type { Endpoint } from './endpoint.js';
import { type AdminErrorCode, invalidField } from './errors.js';

/** One row of the route table. */
export interface AdminRoute extends Endpoint {
  readonly method: string;
  /** The path pattern, e.g. `/_hookline/dlq/{route}/redrive`. */
  readonly path: string;
}

/** The endpoint a request matched, with its path's `{name}` segments. */
interface RouteMatch {
  readonly route: AdminRoute;
  readonly params: Readonly<Record<string, string>>;
}

/** The route table: each admin endpoint's method and path, in `ADMIN_ENDPOINTS` order, with its handler. */
export function adminRouteTable(endpoints: Readonly<Record<AdminEndpointName, Endpoint>>): AdminRoute[] {
  return (Object.keys(ADMIN_ENDPOINTS) as AdminEndpointName[]).map((name) => {
    const { unavailable, handle } = endpoints[name];
    return { ...ADMIN_ENDPOINTS[name], unavailable, handle };
  });
}

/**
 * The route for `method` and `rawPath`: a 404 `not_found` when no route has the path, a 405
 * `method_not_allowed` with `allow` (the path's methods, in table order) when none of them has the
 * method, a 400 for a segment that is not valid URL encoding.
 */
export function findRoute(table: readonly AdminRoute[], method: string, rawPath: string): RouteMatch {
  const segments = adminSegments(rawPath);
  const matches = table.flatMap((route) => {
    const params = matchSegments(patternSegments(route.path), segments);
    return params === undefined ? [] : [{ route, params }];
  });
  if (matches.length === 0) {
    throw new HttpError<AdminErrorCode>(404, 'not_found', `no admin endpoint at ${rawPath}`);
  }
  const match = matches.find((candidate) => candidate.route.method === method);
  if (match !== undefined) return match;
  const allow = matches.map((candidate) => candidate.route.method).join(', ');
  throw new HttpError<AdminErrorCode>(405, 'method_not_allowed', `${method} is not allowed on ${rawPath}`, {
    headers: { allow },
  });
}

/** `/_hookline/dlq/{route}/redrive` → `['dlq', '{route}', 'redrive']`. */
function patternSegments(path: string): string[] {
  return path.slice(ADMIN_PATH_PREFIX.length + 1).split('/');
}

/** The `{name}` segments by name when `segments` fit the pattern (a `{name}` fits any one segment). */
function matchSegments(
  pattern: readonly string[],
  segments: readonly string[],
): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of pattern.entries()) {
    const segment = segments[index] ?? '';
    if (part.startsWith('{') && part.endsWith('}')) params[part.slice(1, -1)] = segment;
    else if (part !== segment) return undefined;
  }
  return params;
}

/**
 * The collections whose next segment is a `{route}`, with the actions that may follow it. A route
 * may be a path with slashes: see `adminSegments`.
 */
const ROUTE_COLLECTIONS: ReadonlyMap<string, readonly string[]> = new Map([
  ['dlq', ['redrive']],
  ['routes', ['pause', 'resume']],
]);

/**
 * The decoded segments after `/_hookline`. A route given as a path (`%2Forder%2Fstatus%2F`) is one
 * segment; if a proxy already decoded its slashes, everything between `dlq/` (or `routes/`) and an
 * optional trailing action (`/redrive`; `/pause`, `/resume`) is still taken as the route.
 */
function adminSegments(rawPath: string): string[] {
  if (!isAdminPath(rawPath)) return [];
  let rest = rawPath.slice(ADMIN_PATH_PREFIX.length + 1);
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  const slash = rest.indexOf('/');
  const collection = rest.slice(0, slash);
  const actions = slash < 0 ? undefined : ROUTE_COLLECTIONS.get(collection);
  if (actions === undefined) return rest.split('/').map(decodeSegment);
  const route = rest.slice(slash + 1);
  const action = actions.find((name) => route.endsWith(`/${name}`));
  return action === undefined
    ? [collection, decodeSegment(route)]
    : [collection, decodeSegment(route.slice(0, -(action.length + 1))), action];
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalidField('path', `"${segment}" is not a valid URL-encoded segment`);
  }
}
