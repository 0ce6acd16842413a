/**
 * A recording HTTP proxy in front of the emulators, for functions the bench runs in their own
 * processes (function-host.ts): their SDK clients point at it (`AWS_ENDPOINT_URL`), it forwards
 * DynamoDB calls to DynamoDB Local and SQS calls to the SQS emulator, answers Secrets Manager itself
 * from a fixed map, and reports every call with its request and response bodies and when it was
 * sent and answered. DynamoDB reads and writes get `ReturnConsumedCapacity: INDEXES` added on the
 * way (DynamoDB Local checks no signatures), so capacity is counted the way aws-call-counter.ts
 * counts the in-process clients'.
 */
import { once } from 'node:events';
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ObservedCall } from './aws-call-counter.js';

const CAPACITY_OPERATIONS = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
  'GetItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'TransactGetItems',
]);

export interface AwsProxyOptions {
  readonly dynamoDbEndpoint: string;
  readonly sqsEndpoint: string;
  /** Secrets Manager's answers: secret id (ARN or name) → its SecretString. */
  readonly secrets: ReadonlyMap<string, string>;
}

export interface AwsProxy {
  /** What `AWS_ENDPOINT_URL` is set to. */
  readonly url: string;
  /** The URL functions use for an emulator queue: same path, on the proxy (SQS sends to the queue URL's host). */
  queueUrl(emulatorQueueUrl: string): string;
  /** Called with every call once answered; returns a function that stops the calls. */
  onCall(listener: (call: ObservedCall) => void): () => void;
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

export async function startAwsProxy(options: AwsProxyOptions): Promise<AwsProxy> {
  const agent = new Agent({ keepAlive: true });
  const listeners = new Set<(call: ObservedCall) => void>();
  let origin = '';
  const server = createServer((incoming, response) => {
    const startedMs = performance.now();
    void readBody(incoming)
      .then((body) => handle(incoming, body, startedMs, response))
      .catch((error: unknown) => {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(error instanceof Error ? error.message : String(error));
      });
  });

  const report = (call: ObservedCall) => {
    for (const listener of listeners) listener(call);
  };

  async function handle(
    incoming: IncomingMessage,
    body: string,
    startedMs: number,
    response: ServerResponse,
  ): Promise<void> {
    const target = String(incoming.headers['x-amz-target'] ?? '');
    const [prefix = '', operation = 'unknown'] = target.split('.');
    const service = prefix.startsWith('DynamoDB')
      ? 'DynamoDB'
      : prefix === 'AmazonSQS'
        ? 'SQS'
        : prefix === 'secretsmanager'
          ? 'SecretsManager'
          : 'unknown';
    const input = parseJson(body);
    if (service === 'SecretsManager') {
      const { status, answer } = secretAnswer(input, options.secrets);
      respond(response, status, answer);
      report(observed(service, operation, input, status, answer, startedMs));
      return;
    }
    if (service === 'DynamoDB' && CAPACITY_OPERATIONS.has(operation))
      input.ReturnConsumedCapacity = 'INDEXES';
    const upstream = service === 'DynamoDB' ? options.dynamoDbEndpoint : options.sqsEndpoint;
    const sent =
      service === 'SQS' ? JSON.stringify(input).replaceAll(origin, upstream) : JSON.stringify(input);
    const { status, headers, text } = await forward(agent, upstream, incoming, sent);
    const answer = service === 'SQS' ? text.replaceAll(upstream, origin) : text;
    const { 'content-length': _length, 'transfer-encoding': _encoding, ...kept } = headers;
    response.writeHead(status, { ...kept, 'content-length': Buffer.byteLength(answer) });
    response.end(answer);
    report(observed(service, operation, input, status, parseJson(answer), startedMs));
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    queueUrl: (emulatorQueueUrl) => `${origin}${new URL(emulatorQueueUrl).pathname}`,
    onCall(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
      agent.destroy();
    },
  };
}

function readBody(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    incoming.on('error', reject);
  });
}

function forward(
  agent: Agent,
  upstream: string,
  incoming: IncomingMessage,
  body: string,
): Promise<{ status: number; headers: IncomingMessage['headers']; text: string }> {
  const url = new URL(incoming.url ?? '/', upstream);
  const {
    host: _host,
    'content-length': _length,
    'transfer-encoding': _encoding,
    ...headers
  } = incoming.headers;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method: incoming.method, agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
      (answer) => {
        void readBody(answer).then(
          (text) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, text }),
          reject,
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function respond(response: ServerResponse, status: number, answer: Json): void {
  const text = JSON.stringify(answer);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function secretAnswer(input: Json, secrets: ReadonlyMap<string, string>): { status: number; answer: Json } {
  const id = String(input.SecretId ?? '');
  const value = secrets.get(id);
  if (value === undefined) {
    return {
      status: 400,
      answer: {
        __type: 'ResourceNotFoundException',
        message: `Secrets Manager can't find the specified secret: ${id}`,
      },
    };
  }
  return {
    status: 200,
    answer: {
      ARN: id,
      Name: id.split(':').at(-1) ?? id,
      SecretString: value,
      VersionId: '00000000-0000-4000-8000-000000000000',
      VersionStages: ['AWSCURRENT'],
      CreatedDate: 1_700_000_000,
    },
  };
}

function parseJson(text: string): Json {
  if (text === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Json) : {};
  } catch {
    return {};
  }
}

/** The call as aws-call-counter.ts reads calls: an error named like the SDK names it, with its fields. */
function observed(
  service: string,
  operation: string,
  input: Json,
  status: number,
  answer: Json,
  startedMs: number,
): ObservedCall {
  const endedMs = performance.now();
  if (status < 400) return { service, operation, input, output: answer, startedMs, endedMs };
  const type = String(answer.__type ?? 'UnknownError');
  const error = Object.assign(new Error(String(answer.message ?? answer.Message ?? type)), answer, {
    name: type.split('#').at(-1) ?? type,
  });
  return { service, operation, input, error, startedMs, endedMs };
}
