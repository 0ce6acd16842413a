import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { S3BodyStore } from '../shared/body-store/s3-body-store.js';
import type { ResolvedRoute } from '../shared/config/types.js';
import { jsonEnv, optionalNumberEnv, requireEnv } from '../shared/env.js';
import { ENV } from '../shared/env-names.js';
import { EventStore } from '../shared/event-store/event-store.js';
import { createIngress } from '../shared/ingress/ingress.js';
import { sqsQueueSender } from '../shared/ingress/sqs-sender.js';
import { EnvSecretResolver } from '../shared/secrets/env-resolver.js';
import { SecretsManagerResolver } from '../shared/secrets/secrets-manager-resolver.js';

const route = jsonEnv<ResolvedRoute>(ENV.route);
const tableName = requireEnv(ENV.tableName);
const queueUrl = requireEnv(ENV.queueUrl);
const secretArn = process.env[ENV.secretArn];
const secretTtlSeconds = optionalNumberEnv(ENV.secretTtlSeconds, 300);
/** Unset: bodies over the inline limit are refused with 413. */
const bodyBucket = process.env[ENV.bodyBucket];

const logger = new Logger({
  serviceName: 'hookline-ingress',
  persistentLogAttributes: { route: route.path },
});

const ingress = createIngress({
  targets: [{ route, queueUrl }],
  store: new EventStore({ client: new DynamoDBClient({}), tableName }),
  queue: sqsQueueSender(new SQSClient({})),
  secrets:
    secretArn === undefined || secretArn === ''
      ? new EnvSecretResolver()
      : new SecretsManagerResolver({
          client: new SecretsManagerClient({}),
          secretId: secretArn,
          ttlSeconds: secretTtlSeconds,
        }),
  ...(bodyBucket !== undefined &&
    bodyBucket !== '' && { bodyStore: new S3BodyStore({ client: new S3Client({}), bucket: bodyBucket }) }),
  log: logger,
});

export function lambdaHandler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return ingress(event);
}

export const handler = middy(lambdaHandler).use(injectLambdaContext(logger));
