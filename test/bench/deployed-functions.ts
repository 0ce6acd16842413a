/**
 * A route's two Lambda functions as the stack deploys them, each bundled like the stack bundles it
 * (for the route: its scheme and tracing as `define`s) and run in its own process (function-host.ts)
 * with the environment the stack gives it: the ingress (functions/ingress.ts, without source maps at
 * run time) and the route's handler module (through `defineHandler`, with them). Their AWS calls go
 * through the recording proxy to the emulators; Secrets Manager (the route's secret and the envelope
 * key, both named by ARN as deployed) is answered by the proxy.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SOURCE_MAPS_ENVIRONMENT } from '../../infra/hookline-function.js';
import { routeEnvironmentJson } from '../../infra/route-environment.js';
import { INGRESS_MEMORY_MB, INGRESS_TIMEOUT } from '../../infra/webhook-route.js';
import type { ResolvedRoute } from '../../shared/config/types.js';
import { ENV } from '../../shared/env-names.js';
import { createRouteQueues, type RouteQueues } from '../../shared/local/create-queues.js';
import { createEventTable } from '../../shared/local/create-table.js';
import { queueSettings } from '../../shared/resources.js';
import { type AwsProxy, startAwsProxy } from './aws-proxy.js';
import { type Bundle, bundle, ROOT, routeDefine } from './bundles.js';
import { FunctionHost } from './function-host.js';
import { functionName, type LambdaContextFields, lambdaContext, lambdaEnvironment } from './lambda-env.js';

export { INGRESS_MEMORY_MB };
export const INGRESS_TIMEOUT_MS = INGRESS_TIMEOUT.toMilliseconds();
export const INGRESS_ENTRY = join(ROOT, 'functions/ingress.ts');

/**
 * Whether the ingress reads its source map at run time: infra/webhook-route.ts gives it
 * `sourceMapsAtRuntime: false` (a literal there, so mirrored here); handler and admin keep the default.
 */
export const INGRESS_SOURCE_MAPS_AT_RUNTIME = false;
export const HANDLER_SOURCE_MAPS_AT_RUNTIME = true;

/** `NODE_OPTIONS` as infra/hookline-function.ts sets it for a function's `sourceMapsAtRuntime`. */
export function sourceMapsEnvironment(sourceMapsAtRuntime: boolean): Readonly<Record<string, string>> {
  return sourceMapsAtRuntime ? SOURCE_MAPS_ENVIRONMENT : {};
}

const ACCOUNT_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret';

/**
 * The route's ingress bundled as infra/webhook-route.ts bundles it: functions/ingress.ts with the
 * route's `define`s, so it holds the route's scheme only (and the Tracer only with `tracing`).
 */
export function bundleIngress(route: ResolvedRoute): Promise<Bundle> {
  return bundle(`ingress-${routeBundleSuffix(route)}`, INGRESS_ENTRY, routeDefine(route));
}

/** `entry` bundled as infra/route-handler.ts bundles the route's handler module. */
export function bundleHandler(route: ResolvedRoute, name: string, entry: string): Promise<Bundle> {
  return bundle(`${name}-${routeBundleSuffix(route)}`, entry, routeDefine(route));
}

/** What tells a route's bundles apart: the `define`s it gets. */
export function routeBundleSuffix(route: ResolvedRoute): string {
  return `${route.verify.scheme}${route.tracing === true ? '-tracing' : ''}`;
}

/** A secret ARN as Secrets Manager makes them (name, then a random suffix). */
export function secretArn(name: string): string {
  return `${ACCOUNT_ARN}:${name}-${randomBytes(3).toString('hex')}`;
}

/** What both functions of a route are configured with. */
export interface RouteDeployment {
  /** The config's `name`: the stack's name and metrics namespace. */
  readonly stackName: string;
  readonly route: ResolvedRoute;
  readonly tableName: string;
  /** The route's queues as the emulator names them (the functions get them through the proxy). */
  readonly queues: RouteQueues;
  readonly proxy: AwsProxy;
  readonly secretArn: string;
  readonly envelopeKeyArn: string;
}

/** The emulators a deployment runs against, and clients for the bench's own setup calls. */
export interface EmulatorAccess {
  readonly dynamoDbEndpoint: string;
  readonly sqsEndpoint: string;
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
}

/**
 * The route's table (created if missing, as the local stack creates it) and queues (named with
 * `queuePrefix`), its secret and the envelope key behind ARNs, and a recording proxy in front of it
 * all. `close()` stops the proxy.
 */
export async function deployRoute(options: {
  readonly emulators: EmulatorAccess;
  readonly stackName: string;
  readonly route: ResolvedRoute;
  readonly tableName: string;
  readonly queuePrefix: string;
  readonly routeSecret: string;
}): Promise<RouteDeployment & { close(): Promise<void> }> {
  const { emulators, route, tableName } = options;
  await createEventTable(emulators.dynamodb, tableName);
  const queues = await createRouteQueues(emulators.sqs, queueSettings(route, options.queuePrefix));
  const routeSecretArn = secretArn(`${options.stackName}-route`);
  const envelopeKeyArn = secretArn(`${options.stackName}-envelope-key`);
  const proxy = await startAwsProxy({
    dynamoDbEndpoint: emulators.dynamoDbEndpoint,
    sqsEndpoint: emulators.sqsEndpoint,
    secrets: new Map([
      [routeSecretArn, options.routeSecret],
      [envelopeKeyArn, randomBytes(32).toString('base64')],
    ]),
  });
  return {
    stackName: options.stackName,
    route,
    tableName,
    queues,
    proxy,
    secretArn: routeSecretArn,
    envelopeKeyArn,
    close: () => proxy.close(),
  };
}

/** What the stack sets an ingress up with (the queue URL as the function is to use it). */
export interface IngressSettings {
  readonly stackName: string;
  readonly route: ResolvedRoute;
  readonly tableName: string;
  readonly queueUrl: string;
  readonly secretArn: string;
  readonly envelopeKeyArn: string;
}

/**
 * What infra/hookline-function.ts adds to every function's own `environment`: `NODE_OPTIONS` (source
 * maps) unless `sourceMapsAtRuntime` is false, the envelope key's ARN, and HOOKLINE_TRACING with
 * tracing; and a PATH.
 */
function hooklineFunctionEnvironment(
  fn: { readonly sourceMapsAtRuntime: boolean; readonly tracing: boolean; readonly envelopeKeyArn: string },
  environment: Readonly<Record<string, string>>,
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...sourceMapsEnvironment(fn.sourceMapsAtRuntime),
    [ENV.envelopeKeyArn]: fn.envelopeKeyArn,
    ...environment,
    ...(fn.tracing && { [ENV.tracing]: 'true' }),
  };
}

/**
 * The ingress's environment as infra/webhook-route.ts and infra/hookline-function.ts set it: no
 * `NODE_OPTIONS` (`sourceMapsAtRuntime: false`).
 */
export function ingressEnvironment(settings: IngressSettings): Record<string, string> {
  return hooklineFunctionEnvironment(
    {
      sourceMapsAtRuntime: INGRESS_SOURCE_MAPS_AT_RUNTIME,
      tracing: settings.route.tracing === true,
      envelopeKeyArn: settings.envelopeKeyArn,
    },
    {
      [ENV.route]: routeEnvironmentJson(settings.route),
      [ENV.tableName]: settings.tableName,
      [ENV.queueUrl]: settings.queueUrl,
      [ENV.metricsNamespace]: settings.stackName,
      [ENV.secretArn]: settings.secretArn,
      [ENV.bodyBucket]: `${settings.stackName}-bodybucket-${randomBytes(4).toString('hex')}`,
    },
  );
}

/** The handler's environment as infra/route-handler.ts and infra/hookline-function.ts set it. */
export function handlerEnvironment(deployment: RouteDeployment): Record<string, string> {
  const { route, tableName, queues, proxy } = deployment;
  return hooklineFunctionEnvironment(
    {
      sourceMapsAtRuntime: HANDLER_SOURCE_MAPS_AT_RUNTIME,
      tracing: route.tracing === true,
      envelopeKeyArn: deployment.envelopeKeyArn,
    },
    {
      [ENV.route]: routeEnvironmentJson(route),
      [ENV.tableName]: tableName,
      [ENV.queueUrl]: proxy.queueUrl(queues.queueUrl),
      [ENV.dlqUrl]: proxy.queueUrl(queues.dlqUrl),
      [ENV.metricsNamespace]: deployment.stackName,
      [ENV.bodyBucket]: `${deployment.stackName}-bodybucket-${randomBytes(4).toString('hex')}`,
    },
  );
}

/** A function started in its host, with the context each of its invocations gets. */
export interface RunningFunction {
  readonly host: FunctionHost;
  readonly memoryMb: number;
  /** A fresh context (new request id) for the next invocation. */
  context(): LambdaContextFields;
}

export async function startFunction(options: {
  readonly name: string;
  readonly bundleFile: string;
  readonly env: Readonly<Record<string, string>>;
  readonly proxy: AwsProxy;
  readonly memoryMb: number;
  readonly timeoutMs: number;
}): Promise<RunningFunction> {
  const name = functionName('hooklinebench', options.name);
  const host = await FunctionHost.start({
    name: options.name,
    bundleFile: options.bundleFile,
    env: {
      ...lambdaEnvironment({ functionName: name, memoryMb: options.memoryMb, endpoint: options.proxy.url }),
      ...options.env,
    },
    functionName: name,
    memoryMb: options.memoryMb,
    timeoutMs: options.timeoutMs,
  });
  return {
    host,
    memoryMb: options.memoryMb,
    context: () => lambdaContext(name, options.memoryMb, options.timeoutMs),
  };
}

export function startIngress(deployment: RouteDeployment, bundleFile: string): Promise<RunningFunction> {
  return startFunction({
    name: 'Ingress',
    bundleFile,
    env: ingressEnvironment({
      ...deployment,
      queueUrl: deployment.proxy.queueUrl(deployment.queues.queueUrl),
    }),
    proxy: deployment.proxy,
    memoryMb: INGRESS_MEMORY_MB,
    timeoutMs: INGRESS_TIMEOUT_MS,
  });
}

export function startHandler(deployment: RouteDeployment, bundleFile: string): Promise<RunningFunction> {
  const { route } = deployment;
  return startFunction({
    name: 'Handler',
    bundleFile,
    env: handlerEnvironment(deployment),
    proxy: deployment.proxy,
    memoryMb: route.memoryMb,
    timeoutMs: route.timeoutSeconds * 1000,
  });
}
