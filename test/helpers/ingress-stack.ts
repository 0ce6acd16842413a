/**
 * Wires the real ingress to the run's shared emulators over real HTTP: DynamoDB Local for the event
 * store, the SQS emulator for queues, and the HTTP adapter that turns requests into API Gateway v2
 * events.
 */

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ResolvedRoute } from '../../shared/config/types.js';
import { type Envelope, parseEnvelope } from '../../shared/envelope.js';
import { EventStore } from '../../shared/event-store/event-store.js';
import { createIngress, type IngressDependencies } from '../../shared/ingress/ingress.js';
import { sqsQueueSender } from '../../shared/ingress/sqs-sender.js';
import { createRouteQueues, type RouteQueues } from '../../shared/local/create-queues.js';
import { createEventTable } from '../../shared/local/create-table.js';
import { serveHttpApi } from '../../shared/local/http-adapter.js';
import { queueSettings } from '../../shared/resources.js';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import { testEnvelopeKeys } from './envelope-keys.js';
import { connectDynamoDb, connectSqs, type EmulatorConnection, uniqueName } from './shared-emulators.js';

/** One test file's clients of the run's shared emulators (see shared-emulators.ts). */
export interface Emulators {
  readonly dynamo: EmulatorConnection<DynamoDBClient>;
  readonly sqs: EmulatorConnection<SQSClient>;
  /** Destroys the clients; the emulators keep running for the other files. */
  close(): void;
}

export async function connectEmulators(): Promise<Emulators> {
  const [dynamo, sqs] = await Promise.all([connectDynamoDb(), connectSqs()]);
  return {
    dynamo,
    sqs,
    close() {
      dynamo.close();
      sqs.close();
    },
  };
}

/** A fresh table and fresh queues, named for this test file alone, for one ingress under test. */
export async function provisionRoutes(
  emulators: Emulators,
  routes: readonly ResolvedRoute[],
): Promise<{ tableName: string; queues: Map<string, RouteQueues> }> {
  const prefix = uniqueName();
  const tableName = `${prefix}-events`;
  await createEventTable(emulators.dynamo.client, tableName);
  const queues = new Map<string, RouteQueues>();
  for (const route of routes) {
    queues.set(route.path, await createRouteQueues(emulators.sqs.client, queueSettings(route, prefix)));
  }
  return { tableName, queues };
}

export interface IngressUnderTest {
  readonly url: string;
  readonly store: EventStore;
  readonly tableName: string;
  readonly queues: Map<string, RouteQueues>;
  post(
    path: string,
    body: string | Uint8Array,
    headers?: Record<string, string>,
    method?: string,
  ): Promise<HttpReply>;
  close(): Promise<void>;
}

export interface HttpReply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: Record<string, unknown>;
}

export async function startIngress(
  emulators: Emulators,
  routes: readonly ResolvedRoute[],
  options: {
    secrets?: Record<string, string>;
    override?: (deps: IngressDependencies) => Partial<IngressDependencies>;
    /** Reuse an existing table and queues (to restart an ingress over the same data). */
    provisioned?: { tableName: string; queues: Map<string, RouteQueues> };
  } = {},
): Promise<IngressUnderTest> {
  const { tableName, queues } = options.provisioned ?? (await provisionRoutes(emulators, routes));
  const store = new EventStore({ client: emulators.dynamo.client, tableName });
  const base: IngressDependencies = {
    targets: routes.map((route) => ({ route, queueUrl: requireQueues(queues, route.path).queueUrl })),
    store,
    queue: sqsQueueSender(emulators.sqs.client),
    secrets: new EnvSecretResolver({ env: options.secrets ?? {} }),
    envelopeKeys: testEnvelopeKeys,
  };
  const server = await serveHttpApi(createIngress({ ...base, ...options.override?.(base) }));
  return {
    url: server.url,
    store,
    tableName,
    queues,
    async post(path, body, headers = {}, method = 'POST') {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers,
        body: method === 'GET' ? null : body,
      });
      const text = await response.text();
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // Not every reply needs a JSON body; tests that need it assert on json.
      }
      return { status: response.status, headers: response.headers, text, json };
    },
    close: () => server.close(),
  };
}

export function requireQueues(queues: Map<string, RouteQueues>, path: string): RouteQueues {
  const found = queues.get(path);
  if (found === undefined) throw new Error(`no queues provisioned for ${path}`);
  return found;
}

/** Receives (and deletes) every message currently visible on a queue. */
export async function drainQueue(client: SQSClient, queueUrl: string): Promise<Envelope[]> {
  const envelopes: Envelope[] = [];
  for (;;) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) return envelopes;
    for (const message of Messages) {
      envelopes.push(parseEnvelope(message.Body ?? ''));
      await client.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
    }
  }
}

/** Every event in a table with its status (test inspection only; the product never scans). */
export async function scanEvents(
  client: DynamoDBClient,
  tableName: string,
): Promise<Record<string, string>[]> {
  const { Items = [] } = await client.send(new ScanCommand({ TableName: tableName }));
  const statuses = new Map<string, string>();
  // State items (table layout v2): `ROUTE#<tag>#<shard>`, sorted by the event id.
  for (const item of Items) {
    if (item.pk?.S?.startsWith('ROUTE#') && item.sk?.S !== undefined)
      statuses.set(item.sk.S, item.status?.S ?? '');
  }
  // Request data without a state: accepted but never queued.
  for (const item of Items) {
    const pk = item.pk?.S ?? '';
    // Whose request data it holds (`requestOwnerOf`): in the key, or the claim's first holder.
    const id = pk.startsWith('REQUEST#')
      ? pk.slice('REQUEST#'.length)
      : (item.requestOf?.S ?? item.eventId?.S);
    if (item.sk?.S === 'REQUEST' && id !== undefined && !statuses.has(id)) statuses.set(id, 'received');
  }
  return [...statuses].map(([id, status]) => ({ id, status }));
}
