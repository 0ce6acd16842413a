/** The admin API request a console API request stands for. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ADMIN_PATH_PREFIX } from '../../http/paths.js';
import { CONSOLE_API_PREFIX } from './paths.js';

/**
 * Headers the console consumes or that describe the browser rather than the request: the admin
 * API never sees the session, the CSRF token or where the page was.
 */
const DROPPED_HEADERS = new Set(['cookie', 'origin', 'referer', 'x-hookline-csrf']);

/**
 * `event` (to `/_hookline/console/api/<admin path>`) as a request to `/_hookline/<admin path>`:
 * the same method, query and body, without the console's own headers and cookies.
 */
export function toAdminEvent(event: APIGatewayProxyEventV2): APIGatewayProxyEventV2 {
  const path = `${ADMIN_PATH_PREFIX}/${event.rawPath.slice(CONSOLE_API_PREFIX.length)}`;
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).filter(
      ([name]) => !DROPPED_HEADERS.has(name) && !name.startsWith('sec-fetch-'),
    ),
  );
  const { cookies: _cookies, ...rest } = event;
  return {
    ...rest,
    rawPath: path,
    headers,
    requestContext: { ...event.requestContext, http: { ...event.requestContext.http, path } },
  };
}
