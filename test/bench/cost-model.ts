/**
 * The cost of one delivered event, per million events, line by line, from what the bench measured
 * per event. DynamoDB is priced two ways: on demand (per request unit), or provisioned at a steady
 * utilization (per capacity unit-hour: a unit used at `utilization` of its capacity serves
 * 3 600 × utilization units an hour). Pure; unit-tested in `test/unit/bench/cost-model.test.ts`.
 */
import type { PriceTable } from './prices.js';

const MILLION = 1_000_000;
const SECONDS_PER_HOUR = 3600;
const GB = 2 ** 30;

/** One Lambda function's share of an event. */
export interface LambdaUse {
  readonly invocationsPerEvent: number;
  readonly memoryMb: number;
  /** Duration of one invocation; Lambda bills it rounded up to the millisecond. */
  readonly msPerInvocation: number;
}

/** What one delivered event uses, as measured. */
export interface EventUse {
  /** The webhook body (API Gateway meters requests in 512 KB increments). */
  readonly bodyBytes: number;
  readonly ingress: LambdaUse;
  readonly handler: LambdaUse;
  /** SQS requests as billed (64 KB chunks). */
  readonly sqsRequests: number;
  readonly writeUnits: number;
  readonly readUnits: number;
  /** Table items and index entries kept for their retention. */
  readonly storageGbMonths: number;
  /** Log bytes ingested by CloudWatch Logs (both functions, overhead included). */
  readonly logBytes: number;
  readonly secretsManagerCalls: number;
}

export type CapacityMode =
  | { readonly kind: 'onDemand' }
  | { readonly kind: 'provisioned'; readonly utilization: number };

export interface CostLine {
  readonly item: string;
  /** The quantity per event, formatted. */
  readonly perEvent: string;
  readonly unitPrice: string;
  readonly dollarsPerMillion: number;
}

export function costLines(use: EventUse, prices: PriceTable, mode: CapacityMode): CostLine[] {
  if (mode.kind === 'provisioned' && !(mode.utilization > 0 && mode.utilization <= 1)) {
    throw new RangeError(`utilization must be in (0, 1], got ${mode.utilization}`);
  }
  const apiRequests = Math.max(1, Math.ceil(use.bodyBytes / prices.apiGatewayMeterBytes));
  const line = (item: string, perEvent: number, unitPrice: string, price: number, digits = 3): CostLine => ({
    item,
    perEvent: perEvent.toPrecision(digits),
    unitPrice,
    dollarsPerMillion: perEvent * price * MILLION,
  });
  const lambda = (name: string, fn: LambdaUse): CostLine[] => {
    const billedMs = Math.ceil(fn.msPerInvocation);
    const gbSeconds = fn.invocationsPerEvent * (fn.memoryMb / 1024) * (billedMs / 1000);
    return [
      line(
        `Lambda requests, ${name}`,
        fn.invocationsPerEvent,
        perMillion(prices.lambdaRequest),
        prices.lambdaRequest,
      ),
      line(
        `Lambda arm64 GB-s, ${name} (${fn.memoryMb} MB × ${billedMs} ms)`,
        gbSeconds,
        `$${prices.lambdaArmGbSecond}/GB-s`,
        prices.lambdaArmGbSecond,
      ),
    ];
  };
  const writeUnit =
    mode.kind === 'onDemand'
      ? prices.dynamoDbWriteRequestUnit
      : prices.dynamoDbWriteCapacityUnitHour / (SECONDS_PER_HOUR * mode.utilization);
  const readUnit =
    mode.kind === 'onDemand'
      ? prices.dynamoDbReadRequestUnit
      : prices.dynamoDbReadCapacityUnitHour / (SECONDS_PER_HOUR * mode.utilization);
  const unitPrice = (hourly: number, perRequest: number, unit: string) =>
    mode.kind === 'onDemand'
      ? perMillion(perRequest)
      : `$${hourly}/${unit}-h at ${Math.round(mode.utilization * 100)} % = ${perMillion(hourly / (SECONDS_PER_HOUR * mode.utilization))}`;
  return [
    line(
      'API Gateway HTTP API requests',
      apiRequests,
      perMillion(prices.apiGatewayHttpRequest),
      prices.apiGatewayHttpRequest,
    ),
    ...lambda('ingress', use.ingress),
    ...lambda('handler', use.handler),
    line(
      'SQS standard requests (64 KB chunks)',
      use.sqsRequests,
      perMillion(prices.sqsStandardRequest),
      prices.sqsStandardRequest,
    ),
    line(
      'DynamoDB write units',
      use.writeUnits,
      unitPrice(prices.dynamoDbWriteCapacityUnitHour, prices.dynamoDbWriteRequestUnit, 'WCU'),
      writeUnit,
    ),
    line(
      'DynamoDB read units',
      use.readUnits,
      unitPrice(prices.dynamoDbReadCapacityUnitHour, prices.dynamoDbReadRequestUnit, 'RCU'),
      readUnit,
    ),
    line(
      'DynamoDB storage, items and index entries for their retention (GB-months)',
      use.storageGbMonths,
      `$${prices.dynamoDbStorageGbMonth}/GB-month`,
      prices.dynamoDbStorageGbMonth,
    ),
    line(
      'CloudWatch Logs ingestion (GB)',
      use.logBytes / GB,
      `$${prices.cloudWatchLogsIngestionGb}/GB`,
      prices.cloudWatchLogsIngestionGb,
    ),
    line(
      'Secrets Manager API calls',
      use.secretsManagerCalls,
      perMillion(prices.secretsManagerApiCall),
      prices.secretsManagerApiCall,
    ),
  ];
}

export function totalCost(lines: readonly CostLine[]): number {
  return lines.reduce((sum, line) => sum + line.dollarsPerMillion, 0);
}

/** `$0.625/M`: a per-unit price as dollars per million units. */
function perMillion(price: number): string {
  return `$${Number((price * MILLION).toPrecision(4))}/M`;
}
