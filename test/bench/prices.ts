/**
 * AWS list prices the delivery bench turns counted calls into dollars with: us-east-1 (N. Virginia),
 * on-demand, first pricing tier, no free tier, no Savings Plans. Prices change: re-check every value
 * against the AWS pricing pages before relying on a figure, and update `PRICES_AS_OF` with them.
 */

/** The day these values were last checked. */
export const PRICES_AS_OF = '2026-11-23';
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
  secretsManagerApiCall: 0.05 / 10_000,
};

/** One line for the bench output saying where the prices come from. */
export function priceSource(): string {
  return (
    `prices: ${PRICES_REGION} on-demand list prices as of ${PRICES_AS_OF} (test/bench/prices.ts; ` +
    'first tier, no free tier; re-check them before quoting a figure)'
  );
}
