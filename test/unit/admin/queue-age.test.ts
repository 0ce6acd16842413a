import type {
  GetMetricDataCommand,
  GetMetricDataCommandInput,
  GetMetricDataCommandOutput,
  MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { CloudWatchQueueAges, type MetricDataClient } from '../../../shared/admin/queue-age.js';

const NOW = new Date('2026-11-24T10:00:30.000Z');
/** Valid GetMetricData query ids: a lower-case letter, then letters, digits and underscores. */
const METRIC_DATA_ID = /^[a-z][a-zA-Z0-9_]*$/;

const minutesAgo = (minutes: number) =>
  new Date(Math.floor(NOW.getTime() / 60_000) * 60_000 - minutes * 60_000);

type Datapoints = readonly (readonly [Date, number])[];

/**
 * A CloudWatch client answering GetMetricData the way CloudWatch does: one result per query, with the
 * query's id and label, datapoints newest first (`ScanBy: TimestampDescending`), none for a queue
 * that published nothing in the window. Records every request.
 */
class FakeCloudWatch implements MetricDataClient {
  readonly inputs: GetMetricDataCommandInput[] = [];

  constructor(private readonly datapoints: Readonly<Record<string, Datapoints>>) {}

  async send(command: GetMetricDataCommand): Promise<GetMetricDataCommandOutput> {
    this.inputs.push(command.input);
    const results = (command.input.MetricDataQueries ?? []).map((query): MetricDataResult => {
      const queueName = query.MetricStat?.Metric?.Dimensions?.[0]?.Value ?? '';
      const points = [...(this.datapoints[queueName] ?? [])].sort(([a], [b]) => b.getTime() - a.getTime());
      return {
        Id: query.Id,
        Label: query.Label,
        Timestamps: points.map(([at]) => at),
        Values: points.map(([, value]) => value),
        StatusCode: 'Complete',
      };
    });
    return output(results);
  }
}

/** A client answering every call with `results` as they are (any order). */
function cannedClient(results: MetricDataResult[]): MetricDataClient {
  return { send: async () => output(results) };
}

function output(results: MetricDataResult[]): GetMetricDataCommandOutput {
  return {
    $metadata: { httpStatusCode: 200, requestId: 'c0ffee00-0000-4000-8000-000000000000', attempts: 1 },
    MetricDataResults: results,
    Messages: [],
  };
}

function queueAges(fake: FakeCloudWatch) {
  return new CloudWatchQueueAges({ client: fake, now: () => NOW });
}

describe('CloudWatchQueueAges', () => {
  it('asks for every queue’s ApproximateAgeOfOldestMessage in one GetMetricData call', async () => {
    // Arrange
    const fake = new FakeCloudWatch({});
    const names = ['hookline-orders', 'hookline-orders-dlq', 'hookline-order_status.fifo'];

    // Act
    await queueAges(fake).oldestMessageAges(names);

    // Assert
    expect(fake.inputs).toHaveLength(1);
    const [input] = fake.inputs;
    const queries = input?.MetricDataQueries ?? [];
    expect(queries.map((query) => query.MetricStat)).toEqual(
      names.map((name) => ({
        Metric: {
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateAgeOfOldestMessage',
          Dimensions: [{ Name: 'QueueName', Value: name }],
        },
        Period: 60,
        Stat: 'Maximum',
      })),
    );
    const ids = queries.map((query) => query.Id ?? '');
    expect(new Set(ids).size).toBe(names.length);
    for (const id of ids) expect(id).toMatch(METRIC_DATA_ID);
    for (const query of queries) expect(query.ReturnData).toBe(true);
  });

  it('looks at the last 10 minutes, ending now', async () => {
    const fake = new FakeCloudWatch({});

    await queueAges(fake).oldestMessageAges(['hookline-orders']);

    const input = fake.inputs[0];
    expect(input?.EndTime).toEqual(NOW);
    expect(input?.StartTime).toEqual(new Date(NOW.getTime() - 600_000));
  });

  it('reports each queue’s most recent datapoint and leaves out queues without one', async () => {
    // Arrange
    const fake = new FakeCloudWatch({
      'hookline-orders': [
        [minutesAgo(3), 120],
        [minutesAgo(1), 240],
        [minutesAgo(2), 180],
      ],
      'hookline-orders-dlq': [[minutesAgo(5), 86_400]],
      'hookline-idle': [],
    });

    // Act
    const ages = await queueAges(fake).oldestMessageAges([
      'hookline-orders',
      'hookline-orders-dlq',
      'hookline-idle',
    ]);

    // Assert
    expect(ages).toEqual(
      new Map([
        ['hookline-orders', 240],
        ['hookline-orders-dlq', 86_400],
      ]),
    );
    expect(ages.has('hookline-idle')).toBe(false);
  });

  it('picks the latest datapoint whatever order CloudWatch returns them and results in', async () => {
    const client = cannedClient([
      {
        Id: 'q1',
        Timestamps: [minutesAgo(4), minutesAgo(1), minutesAgo(2)],
        Values: [9, 3, 7],
        StatusCode: 'Complete',
      },
      { Id: 'q0', Timestamps: [minutesAgo(1), minutesAgo(2)], Values: [42, 41], StatusCode: 'Complete' },
      { Id: 'q2', Timestamps: [], Values: [], StatusCode: 'Complete' },
    ]);

    const ages = await new CloudWatchQueueAges({ client, now: () => NOW }).oldestMessageAges(['a', 'b', 'c']);

    expect(ages).toEqual(
      new Map([
        ['a', 42],
        ['b', 3],
      ]),
    );
  });

  it('ignores results it did not ask for', async () => {
    const client = cannedClient([
      { Id: 'other', Timestamps: [minutesAgo(1)], Values: [5] },
      { Id: 'q7', Timestamps: [minutesAgo(1)], Values: [5] },
    ]);

    const ages = await new CloudWatchQueueAges({ client, now: () => NOW }).oldestMessageAges(['a']);

    expect(ages.size).toBe(0);
  });

  it('asks once per distinct queue name', async () => {
    const fake = new FakeCloudWatch({ 'hookline-orders': [[minutesAgo(1), 12]] });

    const ages = await queueAges(fake).oldestMessageAges(['hookline-orders', 'hookline-orders']);

    expect(fake.inputs[0]?.MetricDataQueries).toHaveLength(1);
    expect(ages.get('hookline-orders')).toBe(12);
  });

  it('makes no call for no queues', async () => {
    const fake = new FakeCloudWatch({});

    const ages = await queueAges(fake).oldestMessageAges([]);

    expect(ages.size).toBe(0);
    expect(fake.inputs).toHaveLength(0);
  });

  it('splits more than 500 queues (the per-call query limit) into calls of 500', async () => {
    const names = Array.from({ length: 501 }, (_, n) => `hookline-route-${n}`);
    const fake = new FakeCloudWatch({ 'hookline-route-500': [[minutesAgo(1), 60]] });

    const ages = await queueAges(fake).oldestMessageAges(names);

    expect(fake.inputs.map((input) => input.MetricDataQueries?.length)).toEqual([500, 1]);
    expect(ages).toEqual(new Map([['hookline-route-500', 60]]));
  });

  it('passes a CloudWatch failure on to the caller', async () => {
    const client: MetricDataClient = {
      send: async () => {
        throw Object.assign(new Error('User is not authorized to perform: cloudwatch:GetMetricData'), {
          name: 'AccessDenied',
        });
      },
    };

    await expect(new CloudWatchQueueAges({ client }).oldestMessageAges(['a'])).rejects.toThrow(
      /not authorized/,
    );
  });

  it.each([0, 59, 90.5])('rejects a window of %s seconds', (windowSeconds) => {
    expect(() => new CloudWatchQueueAges({ client: new FakeCloudWatch({}), windowSeconds })).toThrow(
      /^windowSeconds must be/,
    );
  });
});
