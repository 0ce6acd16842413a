/**
 * The admin API's paths, in a module of their own with no imports: the ingress Lambda builds event
 * status URLs with it without bundling the admin API.
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
