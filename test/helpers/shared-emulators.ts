/**
 * The run's AWS emulators, started once by test/global-setup.ts and shared by every test file: a
 * file connects its own SDK clients to them (in beforeAll: connecting waits until they answer) and
 * keeps to tables and queues named by `uniqueName()`, so files running at the same time in other
 * workers never see each other's data.
 */
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { type DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListQueuesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { expect, inject } from 'vitest';
import { type ClientOptions, createDynamoDbClient, createSqsClient } from './emulators.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** DynamoDB Local of this run (in memory; each access key and region sees its own tables). */
    readonly dynamoDbEndpoint: string;
    /** The SQS emulator (`local-aws-sqs`) of this run. */
    readonly sqsEndpoint: string;
  }
}

/** One test file's client of a shared emulator. */
export interface EmulatorConnection<Client> {
  readonly endpoint: string;
  readonly client: Client;
  /** Destroys this file's client; the emulator keeps running for the other files. */
  close(): void;
}

/** Longer than a loaded machine takes to start DynamoDB Local, shorter than the hook timeout. */
const READY_TIMEOUT_MS = 50_000;

/**
 * A client of the run's emulator at `endpoint`, once it answers `probe` (the global setup starts
 * the emulators in the background).
 */
async function connect<Client extends { destroy(): void }>(
  what: string,
  endpoint: string,
  create: (endpoint: string, options?: ClientOptions) => Client,
  probe: (client: Client) => Promise<unknown>,
): Promise<EmulatorConnection<Client>> {
  if (endpoint === '') {
    throw new Error(
      `${what} is not running: test/global-setup.ts starts the emulators only for a run with a file that imports test/helpers/shared-emulators.ts or ingress-stack.ts`,
    );
  }
  const prober = create(endpoint, { maxAttempts: 1, connectionTimeoutMs: 500, requestTimeoutMs: 2_000 });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      try {
        await probe(prober);
        break;
      } catch (error: unknown) {
        if (Date.now() > deadline) {
          throw new Error(`${what} at ${endpoint} did not answer within ${READY_TIMEOUT_MS / 1000} s`, {
            cause: error,
          });
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    prober.destroy();
  }
  const client = create(endpoint);
  return { endpoint, client, close: () => client.destroy() };
}

export function connectDynamoDb(): Promise<EmulatorConnection<DynamoDBClient>> {
  return connect('DynamoDB Local', inject('dynamoDbEndpoint'), createDynamoDbClient, (client) =>
    client.send(new ListTablesCommand({ Limit: 1 })),
  );
}

export function connectSqs(): Promise<EmulatorConnection<SQSClient>> {
  return connect('The SQS emulator', inject('sqsEndpoint'), createSqsClient, (client) =>
    client.send(new ListQueuesCommand({ MaxResults: 1 })),
  );
}

/**
 * A table name or resource prefix no other test file of the run uses: `<label>-<8 hex digits>`,
 * the label defaulting to the running test file's name (`event-store` for event-store.test.ts).
 * Lower-case letters, digits and dashes, so with a short label it is also a valid config `name`.
 */
export function uniqueName(label: string = testFileLabel()): string {
  return `${label}-${randomBytes(4).toString('hex')}`;
}

function testFileLabel(): string {
  const testPath = expect.getState().testPath;
  if (testPath === undefined) throw new Error('uniqueName() needs a label outside a test file');
  return basename(testPath).replace(/\.test\.ts$/, '');
}
