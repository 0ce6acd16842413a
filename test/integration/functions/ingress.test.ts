import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EventStore } from '../../../shared/event-store/event-store.js';
import { awsTestCredentials } from '../../helpers/emulators.js';
import { TEST_ENVELOPE_KEY } from '../../helpers/envelope-keys.js';
import { type FakeS3, startFakeS3 } from '../../helpers/fake-s3.js';
import {
  connectEmulators,
  drainQueue,
  type Emulators,
  provisionRoutes,
  requireQueues,
} from '../../helpers/ingress-stack.js';
import { makeRoute } from '../../helpers/routes.js';
import { githubHeaders } from '../../helpers/signers.js';

const SECRET = 'lambda-entry-secret';
const route = makeRoute({
  path: '/lambda/entry/',
  verify: { scheme: 'github', secret: { name: 'LAMBDA_ENTRY_SECRET' } },
  maxBodyBytes: 1024 * 1024,
});

let emulators: Emulators;
let s3: FakeS3;
let provisioned: Awaited<ReturnType<typeof provisionRoutes>>;
const savedEnv = { ...process.env };

function apiGatewayEvent(body: string, headers: Record<string, string>): APIGatewayProxyEventV2 {
  const now = new Date();
  return {
    version: '2.0',
    routeKey: 'POST /lambda/entry',
    rawPath: '/lambda/entry/',
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: {
        method: 'POST',
        path: '/lambda/entry/',
        protocol: 'HTTP/1.1',
        sourceIp: '192.0.2.1',
        userAgent: 'test',
      },
      requestId: randomUUID(),
      routeKey: 'POST /lambda/entry',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    // API Gateway base64-encodes bodies it does not treat as text; the ingress must decode first.
    body: Buffer.from(body).toString('base64'),
    isBase64Encoded: true,
  };
}

const context = {
  functionName: 'ingress',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 10_000,
} as Context;

beforeAll(async () => {
  emulators = await connectEmulators();
  s3 = await startFakeS3();
  provisioned = await provisionRoutes(emulators, [route]);
});

afterAll(async () => {
  process.env = savedEnv;
  emulators?.close();
  await s3?.stop();
});

function lambdaEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...savedEnv,
    HOOKLINE_ROUTE: JSON.stringify(route),
    HOOKLINE_TABLE_NAME: provisioned.tableName,
    HOOKLINE_QUEUE_URL: requireQueues(provisioned.queues, route.path).queueUrl,
    HOOKLINE_ENVELOPE_KEY: TEST_ENVELOPE_KEY,
    AWS_ENDPOINT_URL_SQS: emulators.sqs.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamo.endpoint,
    AWS_REGION: awsTestCredentials.region,
    AWS_ACCESS_KEY_ID: awsTestCredentials.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: awsTestCredentials.credentials.secretAccessKey,
    LAMBDA_ENTRY_SECRET: SECRET,
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
    ...extra,
  };
}

describe('functions/ingress handler (the Lambda entry point)', () => {
  it('refuses to start without its environment, naming the missing variable', async () => {
    vi.resetModules();
    process.env = { ...savedEnv, HOOKLINE_ROUTE: JSON.stringify(route) };
    delete process.env.HOOKLINE_TABLE_NAME;

    await expect(import('../../../functions/ingress.js')).rejects.toThrow(/HOOKLINE_TABLE_NAME is required/);
  });

  it('verifies, records and queues through the SDK clients configured by the environment', async () => {
    vi.resetModules();
    process.env = lambdaEnv();
    const { handler } = await import('../../../functions/ingress.js');
    const body = JSON.stringify({ ref: 'refs/heads/main' });

    const result = await handler(
      apiGatewayEvent(body, await githubHeaders(SECRET, body, randomUUID())),
      context,
    );

    expect(result.statusCode).toBe(202);
    const { id, statusUrl } = JSON.parse(result.body ?? '{}') as { id: string; statusUrl: string };
    expect(statusUrl).toBe(`https://api.example.com/_hookline/events/${id}`);
    const store = new EventStore({ client: emulators.dynamo.client, tableName: provisioned.tableName });
    expect((await store.getEvent(id))?.status).toBe('queued');
    const [envelope] = await drainQueue(
      emulators.sqs.client,
      requireQueues(provisioned.queues, route.path).queueUrl,
    );
    expect(envelope).toMatchObject({ id, body });
  });

  it('without HOOKLINE_BODY_BUCKET refuses a body over the inline limit with 413', async () => {
    vi.resetModules();
    process.env = lambdaEnv();
    const { handler } = await import('../../../functions/ingress.js');
    const body = JSON.stringify({ filler: 'x'.repeat(300 * 1024) });

    const result = await handler(
      apiGatewayEvent(body, await githubHeaders(SECRET, body, randomUUID())),
      context,
    );

    expect(result.statusCode).toBe(413);
    expect(result.body).toContain('body_exceeds_inline_limit');
  });

  it('with HOOKLINE_BODY_BUCKET puts a body over the inline limit in that S3 bucket and queues a bodyRef', async () => {
    vi.resetModules();
    process.env = lambdaEnv({ HOOKLINE_BODY_BUCKET: 'hookline-bodies', AWS_ENDPOINT_URL_S3: s3.endpoint });
    const { handler } = await import('../../../functions/ingress.js');
    const body = JSON.stringify({ filler: 'x'.repeat(300 * 1024) });

    const result = await handler(
      apiGatewayEvent(body, await githubHeaders(SECRET, body, randomUUID())),
      context,
    );

    expect(result.statusCode).toBe(202);
    const { id } = JSON.parse(result.body ?? '{}') as { id: string };
    const key = `lambda_entry/${id}`;
    expect(s3.objects.get(`hookline-bodies/${key}`)?.body.toString('utf8')).toBe(body);
    const [envelope] = await drainQueue(
      emulators.sqs.client,
      requireQueues(provisioned.queues, route.path).queueUrl,
    );
    expect(envelope?.bodyRef).toEqual({
      store: 's3',
      bucket: 'hookline-bodies',
      key,
      size: Buffer.byteLength(body),
    });
  });
});
