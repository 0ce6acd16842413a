import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createAdminApi } from '../shared/admin/admin-api.js';
import { CloudWatchStats } from '../shared/admin/cloudwatch-stats.js';
import { adminRouteTargets } from '../shared/admin/deployed-routes.js';
import { CloudWatchQueueAges } from '../shared/admin/queue-age.js';
import { AWS_CLIENT_DEFAULTS } from '../shared/aws-client-defaults.js';
import { bodyStoreFromEnv } from '../shared/body-store/env.js';
import { CircuitRecords } from '../shared/circuit/circuit-record.js';
import { type CircuitSchedule, EventSourceSwitch } from '../shared/circuit/event-source-switch.js';
import { deployedRouteConsumers } from '../shared/circuit/route-consumers.js';
import { ADMIN_ROUTE_CONFIGS_VARIABLE } from '../shared/config/deployed-routes.js';
import { DEFAULT_STACK_NAME } from '../shared/config/stack-name.js';
import { jsonEnv, requireEnv } from '../shared/env.js';
import { ENV } from '../shared/env-names.js';
import { EventStore } from '../shared/event-store/event-store.js';
import { EventHistory, shardsOfRoutes } from '../shared/event-store/history.js';
import { sqsQueueSender } from '../shared/ingress/sqs-sender.js';
import { HooklineLogFormatter } from '../shared/log-format.js';
import { emfMetrics } from '../shared/metrics/emf.js';
import { createReplayer } from '../shared/replay/replay.js';
import { deployedEnvelopeKeys } from '../shared/secrets/envelope-keys.js';

// Written out in full: esbuild's `define` replaces this exact expression with the routes' configs
// at bundle time; a computed `process.env[name]` would not be replaced.
const targets = adminRouteTargets(
  jsonEnv<unknown>(ADMIN_ROUTE_CONFIGS_VARIABLE, {
    [ADMIN_ROUTE_CONFIGS_VARIABLE]: process.env.HOOKLINE_ADMIN_ROUTE_CONFIGS,
  }),
  jsonEnv<unknown>(ENV.adminRoutes),
);
const tableName = requireEnv(ENV.tableName);

const logger = new Logger({ serviceName: 'hookline-admin', logFormatter: new HooklineLogFormatter() });
const dynamodb = new DynamoDBClient(AWS_CLIENT_DEFAULTS);
const sqs = new SQSClient(AWS_CLIENT_DEFAULTS);
const store = new EventStore({ client: dynamodb, tableName });
const history = new EventHistory({
  client: dynamodb,
  tableName,
  store,
  shardsOf: shardsOfRoutes(targets.map((target) => target.route)),
});
/**
 * Shows stored bodies (`include=body`) and copies them for replays. Unset (no HOOKLINE_BODY_BUCKET):
 * events whose body is in the bucket are shown without it and cannot be replayed.
 */
const bodyStore = bodyStoreFromEnv();

/** The routes' functions' metrics namespace: where `Replayed` and `Redriven` go and `stats` reads. */
const metricsNamespace = process.env[ENV.metricsNamespace]?.trim() || DEFAULT_STACK_NAME;
const cloudWatch = new CloudWatchClient(AWS_CLIENT_DEFAULTS);

/** `Replayed` and `Redriven`, as EMF lines on stdout; the namespace as the routes' functions have it. */
const metrics = emfMetrics({
  namespace: metricsNamespace,
  service: 'hookline-admin',
  log: logger,
});

/** `hookline route pause|resume`: the routes' circuit items and event source mappings. */
const lambda = new LambdaClient(AWS_CLIENT_DEFAULTS);
const scheduler = new SchedulerClient(AWS_CLIENT_DEFAULTS);
const circuitSchedule = jsonEnv<CircuitSchedule>(ENV.circuit);
const switches = new Map<string, EventSourceSwitch>();
const consumers = deployedRouteConsumers({
  records: new CircuitRecords({ client: dynamodb, tableName }),
  log: logger,
  switchOf: (queueArn) => {
    const known = switches.get(queueArn);
    if (known !== undefined) return known;
    const created = new EventSourceSwitch({ lambda, scheduler, queueArn, schedule: circuitSchedule });
    switches.set(queueArn, created);
    return created;
  },
});

const admin = createAdminApi({
  targets,
  history,
  replayer: createReplayer({
    store,
    history,
    targets,
    queue: sqsQueueSender(sqs),
    envelopeKeys: deployedEnvelopeKeys(),
    ...(bodyStore !== undefined && { bodyStore }),
    metrics,
  }),
  sqs,
  queueAges: new CloudWatchQueueAges({ client: cloudWatch }),
  stats: new CloudWatchStats({ client: cloudWatch, namespace: metricsNamespace }),
  consumers,
  ...(bodyStore !== undefined && { bodyStore }),
  log: logger,
  metrics,
});

/**
 * Serves one admin API request (`/_hookline/...`, IAM-authorized by API Gateway): event queries,
 * replays, routes (status, pause, resume), DLQ redrives and statistics. Errors are answered as JSON with their status, never thrown.
 * The Lambda context is only read by the logger middleware (request id, cold start).
 */
export function lambdaHandler(
  event: APIGatewayProxyEventV2,
  _context: Context,
): Promise<APIGatewayProxyStructuredResultV2> {
  return admin(event);
}

/** The admin function's entry point: `lambdaHandler` with the Powertools logger's Lambda context. */
export const handler = middy(lambdaHandler).use(injectLambdaContext(logger));
