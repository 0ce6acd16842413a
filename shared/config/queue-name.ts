/** Route paths: `/segment/segment/`, segments of letters, digits, `-` and `_`. */
export const ROUTE_PATH_PATTERN = /^\/(?:[A-Za-z0-9_-]+\/)*[A-Za-z0-9_-]+\/?$/;

/**
 * Maps a route path to its queue name the LeanMQ way: `/order/status/` → `order_status`.
 * Dashes become underscores too, so the name is stable and safe in every AWS name field.
 */
export function pathToQueueName(path: string): string {
  return path
    .split('/')
    .filter((segment) => segment.length > 0)
    .join('_')
    .replace(/-/g, '_')
    .toLowerCase();
}

/** `/a/b/` and `/a/b` are the same route. */
export function normalizePath(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}
