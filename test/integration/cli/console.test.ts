/**
 * `hookline console --stack NAME`: the console served on this machine over a deployed stack's admin
 * API, without AWS. One local server plays CloudFormation (the recorded DescribeStacks) and the
 * stack's admin API, judging every request's SigV4 signature as API Gateway's IAM authorizer does;
 * the test drives the console over real HTTP as a browser would (token, cookie, CSRF header).
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeAws,
  FIXTURES,
  fakeAwsEnv,
  json,
  RECORDED_API_URL,
  serveFakeAws,
  signatureMatches,
} from '../../helpers/fake-aws.js';
import { hookline, RunningHookline } from './spawn-hookline.js';

interface AdminCall {
  readonly method: string;
  readonly url: string;
  readonly body: string;
  readonly signed: boolean;
}

let fake: FakeAws;
let baseUrl: string;
const adminCalls: AdminCall[] = [];
const running: RunningHookline[] = [];

beforeAll(async () => {
  fake = await serveFakeAws(handle);
  baseUrl = fake.url;
});

afterEach(() => {
  for (const cli of running.splice(0)) if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
  adminCalls.length = 0;
});

afterAll(async () => {
  await fake?.close();
});

async function handle(request: IncomingMessage, response: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const url = new URL(request.url ?? '/', baseUrl);
  if (url.pathname === '/') {
    if (!(await signatureMatches(request, body, 'cloudformation'))) return json(response, 403, {});
    response.writeHead(200, { 'content-type': 'text/xml' });
    response.end(
      readFileSync(join(FIXTURES, 'describe-stacks.xml'), 'utf8').replaceAll(RECORDED_API_URL, `${baseUrl}/`),
    );
    return;
  }
  const signed = await signatureMatches(request, body, 'execute-api');
  adminCalls.push({ method: request.method ?? 'GET', url: request.url ?? '', body, signed });
  if (!signed) return json(response, 403, { message: 'Forbidden' });
  if (request.method === 'GET' && url.pathname === '/_hookline/events') {
    return json(response, 200, { events: [{ id: 'evt_deployed', status: 'delivered' }] });
  }
  if (request.method === 'POST' && url.pathname === '/_hookline/events/evt_deployed/replay') {
    return json(response, 202, { id: 'evt_replayed', replayOf: 'evt_deployed' });
  }
  return json(response, 404, { error: { code: 'event_not_found', message: `no ${url.pathname}` } });
}

/** `hookline console --stack hookline-test --json`, resolved with the URL it prints. */
async function startConsole(): Promise<{ cli: RunningHookline; url: URL }> {
  const cli = new RunningHookline(['console', '--stack', 'hookline-test', '--json'], {
    env: fakeAwsEnv(baseUrl),
  });
  running.push(cli);
  await cli.until(() => cli.lines().length > 0, 'the console URL');
  const printed = JSON.parse(cli.lines()[0] ?? '') as { url: string; gateway: string };
  expect(printed.gateway).toContain('hookline-test');
  return { cli, url: new URL(printed.url) };
}

/** Opens the console with its token: the session cookie and the page's CSRF token. */
async function signIn(url: URL): Promise<{ cookie: string; csrf: string }> {
  const opened = await fetch(url, { redirect: 'manual' });
  expect(opened.status).toBe(303);
  const cookie = (opened.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const page = await fetch(new URL('/_hookline/console', url), { headers: { cookie } });
  expect(page.status).toBe(200);
  const csrf = /name="hookline-csrf" content="([^"]+)"/.exec(await page.text())?.[1];
  if (csrf === undefined) throw new Error('no CSRF token in the page');
  return { cookie, csrf };
}

describe('hookline console --stack NAME', () => {
  it("serves the console on this machine over the deployed admin API, each request signed with the user's credentials", async () => {
    const { cli, url } = await startConsole();
    expect(url.hostname).toBe('127.0.0.1');
    const { cookie, csrf } = await signIn(url);

    const listed = await fetch(new URL('/_hookline/console/api/events?route=order_status&since=1h', url), {
      headers: { cookie },
    });
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual({ events: [{ id: 'evt_deployed', status: 'delivered' }] });

    const replayed = await fetch(new URL('/_hookline/console/api/events/evt_deployed/replay', url), {
      method: 'POST',
      headers: { cookie, 'x-hookline-csrf': csrf, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(replayed.status).toBe(202);
    expect(await replayed.json()).toEqual({ id: 'evt_replayed', replayOf: 'evt_deployed' });

    // What reached the deployed API: the admin paths, the query as given, signed (the oracle agreed).
    expect(adminCalls).toEqual([
      { method: 'GET', url: '/_hookline/events?route=order_status&since=1h', body: '', signed: true },
      { method: 'POST', url: '/_hookline/events/evt_deployed/replay', body: '{}', signed: true },
    ]);

    expect(await cli.stop('SIGINT')).toBe(0);
  });

  it('sends nothing to the stack for a request without a session, without the CSRF header, or from another page', async () => {
    const { url } = await startConsole();
    const { cookie } = await signIn(url);
    const api = new URL('/_hookline/console/api/events/evt_deployed/replay', url);

    const noSession = await fetch(new URL('/_hookline/console/api/events', url));
    const noCsrf = await fetch(api, { method: 'POST', headers: { cookie }, body: '{}' });
    const foreign = await fetch(api, {
      method: 'POST',
      headers: { cookie, origin: 'http://127.0.0.1:9', 'sec-fetch-site': 'same-site' },
      body: '{}',
    });

    expect([noSession.status, noCsrf.status, foreign.status]).toEqual([401, 403, 403]);
    expect(adminCalls).toEqual([]);
  });

  it('refuses a port that is not one (exit 2)', async () => {
    const run = await hookline(['console', '--port', 'http'], { env: fakeAwsEnv(baseUrl) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--port must be a port number');
  });
});
