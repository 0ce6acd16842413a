/**
 * One rehearsed Lambda function, in a process of its own like a Lambda execution environment: its
 * environment is the one the template gives the function (with the Lambda runtime's own variables),
 * it loads the bundle `cdk deploy` would upload, and it is invoked over IPC. Its AWS requests go
 * through ./aws-network.ts and are reported to the parent as they are sent.
 *
 * Messages: parent → host `start` then `invoke`s; host → parent `ready`, `call`s and `result`s.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { installAwsNetwork, type ServiceEndpoints, type WireRequest } from './aws-network.js';

export interface StartMessage {
  readonly type: 'start';
  /** The bundle's entry file (`<asset>/index.mjs`). */
  readonly entry: string;
  /** The exported handler's name (`index.handler` → `handler`). */
  readonly exportName: string;
  readonly endpoints: ServiceEndpoints;
}

export interface InvokeMessage {
  readonly type: 'invoke';
  readonly id: number;
  readonly event: unknown;
  readonly timeoutMs: number;
}

export type HostMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly error: string }
  | { readonly type: 'call'; readonly request: WireRequest }
  | { readonly type: 'result'; readonly id: number; readonly value?: unknown; readonly error?: string };

type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;

function send(message: HostMessage): void {
  process.send?.(message);
}

let handler: LambdaHandler | undefined;

process.on('message', (message: StartMessage | InvokeMessage) => {
  if (message.type === 'start') void start(message);
  else void invoke(message);
});

async function start(message: StartMessage): Promise<void> {
  try {
    installAwsNetwork(message.endpoints, (request) => send({ type: 'call', request }));
    const module = (await import(pathToFileURL(message.entry).href)) as Record<string, unknown>;
    const exported = module[message.exportName];
    if (typeof exported !== 'function') {
      throw new Error(`${message.entry} exports no function "${message.exportName}"`);
    }
    handler = exported as LambdaHandler;
    send({ type: 'ready' });
  } catch (error: unknown) {
    send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
}

async function invoke(message: InvokeMessage): Promise<void> {
  const deadline = Date.now() + message.timeoutMs;
  try {
    if (handler === undefined) throw new Error('invoked before the bundle loaded');
    const value = await handler(message.event, lambdaContext(deadline));
    send({ type: 'result', id: message.id, value });
  } catch (error: unknown) {
    send({ type: 'result', id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
}

function lambdaContext(deadline: number): Context {
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'rehearsed';
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${functionName}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'rehearsal',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}
