/**
 * The ingress of the fault-injection proof: the real `createIngress` served over real HTTP by the
 * local stack's adapter, its SQS and DynamoDB clients failing a share of their HTTP attempts
 * (faults-injector.ts). A share of requests is also interrupted after their SendMessage succeeded,
 * the way an ingress Lambda that dies or times out there is, and API Gateway answers the provider
 * 504 in their place:
 *
 * - `after-send`: right after SendMessage, before the event's state is written (the message is on the
 *   queue, the event has no state yet);
 * - `before-reply`: after the whole pipeline answered 202, before the answer left.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ResolvedRoute } from '../../shared/config/types.js';
import { EventStore } from '../../shared/event-store/event-store.js';
import { createIngress, type QueueSender } from '../../shared/ingress/ingress.js';
import { sqsQueueSender } from '../../shared/ingress/sqs-sender.js';
import { serveHttpApi } from '../../shared/local/http-adapter.js';
import { EnvSecretResolver } from '../../shared/secrets/env-resolver.js';
import { awsTestCredentials } from '../helpers/emulators.js';
import { testEnvelopeKeys } from '../helpers/envelope-keys.js';
import { AttemptTally, FaultInjectingHttpHandler, FaultInjector, type Service } from './faults-injector.js';

export type InterruptionPoint = 'after-send' | 'before-reply';

export interface FaultyIngressOptions {
  readonly route: ResolvedRoute;
  readonly queueUrl: string;
  readonly tableName: string;
  readonly endpoints: { readonly sqs: string; readonly dynamodb: string };
  /** The route's verify secret, under the name the route gives it. */
  readonly secret: string;
  /** Share of HTTP attempts failed, per service. */
  readonly rates: Readonly<Record<Service, number>>;
  /** Share of requests interrupted (half at each point). */
  readonly interruptRate: number;
  readonly random: () => number;
}

export interface FaultyIngress {
  readonly url: string;
  /** The ingress's HTTP attempts to SQS and DynamoDB, failed or not. */
  readonly attempts: AttemptTally;
  /** Requests interrupted, by point. */
  interruptions(): Readonly<Record<InterruptionPoint, number>>;
  close(): Promise<void>;
}

/** What API Gateway answers when the function behind it did not. */
const GATEWAY_TIMEOUT: APIGatewayProxyStructuredResultV2 = {
  statusCode: 504,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ message: 'Endpoint request timed out' }),
};

/** One request's interruption plan, seen by the queue sender through the request's async context. */
interface RequestPlan {
  readonly point: InterruptionPoint | undefined;
  interrupted: boolean;
}

class IngressInterrupted extends Error {
  override name = 'IngressInterrupted';
}

export async function startFaultyIngress(options: FaultyIngressOptions): Promise<FaultyIngress> {
  const attempts = new AttemptTally();
  const injector = new FaultInjector({
    rates: options.rates,
    random: options.random,
    record: (attempt) => attempts.add(attempt),
  });
  const clientConfig = () => ({
    ...awsTestCredentials,
    requestHandler: new FaultInjectingHttpHandler(injector),
  });
  const sqs = new SQSClient({ ...clientConfig(), endpoint: options.endpoints.sqs });
  const dynamodb = new DynamoDBClient({ ...clientConfig(), endpoint: options.endpoints.dynamodb });
  const plans = new AsyncLocalStorage<RequestPlan>();
  const counts: Record<InterruptionPoint, number> = { 'after-send': 0, 'before-reply': 0 };
  const { verify } = options.route;
  const secretName = 'secret' in verify ? verify.secret?.name : undefined;
  const ingress = createIngress({
    targets: [{ route: options.route, queueUrl: options.queueUrl }],
    store: new EventStore({ client: dynamodb, tableName: options.tableName }),
    queue: interruptingSender(sqsQueueSender(sqs), plans),
    secrets: new EnvSecretResolver({ env: secretName === undefined ? {} : { [secretName]: options.secret } }),
    envelopeKeys: testEnvelopeKeys,
  });
  const server = await serveHttpApi(async (event) => {
    const plan: RequestPlan = { point: drawPoint(options), interrupted: false };
    const result = await plans.run(plan, () => ingress(event));
    if (plan.point === 'before-reply' && result.statusCode === 202) plan.interrupted = true;
    if (!plan.interrupted || plan.point === undefined) return result;
    counts[plan.point] += 1;
    return GATEWAY_TIMEOUT;
  });
  return {
    url: server.url,
    attempts,
    interruptions: () => ({ ...counts }),
    async close() {
      await server.close();
      sqs.destroy();
      dynamodb.destroy();
    },
  };
}

function drawPoint(options: FaultyIngressOptions): InterruptionPoint | undefined {
  const pick = options.random();
  if (pick >= options.interruptRate) return undefined;
  return pick < options.interruptRate / 2 ? 'after-send' : 'before-reply';
}

/** The ingress's sender, interrupting a request planned `after-send` once its message is on the queue. */
function interruptingSender(sender: QueueSender, plans: AsyncLocalStorage<RequestPlan>): QueueSender {
  return {
    async send(queueUrl, body) {
      await sender.send(queueUrl, body);
      const plan = plans.getStore();
      if (plan?.point !== 'after-send') return;
      plan.interrupted = true;
      throw new IngressInterrupted('interrupted after SendMessage');
    },
  };
}
