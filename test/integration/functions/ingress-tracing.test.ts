/**
 * The ingress entry point with HOOKLINE_TRACING: Powertools Tracer is wired only then. X-Ray cannot
 * run here, so the Tracer module is replaced by a stand-in that records what the entry does with it.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ENV } from '../../../shared/env-names.js';
import { awsTestCredentials } from '../../helpers/emulators.js';
import { TEST_ENVELOPE_KEY } from '../../helpers/envelope-keys.js';
import {
  connectEmulators,
  drainQueue,
  type Emulators,
  provisionRoutes,
  requireQueues,
} from '../../helpers/ingress-stack.js';
import { makeRoute } from '../../helpers/routes.js';
import { githubHeaders } from '../../helpers/signers.js';

// X-Ray cannot run here: the Tracer modules are replaced by a stand-in that records what it saw.
const standIn = await vi.hoisted(() => import('../../helpers/tracer-stand-in.js'));
const { tracerSeen, resetTracerSeen } = standIn;
vi.mock('@aws-lambda-powertools/tracer', () => standIn.tracerModule());
vi.mock('@aws-lambda-powertools/tracer/middleware', () => standIn.tracerMiddlewareModule());

const SECRET = 'lambda-tracing-secret';
const TRACE_ID = '1-67891233-abcdef012345678912345678';
const route = makeRoute({
  path: '/lambda/traced/',
  verify: { scheme: 'github', secret: { name: 'LAMBDA_TRACING_SECRET' } },
  tracing: true,
});
const context = {
  functionName: 'ingress',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 10_000,
} as Context;

let emulators: Emulators;
let provisioned: Awaited<ReturnType<typeof provisionRoutes>>;
const savedEnv = { ...process.env };

beforeAll(async () => {
  emulators = await connectEmulators();
  provisioned = await provisionRoutes(emulators, [route]);
});

afterAll(() => {
  process.env = savedEnv;
  emulators?.close();
});

beforeEach(() => {
  vi.resetModules();
  resetTracerSeen();
});

afterEach(() => {
  vi.restoreAllMocks();
});

function lambdaEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...savedEnv,
    [ENV.route]: JSON.stringify(route),
    [ENV.tableName]: provisioned.tableName,
    [ENV.queueUrl]: requireQueues(provisioned.queues, route.path).queueUrl,
    HOOKLINE_ENVELOPE_KEY: TEST_ENVELOPE_KEY,
    AWS_ENDPOINT_URL_SQS: emulators.sqs.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamo.endpoint,
    AWS_REGION: awsTestCredentials.region,
    AWS_ACCESS_KEY_ID: awsTestCredentials.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: awsTestCredentials.credentials.secretAccessKey,
    LAMBDA_TRACING_SECRET: SECRET,
    // The ingress's line for an accepted event is DEBUG (at INFO an accepted event writes none).
    POWERTOOLS_LOG_LEVEL: 'DEBUG',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...extra,
  };
}

async function post(): Promise<{
  statusCode: number | undefined;
  id: string;
  lines: Record<string, unknown>[];
}> {
  const { handler } = await import('../../../functions/ingress.js');
  const body = JSON.stringify({ ref: 'refs/heads/main' });
  const headers = await githubHeaders(SECRET, body, randomUUID());
  const event = {
    version: '2.0',
    routeKey: 'POST /lambda/traced',
    rawPath: '/lambda/traced/',
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: {
        method: 'POST',
        path: '/lambda/traced/',
        protocol: 'HTTP/1.1',
        sourceIp: '192.0.2.1',
        userAgent: 't',
      },
      requestId: randomUUID(),
      routeKey: 'POST /lambda/traced',
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body,
    isBase64Encoded: false,
  } as APIGatewayProxyEventV2;
  // Powertools Logger writes JSON lines to stdout: read them back.
  const written: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = String(chunk);
    if (text.startsWith('{')) written.push(text);
    else return write(chunk, ...(rest as []));
    return true;
  });
  const result = await handler(event, context);
  vi.mocked(process.stdout.write).mockRestore();
  await drainQueue(emulators.sqs.client, requireQueues(provisioned.queues, route.path).queueUrl);
  const { id } = JSON.parse(result.body ?? '{}') as { id: string };
  const lines = written.flatMap((text) => text.trim().split('\n')).map((line) => JSON.parse(line));
  return { statusCode: result.statusCode, id, lines };
}

describe('functions/ingress and HOOKLINE_TRACING', () => {
  it('loads nothing of X-Ray on a route without tracing, and logs the event id as traceId', async () => {
    // As deployed with tracing off: no HOOKLINE_TRACING, and Lambda's own (unsampled) trace header.
    const { tracing: _off, ...untraced } = route;
    process.env = lambdaEnv({
      [ENV.route]: JSON.stringify(untraced),
      _X_AMZN_TRACE_ID: `Root=${TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=0`,
    });
    delete process.env[ENV.tracing];

    const { statusCode, id, lines } = await post();

    expect(statusCode).toBe(202);
    expect(tracerSeen.imports).toBe(0);
    const queued = lines.find((line) => line.message === 'event queued');
    expect(queued).toMatchObject({ eventId: id, route: '/lambda/traced/', traceId: id });
  });

  it('with HOOKLINE_TRACING=true wraps the handler and captures the DynamoDB and SQS clients', async () => {
    process.env = lambdaEnv({
      [ENV.tracing]: 'true',
      _X_AMZN_TRACE_ID: `Root=${TRACE_ID};Parent=53995c3f42cd8ad8;Sampled=1`,
    });

    const first = await post();
    const second = await post();

    expect([first.statusCode, second.statusCode]).toEqual([202, 202]);
    expect(tracerSeen.services).toEqual(['hookline-ingress']);
    expect(tracerSeen.captured.map((client) => client.constructor.name)).toEqual([
      'DynamoDBClient',
      'SQSClient',
    ]);
    expect(tracerSeen.hooks).toEqual(['before', 'after', 'before', 'after']);
    const queued = first.lines.find((line) => line.message === 'event queued');
    expect(queued).toMatchObject({ eventId: first.id, route: '/lambda/traced/', traceId: TRACE_ID });
  });
});
