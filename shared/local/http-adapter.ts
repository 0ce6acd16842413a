import { isUtf8 } from 'node:buffer';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { isConsolePath } from '../admin/console/paths.js';
import { HTTP_API_MAX_PAYLOAD_BYTES } from '../aws-limits.js';
import { isAdminPath } from '../http/paths.js';

/** What API Gateway would invoke: one HTTP API (payload format 2.0) event in, one result out. */
export type HttpApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

const TEXT_CONTENT_TYPE =
  /^(text\/|application\/(json|[\w.+-]+\+json|x-www-form-urlencoded|xml|[\w.+-]+\+xml))/i;

/**
 * Turns a Node HTTP request into the API Gateway HTTP API (payload format 2.0) event a Lambda
 * would receive: lower-case headers with repeats joined by commas, cookies split out, text bodies
 * as strings and everything else base64-encoded.
 */
function toApiGatewayEvent(
  request: IncomingMessage,
  body: Buffer,
  now: Date = new Date(),
): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== 'cookie')
      headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const contentType = headers['content-type'] ?? '';
  const asText = TEXT_CONTENT_TYPE.test(contentType) && isUtf8(body);
  const method = request.method ?? 'GET';
  const cookies = request.headers.cookie?.split(';').map((cookie) => cookie.trim());
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies !== undefined && { cookies }),
    headers,
    ...(url.search !== '' && { queryStringParameters: Object.fromEntries(url.searchParams) }),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: `local-${now.getTime().toString(36)}-${Math.random().toString(36).slice(2, 10)}`,
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 && { body: asText ? body.toString('utf8') : body.toString('base64') }),
    isBase64Encoded: body.length > 0 && !asText,
  };
}

/** True for IPv4 127.0.0.0/8 and IPv6 `::1` (also IPv4-mapped). */
export function isLoopbackAddress(address: string): boolean {
  const ip = address.replace(/^::ffff:/i, '');
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip) || ip === '::1';
}

/** `localhost`, a loopback IP, or `[::1]`, with or without a port. */
function isLoopbackHost(host: string): boolean {
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '');
  return name.toLowerCase() === 'localhost' || isLoopbackAddress(name);
}

/**
 * One HTTP server for both: `/_hookline/*` goes to the admin API, every other path to the webhook
 * ingress. The local admin API has no authentication, so it answers only requests made on this
 * machine by a program, not by a browser: from a loopback address, to a loopback host name (a DNS
 * rebinding page names its own host), without an `Origin` header (browsers send one on cross-site
 * requests) and without a `Sec-Fetch-Site` header other than `none`. Browsers send that header on
 * every request, also the no-cors ones that carry no `Origin` (`<img src>`, `<script src>`, a
 * link): its value is `none` only when the user typed the URL or opened a bookmark. Programs
 * (the CLI, curl, SDKs) send neither. Anything else gets 403 `admin_local_only`.
 */
export function localGateway(handlers: {
  webhooks: HttpApiHandler;
  admin: HttpApiHandler;
  /**
   * The console (`/_hookline/console` and below), for browsers on this machine: it is kept to
   * loopback addresses and host names here, and checks its session, CSRF token and the request's
   * origin itself. @default - none: those paths are the admin API's (which has no such path)
   */
  console?: HttpApiHandler;
}): HttpApiHandler {
  return async (event) => {
    if (!isAdminPath(event.rawPath)) return handlers.webhooks(event);
    const headers = event.headers ?? {};
    const onThisMachine =
      isLoopbackAddress(event.requestContext.http.sourceIp) && isLoopbackHost(headers.host ?? 'localhost');
    if (handlers.console !== undefined && isConsolePath(event.rawPath)) {
      return onThisMachine ? handlers.console(event) : adminLocalOnly();
    }
    const local = onThisMachine && headers.origin === undefined && isUserInitiated(headers['sec-fetch-site']);
    return local ? handlers.admin(event) : adminLocalOnly();
  };
}

function adminLocalOnly(): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: 403,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      error: {
        code: 'admin_local_only',
        message: 'the local admin API answers programs on this machine only (not other hosts or browsers)',
      },
    }),
  };
}

/** No `Sec-Fetch-Site` (not a browser), or `none`: the user opened the URL themselves. */
function isUserInitiated(secFetchSite: string | undefined): boolean {
  return secFetchSite === undefined || secFetchSite.trim().toLowerCase() === 'none';
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > HTTP_API_MAX_PAYLOAD_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function writeResult(response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  const body =
    result.body === undefined ? '' : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  response.writeHead(result.statusCode ?? 200, { ...result.headers, 'content-length': body.length });
  response.end(body);
}

/** Serves an HTTP API handler over real HTTP, the way API Gateway would invoke it. */
export async function serveHttpApi(
  handler: HttpApiHandler,
  options: { port?: number; host?: string } = {},
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      if (body === undefined) {
        writeResult(response, {
          statusCode: 413,
          body: JSON.stringify({ message: 'Request Entity Too Large' }),
        });
        return;
      }
      writeResult(response, await handler(toApiGatewayEvent(request, body)));
    })().catch(() => {
      if (!response.headersSent)
        writeResult(response, {
          statusCode: 500,
          body: JSON.stringify({ message: 'Internal Server Error' }),
        });
    });
  });
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    /** Stops accepting requests, lets in-flight ones finish (up to `graceMs`), then drops the rest. */
    async close(graceMs = 5_000) {
      const closed = once(server, 'close');
      server.close();
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}
