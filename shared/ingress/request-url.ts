import type { ResolvedRoute } from '../config/types.js';
import type { IncomingRequest } from './http.js';

/**
 * The URL the provider called, as URL-aware schemes sign it: the route's `publicUrl` when set (a
 * custom domain or a proxy the gateway cannot see), else the origin the request reached and its
 * path; then the query exactly as received.
 */
export function requestUrl(route: ResolvedRoute, origin: string, request: IncomingRequest): string {
  const base = route.publicUrl ?? `${origin}${request.path}`;
  return request.query === '' ? base : `${base}?${request.query}`;
}
