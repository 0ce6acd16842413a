/**
 * What AWS itself does in front of the rehearsed functions, read from the template: the HTTP API
 * (each `AWS::ApiGatewayV2::Route` invokes its integration's function, with the route key and path
 * parameters API Gateway adds). The SQS event source mappings are in ./event-source-mappings.ts.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
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
