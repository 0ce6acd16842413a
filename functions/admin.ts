import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createAdminApi } from '../shared/admin/admin-api.js';
import { ADMIN_ROUTE_CONFIGS_VARIABLE, adminRouteTargets } from '../shared/admin/deployed-routes.js';
import { CloudWatchQueueAges } from '../shared/admin/queue-age.js';
import { S3BodyStore } from '../shared/body-store/s3-body-store.js';
import { jsonEnv, requireEnv } from '../shared/env.js';
import { ENV } from '../shared/env-names.js';
import { EventStore } from '../shared/event-store/event-store.js';
import { EventHistory } from '../shared/event-store/history.js';
import { sqsQueueSender } from '../shared/ingress/sqs-sender.js';
import { createReplayer } from '../shared/replay/replay.js';

// Written out in full: esbuild's `define` replaces this exact expression with the routes' configs
// at bundle time; a computed `process.env[name]` would not be replaced.
const targets = adminRouteTargets(
  jsonEnv<unknown>(ADMIN_ROUTE_CONFIGS_VARIABLE, {
    [ADMIN_ROUTE_CONFIGS_VARIABLE]: process.env.HOOKLINE_ADMIN_ROUTE_CONFIGS,
  }),
  jsonEnv<unknown>(ENV.adminRoutes),
);
const tableName = requireEnv(ENV.tableName);
/** Unset: events whose body is stored in the bucket are shown without it and cannot be replayed. */
const bodyBucket = process.env[ENV.bodyBucket];

const logger = new Logger({ serviceName: 'hookline-admin' });
const dynamodb = new DynamoDBClient({});
const sqs = new SQSClient({});
const store = new EventStore({ client: dynamodb, tableName });
const history = new EventHistory({ client: dynamodb, tableName });
/** Shows stored bodies (`include=body`) and copies them for replays. */
const bodyStore =
  bodyBucket !== undefined && bodyBucket !== ''
    ? new S3BodyStore({ client: new S3Client({}), bucket: bodyBucket })
    : undefined;

const admin = createAdminApi({
  targets,
  history,
  replayer: createReplayer({
    store,
    history,
    targets,
    queue: sqsQueueSender(sqs),
    ...(bodyStore !== undefined && { bodyStore }),
  }),
  sqs,
  queueAges: new CloudWatchQueueAges({ client: new CloudWatchClient({}) }),
  ...(bodyStore !== undefined && { bodyStore }),
  log: logger,
});

export function lambdaHandler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return admin(event);
}

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger));
