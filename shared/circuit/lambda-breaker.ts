/**
 * The deployed breaker of a handler function, with its AWS clients: loaded by `defineHandler` on the
 * first batch of a route with a `circuitBreaker` only, so other routes never load the Lambda and
 * Scheduler clients.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { AWS_CLIENT_DEFAULTS } from '../aws-client-defaults.js';
import type { Log } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import { CircuitRecords } from './circuit-record.js';
import { type BreakerRoute, DeployedCircuitBreaker } from './deployed-breaker.js';
import { type CircuitSchedule, EventSourceSwitch } from './event-source-switch.js';

export interface LambdaBreakerOptions {
  readonly route: BreakerRoute;
  /** The route queue's ARN (the batch's `eventSourceARN`). */
  readonly queueArn: string;
  /** The function itself (`AWS_LAMBDA_FUNCTION_NAME`): its mapping is the one on the queue. */
  readonly functionName: string | undefined;
  readonly schedule: CircuitSchedule;
  readonly dynamodb: Pick<DynamoDBClient, 'send'>;
  readonly tableName: string;
  readonly log: Log;
  readonly metrics: Metrics;
}

export function lambdaCircuitBreaker(options: LambdaBreakerOptions): DeployedCircuitBreaker {
  return new DeployedCircuitBreaker({
    route: options.route,
    records: new CircuitRecords({ client: options.dynamodb, tableName: options.tableName }),
    consumer: new EventSourceSwitch({
      lambda: new LambdaClient(AWS_CLIENT_DEFAULTS),
      scheduler: new SchedulerClient(AWS_CLIENT_DEFAULTS),
      queueArn: options.queueArn,
      ...(options.functionName !== undefined && { functionName: options.functionName }),
      schedule: options.schedule,
    }),
    log: options.log,
    metrics: options.metrics,
  });
}
