/**
 * What Lambda gives a function, for the functions the bench runs in their own processes: the
 * runtime's environment variables, each invocation's context and X-Ray trace header, and API
 * Gateway's (HTTP API, payload v2) event for a webhook request. What the functions log depends on
 * these (Powertools adds the context's fields and the trace id to each line), so they are shaped
 * like the real ones.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LOG_DEFAULTS } from '../../shared/config/defaults.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';

/** The variables Lambda sets in a Node.js function (besides the function's own), credentials fake. */
export function lambdaEnvironment(options: {
  readonly functionName: string;
  readonly memoryMb: number;
  /** The recording proxy every SDK client is pointed at (aws-proxy.ts). */
  readonly endpoint: string;
}): Record<string, string> {
  const { functionName, memoryMb, endpoint } = options;
  return {
    AWS_REGION: REGION,
    AWS_DEFAULT_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'ASIABENCHBENCHBENCH0',
    AWS_SECRET_ACCESS_KEY: 'benchbenchbenchbenchbenchbenchbenchbench',
    AWS_SESSION_TOKEN: randomBytes(300).toString('base64'),
    AWS_ENDPOINT_URL: endpoint,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName(),
    // Every function is deployed with Lambda's JSON log format at the config's level (infra/
    // hookline-function.ts); the bench's configs leave \`logs\` out, so its default.
    AWS_LAMBDA_LOG_FORMAT: 'JSON',
    AWS_LAMBDA_LOG_LEVEL: LOG_DEFAULTS.level,
    TZ: ':UTC',
  };
}

/** The serializable part of a Lambda context (the host adds the functions). */
export interface LambdaContextFields {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly timeoutMs: number;
}

export function lambdaContext(
  functionName: string,
  memoryMb: number,
  timeoutMs: number,
): LambdaContextFields {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: logStreamName(),
    timeoutMs,
  };
}

/** `_X_AMZN_TRACE_ID` of one invocation, as Lambda sets it with tracing off (not sampled). */
export function traceHeader(): string {
  const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  return `Root=${root};Parent=${randomBytes(8).toString('hex')};Sampled=0;Lineage=1:${randomBytes(4).toString('hex')}:0`;
}

/** A deployed function's name as CloudFormation makes it: `<stack>-<id>-<suffix>`. */
export function functionName(stack: string, id: string): string {
  return `${stack}-${id}-${randomBytes(6).toString('hex').toUpperCase()}`.slice(0, 64);
}

function logStreamName(): string {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

/** API Gateway's event for a POST of `body` to `path` with the sender's `headers`. */
export function apiGatewayEvent(
  path: string,
  body: string,
  headers: Readonly<Record<string, string>>,
): APIGatewayProxyEventV2 {
  const now = new Date();
  const domainName = `abcdef1234.execute-api.${REGION}.amazonaws.com`;
  return {
    version: '2.0',
    routeKey: `POST ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: {
      ...Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value])),
      'content-length': String(Buffer.byteLength(body)),
      host: domainName,
      'user-agent': 'Webhook-Sender/1.0',
      'x-amzn-trace-id': `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`,
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
    },
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: ACCOUNT,
      apiId: 'abcdef1234',
      domainName,
      domainPrefix: 'abcdef1234',
      http: {
        method: 'POST',
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.7',
        userAgent: 'Webhook-Sender/1.0',
      },
      requestId: randomBytes(8).toString('base64url'),
      routeKey: `POST ${path}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}
