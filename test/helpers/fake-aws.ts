/**
 * What the CLI tests against a "deployed" stack share, without AWS: the recorded CloudFormation
 * answers (test/fixtures/aws/), the test credentials and region, the environment that points the
 * CLI's SDK clients at a local server, and the SigV4 oracle that server judges every request by,
 * as API Gateway's IAM authorizer and the AWS services do.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { toSmithyRequest } from '../../shared/cli/sigv4.js';

export const FIXTURES = resolve(import.meta.dirname, '../fixtures/aws');
/** The `ApiUrl` output in the recorded DescribeStacks answers: replace it by the local server's. */
export const RECORDED_API_URL = 'https://k3x9q2w1b7.execute-api.eu-west-1.amazonaws.com/';
export const STACK_REGION = 'eu-west-1';
export const CREDENTIALS = {
  accessKeyId: 'AKIAHOOKLINETEST0001',
  secretAccessKey: 'hooklineTestSecretKey/0123456789abcdefABCD',
} as const;

/**
 * The environment of a CLI run against the local server at `baseUrl` standing in for AWS: the test
 * credentials and region, CloudFormation and Secrets Manager at `baseUrl`, nothing of this machine's
 * own AWS setup.
 */
export function fakeAwsEnv(baseUrl: string): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_REGION: STACK_REGION,
    AWS_ENDPOINT_URL_CLOUDFORMATION: baseUrl,
    // The SDK's name for the service id "Secrets Manager" (@smithy/core getEndpointUrlConfig).
    AWS_ENDPOINT_URL_SECRETS_MANAGER: baseUrl,
    AWS_CONFIG_FILE: join(FIXTURES, 'absent-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(FIXTURES, 'absent-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    // This machine's Node version is not what these tests are about.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/**
 * The oracle: recomputes the request's signature from what arrived (method, host, raw path, query,
 * the headers it names as signed, body) for `service` in STACK_REGION with the test secret.
 */
export async function signatureMatches(
  request: IncomingMessage,
  body: string,
  service: string,
): Promise<boolean> {
  const authorization = request.headers.authorization;
  const amzDate = request.headers['x-amz-date'];
  if (typeof authorization !== 'string' || typeof amzDate !== 'string') return false;
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  if (!signedHeaders.includes('host')) return false;
  // The signer uses a payload hash header as given, so it must match the body that arrived.
  const payloadHash = request.headers['x-amz-content-sha256'];
  if (payloadHash !== undefined && payloadHash !== createHash('sha256').update(body).digest('hex'))
    return false;
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const signingDate = new Date(
    amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
  );
  if (Number.isNaN(signingDate.getTime())) return false;
  const oracle = new SignatureV4({ service, region: STACK_REGION, credentials: CREDENTIALS, sha256: Sha256 });
  const expected = await oracle.sign(
    toSmithyRequest({
      method: request.method ?? 'GET',
      url: new URL(request.url ?? '/', `http://${request.headers.host}`),
      headers,
      ...(body !== '' && { body }),
    }),
    { signingDate },
  );
  return expected.headers.authorization === authorization;
}

export function json(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(value));
}

/** A local HTTP server standing in for AWS. */
export interface FakeAws {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `handle` on a free port of 127.0.0.1; a request it fails is answered 500 with the error. */
export async function serveFakeAws(
  handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>,
): Promise<FakeAws> {
  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => json(response, 500, { message: String(error) }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((done) => server.close(() => done())),
  };
}
