/**
 * The local console: a page in the browser over the admin API, for the local stack and `hookline console`.
 *
 * - `GET /_hookline/console?token=T`: T is checked against the token `hookline dev` (or `hookline console`) printed; a
 *   session cookie is set and the browser is sent to `/_hookline/console`, so the token leaves
 *   the address bar and the history.
 * - `GET /_hookline/console` with the cookie: the page, its CSRF token inside.
 * - `/_hookline/console/api/<admin path>`: the admin API's `/_hookline/<admin path>`, for the
 *   cookie's holder; anything but a GET also needs `x-hookline-csrf`.
 * - `/_hookline/console/assets/<file>`: the page's script and style sheet.
 *
 * A request another page made (its `Origin`, or `Sec-Fetch-Site`) is refused with 403 first,
 * whatever it carries. The caller (the local gateway) has already kept it to this machine.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { jsonResponse } from '../../http/response.js';
import type { AdminApiHandler } from '../admin-api.js';
import { type ConsoleAsset, loadConsoleAssets } from './assets.js';
import { toAdminEvent } from './forward.js';
import { consolePage, unauthorizedPage } from './page.js';
import { CONSOLE_API_PREFIX, CONSOLE_ASSETS_PREFIX, CONSOLE_PATH } from './paths.js';
import { foreignRequest, SECURITY_HEADERS } from './security.js';
import { type ConsoleSession, consoleSessions } from './session.js';

/** An API Gateway (payload 2.0) handler, like the admin API it fronts. */
export type ConsoleHandler = AdminApiHandler;

export interface ConsoleOptions {
  /** The admin API the console's `api/` paths reach. */
  readonly admin: AdminApiHandler;
  /** The start token: a random secret of at least 16 characters, printed in the console's URL. */
  readonly token: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export const CSRF_HEADER = 'x-hookline-csrf';

export function createConsole(options: ConsoleOptions): ConsoleHandler {
  const sessions = consoleSessions(options.token);
  const assets = loadConsoleAssets();
  const now = options.now ?? (() => new Date());

  return async (event) => {
    const headers = event.headers ?? {};
    const refusal = foreignRequest(headers);
    if (refusal !== undefined) return secured(jsonError(403, 'console_foreign_origin', refusal));
    const method = event.requestContext.http.method.toUpperCase();
    const path = event.rawPath;
    if (path.startsWith(CONSOLE_ASSETS_PREFIX)) {
      return secured(serveAsset(assets.get(path.slice(CONSOLE_ASSETS_PREFIX.length)), method));
    }
    const session = sessions.verify(cookieValue(event, sessions.cookieName), now());
    if (path === CONSOLE_PATH || path === `${CONSOLE_PATH}/`) {
      if (method !== 'GET') return secured(methodNotAllowed());
      return secured(openPage(event, session));
    }
    if (path.startsWith(CONSOLE_API_PREFIX)) {
      if (session === undefined) {
        return secured(
          jsonError(
            401,
            'console_session_required',
            'open the console URL hookline dev or hookline console printed',
          ),
        );
      }
      if (method !== 'GET' && !sessions.checkCsrf(session, headers[CSRF_HEADER])) {
        return secured(
          jsonError(403, 'console_csrf', `a ${CSRF_HEADER} header matching the page is required`),
        );
      }
      const answer = await options.admin(toAdminEvent(event));
      return secured(adminAnswer(answer));
    }
    return secured(jsonError(404, 'console_not_found', `nothing at ${path}`));
  };

  /** The page for a session; the token exchanged for a session; or the 401 page. */
  function openPage(
    event: APIGatewayProxyEventV2,
    session: ConsoleSession | undefined,
  ): APIGatewayProxyStructuredResultV2 {
    const presented = event.queryStringParameters?.token;
    if (presented !== undefined) {
      if (!sessions.checkToken(presented)) return unauthorized();
      const cookie = `${sessions.cookieName}=${sessions.issue(now())}; Path=${CONSOLE_PATH}; HttpOnly; SameSite=Strict`;
      // A header rather than `cookies`: the local HTTP adapter writes headers only.
      return { statusCode: 303, headers: { location: CONSOLE_PATH, 'set-cookie': cookie }, body: '' };
    }
    if (session === undefined) return unauthorized();
    return html(200, consolePage(sessions.csrfToken(session)));
  }
}

function cookieValue(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const cookies = event.cookies ?? event.headers?.cookie?.split(';') ?? [];
  for (const cookie of cookies) {
    const separator = cookie.indexOf('=');
    if (separator > 0 && cookie.slice(0, separator).trim() === name)
      return cookie.slice(separator + 1).trim();
  }
  return undefined;
}

/** The admin API's answer as it is, without cookies of its own (it sets none). */
function adminAnswer(answer: APIGatewayProxyStructuredResultV2): APIGatewayProxyStructuredResultV2 {
  const { cookies: _cookies, ...rest } = answer;
  const { 'set-cookie': _setCookie, ...headers } = rest.headers ?? {};
  return { ...rest, headers };
}

function serveAsset(asset: ConsoleAsset | undefined, method: string): APIGatewayProxyStructuredResultV2 {
  if (method !== 'GET') return methodNotAllowed();
  if (asset === undefined) return jsonError(404, 'console_not_found', 'no such asset');
  return { statusCode: 200, headers: { 'content-type': asset.contentType }, body: asset.body };
}

function unauthorized(): APIGatewayProxyStructuredResultV2 {
  return html(401, unauthorizedPage());
}

function methodNotAllowed(): APIGatewayProxyStructuredResultV2 {
  const answer = jsonError(405, 'method_not_allowed', 'only GET is allowed here');
  return { ...answer, headers: { ...answer.headers, allow: 'GET' } };
}

function html(status: number, body: string): APIGatewayProxyStructuredResultV2 {
  return { statusCode: status, headers: { 'content-type': 'text/html; charset=utf-8' }, body };
}

function jsonError(status: number, code: string, message: string): APIGatewayProxyStructuredResultV2 {
  return jsonResponse(status, { error: { code, message } });
}

function secured(answer: APIGatewayProxyStructuredResultV2): APIGatewayProxyStructuredResultV2 {
  return { ...answer, headers: { ...answer.headers, ...SECURITY_HEADERS } };
}
