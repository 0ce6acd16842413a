/**
 * `defineHandler`: what a handler module exports. The result is the Lambda handler for the route's
 * SQS event source mapping (middy + Powertools logger) and carries the `definition` the local
 * pollers and `hookline worker` run through the same `processBatch`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { AWS_CLIENT_DEFAULTS } from '../aws-client-defaults.js';
import { bodyStoreFromEnv } from '../body-store/env.js';
import type { AttemptOutcome } from '../circuit/deployed-breaker.js';
import type { CircuitSchedule } from '../circuit/event-source-switch.js';
import type { ResolvedRoute } from '../config/types.js';
import { jsonEnv, requireEnv } from '../env.js';
import { ENV } from '../env-names.js';
import { errorMessage } from '../errors.js';
import { EventStore } from '../event-store/event-store.js';
import { HooklineLogFormatter } from '../log-format.js';
import { emfMetrics } from '../metrics/emf.js';
import type { Metrics } from '../metrics/metrics.js';
import { metricsNamespaceFromEnv } from '../metrics/namespace.js';
import { deployedEnvelopeKeys } from '../secrets/envelope-keys.js';
import { processBatch, type RuntimeDependencies } from './runtime.js';
import { type LambdaTracing, tracingFromEnv } from './tracing.js';
import type { HandlerDefinition, HandlerFunction, HandlerOptions } from './types.js';

export type { HandlerDefinition } from './types.js';

/** The Lambda handler `defineHandler` returns, with the definition it runs. */
export type HooklineLambdaHandler<TPayload = unknown> = MiddyfiedHandler<
  SQSEvent,
  SQSBatchResponse,
  Error,
  Context
> & { readonly definition: HandlerDefinition<TPayload> };

/**
 * Defines a route's handler: `export const handler = defineHandler(async (event, context) => {...})`.
 * Return normally to mark the event delivered, return `IGNORED` (a router with no match does) to
 * mark it ignored, throw to retry with backoff, throw `PermanentError` to dead-letter it at once.
 *
 * Nothing is read from the environment at import: the Lambda path reads `HOOKLINE_ROUTE`,
 * `HOOKLINE_TABLE_NAME`, `HOOKLINE_QUEUE_URL`, `HOOKLINE_DLQ_URL` and (optional, for large bodies)
 * `HOOKLINE_BODY_BUCKET` and `HOOKLINE_METRICS_NAMESPACE` on its first invocation, so the local stack can import handler modules
 * without them. `HOOKLINE_TRACING=true`, read here, adds Powertools Tracer (`./tracing.ts`).
 */
export function defineHandler<TPayload = unknown>(
  fn: HandlerFunction<TPayload>,
  options: HandlerOptions<TPayload> = {},
): HooklineLambdaHandler<TPayload> {
  const definition: HandlerDefinition<TPayload> = Object.freeze({ fn, options });
  const logger = new Logger({ serviceName: SERVICE_NAME, logFormatter: new HooklineLogFormatter() });
  // HOOKLINE_TRACING (a route with `tracing` on): Powertools Tracer, loaded on the first invocation.
  const tracing = tracingFromEnv(SERVICE_NAME);
  let deps: LambdaDependencies | undefined;
  let breaker: Promise<CircuitObserver | undefined> | undefined;

  const lambdaHandler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    deps ??= lambdaDependencies(logger, tracing);
    const queueArn = event.Records[0]?.eventSourceARN;
    if (queueArn !== undefined) {
      const { logger: log } = deps;
      breaker ??= loadCircuitBreaker(deps, queueArn).catch((error: unknown) => {
        log.error('circuit breaker unavailable: the route runs without it', { error: errorMessage(error) });
        return undefined;
      });
    }
    const circuit = await breaker;
    const outcomes: AttemptOutcome[] = [];
    const response = await processBatch(event.Records, definition, deps.runtime, {
      lambdaContext: context,
      ...(circuit !== undefined && { onAttempt: (outcome) => outcomes.push(outcome) }),
    });
    await circuit?.observe(outcomes);
    return response;
  };

  const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>(lambdaHandler).use(
    injectLambdaContext(logger),
  );
  if (tracing !== undefined) handler.use(tracing.middleware());
  return Object.assign(handler, { definition });
}

const SERVICE_NAME = 'hookline-handler';

/** What the Lambda path builds once per container. */
interface LambdaDependencies {
  readonly runtime: RuntimeDependencies & { readonly metrics: Metrics };
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  readonly logger: Logger;
}

/** Reads and checks the function's environment once, and builds its clients (captured when tracing). */
function lambdaDependencies(logger: Logger, tracing: LambdaTracing | undefined): LambdaDependencies {
  const traced = <Client extends object>(client: Client): Client => tracing?.capture(client) ?? client;
  const route = jsonEnv<ResolvedRoute>(ENV.route);
  const tableName = requireEnv(ENV.tableName);
  const queueUrl = requireEnv(ENV.queueUrl);
  const dlqUrl = requireEnv(ENV.dlqUrl);
  const bodyStore = bodyStoreFromEnv();
  const dynamodb = traced(new DynamoDBClient(AWS_CLIENT_DEFAULTS));
  logger.appendPersistentKeys({ route: route.path });
  const runtime = {
    route,
    store: new EventStore({ client: dynamodb, tableName }),
    sqs: traced(new SQSClient(AWS_CLIENT_DEFAULTS)),
    queueUrl,
    dlqUrl,
    envelopeKeys: deployedEnvelopeKeys(),
    ...(bodyStore !== undefined && { bodyStore }),
    log: logger,
    metrics: emfMetrics({
      namespace: metricsNamespaceFromEnv(route, queueUrl),
      service: 'hookline-handler',
      log: logger,
    }),
  };
  return { runtime, dynamodb, tableName, logger };
}

/** What the handler needs of a circuit breaker: the outcomes of each batch's attempts. */
interface CircuitObserver {
  observe(outcomes: readonly AttemptOutcome[]): Promise<void>;
}

/**
 * The route's deployed circuit breaker (`shared/circuit/`), imported on the first batch and only for
 * a route with a `circuitBreaker`; undefined for the others. A route with one whose function lacks
 * `HOOKLINE_CIRCUIT` runs without it, and says so.
 */
async function loadCircuitBreaker(
  deps: LambdaDependencies,
  queueArn: string,
): Promise<CircuitObserver | undefined> {
  const { route } = deps.runtime;
  const settings = route.circuitBreaker;
  if (settings === undefined) return undefined;
  if (process.env[ENV.circuit] === undefined) {
    deps.logger.error(`the route has a circuitBreaker but ${ENV.circuit} is not set: the breaker is off`);
    return undefined;
  }
  const { lambdaCircuitBreaker } = await import('../circuit/lambda-breaker.js');
  return lambdaCircuitBreaker({
    route: { path: route.path, batchSize: route.batchSize, circuitBreaker: settings },
    queueArn,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    schedule: jsonEnv<CircuitSchedule>(ENV.circuit),
    dynamodb: deps.dynamodb,
    tableName: deps.tableName,
    log: deps.logger,
    metrics: deps.runtime.metrics,
  });
}
