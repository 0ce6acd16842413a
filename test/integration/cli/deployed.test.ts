/**
 * The CLI against a deployed stack, without AWS: one local HTTP server plays CloudFormation
 * (DescribeStacks answered with recorded responses, test/fixtures/aws/), Secrets Manager
 * (GetSecretValue, likewise recorded) and the stack's HTTP API.
 * Like API Gateway's IAM authorizer, it recomputes the SigV4 signature of every request with the
 * test credentials and refuses mismatches with 403, so a broken signer fails these tests.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSigV4Signer } from '../../../shared/cli/sigv4.js';
import { verifyStandardWebhooks } from '../../../shared/verify/standard-webhooks.js';
import {
  CREDENTIALS,
  type FakeAws,
  FIXTURES,
  fakeAwsEnv,
  json,
  RECORDED_API_URL,
  STACK_REGION,
  serveFakeAws,
  signatureMatches,
} from '../../helpers/fake-aws.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'shared/cli/hookline.mjs');
const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const EVENT_ID = 'evt_01JN5Y3M8Q2R4T6V8W0X2Y4Z6A';
const REPLAY_ID = 'evt_01JN5Y9B1C3D5E7F9G1H3J5K7M';
/** `verify.secret.name` of /order/status/ in hookline.config.ts: its Secrets Manager name deployed. */
const ROUTE_SECRET_NAME = 'ORDER_STATUS_WEBHOOK_SECRET';
/** The recorded GetSecretValue answer; its SecretString is WEBHOOK_SECRET. */
const RECORDED_SECRET = JSON.parse(readFileSync(join(FIXTURES, 'get-secret-value.json'), 'utf8')) as {
  readonly Name: string;
  readonly SecretString: string;
};

interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly service: string;
  readonly body: string;
  readonly verdict: 'signed' | 'refused';
}

let fake: FakeAws;
let baseUrl: string;
const seen: SeenRequest[] = [];
/** What the fake Secrets Manager holds (name → SecretString): the recorded secret unless a test changes it. */
const storedSecrets = new Map<string, string>();

/** One answer of `GET /_hookline/dlq/order_status/redrive`, built when asked from when the redrive started. */
type RedriveListing = (startedAt: string) => Record<string, unknown>[];
/** The answers of successive redrive listings; the last one repeats. */
let redriveListings: RedriveListing[] = [];
/** When the fake API received `POST /_hookline/dlq/order_status/redrive`. */
let redriveStartedAt = '';
/** A redrive of the same DLQ that ended an hour before the test's. */
const PREVIOUS_REDRIVE = {
  status: 'COMPLETED',
  moved: 3,
  toMove: 3,
  startedAt: new Date(Date.now() - 3_600_000).toISOString(),
};

beforeAll(async () => {
  fake = await serveFakeAws(handle);
  baseUrl = fake.url;
});

afterAll(async () => {
  await fake?.close();
});

beforeEach(() => {
  seen.length = 0;
  redriveListings = [];
  redriveStartedAt = '';
  storedSecrets.clear();
  storedSecrets.set(RECORDED_SECRET.Name, RECORDED_SECRET.SecretString);
});

async function handle(request: IncomingMessage, response: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const url = new URL(request.url ?? '/', baseUrl);
  const isWebhook =
    !url.pathname.startsWith('/_hookline') && request.method === 'POST' && url.pathname !== '/';
  if (isWebhook) return webhook(request, url, body, response);

  // Secrets Manager speaks JSON over POST / (the operation in x-amz-target), CloudFormation a form.
  const target = request.headers['x-amz-target'];
  const service =
    typeof target === 'string' && target.startsWith('secretsmanager.')
      ? 'secretsmanager'
      : url.pathname === '/'
        ? 'cloudformation'
        : 'execute-api';
  const valid = await signatureMatches(request, body, service);
  seen.push({
    method: request.method ?? '',
    url: request.url ?? '',
    service,
    body,
    verdict: valid ? 'signed' : 'refused',
  });
  if (!valid && service === 'cloudformation') {
    response.writeHead(403, { 'content-type': 'text/xml' });
    response.end(readFileSync(join(FIXTURES, 'signature-does-not-match.xml')));
    return;
  }
  if (!valid && service === 'secretsmanager') {
    return awsJson(response, 400, {
      __type: 'InvalidSignatureException',
      message: 'The request signature we calculated does not match the signature you provided.',
    });
  }
  if (!valid) return json(response, 403, { message: 'Forbidden' });
  if (service === 'cloudformation') return cloudFormation(new URLSearchParams(body), response);
  if (service === 'secretsmanager') return secretsManager(request, body, response);
  return adminApi(request.method ?? 'GET', url, body, response);
}

function cloudFormation(form: URLSearchParams, response: ServerResponse) {
  const stack = form.get('StackName');
  const [status, file] =
    form.get('Action') !== 'DescribeStacks'
      ? [400, 'describe-stacks-not-found.xml']
      : stack === 'hookline-test' || stack === 'hookline-elsewhere'
        ? [200, 'describe-stacks.xml']
        : stack === 'hookline-creating'
          ? [200, 'describe-stacks-no-outputs.xml']
          : [400, 'describe-stacks-not-found.xml'];
  // The recorded ApiUrl points to AWS; this server stands in for it.
  const xml = readFileSync(join(FIXTURES, file), 'utf8')
    .replaceAll(RECORDED_API_URL, `${baseUrl}/`)
    .replace('hookline-missing', stack ?? '')
    .replaceAll('stack/hookline-test/', `stack/${stack}/`)
    .replaceAll('<StackName>hookline-test<', `<StackName>${stack}<`)
    // A stack in another region than the CloudFormation call's: API requests must be signed for it.
    .replaceAll(
      stack === 'hookline-elsewhere' ? 'cloudformation:eu-west-1:' : '\0',
      'cloudformation:us-east-2:',
    );
  response.writeHead(status, {
    'content-type': 'text/xml',
    'x-amzn-requestid': '8d3e1f52-6c0b-4a8e-9b9f-2f1d5c7a4e61',
  });
  response.end(xml);
}

/** GetSecretValue of a stored secret, by name, as recorded; ResourceNotFoundException otherwise. */
function secretsManager(request: IncomingMessage, body: string, response: ServerResponse) {
  if (
    request.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue' ||
    request.headers['content-type'] !== 'application/x-amz-json-1.1'
  ) {
    return awsJson(response, 400, { __type: 'UnknownOperationException' });
  }
  const { SecretId } = JSON.parse(body) as { SecretId?: string };
  const value = SecretId === undefined ? undefined : storedSecrets.get(SecretId);
  if (value === undefined) {
    return awsJson(response, 400, readFileSync(join(FIXTURES, 'get-secret-value-not-found.json'), 'utf8'));
  }
  awsJson(response, 200, { ...RECORDED_SECRET, SecretString: value });
}

function adminApi(method: string, url: URL, body: string, response: ServerResponse) {
  const route = { route: '/order/status/', queueName: 'order_status' };
  if (method === 'GET' && url.pathname === '/_hookline/routes') {
    const counts = {
      received: 1,
      queued: 2,
      processing: 3,
      retrying: 4,
      delivered: 5,
      dead_lettered: 6,
      ignored: 7,
    };
    return json(response, 200, {
      routes: [
        {
          ...route,
          queued: 3,
          inFlight: 1,
          delayed: 0,
          dlqDepth: 2,
          oldestMessageAgeSeconds: 754,
          circuit: { state: 'open', failures: 5, coolDownSeconds: 30, openedAt: '2025-03-01T12:00:00.000Z' },
          ...(url.searchParams.get('counts') === '1' && { counts }),
        },
      ],
    });
  }
  const steer = /^\/_hookline\/routes\/([^/]+)\/(pause|resume)$/.exec(url.pathname);
  if (method === 'POST' && steer !== null) {
    const [, name, action] = steer;
    if (name === 'order_flaky') {
      return json(response, 503, {
        error: {
          code: 'consumer_unavailable',
          message: "the route's consumer could not be read or changed; retry later",
        },
      });
    }
    if (name !== route.queueName) {
      return json(response, 404, {
        error: {
          code: 'route_not_found',
          message: `no configured route "${name}"; routes: order_status (/order/status/)`,
        },
      });
    }
    return json(response, 200, {
      route: route.route,
      circuit:
        action === 'pause'
          ? { state: 'paused', pausedAt: '2025-03-01T12:00:00.000Z' }
          : { state: 'closed', failures: 0, coolDownSeconds: 30 },
    });
  }
  if (url.pathname === '/_hookline/dlq/order_status/redrive') {
    if (method === 'POST') {
      redriveStartedAt = new Date().toISOString();
      return json(response, 202, { route: route.route, taskHandle: 'task-new' });
    }
    const listing = redriveListings.length > 1 ? redriveListings.shift() : redriveListings[0];
    return json(response, 200, { route: route.route, tasks: listing?.(redriveStartedAt) ?? [] });
  }
  if (method === 'GET' && url.pathname === `/_hookline/events/${REPLAY_ID}`) {
    return json(response, 200, { event: replayEvent(url.searchParams.get('include') === 'body') });
  }
  if (method === 'GET' && url.pathname.startsWith('/_hookline/events/')) {
    const id = decodeURIComponent(url.pathname.slice('/_hookline/events/'.length));
    return json(response, 404, { error: { code: 'event_not_found', message: `event ${id} not found` } });
  }
  if (method === 'GET' && url.pathname === '/_hookline/events') {
    return json(response, 200, {
      events: [{ ...replayEvent(false), query: url.search }],
      nextCursor: 'eyJ2IjoxfQ',
    });
  }
  if (method === 'POST' && url.pathname === '/_hookline/replay') {
    const request = JSON.parse(body) as { id?: string; route?: string; cursor?: string };
    if (request.route === '/order/flaky/') {
      // A run whose first page stops on a failed send, the API's report carrying the error.
      const resumed = request.cursor === 'resume-1';
      return json(response, 202, {
        report: {
          matched: 1,
          enqueued: 1,
          skipped: 0,
          dryRun: false,
          replays: [resumed ? { original: 'evt_B', id: 'evt_RB' } : { original: 'evt_A', id: 'evt_RA' }],
          skippedEvents: [],
          ...(!resumed && {
            nextCursor: 'resume-1',
            error: { code: 'queue_unavailable', message: 'the replay of event evt_B could not be queued' },
          }),
        },
      });
    }
    if (request.route !== undefined) {
      // A bulk run of three events served in two pages, as the API pages within its time budget.
      const first = request.cursor === undefined;
      return json(response, 202, {
        report: {
          matched: first ? 2 : 1,
          enqueued: first ? 2 : 1,
          skipped: 0,
          dryRun: false,
          replays: first
            ? [
                { original: 'evt_A', id: 'evt_RA' },
                { original: 'evt_B', id: 'evt_RB' },
              ]
            : [{ original: 'evt_C', id: 'evt_RC' }],
          skippedEvents: [],
          ...(first && { nextCursor: 'page-2' }),
        },
      });
    }
    return json(response, 202, {
      replay: {
        id: REPLAY_ID,
        replayOf: request.id,
        status: 'queued',
        statusUrl: `${baseUrl}/_hookline/events/${REPLAY_ID}`,
      },
    });
  }
  return json(response, 404, {
    error: { code: 'not_found', message: `no admin route ${method} ${url.pathname}` },
  });
}

function webhook(request: IncomingMessage, url: URL, body: string, response: ServerResponse) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers))
    if (typeof value === 'string') headers[name] = value;
  const result = verifyStandardWebhooks(
    { body: Buffer.from(body), headers, secrets: [WEBHOOK_SECRET], now: new Date() },
    { scheme: 'standardWebhooks', secret: { name: 'ORDER_STATUS_WEBHOOK_SECRET' } },
  );
  seen.push({
    method: 'POST',
    url: url.pathname,
    service: 'webhook',
    body,
    verdict: result.ok ? 'signed' : 'refused',
  });
  if (!result.ok)
    return json(response, 401, {
      error: { code: 'invalid_signature', message: 'signature verification failed' },
    });
  json(response, 202, {
    id: EVENT_ID,
    status: 'queued',
    statusUrl: `${baseUrl}/_hookline/events/${EVENT_ID}`,
  });
}

function replayEvent(withBody: boolean) {
  return {
    id: REPLAY_ID,
    route: '/order/status/',
    queueName: 'order_status',
    receivedAt: '2025-03-01T12:00:05.000Z',
    updatedAt: '2025-03-01T12:00:06.500Z',
    status: 'delivered',
    method: 'POST',
    path: '/order/status/',
    headers: {},
    verification: { scheme: 'standardWebhooks', keyId: '0', verifiedAt: '2025-03-01T12:00:00.100Z' },
    attempts: [{ attempt: 1, startedAt: '2025-03-01T12:00:06.000Z', durationMs: 420, outcome: 'delivered' }],
    replayOf: EVENT_ID,
    replayChain: [{ id: EVENT_ID, status: 'dead_lettered', receivedAt: '2025-03-01T11:00:00.000Z' }],
    links: { self: `/_hookline/events/${REPLAY_ID}`, replayOf: `/_hookline/events/${EVENT_ID}`, replays: [] },
    expiresAt: 1_743_500_000,
    ...(withBody && { body: '{"order":42}' }),
  };
}

/** An AWS JSON-protocol answer (Secrets Manager): a value, or recorded JSON text as it is. */
function awsJson(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-requestid': '3c9a7e15-2b4d-4f60-8e1a-7d5c9b0f2e84',
  });
  response.end(typeof value === 'string' ? value : JSON.stringify(value));
}

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('HOOKLINE_')),
  );
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        cwd: ROOT,
        env: {
          ...inherited,
          ...fakeAwsEnv(baseUrl),
          ...env,
        },
        timeout: 30_000,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        done({ code, stdout, stderr });
      },
    );
  });
}

describe('the signature-checking API server (test oracle)', () => {
  it('refuses an unsigned request', async () => {
    const response = await fetch(`${baseUrl}/_hookline/routes`);
    expect(response.status).toBe(403);
  });

  it('refuses a request signed with other credentials', async () => {
    const url = new URL(`${baseUrl}/_hookline/routes`);
    const sign = createSigV4Signer({
      region: STACK_REGION,
      credentials: { ...CREDENTIALS, secretAccessKey: 'not-the-secret' },
    });
    const response = await fetch(url, { headers: await sign({ method: 'GET', url, headers: {} }) });
    expect(response.status).toBe(403);
  });

  it('refuses a request signed for another region', async () => {
    const url = new URL(`${baseUrl}/_hookline/routes`);
    const sign = createSigV4Signer({ region: 'us-east-1', credentials: CREDENTIALS });
    const response = await fetch(url, { headers: await sign({ method: 'GET', url, headers: {} }) });
    expect(response.status).toBe(403);
  });

  it('refuses a signed request whose body was changed after signing', async () => {
    const url = new URL(`${baseUrl}/_hookline/replay`);
    const sign = createSigV4Signer({ region: STACK_REGION, credentials: CREDENTIALS });
    const headers = await sign({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      body: '{"id":"evt_a"}',
    });
    const response = await fetch(url, { method: 'POST', headers, body: '{"id":"evt_b"}' });
    expect(response.status).toBe(403);
  });

  it('accepts a correctly signed request', async () => {
    const url = new URL(`${baseUrl}/_hookline/events?route=%2Forder%2Fstatus%2F&since=24h`);
    const sign = createSigV4Signer({ region: STACK_REGION, credentials: CREDENTIALS });
    const response = await fetch(url, { headers: await sign({ method: 'GET', url, headers: {} }) });
    expect(response.status).toBe(200);
  });
});

describe('hookline <command> --stack NAME', () => {
  it('finds the API through DescribeStacks and signs every request (status --json)', async () => {
    // Act
    const run = await cli(['status', '--stack', 'hookline-test', '--json']);
    // Assert
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ routes: [{ queueName: 'order_status', dlqDepth: 2 }] });
    expect(seen.map((request) => [request.service, request.verdict])).toEqual([
      ['cloudformation', 'signed'],
      ['execute-api', 'signed'],
    ]);
  });

  it('prints the status table', async () => {
    const run = await cli(['status', '--stack', 'hookline-test', '--region', 'eu-west-1']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/ROUTE\s+QUEUE\s+QUEUED\s+IN FLIGHT\s+DELAYED\s+DLQ\s+OLDEST\s+CIRCUIT\n/);
    expect(run.stdout).toMatch(/\/order\/status\/\s+order_status\s+3\s+1\s+0\s+2\s+12m 34s\s+open\n/);
  });

  it('pauses a route with a signed POST, naming the command that resumes it on the same stack', async () => {
    const run = await cli(['route', 'pause', '/order/status/', '--stack', 'hookline-test']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      'paused /order/status/: its events wait in the queue until "hookline route resume /order/status/ --stack hookline-test"\n',
    );
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      url: '/_hookline/routes/order_status/pause',
      verdict: 'signed',
      body: '{}',
    });
  });

  it('resumes a route and prints the reply as it is with --json', async () => {
    const run = await cli(['route', 'resume', 'order_status', '--stack', 'hookline-test', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      route: '/order/status/',
      circuit: { state: 'closed', failures: 0, coolDownSeconds: 30 },
    });
  });

  it('exits 1 with the API message when the route consumer cannot be changed (503)', async () => {
    const run = await cli(['route', 'pause', '/order/flaky/', '--stack', 'hookline-test']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe("hookline: the route's consumer could not be read or changed; retry later\n");
  });

  it('signs query strings (events list with a route path and a relative time)', async () => {
    const run = await cli([
      'events',
      'list',
      '--stack',
      'hookline-test',
      '--route',
      '/order/status/',
      '--since',
      '24h',
      '--status',
      'dead_lettered',
    ]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(REPLAY_ID);
    expect(run.stdout).toContain('more: --cursor eyJ2IjoxfQ');
    expect(seen.at(-1)).toMatchObject({
      verdict: 'signed',
      url: expect.stringContaining('route=%2Forder%2Fstatus%2F'),
    });
  });

  it('shows an event with its attempts and replay chain', async () => {
    const run = await cli(['events', 'show', REPLAY_ID, '--body', '--stack', 'hookline-test']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`replay of ${EVENT_ID}`);
    expect(run.stdout).toContain(`replay chain: ${EVENT_ID} (dead_lettered) -> ${REPLAY_ID}`);
    expect(run.stdout).toMatch(/1\s+2025-03-01 12:00:06Z\s+420 ms\s+delivered/);
    expect(run.stdout).toContain('{"order":42}');
  });

  it('signs POST bodies (replay <id>)', async () => {
    const run = await cli(['replay', EVENT_ID, '--stack', 'hookline-test', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ replay: { id: REPLAY_ID, replayOf: EVENT_ID } });
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      verdict: 'signed',
      body: JSON.stringify({ id: EVENT_ID }),
    });
  });

  it('chains the pages of a bulk replay with fixed absolute times and one combined report', async () => {
    const run = await cli([
      'replay',
      '--route',
      '/order/status/',
      '--since',
      '2h',
      '--stack',
      'hookline-test',
      '--json',
    ]);
    expect(run.code).toBe(0);
    const posts = seen.filter((request) => request.url.startsWith('/_hookline/replay'));
    expect(posts).toHaveLength(2);
    const [first, second] = posts.map((request) => JSON.parse(request.body) as Record<string, unknown>);
    expect(first?.since).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(second).toEqual({ ...first, cursor: 'page-2' });
    expect(JSON.parse(run.stdout)).toEqual({
      report: {
        matched: 3,
        enqueued: 3,
        skipped: 0,
        dryRun: false,
        replays: [
          { original: 'evt_A', id: 'evt_RA' },
          { original: 'evt_B', id: 'evt_RB' },
          { original: 'evt_C', id: 'evt_RC' },
        ],
        skippedEvents: [],
      },
    });
    // Piped and --json: no progress lines between the pages.
    expect(run.stderr).toBe('');
  });

  it('prints a count column for every event status (status --counts)', async () => {
    const run = await cli(['status', '--counts', '--stack', 'hookline-test']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /OLDEST\s+CIRCUIT\s+RECEIVED\s+QUEUED\s+PROCESSING\s+RETRYING\s+DELIVERED\s+DEAD_LETTERED\s+IGNORED\n/,
    );
    expect(run.stdout).toMatch(/12m 34s\s+open\s+1\s+2\s+3\s+4\s+5\s+6\s+7\n/);
  });

  it('lists every route of the config without asking the gateway for its routes (events list)', async () => {
    const run = await cli(['events', 'list', '--stack', 'hookline-test', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const paths = seen.filter((request) => request.service === 'execute-api').map((request) => request.url);
    expect(paths.some((path) => path.startsWith('/_hookline/routes'))).toBe(false);
    const routes = paths.map((path) => new URL(path, baseUrl).searchParams.get('route'));
    expect(routes.sort()).toEqual(['github', 'order_status', 'stripe']);
  });

  it('asks the gateway for its routes when the config cannot be loaded (events list)', async () => {
    const run = await cli(['events', 'list', '--stack', 'hookline-test', '--config', 'no-such.config.ts']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const paths = seen.filter((request) => request.service === 'execute-api').map((request) => request.url);
    expect(paths[0]).toBe('/_hookline/routes');
    expect(paths.slice(1).map((path) => new URL(path, baseUrl).searchParams.get('route'))).toEqual([
      'order_status',
    ]);
  });

  it('waits for the redrive it started, not a previous one that already completed (dlq redrive --wait)', async () => {
    // Arrange: the new task is not listed at first, then runs, then completes (and loses its handle).
    redriveListings = [
      () => [PREVIOUS_REDRIVE],
      (startedAt) => [
        { taskHandle: 'task-new', status: 'RUNNING', moved: 2, toMove: 7, startedAt },
        PREVIOUS_REDRIVE,
      ],
      (startedAt) => [{ status: 'COMPLETED', moved: 7, toMove: 7, startedAt }, PREVIOUS_REDRIVE],
    ];

    // Act
    const run = await cli(['dlq', 'redrive', 'order_status', '--wait', '--stack', 'hookline-test', '--json']);

    // Assert
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      route: '/order/status/',
      taskHandle: 'task-new',
      task: { status: 'COMPLETED', moved: 7, toMove: 7 },
    });
    expect(run.stderr).toBe('');
    const listings = seen.filter((request) => request.method === 'GET' && request.url.endsWith('/redrive'));
    expect(listings).toHaveLength(3);
  });

  it('exits 1 when the redrive has not ended after --timeout seconds', async () => {
    redriveListings = [() => [PREVIOUS_REDRIVE]];

    const run = await cli([
      'dlq',
      'redrive',
      'order_status',
      '--wait',
      '--timeout',
      '1',
      '--stack',
      'hookline-test',
    ]);

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^hookline: redrive of \/order\/status\/ \(task task-new\) not finished after 1s, and not listed yet; it goes on/m,
    );
  });

  it('exits 2 when --timeout is given without --wait', async () => {
    const run = await cli(['dlq', 'redrive', 'order_status', '--timeout', '5', '--stack', 'hookline-test']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('hookline: --timeout is for --wait\n');
  });

  it('stops a bulk replay on a page that failed, printing the counts, the error and how to resume', async () => {
    const run = await cli([
      'replay',
      '--route',
      '/order/flaky/',
      '--since',
      '2h',
      '--rate',
      '50',
      '--stack',
      'hookline-test',
    ]);

    expect(run.code).toBe(1);
    const posts = seen.filter((request) => request.url.startsWith('/_hookline/replay'));
    expect(posts).toHaveLength(1);
    const since = (JSON.parse(posts[0]?.body ?? '{}') as { since: string }).since;
    expect(run.stdout).toContain('matched 1, enqueued 1, skipped 0');
    expect(run.stderr).toContain('stopped: matched 1, enqueued 1, skipped 0');
    expect(run.stderr).toContain('queue_unavailable: the replay of event evt_B could not be queued');
    expect(run.stderr).toContain(
      `to continue the run: hookline replay --route /order/flaky/ --since ${since} --rate 50 --stack hookline-test --cursor resume-1`,
    );
  });

  it('stops a bulk replay under --json with the report on stdout and one JSON error on stderr', async () => {
    const run = await cli([
      'replay',
      '--route',
      '/order/flaky/',
      '--since',
      '2h',
      '--stack',
      'hookline-test',
      '--json',
    ]);

    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      report: { matched: 1, enqueued: 1, error: { code: 'queue_unavailable' }, nextCursor: 'resume-1' },
    });
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(run.stderr)).toEqual({
      error: {
        code: 'queue_unavailable',
        message: expect.stringMatching(
          /^the replay of event evt_B could not be queued.*; to continue the run: hookline replay --route \/order\/flaky\/ .*--json --cursor resume-1$/,
        ),
      },
    });
  });

  it('continues a bulk replay with the printed --cursor command, replaying only the rest', async () => {
    const failed = await cli([
      'replay',
      '--route',
      '/order/flaky/',
      '--since',
      '2h',
      '--stack',
      'hookline-test',
    ]);
    const resume = /to continue the run: hookline (.*)$/m.exec(failed.stderr)?.[1]?.split(' ') ?? [];
    seen.length = 0;

    const run = await cli([...resume, '--json']);

    expect(run.code).toBe(0);
    const posts = seen.filter((request) => request.url.startsWith('/_hookline/replay'));
    expect(posts.map((request) => JSON.parse(request.body))).toEqual([
      { route: '/order/flaky/', since: expect.stringMatching(/Z$/), cursor: 'resume-1' },
    ]);
    expect(JSON.parse(run.stdout).report.replays).toEqual([{ original: 'evt_B', id: 'evt_RB' }]);
  });

  it.each([
    ['--limit', '100001', /--limit must be a whole number 1–100000/],
    ['--rate', '501', /--rate must be a whole number 1–500/],
  ])('refuses %s %s above the server maximum', async (flag, value, message) => {
    const run = await cli(['replay', '--route', '/order/status/', '--since', '2h', flag, value]);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(seen).toEqual([]);
  });

  it('exits 1 with the API message for an unknown event', async () => {
    const run = await cli(['events', 'show', 'evt_nope', '--stack', 'hookline-test']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('hookline: event evt_nope not found\n');
  });

  it('exits 1 when the credentials do not match (CloudFormation refuses the signature)', async () => {
    const run = await cli(['status', '--stack', 'hookline-test'], { AWS_SECRET_ACCESS_KEY: 'wrong-secret' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^hookline: could not describe stack hookline-test: The request signature we calculated/,
    );
    expect(seen.map((request) => request.verdict)).toEqual(['refused']);
  });

  it('signs for the stack region, and exits 1 when the API refuses the signature', async () => {
    // The recorded stack now lives in us-east-2, while this server only accepts eu-west-1.
    const run = await cli(['status', '--stack', 'hookline-elsewhere']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^hookline: GET \/_hookline\/routes answered 403 Forbidden \(check the AWS credentials/,
    );
    expect(seen.map((request) => [request.service, request.verdict])).toEqual([
      ['cloudformation', 'signed'],
      ['execute-api', 'refused'],
    ]);
  });

  it('exits 1 naming a stack that does not exist', async () => {
    const run = await cli(['status', '--stack', 'hookline-missing']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^hookline: stack hookline-missing does not exist/);
  });

  it('exits 1 when the stack has no ApiUrl output', async () => {
    const run = await cli(['status', '--stack', 'hookline-creating']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^hookline: stack hookline-creating \(CREATE_IN_PROGRESS\) has no ApiUrl output/,
    );
  });

  it('sends a webhook signed with the secret named by --secret-env', async () => {
    const run = await cli(
      [
        'send',
        '/order/status/',
        '--data',
        '{"order":42}',
        '--stack',
        'hookline-test',
        '--secret-env',
        'ORDER_SECRET',
      ],
      {
        ORDER_SECRET: WEBHOOK_SECRET,
      },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `queued ${EVENT_ID} (/order/status/)\nstatus: ${baseUrl}/_hookline/events/${EVENT_ID}\n`,
    );
    expect(seen.at(-1)).toMatchObject({ service: 'webhook', verdict: 'signed', body: '{"order":42}' });
  });

  it('sends a webhook signed with the route secret read from Secrets Manager', async () => {
    const run = await cli(['send', '/order/status/', '--data', '{"order":42}', '--stack', 'hookline-test']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `queued ${EVENT_ID} (/order/status/)\nstatus: ${baseUrl}/_hookline/events/${EVENT_ID}\n`,
    );
    expect(seen.map((request) => [request.service, request.verdict])).toEqual([
      ['cloudformation', 'signed'],
      ['secretsmanager', 'signed'],
      ['webhook', 'signed'],
    ]);
    expect(JSON.parse(seen[1]?.body ?? '')).toEqual({ SecretId: ROUTE_SECRET_NAME });
  });

  it('signs with the first value of a secret being rotated', async () => {
    // During rotation the secret holds ["new", "old"]; the API here only accepts WEBHOOK_SECRET.
    storedSecrets.set(
      ROUTE_SECRET_NAME,
      JSON.stringify([WEBHOOK_SECRET, 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD']),
    );
    const run = await cli(['send', '/order/status/', '--data', '{"order":43}', '--stack', 'hookline-test']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`queued ${EVENT_ID} (/order/status/)`);
    expect(seen.at(-1)).toMatchObject({ service: 'webhook', verdict: 'signed', body: '{"order":43}' });
  });

  it('exits 1 naming the secret when it does not exist in Secrets Manager', async () => {
    storedSecrets.clear();
    const run = await cli(['send', '/order/status/', '--data', '{"order":42}', '--stack', 'hookline-test']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `hookline: secret ${ROUTE_SECRET_NAME} of route /order/status/ does not exist in Secrets Manager (eu-west-1): create it with the route's signing secret, or pass --secret-env NAME\n`,
    );
    expect(seen.map((request) => [request.service, request.verdict])).toEqual([
      ['cloudformation', 'signed'],
      ['secretsmanager', 'signed'],
    ]);
  });
});
