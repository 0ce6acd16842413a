/**
 * The parent's side of ./function-host.ts: starts a rehearsed function in its own process with the
 * environment Lambda would give it, invokes it, and hands on every AWS request it makes, attributed
 * to it.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { LAMBDA_MAX_PAYLOAD_BYTES } from '../../shared/aws-limits.js';
import type { AssemblyFunction } from './assembly.js';
import type { ServiceEndpoints, WireRequest } from './aws-network.js';
import type { HostMessage, InvokeMessage, StartMessage } from './function-host.js';

const HOST = join(import.meta.dirname, 'function-host.ts');
const TSX_LOADER = join(import.meta.dirname, '../../node_modules/tsx/dist/loader.mjs');
/** Lines of a function's output kept for an error message. */
const OUTPUT_LINES = 40;

/** Credentials of the rehearsal's emulators, as Lambda hands a function its role's session. */
export interface SessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface FunctionProcess {
  readonly fn: AssemblyFunction;
  invoke(event: unknown): Promise<unknown>;
  /** The function's recent output (its structured logs), for failures. */
  output(): string;
  /** Every line the function wrote so far (its logs and metric lines), in order. */
  lines(): readonly string[];
  stop(): Promise<void>;
}

/**
 * Starts `fn` from its bundle with `environment` (the template's, resolved); resolves once the
 * bundle has loaded, as a cold start would. `onCall` receives each AWS request it sends.
 */
export async function startFunction(options: {
  readonly fn: AssemblyFunction;
  /** The function's name once deployed (`AWS_LAMBDA_FUNCTION_NAME`). */
  readonly functionName: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly region: string;
  readonly credentials: SessionCredentials;
  readonly endpoints: ServiceEndpoints;
  readonly onCall: (fn: AssemblyFunction, request: WireRequest) => void;
}): Promise<FunctionProcess> {
  const { fn } = options;
  const child = fork(HOST, [], {
    execArgv: ['--import', TSX_LOADER],
    env: lambdaEnvironment(options),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const lines: string[] = [];
  child.stdout?.on('data', lineSplitter(lines));
  child.stderr?.on('data', lineSplitter(lines));
  const recent = () => lines.slice(-OUTPUT_LINES).join('\n');
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (message: HostMessage) => {
      if (message.type === 'call') options.onCall(fn, message.request);
      else if (message.type === 'ready') resolve();
      else if (message.type === 'failed') reject(new Error(`${fn.name} did not load: ${message.error}`));
      else {
        const waiting = pending.get(message.id);
        pending.delete(message.id);
        if (message.error !== undefined) waiting?.reject(new Error(`${fn.name} failed: ${message.error}`));
        else if (payloadBytes(message.value) > LAMBDA_MAX_PAYLOAD_BYTES) {
          waiting?.reject(
            new Error(`${fn.name} answered more than Lambda's ${LAMBDA_MAX_PAYLOAD_BYTES} bytes`),
          );
        } else waiting?.resolve(message.value);
      }
    });
    child.once('exit', (code, signal) => {
      const error = new Error(`${fn.name} exited (${signal ?? code}); its output:\n${recent()}`);
      reject(error);
      for (const waiting of pending.values()) waiting.reject(error);
      pending.clear();
    });
  });
  const [exportName = 'handler'] = fn.handler.split('.').slice(-1);
  const start: StartMessage = {
    type: 'start',
    entry: join(fn.assetDir, 'index.mjs'),
    exportName,
    endpoints: options.endpoints,
  };
  child.send(start);
  await ready;
  return {
    fn,
    invoke(event) {
      // Lambda refuses a synchronous invocation whose event, or answer (above), is over 6 MB: a
      // body the local stack takes may still fail here (the HTTP API stand-in then answers 500).
      if (payloadBytes(event) > LAMBDA_MAX_PAYLOAD_BYTES) {
        return Promise.reject(
          new Error(`${fn.name} invoked with more than Lambda's ${LAMBDA_MAX_PAYLOAD_BYTES} bytes`),
        );
      }
      const id = nextId++;
      const message: InvokeMessage = { type: 'invoke', id, event, timeoutMs: fn.timeoutSeconds * 1000 };
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send(message);
      });
    },
    output: recent,
    lines: () => lines,
    stop: () => stopChild(child),
  };
}

/** Appends each complete line of a stream's chunks to `lines` (a chunk may end mid-line). */
function lineSplitter(lines: string[]): (chunk: Buffer) => void {
  let partial = '';
  return (chunk) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
  };
}

/** The size of an invocation's event or answer as Lambda counts it: its JSON. */
function payloadBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '');
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}

/** The template's variables plus those the Lambda runtime sets; nothing of this process's own. */
function lambdaEnvironment(options: {
  readonly fn: AssemblyFunction;
  readonly functionName: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly region: string;
  readonly credentials: SessionCredentials;
}): NodeJS.ProcessEnv {
  const { fn, region, credentials } = options;
  return {
    ...options.environment,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_LAMBDA_FUNCTION_NAME: options.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    LAMBDA_TASK_ROOT: fn.assetDir,
    _HANDLER: fn.handler,
    TZ: ':UTC',
    // The SDK's notice that Node 20 support ends: this host's Node, not the function's runtime.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    PATH: process.env.PATH,
  };
}
