/**
 * The age of each queue's oldest message. SQS has no queue attribute for it: AWS publishes it only
 * as the CloudWatch metric `AWS/SQS ApproximateAgeOfOldestMessage` (dimension `QueueName`, one
 * datapoint a minute). The local stack has no CloudWatch, so it has no source of ages at all.
 */
import {
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';

/** Where the admin API gets the oldest message's age of its queues from. */
export interface QueueAgeSource {
  /**
   * The age in seconds of the oldest message of each queue, by full SQS queue name (the last
   * segment of its URL). A queue with no recent measurement is absent from the map.
   */
  oldestMessageAges(queueNames: readonly string[]): Promise<Map<string, number>>;
}

/** The one CloudWatch operation `CloudWatchQueueAges` needs; `CloudWatchClient` satisfies it. */
export interface MetricDataClient {
  send(command: GetMetricDataCommand): Promise<GetMetricDataCommandOutput>;
}

export interface CloudWatchQueueAgesOptions {
  readonly client: MetricDataClient;
  /**
   * How far back to look for the latest datapoint. SQS publishes a datapoint a minute, a few minutes
   * late; a queue with none in the window (deleted, or inactive for hours) has no age.
   * @default 600 (10 minutes)
   */
  readonly windowSeconds?: number;
  readonly now?: () => Date;
}

/** The metric SQS publishes the oldest message's age as. */
const OLDEST_MESSAGE_AGE_METRIC = {
  namespace: 'AWS/SQS',
  metricName: 'ApproximateAgeOfOldestMessage',
  dimension: 'QueueName',
  stat: 'Maximum',
  periodSeconds: 60,
} as const;

/** GetMetricData takes at most 500 queries a call. */
const MAX_QUERIES_PER_CALL = 500;
const DEFAULT_WINDOW_SECONDS = 600;

/**
 * Queue ages from CloudWatch: one `GetMetricData` call for all the queues (up to 500 of them; more are
 * split into calls of 500), each queue's per-minute `Maximum` over the last `windowSeconds`, of which
 * the most recent datapoint is taken. With a 60 s period a 10-minute window returns at most 10
 * datapoints per queue, far below the 100,800 a page holds, so no call ever needs a second page.
 *
 * Needs `cloudwatch:GetMetricData`, which supports no resource-level permissions (Resource `"*"`).
 */
export class CloudWatchQueueAges implements QueueAgeSource {
  readonly #client: MetricDataClient;
  readonly #windowMs: number;
  readonly #now: () => Date;

  constructor(options: CloudWatchQueueAgesOptions) {
    const windowSeconds = options.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
    if (!Number.isInteger(windowSeconds) || windowSeconds < OLDEST_MESSAGE_AGE_METRIC.periodSeconds) {
      throw new RangeError(
        `windowSeconds must be a whole number of seconds of at least ${OLDEST_MESSAGE_AGE_METRIC.periodSeconds}, got ${windowSeconds}`,
      );
    }
    this.#client = options.client;
    this.#windowMs = windowSeconds * 1000;
    this.#now = options.now ?? (() => new Date());
  }

  async oldestMessageAges(queueNames: readonly string[]): Promise<Map<string, number>> {
    const names = [...new Set(queueNames)];
    const ages = new Map<string, number>();
    const end = this.#now();
    const start = new Date(end.getTime() - this.#windowMs);
    for (let first = 0; first < names.length; first += MAX_QUERIES_PER_CALL) {
      const batch = names.slice(first, first + MAX_QUERIES_PER_CALL);
      const { MetricDataResults = [] } = await this.#client.send(
        new GetMetricDataCommand({
          StartTime: start,
          EndTime: end,
          ScanBy: 'TimestampDescending',
          MetricDataQueries: batch.map(oldestMessageAgeQuery),
        }),
      );
      for (const result of MetricDataResults) {
        const name = batch[queryIndex(result.Id)];
        const age = latestValue(result);
        if (name !== undefined && age !== undefined) ages.set(name, age);
      }
    }
    return ages;
  }
}

/**
 * Query ids must start with a lower-case letter and hold only letters, digits and `_`; queue names
 * may hold `-` and `.`, so the id is the queue's position in the call (`q0`, `q1`...).
 */
function oldestMessageAgeQuery(queueName: string, index: number): MetricDataQuery {
  const { namespace, metricName, dimension, stat, periodSeconds } = OLDEST_MESSAGE_AGE_METRIC;
  return {
    Id: `q${index}`,
    Label: queueName,
    MetricStat: {
      Metric: {
        Namespace: namespace,
        MetricName: metricName,
        Dimensions: [{ Name: dimension, Value: queueName }],
      },
      Period: periodSeconds,
      Stat: stat,
    },
    ReturnData: true,
  };
}

/** `q12` → 12; -1 for an id this module did not make. */
function queryIndex(id: string | undefined): number {
  const match = /^q(\d+)$/.exec(id ?? '');
  return match?.[1] === undefined ? -1 : Number(match[1]);
}

/** The value of the result's most recent datapoint, whatever order the datapoints come in. */
function latestValue(result: MetricDataResult): number | undefined {
  const timestamps = result.Timestamps ?? [];
  const values = result.Values ?? [];
  let latest: { at: number; value: number } | undefined;
  for (const [index, value] of values.entries()) {
    const at = timestamps[index]?.getTime();
    if (at === undefined || !Number.isFinite(value)) continue;
    if (latest === undefined || at > latest.at) latest = { at, value };
  }
  return latest?.value;
}
