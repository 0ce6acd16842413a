/**
 * What AWS itself does between the rehearsed functions, read from the template: the HTTP API (each
 * `AWS::ApiGatewayV2::Route` invokes its integration's function, with the route key and path
 * parameters API Gateway adds) and the SQS event source mappings (receive a batch, invoke the
 * function, delete what it did not report failed). The mappings' SQS calls are recorded too: Lambda
 * makes them with the function's execution role.
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  SQSBatchResponse,
  SQSRecord,
} from 'aws-lambda';
import { type HttpApiHandler, serveHttpApi } from '../../shared/local/http-adapter.js';
import type { FunctionProcess } from './function-process.js';
import type { Deployment } from './template.js';

interface HttpRoute {
  readonly method: string;
  readonly routeKey: string;
  readonly pattern: RegExp;
  readonly parameters: readonly string[];
  readonly functionLogicalId: string;
}

function httpRoutes(deployment: Deployment): HttpRoute[] {
  return deployment.ofType('AWS::ApiGatewayV2::Route').map((logicalId) => {
    const props = deployment.resource(logicalId).Properties ?? {};
    const routeKey = String(props.RouteKey);
    const [method = '', path = ''] = routeKey.split(' ');
    const integrationId = deployment.resolveString(props.Target).replace(/^integrations\//, '');
    const integration = Object.entries(deployment.template.Resources).find(
      ([id, resource]) =>
        resource.Type === 'AWS::ApiGatewayV2::Integration' && deployment.ref(id) === integrationId,
    );
    const uri = (integration?.[1].Properties?.IntegrationUri ?? {}) as { 'Fn::GetAtt'?: [string, string] };
    const functionLogicalId = uri['Fn::GetAtt']?.[0];
    if (functionLogicalId === undefined) throw new Error(`route ${routeKey} has no Lambda integration`);
    const parameters = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] ?? '');
    const pattern = new RegExp(`^${path.replace(/\{\w+\}/g, '([^/]+)')}/?$`);
    return { method, routeKey, pattern, parameters, functionLogicalId };
  });
}

/**
 * The HTTP API over real HTTP at `url`: a request no route matches gets API Gateway's 404.
 * `publicUrl` is the API's endpoint as deployed (the stack's `ApiUrl`).
 */
export async function serveTemplateApi(
  deployment: Deployment,
  functions: ReadonlyMap<string, FunctionProcess>,
): Promise<{ url: string; publicUrl: string; close(): Promise<void> }> {
  const routes = httpRoutes(deployment);
  const [api] = deployment.ofType('AWS::ApiGatewayV2::Api');
  if (api === undefined) throw new Error('the template has no HTTP API');
  const publicUrl = deployment.attribute(api, 'ApiEndpoint');
  // As API Gateway fills them in: the functions build the URLs they answer with (an event's
  // `statusUrl`) from the domain name, which must be the API's, not this machine's.
  const apiContext = {
    accountId: deployment.account,
    apiId: deployment.ref(api),
    domainName: new URL(publicUrl).host,
    domainPrefix: deployment.ref(api),
  };
  const handler: HttpApiHandler = async (event) => {
    for (const route of routes) {
      const match = route.pattern.exec(event.rawPath);
      if (match === null || route.method !== event.requestContext.http.method) continue;
      const target = functions.get(route.functionLogicalId);
      if (target === undefined)
        throw new Error(`no function ${route.functionLogicalId} for ${route.routeKey}`);
      const pathParameters = Object.fromEntries(
        route.parameters.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? '')]),
      );
      const invoked: APIGatewayProxyEventV2 = {
        ...event,
        routeKey: route.routeKey,
        ...(route.parameters.length > 0 && { pathParameters }),
        requestContext: { ...event.requestContext, ...apiContext, routeKey: route.routeKey },
      };
      return (await target.invoke(invoked)) as APIGatewayProxyStructuredResultV2;
    }
    return { statusCode: 404, body: JSON.stringify({ message: 'Not Found' }) };
  };
  const served = await serveHttpApi(handler);
  return { url: served.url, publicUrl, close: () => served.close() };
}

/** One event source mapping, polling until stopped. */
export interface EventSourceMapping {
  readonly functionLogicalId: string;
  readonly queueUrl: string;
  stop(): Promise<void>;
}

export function startEventSourceMappings(
  deployment: Deployment,
  functions: ReadonlyMap<string, FunctionProcess>,
  sqsFor: (functionLogicalId: string) => SQSClient,
): EventSourceMapping[] {
  return deployment.ofType('AWS::Lambda::EventSourceMapping').map((logicalId) => {
    const props = deployment.resource(logicalId).Properties ?? {};
    const queueArn = deployment.resolveString(props.EventSourceArn);
    const queueLogicalId = deployment.ofType('AWS::SQS::Queue').find((id) => deployment.arn(id) === queueArn);
    const functionLogicalId = (props.FunctionName as { Ref?: string }).Ref;
    const target = functionLogicalId === undefined ? undefined : functions.get(functionLogicalId);
    if (queueLogicalId === undefined || functionLogicalId === undefined || target === undefined) {
      throw new Error(`event source mapping ${logicalId} names no queue or function of the template`);
    }
    const queueUrl = deployment.ref(queueLogicalId);
    const batchSize = Number(props.BatchSize ?? 10);
    const sqs = sqsFor(functionLogicalId);
    let running = true;
    const loop = (async () => {
      while (running) await pollOnce(sqs, queueUrl, queueArn, batchSize, target);
    })();
    return {
      functionLogicalId,
      queueUrl,
      async stop() {
        running = false;
        await loop;
      },
    };
  });
}

async function pollOnce(
  sqs: SQSClient,
  queueUrl: string,
  queueArn: string,
  batchSize: number,
  target: FunctionProcess,
): Promise<void> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: batchSize,
      WaitTimeSeconds: 1,
      // The emulator answers ApproximateReceiveCount to the older AttributeNames only.
      AttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  if (Messages.length === 0) return;
  const records = Messages.map((message) => sqsRecord(message, queueArn));
  let failed: Set<string>;
  try {
    const response = (await target.invoke({ Records: records })) as SQSBatchResponse | undefined;
    failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
  } catch {
    return; // A failed invocation leaves the whole batch to become visible again.
  }
  const done = Messages.filter((message) => !failed.has(message.MessageId ?? ''));
  if (done.length === 0) return;
  await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle })),
    }),
  );
}

function sqsRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'AIDAREHEARSAL',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3] ?? '',
  };
}
