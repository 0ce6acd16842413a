/**
 * `GET /_hookline/stats` through the admin API's route table: its query (route, since, until, by)
 * and its errors. The stores and queues are never touched, so they are stubs here.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { type AdminRouteTarget, createAdminApi } from '../../../shared/admin/admin-api.js';
import { CloudWatchStats } from '../../../shared/admin/cloudwatch-stats.js';
import type { EventHistory } from '../../../shared/event-store/history.js';
import { INGRESS_METRICS } from '../../../shared/metric-names.js';
import { metricsCollector } from '../../../shared/metrics/collector.js';
import { count } from '../../../shared/metrics/metrics.js';
import type { StatsQuery, StatsSource } from '../../../shared/metrics/stats.js';
import type { Replayer } from '../../../shared/replay/types.js';
import { makeRoute } from '../../helpers/routes.js';

const NOW = new Date('2026-11-24T10:00:00.000Z');

function target(path: string, overrides: Parameters<typeof makeRoute>[0] = {}): AdminRouteTarget {
  const route = makeRoute({ path, ...overrides });
  const queueUrl = `http://sqs.local/000000000000/hookline-${route.queueName}`;
  return { route, queueUrl, queueArn: 'arn:q', dlqUrl: `${queueUrl}-dlq`, dlqArn: 'arn:dlq' };
}

const TARGETS = [
  target('/order/status/'),
  target('/github/', { metrics: { eventTypes: ['push', 'issues'] } }),
];

function api(stats?: StatsSource) {
  return createAdminApi({
    targets: TARGETS,
    history: {} as EventHistory,
    replayer: {} as Replayer,
    sqs: {} as Pick<SQSClient, 'send'>,
    ...(stats !== undefined && { stats }),
    now: () => NOW,
  });
}

/** A source that records the query and answers an empty report. */
function recordingSource(): StatsSource & { queries: StatsQuery[] } {
  const queries: StatsQuery[] = [];
  return {
    queries,
    async stats(query) {
      queries.push(query);
      return { since: query.since.toISOString(), until: query.until.toISOString(), routes: [] };
    },
  };
}

function get(query: Record<string, string> = {}): APIGatewayProxyEventV2 {
  const rawPath = '/_hookline/stats';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: new URLSearchParams(query).toString(),
    headers: {},
    ...(Object.keys(query).length > 0 && { queryStringParameters: query }),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: 'admin.example.com',
      domainPrefix: 'admin',
      http: { method: 'GET', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'test',
      routeKey: '$default',
      stage: '$default',
      time: NOW.toUTCString(),
      timeEpoch: NOW.getTime(),
    },
    isBase64Encoded: false,
  };
}

async function call(handler: ReturnType<typeof api>, query: Record<string, string> = {}) {
  const reply = await handler(get(query));
  return { status: reply.statusCode, json: JSON.parse(reply.body ?? '{}') };
}

describe('GET /_hookline/stats', () => {
  it('asks for every configured route over the last 24 hours by default', async () => {
    const source = recordingSource();

    const reply = await call(api(source));

    expect(reply.status).toBe(200);
    expect(source.queries).toEqual([
      {
        since: new Date('2026-11-23T10:00:00.000Z'),
        until: NOW,
        byEventType: false,
        routes: [{ path: '/order/status/' }, { path: '/github/', eventTypes: ['push', 'issues'] }],
      },
    ]);
  });

  it('takes a route by queue name or path, since and until (relative or ISO), by=eventType', async () => {
    const source = recordingSource();

    await call(api(source), { route: 'github', since: '2h', until: '2026-11-24T09:30:00Z', by: 'eventType' });
    await call(api(source), { route: '/order/status' });

    expect(source.queries[0]).toEqual({
      since: new Date('2026-11-24T08:00:00.000Z'),
      until: new Date('2026-11-24T09:30:00.000Z'),
      byEventType: true,
      routes: [{ path: '/github/', eventTypes: ['push', 'issues'] }],
    });
    expect(source.queries[1]?.routes).toEqual([{ path: '/order/status/' }]);
  });

  it('answers the source’s report as it is', async () => {
    const collector = metricsCollector({ now: () => NOW.getTime() - 1000 });
    collector.publish([count(INGRESS_METRICS.received, { route: '/github/', eventType: 'push' }, 2)]);

    const reply = await call(api(collector), { route: 'github', by: 'eventType' });

    expect(reply).toEqual({
      status: 200,
      json: {
        since: '2026-11-23T10:00:00.000Z',
        until: '2026-11-24T10:00:00.000Z',
        routes: [
          {
            route: '/github/',
            received: 2,
            processed: 0,
            failed: 0,
            successRate: null,
            processingMs: { avg: null, p50: null, p99: null },
            endToEndMs: { avg: null, p50: null, p99: null },
            byEventType: {
              push: { received: 2, processed: 0, failed: 0 },
              issues: { received: 0, processed: 0, failed: 0 },
              other: { received: 0, processed: 0, failed: 0 },
            },
          },
        ],
      },
    });
  });

  it.each([
    [{ by: 'route' }, 'by: must be eventType'],
    [{ since: 'yesterday' }, 'since: "yesterday" is not a time'],
    [{ since: '1h', until: '2h' }, 'until: must be later than since'],
    [{ since: '2026-11-25T00:00:00Z' }, 'since: must be earlier than until (2026-11-24T10:00:00.000Z)'],
    [{ route: '' }, 'route: must be a non-empty string'],
  ])('answers 400 invalid_request for %o', async (query, message) => {
    const reply = await call(api(recordingSource()), query);

    expect(reply.status).toBe(400);
    expect(reply.json.error.code).toBe('invalid_request');
    expect(reply.json.error.message).toContain(message);
  });

  it('answers 404 route_not_found for a route the config does not have', async () => {
    const reply = await call(api(recordingSource()), { route: 'stripe' });

    expect(reply.status).toBe(404);
    expect(reply.json.error.code).toBe('route_not_found');
  });

  it('answers 503 metrics_unavailable when CloudWatch fails', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'Throttling',
      $metadata: { httpStatusCode: 400 },
    });
    const cloudWatch = new CloudWatchStats({
      client: {
        send: async () => {
          throw throttled;
        },
      },
      namespace: 'hookline',
    });

    const reply = await call(api(cloudWatch));

    expect(reply).toEqual({
      status: 503,
      json: {
        error: {
          code: 'metrics_unavailable',
          message: 'the metrics service (CloudWatch) is unavailable; retry later',
        },
      },
    });
  });

  it('answers 501 stats_unavailable without a source', async () => {
    const reply = await call(api());

    expect(reply.status).toBe(501);
    expect(reply.json.error.code).toBe('stats_unavailable');
  });
});
