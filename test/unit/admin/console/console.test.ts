import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { CSRF_HEADER, createConsole } from '../../../../shared/admin/console/console.js';
import { SESSION_MAX_AGE_MS } from '../../../../shared/admin/console/session.js';
import { localGateway } from '../../../../shared/local/http-adapter.js';

const TOKEN = 'console-test-token-0123456789abcdef';
const HOST = '127.0.0.1:3000';

interface Request {
  readonly method?: string;
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly cookies?: string[];
  readonly body?: string;
}

function event(request: Request): APIGatewayProxyEventV2 {
  const query = request.query ?? {};
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: request.path,
    rawQueryString: new URLSearchParams(query).toString(),
    ...(Object.keys(query).length > 0 && { queryStringParameters: query }),
    ...(request.cookies !== undefined && { cookies: request.cookies }),
    headers: { host: HOST, ...request.headers },
    requestContext: {
      http: { method: request.method ?? 'GET', path: request.path, sourceIp: '127.0.0.1' },
      domainName: HOST,
    },
    ...(request.body !== undefined && { body: request.body }),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

/** A console over an admin API that records what it was asked and answers 200 `{ ok: true }`. */
function consoleUnderTest(now: () => Date = () => new Date()) {
  const forwarded: APIGatewayProxyEventV2[] = [];
  const handler = createConsole({
    token: TOKEN,
    now,
    admin: async (adminEvent) => {
      forwarded.push(adminEvent);
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json', 'set-cookie': 'admin=1' },
        body: '{"ok":true}',
      };
    },
  });
  return { forwarded, call: (request: Request) => handler(event(request)) };
}

function header(answer: APIGatewayProxyStructuredResultV2, name: string): string | undefined {
  const value = answer.headers?.[name];
  return value === undefined ? undefined : String(value);
}

/** Signs in with the token and returns the session cookie (`name=value`) and the page's CSRF token. */
async function signIn(console: ReturnType<typeof consoleUnderTest>) {
  const redirect = await console.call({ path: '/_hookline/console', query: { token: TOKEN } });
  const cookie = (header(redirect, 'set-cookie') ?? '').split(';')[0] ?? '';
  const page = await console.call({ path: '/_hookline/console', cookies: [cookie] });
  const csrf = /name="hookline-csrf" content="([^"]+)"/.exec(page.body ?? '')?.[1] ?? '';
  return { cookie, csrf };
}

describe('createConsole()', () => {
  describe('opening', () => {
    it('exchanges the token for an HttpOnly, SameSite=Strict session cookie and a 303 to the bare URL', async () => {
      const console = consoleUnderTest();

      const answer = await console.call({ path: '/_hookline/console', query: { token: TOKEN } });

      expect(answer.statusCode).toBe(303);
      expect(header(answer, 'location')).toBe('/_hookline/console');
      const cookie = header(answer, 'set-cookie') ?? '';
      expect(cookie).toMatch(
        /^hookline_console_[0-9a-f]{8}=[^;]+; Path=\/_hookline\/console; HttpOnly; SameSite=Strict$/,
      );
      expect(cookie).not.toContain(TOKEN);
    });

    it.each([
      ['a wrong token', { query: { token: 'not-the-token-at-all-000000000000' } }],
      ['an empty token', { query: { token: '' } }],
      ['no token and no cookie', {}],
      ['a forged cookie', { cookies: ['hookline_console_00000000=lx0.abc.def'] }],
    ])('answers %s with the 401 page naming hookline dev', async (_case, request) => {
      const answer = await consoleUnderTest().call({ path: '/_hookline/console', ...request });

      expect(answer.statusCode).toBe(401);
      expect(header(answer, 'content-type')).toBe('text/html; charset=utf-8');
      expect(answer.body).toContain('hookline dev');
      expect(header(answer, 'set-cookie')).toBeUndefined();
    });

    it('serves the page to the cookie holder, with a per-session CSRF token and no token in it', async () => {
      const console = consoleUnderTest();
      const first = await signIn(console);
      const second = await signIn(console);

      const page = await console.call({ path: '/_hookline/console', cookies: [first.cookie] });

      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('<script src="/_hookline/console/assets/console.js" defer></script>');
      expect(page.body).not.toContain(TOKEN);
      expect(first.csrf).toMatch(/^[\w-]{43}$/);
      expect(second.csrf).not.toBe(first.csrf);
    });

    it('refuses a session from another console (a restarted stack) and an expired one', async () => {
      let now = new Date('2026-12-01T10:00:00Z');
      const console = consoleUnderTest(() => now);
      const { cookie } = await signIn(console);
      const other = consoleUnderTest(() => now);

      expect((await other.call({ path: '/_hookline/console', cookies: [cookie] })).statusCode).toBe(401);
      now = new Date(now.getTime() + SESSION_MAX_AGE_MS);
      expect((await console.call({ path: '/_hookline/console', cookies: [cookie] })).statusCode).toBe(401);
    });

    it('reads the cookie from a Cookie header too', async () => {
      const console = consoleUnderTest();
      const { cookie } = await signIn(console);

      const page = await console.call({
        path: '/_hookline/console',
        headers: { cookie: `other=1; ${cookie}` },
      });

      expect(page.statusCode).toBe(200);
    });
  });

  describe('the API', () => {
    it('forwards a GET to the admin path with its query, without cookie, origin or fetch metadata', async () => {
      const console = consoleUnderTest();
      const { cookie } = await signIn(console);

      const answer = await console.call({
        path: '/_hookline/console/api/events',
        query: { route: '/orders/', since: '24h' },
        cookies: [cookie],
        headers: { origin: `http://${HOST}`, 'sec-fetch-site': 'same-origin', referer: 'http://x/' },
      });

      expect(answer).toMatchObject({ statusCode: 200, body: '{"ok":true}' });
      expect(header(answer, 'set-cookie')).toBeUndefined();
      const [forwarded] = console.forwarded;
      expect(forwarded?.rawPath).toBe('/_hookline/events');
      expect(forwarded?.requestContext.http.path).toBe('/_hookline/events');
      expect(forwarded?.queryStringParameters).toEqual({ route: '/orders/', since: '24h' });
      expect(forwarded?.cookies).toBeUndefined();
      expect(Object.keys(forwarded?.headers ?? {}).sort()).toEqual(['host']);
    });

    it('answers 401 without a session, forwarding nothing', async () => {
      const console = consoleUnderTest();

      const answer = await console.call({ path: '/_hookline/console/api/routes' });

      expect(answer.statusCode).toBe(401);
      expect(JSON.parse(answer.body ?? '')).toMatchObject({ error: { code: 'console_session_required' } });
      expect(console.forwarded).toEqual([]);
    });

    it.each([
      ['no CSRF header', undefined],
      ['a wrong CSRF header', 'A'.repeat(43)],
    ])('refuses a POST with %s with 403', async (_case, csrf) => {
      const console = consoleUnderTest();
      const { cookie } = await signIn(console);

      const answer = await console.call({
        method: 'POST',
        path: '/_hookline/console/api/replay',
        cookies: [cookie],
        headers: csrf === undefined ? {} : { [CSRF_HEADER]: csrf },
        body: '{"id":"evt_1"}',
      });

      expect(answer.statusCode).toBe(403);
      expect(JSON.parse(answer.body ?? '')).toMatchObject({ error: { code: 'console_csrf' } });
      expect(console.forwarded).toEqual([]);
    });

    it("refuses another session's CSRF token", async () => {
      const console = consoleUnderTest();
      const mine = await signIn(console);
      const theirs = await signIn(console);

      const answer = await console.call({
        method: 'POST',
        path: '/_hookline/console/api/replay',
        cookies: [mine.cookie],
        headers: { [CSRF_HEADER]: theirs.csrf },
      });

      expect(answer.statusCode).toBe(403);
    });

    it('forwards a POST with the matching CSRF token, its method and body', async () => {
      const console = consoleUnderTest();
      const { cookie, csrf } = await signIn(console);

      const answer = await console.call({
        method: 'POST',
        path: '/_hookline/console/api/dlq/orders/redrive',
        cookies: [cookie],
        headers: { [CSRF_HEADER]: csrf, 'content-type': 'application/json' },
        body: '{"ratePerSecond":5}',
      });

      expect(answer.statusCode).toBe(200);
      const [forwarded] = console.forwarded;
      expect(forwarded?.requestContext.http.method).toBe('POST');
      expect(forwarded?.rawPath).toBe('/_hookline/dlq/orders/redrive');
      expect(forwarded?.body).toBe('{"ratePerSecond":5}');
      expect(forwarded?.headers).toEqual({ host: HOST, 'content-type': 'application/json' });
    });
  });

  describe('other pages', () => {
    it.each([
      ['an Origin of another port', { origin: 'http://127.0.0.1:4000' }],
      ['an Origin of another host', { origin: 'https://evil.example' }],
      ['Origin: null', { origin: 'null' }],
      ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
      ['Sec-Fetch-Site: same-site (another port)', { 'sec-fetch-site': 'same-site' }],
    ])('refuses a request with %s with 403, even with a session and CSRF token', async (_case, headers) => {
      const console = consoleUnderTest();
      const { cookie, csrf } = await signIn(console);

      for (const path of ['/_hookline/console/api/replay', '/_hookline/console']) {
        const answer = await console.call({
          method: path.endsWith('replay') ? 'POST' : 'GET',
          path,
          cookies: [cookie],
          headers: { [CSRF_HEADER]: csrf, ...headers },
        });
        expect(answer.statusCode).toBe(403);
        expect(JSON.parse(answer.body ?? '')).toMatchObject({ error: { code: 'console_foreign_origin' } });
      }
      expect(console.forwarded).toEqual([]);
    });

    it('accepts its own Origin and Sec-Fetch-Site same-origin or none', async () => {
      const console = consoleUnderTest();
      const { cookie, csrf } = await signIn(console);

      const api = await console.call({
        method: 'POST',
        path: '/_hookline/console/api/replay',
        cookies: [cookie],
        headers: { [CSRF_HEADER]: csrf, origin: `http://${HOST}`, 'sec-fetch-site': 'same-origin' },
      });
      const typed = await console.call({
        path: '/_hookline/console',
        query: { token: TOKEN },
        headers: { 'sec-fetch-site': 'none' },
      });

      expect(api.statusCode).toBe(200);
      expect(typed.statusCode).toBe(303);
    });
  });

  describe('answers', () => {
    it.each([
      ['the redirect', { path: '/_hookline/console', query: { token: TOKEN } }],
      ['the 401 page', { path: '/_hookline/console' }],
      ['an API 401', { path: '/_hookline/console/api/routes' }],
      ['a refusal', { path: '/_hookline/console', headers: { origin: 'http://evil.example' } }],
      ['the script', { path: '/_hookline/console/assets/console.js' }],
      ['a missing asset', { path: '/_hookline/console/assets/nope.js' }],
    ])('carry the security headers on %s', async (_case, request: Request) => {
      const answer = await consoleUnderTest().call(request);

      expect(header(answer, 'content-security-policy')).toMatch(/^default-src 'self'; script-src 'self';/);
      expect(header(answer, 'content-security-policy')).toContain("frame-ancestors 'none'");
      expect(header(answer, 'x-frame-options')).toBe('DENY');
      expect(header(answer, 'referrer-policy')).toBe('no-referrer');
      expect(header(answer, 'cache-control')).toBe('no-store');
    });

    it('serves the script and the style sheet without a session', async () => {
      const console = consoleUnderTest();

      const script = await console.call({ path: '/_hookline/console/assets/console.js' });
      const style = await console.call({ path: '/_hookline/console/assets/console.css' });

      expect(script).toMatchObject({
        statusCode: 200,
        headers: { 'content-type': 'text/javascript; charset=utf-8' },
      });
      expect(style).toMatchObject({
        statusCode: 200,
        headers: { 'content-type': 'text/css; charset=utf-8' },
      });
    });

    it('answers 404 elsewhere under the console and 405 to a POST of the page', async () => {
      const console = consoleUnderTest();

      expect((await console.call({ path: '/_hookline/console/other' })).statusCode).toBe(404);
      expect((await console.call({ method: 'POST', path: '/_hookline/console' })).statusCode).toBe(405);
    });

    it('has no markup of its own the script fills with data', async () => {
      const console = consoleUnderTest();
      const script = await console.call({ path: '/_hookline/console/assets/console.js' });

      expect(script.body).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    });
  });
});

describe('localGateway() with a console', () => {
  const gateway = localGateway({
    webhooks: async () => ({ statusCode: 202, body: 'webhook' }),
    admin: async () => ({ statusCode: 200, body: 'admin' }),
    console: async () => ({ statusCode: 200, body: 'console' }),
  });

  function request(path: string, headers: Record<string, string>, sourceIp = '127.0.0.1') {
    return gateway({
      rawPath: path,
      headers: { host: HOST, ...headers },
      requestContext: { http: { method: 'GET', sourceIp } },
    } as unknown as APIGatewayProxyEventV2);
  }

  it('hands the console its paths, browser requests included', async () => {
    const headers = { origin: `http://${HOST}`, 'sec-fetch-site': 'same-origin' };

    expect(await request('/_hookline/console', headers)).toMatchObject({ body: 'console' });
    expect(await request('/_hookline/console/api/routes', headers)).toMatchObject({ body: 'console' });
  });

  it('keeps browsers off the admin API itself', async () => {
    const reply = await request('/_hookline/routes', {
      origin: `http://${HOST}`,
      'sec-fetch-site': 'same-origin',
    });

    expect(reply.statusCode).toBe(403);
  });

  it.each([
    ['another address', { host: HOST }, '192.0.2.7'],
    ['a foreign host name (DNS rebinding)', { host: 'evil.example:3000' }, '127.0.0.1'],
  ])('refuses the console from %s', async (_case, headers, sourceIp) => {
    const reply = await request('/_hookline/console', headers, sourceIp);

    expect(reply.statusCode).toBe(403);
    expect(JSON.parse(String(reply.body))).toMatchObject({ error: { code: 'admin_local_only' } });
  });
});
