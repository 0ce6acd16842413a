/**
 * AWS list prices the bench turns counted calls, units, bytes and milliseconds into dollars with:
 * us-east-1 (N. Virginia), first pricing tier, no free tier, no Savings Plans or reserved capacity.
 * Each price names the page it comes from (`PRICE_SOURCES`). Prices change: re-check every value
 * against its page before relying on a figure, and update `PRICES_AS_OF` with them.
 */

/** The day these values were last checked against their pages. */
export const PRICES_AS_OF = '2026-12-07';
export const PRICES_REGION = 'us-east-1';

const PER_MILLION = 1 / 1_000_000;

export interface PriceTable {
  /** API Gateway HTTP API, per request (first 300 M requests a month; metered in 512 KB increments). */
  readonly apiGatewayHttpRequest: number;
  /** API Gateway HTTP API metering increment, bytes. */
  readonly apiGatewayMeterBytes: number;
  /** Lambda, per invocation (either architecture). */
  readonly lambdaRequest: number;
  /** Lambda arm64 duration, per GB-second (first 7.5 billion GB-s a month), billed per 1 ms. */
  readonly lambdaArmGbSecond: number;
  /** SQS standard queue, per request (first 100 billion a month); each 64 KB chunk of a payload is one request. */
  readonly sqsStandardRequest: number;
  /** SQS billing chunk, bytes. */
  readonly sqsChunkBytes: number;
  /** DynamoDB on-demand, per write request unit (1 KB per unit; reduced in November 2024). */
  readonly dynamoDbWriteRequestUnit: number;
  /** DynamoDB on-demand, per read request unit (4 KB strongly consistent read per unit). */
  readonly dynamoDbReadRequestUnit: number;
  /** DynamoDB provisioned, per write capacity unit-hour (one 1 KB write per second for an hour). */
  readonly dynamoDbWriteCapacityUnitHour: number;
  /** DynamoDB provisioned, per read capacity unit-hour (one 4 KB strongly consistent read per second). */
  readonly dynamoDbReadCapacityUnitHour: number;
  /** DynamoDB Standard table class storage, per GB-month (after the first 25 GB a month). */
  readonly dynamoDbStorageGbMonth: number;
  /** CloudWatch Logs ingestion, Standard log class, per GB (Lambda logs: the first tier, up to 10 TB a month). */
  readonly cloudWatchLogsIngestionGb: number;
  /** Secrets Manager, per API call ($0.05 per 10 000). */
  readonly secretsManagerApiCall: number;
}

export const PRICES: PriceTable = {
  apiGatewayHttpRequest: 1.0 * PER_MILLION,
  apiGatewayMeterBytes: 512 * 1024,
  lambdaRequest: 0.2 * PER_MILLION,
  lambdaArmGbSecond: 0.0000133334,
  sqsStandardRequest: 0.4 * PER_MILLION,
  sqsChunkBytes: 64 * 1024,
  dynamoDbWriteRequestUnit: 0.625 * PER_MILLION,
  dynamoDbReadRequestUnit: 0.125 * PER_MILLION,
  dynamoDbWriteCapacityUnitHour: 0.00065,
  dynamoDbReadCapacityUnitHour: 0.00013,
  dynamoDbStorageGbMonth: 0.25,
  cloudWatchLogsIngestionGb: 0.5,
  secretsManagerApiCall: 0.05 / 10_000,
};

/** The AWS page each price is read from. */
export const PRICE_SOURCES: { readonly [K in keyof PriceTable]: string } = {
  apiGatewayHttpRequest: 'https://aws.amazon.com/api-gateway/pricing/',
  apiGatewayMeterBytes: 'https://aws.amazon.com/api-gateway/pricing/',
  lambdaRequest: 'https://aws.amazon.com/lambda/pricing/',
  lambdaArmGbSecond: 'https://aws.amazon.com/lambda/pricing/',
  sqsStandardRequest: 'https://aws.amazon.com/sqs/pricing/',
  sqsChunkBytes: 'https://aws.amazon.com/sqs/pricing/',
  dynamoDbWriteRequestUnit: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  dynamoDbReadRequestUnit: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  dynamoDbWriteCapacityUnitHour: 'https://aws.amazon.com/dynamodb/pricing/provisioned/',
  dynamoDbReadCapacityUnitHour: 'https://aws.amazon.com/dynamodb/pricing/provisioned/',
  dynamoDbStorageGbMonth: 'https://aws.amazon.com/dynamodb/pricing/on-demand/ (Data storage)',
  cloudWatchLogsIngestionGb:
    'https://aws.amazon.com/cloudwatch/pricing/ (Logs, Standard; Lambda logs tiered)',
  secretsManagerApiCall: 'https://aws.amazon.com/secrets-manager/pricing/',
};

/** What the hosted peers charge per million events: the anchors the cost is read against. */
export const ANCHORS = [
  { name: 'Hookdeck', dollarsPerMillion: 10, basis: 'list price', source: 'https://hookdeck.com/pricing' },
  { name: 'Svix', dollarsPerMillion: 100, basis: 'list price', source: 'https://www.svix.com/pricing/' },
] as const;

/** One line for the bench output saying where the prices come from. */
export function priceSource(): string {
  return (
    `prices: ${PRICES_REGION} (N. Virginia) list prices as of ${PRICES_AS_OF}, each with its AWS page in ` +
    'test/bench/prices.ts (first tier, no free tier; re-check them before quoting a figure)'
  );
}
