/**
 * The admin API's paths, in a module of their own with no imports: the ingress Lambda builds event
 * status URLs with it without bundling the admin API, and the infrastructure registers the admin
 * routes from it without importing the admin API.
 */

/** Every admin path starts with this; no webhook route may. */
export const ADMIN_PATH_PREFIX = '/_hookline';

/** `/_hookline/events/<id>`: the path of an event in the admin API, the id URL-encoded. */
export function eventPath(id: string): string {
  return `${ADMIN_PATH_PREFIX}/events/${encodeURIComponent(id)}`;
}

/** True when `path` is an admin path (`/_hookline` or below). */
export function isAdminPath(path: string): boolean {
  return path === ADMIN_PATH_PREFIX || path.startsWith(`${ADMIN_PATH_PREFIX}/`);
}

/**
 * Every admin endpoint as method and path pattern (`{name}` is one path segment), in one list for
 * the API Gateway routes the infrastructure registers and the route table the admin API dispatches
 * on, so the two cannot drift apart. Nothing else under the prefix answers.
 */
export const ADMIN_ENDPOINTS = {
  listEvents: { method: 'GET', path: `${ADMIN_PATH_PREFIX}/events` },
  getEvent: { method: 'GET', path: `${ADMIN_PATH_PREFIX}/events/{id}` },
  replay: { method: 'POST', path: `${ADMIN_PATH_PREFIX}/replay` },
  routeStatus: { method: 'GET', path: `${ADMIN_PATH_PREFIX}/routes` },
  routePause: { method: 'POST', path: `${ADMIN_PATH_PREFIX}/routes/{route}/pause` },
  routeResume: { method: 'POST', path: `${ADMIN_PATH_PREFIX}/routes/{route}/resume` },
  listDlq: { method: 'GET', path: `${ADMIN_PATH_PREFIX}/dlq/{route}` },
  redriveStatus: { method: 'GET', path: `${ADMIN_PATH_PREFIX}/dlq/{route}/redrive` },
  redriveStart: { method: 'POST', path: `${ADMIN_PATH_PREFIX}/dlq/{route}/redrive` },
  stats: { method: 'GET', path: `${ADMIN_PATH_PREFIX}/stats` },
} as const;

/** The name of an admin endpoint (`listEvents`, `redriveStart`…). */
export type AdminEndpointName = keyof typeof ADMIN_ENDPOINTS;
