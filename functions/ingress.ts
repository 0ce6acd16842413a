import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { AWS_CLIENT_DEFAULTS } from '../shared/aws-client-defaults.js';
import { bodyStoreFromEnv } from '../shared/body-store/env.js';
import type { ResolvedRoute } from '../shared/config/types.js';
import { jsonEnv, optionalNumberEnv, requireEnv } from '../shared/env.js';
import { ENV } from '../shared/env-names.js';
import { EventStore } from '../shared/event-store/event-store.js';
import { tracingFromEnv } from '../shared/handler/tracing.js';
import { createIngress } from '../shared/ingress/ingress.js';
import { sqsQueueSender } from '../shared/ingress/sqs-sender.js';
import { HooklineLogFormatter } from '../shared/log-format.js';
import { emfMetrics } from '../shared/metrics/emf.js';
import { metricsNamespaceFromEnv } from '../shared/metrics/namespace.js';
import { EnvSecretResolver } from '../shared/secrets/env-resolver.js';
import { deployedEnvelopeKeys } from '../shared/secrets/envelope-keys.js';
import { SecretsManagerResolver } from '../shared/secrets/secrets-manager-resolver.js';
import { schemeNamed } from '../shared/verify/registry.js';

const route = jsonEnv<ResolvedRoute>(ENV.route);
// The bundle holds the verifier of the scheme it was built for only: another route's scheme fails
// the cold start here rather than every request.
schemeNamed(route.verify.scheme);
const tableName = requireEnv(ENV.tableName);
const queueUrl = requireEnv(ENV.queueUrl);
const secretArn = process.env[ENV.secretArn];
/** The other secrets the route's scheme reads (Meta's verify token), by name; unset when none. */
const otherSecretIds =
  process.env[ENV.otherSecretArns] === undefined ? {} : jsonEnv<Record<string, string>>(ENV.otherSecretArns);
const secretTtlSeconds = optionalNumberEnv(ENV.secretTtlSeconds, 300);
/** Unset (no HOOKLINE_BODY_BUCKET): bodies over the inline limit are refused with 413. */
const bodyStore = bodyStoreFromEnv();

const SERVICE_NAME = 'hookline-ingress';

const logger = new Logger({
  serviceName: SERVICE_NAME,
  logFormatter: new HooklineLogFormatter(),
  persistentLogAttributes: { route: route.path },
});

/**
 * HOOKLINE_TRACING=true (the route's `tracing`): Powertools Tracer, imported on the first invocation,
 * captures the SDK clients; the SQS client's trace header becomes the message's `AWSTraceHeader`.
 */
export const tracing = tracingFromEnv(SERVICE_NAME);
const traced = <Client extends object>(client: Client): Client => tracing?.capture(client) ?? client;

const ingress = createIngress({
  targets: [{ route, queueUrl }],
  store: new EventStore({ client: traced(new DynamoDBClient(AWS_CLIENT_DEFAULTS)), tableName }),
  queue: sqsQueueSender(traced(new SQSClient(AWS_CLIENT_DEFAULTS))),
  secrets:
    secretArn === undefined || secretArn === ''
      ? new EnvSecretResolver()
      : new SecretsManagerResolver({
          client: traced(new SecretsManagerClient(AWS_CLIENT_DEFAULTS)),
          secretId: secretArn,
          otherSecretIds,
          ttlSeconds: secretTtlSeconds,
        }),
  envelopeKeys: deployedEnvelopeKeys(),
  ...(bodyStore !== undefined && { bodyStore }),
  log: logger,
  // EMF lines on stdout, one per request: CloudWatch Logs makes them metrics (no PutMetricData).
  metrics: emfMetrics({
    namespace: metricsNamespaceFromEnv(route, queueUrl),
    service: 'hookline-ingress',
    log: logger,
  }),
});

/**
 * Receives one webhook on the route: verifies it, de-duplicates it, records it and queues it
 * (202; 200 for a duplicate), or answers the refusal (401, 413, …) as JSON. The Lambda context is
 * only read by the logger middleware (request id, cold start).
 */
export function lambdaHandler(
  event: APIGatewayProxyEventV2,
  _context: Context,
): Promise<APIGatewayProxyStructuredResultV2> {
  return ingress(event);
}

/**
 * The ingress function's entry point: `lambdaHandler` with the Powertools logger's Lambda context,
 * and Powertools Tracer's `captureLambdaHandler` when tracing.
 */
export const handler = middy(lambdaHandler).use(injectLambdaContext(logger));
if (tracing !== undefined) handler.use(tracing.middleware());
