/**
 * The deployed statistics without AWS: the real CloudWatch client talks to a local HTTP server that
 * records each GetMetricData request and answers with the recorded response of
 * test/fixtures/aws/get-metric-data-stats.json (CloudWatch cannot run here). The numbers themselves
 * are tested against the local stack in test/integration/cli/stats.test.ts.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CloudWatchClient,
  type GetMetricDataCommand,
  type GetMetricDataCommandOutput,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { alignedWindow, CloudWatchStats } from '../../../shared/admin/cloudwatch-stats.js';
import type { MetricDataClient } from '../../../shared/admin/queue-age.js';

const RECORDED = readFileSync(
  new URL('../../fixtures/aws/get-metric-data-stats.json', import.meta.url),
  'utf8',
);
const NOW = new Date('2026-11-24T10:00:30.000Z');
const SINCE = new Date('2026-11-23T10:00:30.000Z');
const NAMESPACE = 'hookline-prod';
const ORDERS = { path: '/order/status/' };
const GITHUB = { path: '/github/', eventTypes: ['push'] };
/** Valid GetMetricData query ids: a lower-case letter, then letters, digits and underscores. */
const METRIC_DATA_ID = /^[a-z][a-zA-Z0-9_]*$/;

interface WireQuery {
  Id: string;
  Label: string;
  ReturnData: boolean;
  MetricStat: {
    Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] };
    Period: number;
    Stat: string;
  };
}

interface WireRequest {
  target: string | undefined;
  body: { StartTime: number; EndTime: number; MetricDataQueries: WireQuery[]; NextToken?: string };
}

let server: Server;
let client: CloudWatchClient;
const requests: WireRequest[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        target: request.headers['x-amz-target'] as string | undefined,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as WireRequest['body'],
      });
      response.writeHead(200, {
        'content-type': 'application/x-amz-json-1.0',
        'x-amzn-requestid': '6f0f6a3e-2b1c-4c58-9a55-3f0d1b6e9c21',
      });
      response.end(RECORDED);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  client = new CloudWatchClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIAHOOKLINETEST0001', secretAccessKey: 'hooklineTestSecretKey' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  server?.close();
});

beforeEach(() => {
  requests.length = 0;
});

function recordedStats() {
  return new CloudWatchStats({ client, namespace: NAMESPACE, now: () => NOW });
}

describe('CloudWatchStats against a recorded GetMetricData response', () => {
  it('asks for the sums and the duration statistics of each route in one call, over the whole window', async () => {
    await recordedStats().stats({ since: SINCE, until: NOW, routes: [ORDERS, GITHUB], byEventType: true });

    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.target).toBe('GraniteServiceVersion20100801.GetMetricData');
    // Widened to whole minutes; one period spanning it.
    expect(request?.body.StartTime).toBe(Date.parse('2026-11-23T10:00:00Z') / 1000);
    expect(request?.body.EndTime).toBe(Date.parse('2026-11-24T10:01:00Z') / 1000);
    const queries = request?.body.MetricDataQueries ?? [];
    for (const query of queries) {
      expect(query.Id).toMatch(METRIC_DATA_ID);
      expect(query.ReturnData).toBe(true);
      expect(query.MetricStat.Period).toBe(86_460);
      expect(query.MetricStat.Metric.Namespace).toBe(NAMESPACE);
    }
    expect(new Set(queries.map((query) => query.Id)).size).toBe(queries.length);
    const asked = queries.map(({ MetricStat: { Metric, Stat } }) => [
      Metric.MetricName,
      Object.fromEntries(Metric.Dimensions.map(({ Name, Value }) => [Name, Value])),
      Stat,
    ]);
    const route = (path: string) =>
      [
        ['Received', 'Sum'],
        ['Delivered', 'Sum'],
        ['DeadLettered', 'Sum'],
        ...['HandlerDuration', 'EndToEndLatency'].flatMap((name) =>
          ['Average', 'p50', 'p99', 'SampleCount'].map((stat) => [name, stat]),
        ),
      ].map(([name, stat]) => [name, { Route: path }, stat]);
    const byType = (path: string, type: string) =>
      ['Received', 'Delivered', 'DeadLettered'].map((name) => [
        name,
        { Route: path, EventType: type },
        'Sum',
      ]);
    expect(asked).toEqual([
      ...route('/order/status/'),
      ...route('/github/'),
      ...byType('/github/', 'push'),
      ...byType('/github/', 'other'),
    ]);
  });

  it('maps the results to the report: sums as counts, CloudWatch’s statistics to 0.1 ms, no datapoint as 0', async () => {
    const report = await recordedStats().stats({
      since: SINCE,
      until: NOW,
      routes: [ORDERS, GITHUB],
      byEventType: true,
    });

    expect(report).toEqual({
      since: '2026-11-23T10:00:00.000Z',
      until: '2026-11-24T10:01:00.000Z',
      routes: [
        {
          route: '/order/status/',
          received: 1250,
          processed: 1190,
          failed: 10,
          successRate: 1190 / 1200,
          processingMs: { avg: 84.4, p50: 61.2, p99: 912.4 },
          endToEndMs: { avg: 1530.8, p50: 1204.5, p99: 8120.9 },
          byEventType: {},
        },
        {
          route: '/github/',
          received: 40,
          processed: 37,
          failed: 0,
          successRate: 1,
          processingMs: { avg: 12, p50: 10.9, p99: 48.3 },
          endToEndMs: { avg: 310.5, p50: 280, p99: 990.2 },
          byEventType: {
            push: { received: 30, processed: 28, failed: 0 },
            other: { received: 8, processed: 9, failed: 0 },
          },
        },
      ],
    });
  });

  it('asks for no EventType without by=eventType, and leaves byEventType out', async () => {
    const report = await recordedStats().stats({
      since: SINCE,
      until: NOW,
      routes: [GITHUB],
      byEventType: false,
    });

    const queries = requests[0]?.body.MetricDataQueries ?? [];
    expect(queries).toHaveLength(11);
    expect(queries.every((query) => query.MetricStat.Metric.Dimensions.length === 1)).toBe(true);
    expect(report.routes[0]).not.toHaveProperty('byEventType');
  });
});

/** A client answering each call with the next of `pages` (results as they are), recording the calls. */
function pagedClient(pages: { results: MetricDataResult[]; nextToken?: string }[]) {
  const inputs: GetMetricDataCommand['input'][] = [];
  const client: MetricDataClient = {
    send: async (command) => {
      inputs.push(command.input);
      const page = pages.shift() ?? { results: [] };
      return {
        $metadata: {},
        MetricDataResults: page.results,
        ...(page.nextToken !== undefined && { NextToken: page.nextToken }),
      } satisfies GetMetricDataCommandOutput;
    },
  };
  return { client, inputs };
}

const points = (Id: string, ...Values: number[]): MetricDataResult => ({
  Id,
  Values,
  Timestamps: Values.map((_, index) => new Date(NOW.getTime() - index * 60_000)),
  StatusCode: 'Complete',
});

describe('CloudWatchStats', () => {
  it('reports zeros and nulls for a route CloudWatch has no datapoint of', async () => {
    const { client } = pagedClient([{ results: [] }]);
    const report = await new CloudWatchStats({ client, namespace: NAMESPACE, now: () => NOW }).stats({
      since: SINCE,
      until: NOW,
      routes: [ORDERS],
      byEventType: false,
    });

    expect(report.routes).toEqual([
      {
        route: '/order/status/',
        received: 0,
        processed: 0,
        failed: 0,
        successRate: null,
        processingMs: { avg: null, p50: null, p99: null },
        endToEndMs: { avg: null, p50: null, p99: null },
      },
    ]);
  });

  it('follows NextToken and combines several datapoints: sums added, averages weighted, the largest p99', async () => {
    const { client, inputs } = pagedClient([
      {
        results: [
          points('r0_received', 3),
          points('r0_processingMs_avg', 10),
          points('r0_processingMs_n', 1),
        ],
        nextToken: 'page-2',
      },
      {
        results: [
          points('r0_received', 4),
          points('r0_processed', 5, 1),
          points('r0_failed', 2),
          points('r0_processingMs_avg', 40),
          points('r0_processingMs_n', 3),
          points('r0_processingMs_p50', 20, 30),
          points('r0_processingMs_p99', 70, 90),
        ],
      },
    ]);
    const report = await new CloudWatchStats({ client, namespace: NAMESPACE, now: () => NOW }).stats({
      since: SINCE,
      until: NOW,
      routes: [ORDERS],
      byEventType: false,
    });

    expect(inputs.map((input) => input.NextToken)).toEqual([undefined, 'page-2']);
    expect(report.routes[0]).toMatchObject({
      received: 7,
      processed: 6,
      failed: 2,
      successRate: 0.75,
      // avg: (10×1 + 40×3) / 4; p50: (20×1 + 30×3) / 4
      processingMs: { avg: 32.5, p50: 27.5, p99: 90 },
    });
  });

  it('splits more than 500 queries into calls of 500', async () => {
    const { client, inputs } = pagedClient([]);
    const routes = Array.from({ length: 50 }, (_, index) => ({ path: `/r${index}/` }));

    await new CloudWatchStats({ client, namespace: NAMESPACE, now: () => NOW }).stats({
      since: SINCE,
      until: NOW,
      routes,
      byEventType: false,
    });

    expect(inputs.map((input) => input.MetricDataQueries?.length)).toEqual([500, 50]);
  });
});

describe('alignedWindow', () => {
  const at = (iso: string) => new Date(iso);

  it('widens to whole minutes for data up to 15 days old', () => {
    expect(alignedWindow(at('2026-11-24T09:00:30Z'), at('2026-11-24T09:59:59Z'), NOW)).toEqual({
      start: at('2026-11-24T09:00:00Z'),
      end: at('2026-11-24T10:00:00Z'),
      periodSeconds: 3600,
    });
    expect(alignedWindow(at('2026-11-24T09:00:00Z'), at('2026-11-24T09:00:00.001Z'), NOW).periodSeconds).toBe(
      60,
    );
  });

  it('to 5 minutes past 15 days, to hours past 63 days', () => {
    expect(alignedWindow(at('2026-11-01T09:07:00Z'), at('2026-11-02T09:01:00Z'), NOW)).toMatchObject({
      start: at('2026-11-01T09:05:00Z'),
      end: at('2026-11-02T09:05:00Z'),
    });
    expect(alignedWindow(at('2026-08-01T09:07:00Z'), at('2026-08-02T09:01:00Z'), NOW)).toMatchObject({
      start: at('2026-08-01T09:00:00Z'),
      end: at('2026-08-02T10:00:00Z'),
    });
  });
});
