/**
 * `hookline events tail --stack NAME` against a deployed stack, without AWS, with the harness of
 * deployed.test.ts: one local HTTP server plays CloudFormation (DescribeStacks answered with the
 * recorded response) and the stack's admin API, recomputing every request's SigV4 signature like
 * API Gateway's IAM authorizer and refusing mismatches with 403. Its event listing and event reads
 * answer from events the test changes while the tail runs.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EventState } from '../../../shared/cli/admin-types.js';
import type { EventChange } from '../../../shared/cli/tail/event-changes.js';
import {
  type FakeAws,
  FIXTURES,
  fakeAwsEnv,
  json,
  RECORDED_API_URL,
  serveFakeAws,
  signatureMatches,
} from '../../helpers/fake-aws.js';
import { RunningHookline } from './spawn-hookline.js';

const EVENT_ID = 'evt_01JN5Y3M8Q2R4T6V8W0X2Y4Z6A';

interface SeenRequest {
  readonly url: string;
  readonly service: string;
  readonly verdict: 'signed' | 'refused';
}

let fake: FakeAws;
let baseUrl: string;
const seen: SeenRequest[] = [];
/** The gateway's events, and whether its listing still shows each (out of the tail's window otherwise). */
const events = new Map<string, { state: EventState; listed: boolean }>();
/** The admin API answers 503 until then (ms), and 403 to everything once `refuseAll` is set. */
let unavailableUntil = 0;
let refuseAll = false;
/** How many requests got that 503. */
let unavailableAnswers = 0;

beforeAll(async () => {
  fake = await serveFakeAws(handle);
  baseUrl = fake.url;
});

afterAll(async () => {
  await fake?.close();
});

beforeEach(() => {
  seen.length = 0;
  events.clear();
  unavailableUntil = 0;
  refuseAll = false;
  unavailableAnswers = 0;
});

async function handle(request: IncomingMessage, response: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const url = new URL(request.url ?? '/', baseUrl);
  const service = url.pathname === '/' ? 'cloudformation' : 'execute-api';
  const valid = await signatureMatches(request, body, service);
  seen.push({ url: request.url ?? '', service, verdict: valid ? 'signed' : 'refused' });
  if (service === 'cloudformation') {
    if (!valid) {
      response.writeHead(403, { 'content-type': 'text/xml' });
      response.end(readFileSync(join(FIXTURES, 'signature-does-not-match.xml')));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/xml' });
    // The recorded ApiUrl points to AWS; this server stands in for it.
    response.end(
      readFileSync(join(FIXTURES, 'describe-stacks.xml'), 'utf8').replaceAll(RECORDED_API_URL, `${baseUrl}/`),
    );
    return;
  }
  if (!valid || refuseAll) return json(response, 403, { message: 'Forbidden' });
  if (Date.now() < unavailableUntil) {
    unavailableAnswers += 1;
    return json(response, 503, {
      error: { code: 'store_unavailable', message: 'the event store is unavailable' },
    });
  }
  if (request.method === 'GET' && url.pathname === '/_hookline/events') {
    const since = /^(\d+)s$/.exec(url.searchParams.get('since') ?? '');
    if (since === null) return json(response, 400, { error: { code: 'invalid_request', message: 'since' } });
    const from = new Date(Date.now() - Number(since[1]) * 1000).toISOString();
    const route = url.searchParams.get('route');
    const listed = [...events.values()]
      .filter(
        ({ state, listed }) =>
          listed && (state.queueName === route || state.route === route) && state.receivedAt >= from,
      )
      .map(({ state }) => state);
    return json(response, 200, { events: listed });
  }
  const id = /^\/_hookline\/events\/([^/]+)$/.exec(url.pathname)?.[1];
  const event = id === undefined ? undefined : events.get(decodeURIComponent(id));
  if (request.method === 'GET' && event !== undefined) {
    return json(response, 200, { event: { ...event.state, links: { self: url.pathname, replays: [] } } });
  }
  return json(response, 404, { error: { code: 'event_not_found', message: `no ${url.pathname}` } });
}

/** Puts event EVENT_ID of /order/status/ in `status` now (received now when new). */
function setEvent(status: EventState['status'], attempts: EventState['attempts'] = [], listed = true): void {
  const now = new Date().toISOString();
  const before = events.get(EVENT_ID)?.state;
  events.set(EVENT_ID, {
    listed,
    state: {
      id: EVENT_ID,
      route: '/order/status/',
      queueName: 'order_status',
      receivedAt: before?.receivedAt ?? now,
      updatedAt: now,
      status,
      method: 'POST',
      path: '/order/status/',
      verification: { scheme: 'standardWebhooks', verifiedAt: now },
      attempts,
      expiresAt: 1_900_000_000,
    },
  });
}

/** `hookline events tail <args> --stack hookline-test`, running, with the test credentials. */
function startTail(args: readonly string[]): RunningHookline {
  return new RunningHookline(['events', 'tail', ...args, '--stack', 'hookline-test'], {
    env: fakeAwsEnv(baseUrl),
  });
}

const listings = () => seen.filter((request) => request.url.startsWith('/_hookline/events?'));

const failedAttempt = {
  attempt: 1,
  startedAt: new Date().toISOString(),
  durationMs: 12,
  outcome: 'failed' as const,
  errorName: 'Error',
  errorMessage: 'upstream down',
  nextVisibleAt: new Date(Date.now() - 1000).toISOString(),
};

describe('hookline events tail --stack NAME', () => {
  it('follows an event through signed listings and reads, rides out a short outage, and exits 1 when refused', async () => {
    // Arrange
    const tail = startTail([]);
    await tail.until(() => listings().length > 0, 'listing');
    // Act: new; then out of the listing window, read by id while it retries and is delivered.
    setEvent('queued');
    await tail.until(() => tail.stdout.includes('queued'), 'queued line');
    setEvent('retrying', [failedAttempt], false);
    await tail.until(() => tail.stdout.includes('retrying'), 'retrying line');
    unavailableUntil = Date.now() + 1_500;
    setEvent(
      'delivered',
      [
        failedAttempt,
        { attempt: 2, startedAt: new Date().toISOString(), durationMs: 30, outcome: 'delivered' },
      ],
      false,
    );
    await tail.until(() => tail.stdout.includes('delivered'), 'delivered line');
    const beforeRefusal = tail.stderr;
    refuseAll = true;
    const code = await tail.exit();

    // Assert
    expect(tail.lines()).toEqual([
      expect.stringMatching(
        new RegExp(`^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}Z  /order/status/  ${EVENT_ID}  queued$`),
      ),
      expect.stringMatching(new RegExp(`  ${EVENT_ID}  queued → retrying  attempt 1  Error: upstream down$`)),
      expect.stringMatching(new RegExp(`  ${EVENT_ID}  retrying → delivered  attempt 2$`)),
    ]);
    // The outage was short: no warning, only the notice of what it tails.
    expect(unavailableAnswers).toBeGreaterThan(0);
    expect(beforeRefusal).toMatch(
      /^hookline events tail: following github, stripe, order_status on the stack hookline-test \(http:\/\/127\.0\.0\.1:\d+\); Ctrl-C to stop\n$/,
    );
    expect(code).toBe(1);
    expect(tail.stderr.slice(beforeRefusal.length)).toMatch(
      /^hookline: GET \/_hookline\/events answered 403 Forbidden \(check the AWS credentials and their execute-api:Invoke permission\)\n$/,
    );
    expect(seen.some((request) => request.url === `/_hookline/events/${EVENT_ID}`)).toBe(true);
    expect(seen.every((request) => request.verdict === 'signed')).toBe(true);
    const routes = new Set(
      listings().map((request) => new URL(request.url, baseUrl).searchParams.get('route')),
    );
    expect(routes).toEqual(new Set(['github', 'stripe', 'order_status']));
    for (const request of listings()) {
      expect(new URL(request.url, baseUrl).searchParams.get('since')).toMatch(/^\d+s$/);
      expect(new URL(request.url, baseUrl).searchParams.get('limit')).toBe('1000');
    }
  }, 60_000);

  it('prints NDJSON with --json and exits 0 on SIGINT, printing nothing more', async () => {
    const tail = startTail(['--route', '/order/status/', '--json']);
    await tail.until(() => listings().length > 0, 'listing');
    setEvent('dead_lettered', [{ ...failedAttempt, nextVisibleAt: undefined }]);
    await tail.until(() => tail.lines().length > 0, 'a line');
    await new Promise((wake) => setTimeout(wake, 1_500));
    const printed = tail.stdout;
    tail.child.kill('SIGINT');
    const code = await tail.exit();

    expect(code).toBe(0);
    expect(tail.stdout).toBe(printed);
    expect(tail.stderr).toBe('');
    expect(tail.lines().map((line) => JSON.parse(line) as EventChange)).toEqual([
      {
        at: expect.stringMatching(/Z$/),
        route: '/order/status/',
        id: EVENT_ID,
        status: 'dead_lettered',
        attempt: 1,
        error: 'Error: upstream down',
      },
    ]);
    expect(listings().every((request) => request.url.includes('route=%2Forder%2Fstatus%2F'))).toBe(true);
  }, 60_000);
});
