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
import type { ResolvedRoute } from '../config/types.js';
import { jsonEnv, requireEnv } from '../env.js';
import { ENV } from '../env-names.js';
import { EventStore } from '../event-store/event-store.js';
import { emfMetrics } from '../metrics/emf.js';
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
  const logger = new Logger({ serviceName: SERVICE_NAME });
  // HOOKLINE_TRACING (a route with `tracing` on): Powertools Tracer, loaded on the first invocation.
  const tracing = tracingFromEnv(SERVICE_NAME);
  let deps: RuntimeDependencies | undefined;

  const lambdaHandler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    deps ??= lambdaDependencies(logger, tracing);
    return processBatch(event.Records, definition, deps, { lambdaContext: context });
  };

  const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>(lambdaHandler).use(
    injectLambdaContext(logger),
  );
  if (tracing !== undefined) handler.use(tracing.middleware());
  return Object.assign(handler, { definition });
}

const SERVICE_NAME = 'hookline-handler';

/** Reads and checks the function's environment once, and builds its clients (captured when tracing). */
function lambdaDependencies(logger: Logger, tracing: LambdaTracing | undefined): RuntimeDependencies {
  const traced = <Client extends object>(client: Client): Client => tracing?.capture(client) ?? client;
  const route = jsonEnv<ResolvedRoute>(ENV.route);
  const tableName = requireEnv(ENV.tableName);
  const queueUrl = requireEnv(ENV.queueUrl);
  const dlqUrl = requireEnv(ENV.dlqUrl);
  const bodyStore = bodyStoreFromEnv();
  logger.appendPersistentKeys({ route: route.path });
  return {
    route,
    store: new EventStore({ client: traced(new DynamoDBClient(AWS_CLIENT_DEFAULTS)), tableName }),
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
}
