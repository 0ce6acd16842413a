/**
 * A synthesized stack brought up as `cdk deploy` would leave it, on this machine: its queues and
 * table created in the emulators from the template, every function started from its own bundle
 * with the template's environment (resolved to this deployment's names), the HTTP API and the
 * event source mappings of the template between them, and recorded answers for Secrets Manager and
 * CloudWatch. Every AWS call a function makes is kept, attributed to it.
 */
import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { handshakeStoresSecret } from '../../shared/config/scheme-needs.js';
import type { ResolvedRoute } from '../../shared/config/types.js';
import { ENV } from '../../shared/env-names.js';
import { type FakeS3, startFakeS3 } from '../helpers/fake-s3.js';
import type { Assembly, AssemblyFunction } from './assembly.js';
import { type AwsCall, callOf } from './authorization.js';
import type { ServiceEndpoints } from './aws-network.js';
import { type FunctionProcess, type SessionCredentials, startFunction } from './function-process.js';
import { type EventSourceMapping, serveTemplateApi, startEventSourceMappings } from './platform-stand-ins.js';
import { provisionTemplate } from './provision.js';
import { type StandIn, startCloudWatch, startSecretsManager } from './stand-ins.js';
import { Deployment } from './template.js';

export interface RehearsalStack {
  readonly assembly: Assembly;
  readonly deployment: Deployment;
  /** Where this machine serves the HTTP API: the stand-in for the stack's `ApiUrl`. */
  readonly url: string;
  /**
   * The stack's `ApiUrl` as deployed (`https://<api id>.execute-api.<region>.amazonaws.com`): the
   * domain name the functions see in their events, so the origin of the URLs they answer with.
   */
  readonly publicUrl: string;
  /**
   * The value each secret was created with, by its logical id (route secrets sign the scenario's
   * webhooks; a secret a handshake stores starts as its template's `[]`).
   */
  readonly secretValues: ReadonlyMap<string, string>;
  /** What Secrets Manager holds now, by the secret's full ARN: a handshake's `PutSecretValue` shows here. */
  readonly storedSecrets: ReadonlyMap<string, string>;
  readonly functions: ReadonlyMap<string, FunctionProcess>;
  /** Every AWS call so far, in the order sent. */
  readonly calls: readonly AwsCall[];
  stop(): Promise<void>;
}

export interface RehearsalEmulators {
  readonly sqsEndpoint: string;
  readonly dynamoDbEndpoint: string;
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  readonly region: string;
  readonly credentials: SessionCredentials;
}

export async function startRehearsalStack(
  assembly: Assembly,
  emulators: RehearsalEmulators,
): Promise<RehearsalStack> {
  const deployment = new Deployment(assembly.template, assembly.stackName);
  const calls: AwsCall[] = [];
  const undo: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const step of undo.splice(0).reverse()) await step();
  };
  try {
    await provisionTemplate(deployment, emulators);
    const secretValues = secretsOf(deployment);
    const storedSecrets = new Map(
      [...secretValues].map(([logicalId, value]) => [deployment.ref(logicalId), value]),
    );
    const standIns = await startStandIns(storedSecrets);
    undo.push(standIns.stop);
    const functions = new Map<string, FunctionProcess>();
    undo.push(async () => {
      await Promise.all([...functions.values()].map((fn) => fn.stop()));
    });
    const started = await Promise.all(
      assembly.functions.map((fn) =>
        startFunction({
          fn,
          environment: resolvedEnvironment(deployment, fn),
          region: emulators.region,
          credentials: emulators.credentials,
          endpoints: standIns.endpoints(emulators),
          onCall: (caller, request) => calls.push(callOf(caller.name, 'function', request)),
        }),
      ),
    );
    for (const fn of started) functions.set(fn.fn.logicalId, fn);
    const api = await serveTemplateApi(deployment, functions);
    undo.push(api.close);
    const mappings = startMappings(deployment, functions, emulators, calls);
    undo.push(async () => {
      await Promise.all(mappings.map((mapping) => mapping.stop()));
    });
    return {
      assembly,
      deployment,
      url: api.url,
      publicUrl: api.publicUrl,
      secretValues,
      storedSecrets,
      functions,
      calls,
      stop,
    };
  } catch (error: unknown) {
    await stop();
    throw error;
  }
}

/**
 * The value of every secret of the template: its `SecretString` when the template sets one (a
 * secret a handshake fills in starts as `[]`, no value), else a random one as `GenerateSecretString`
 * makes, in the Standard Webhooks form (which every scheme accepts).
 */
function secretsOf(deployment: Deployment): Map<string, string> {
  return new Map(
    deployment.ofType('AWS::SecretsManager::Secret').map((logicalId) => {
      const given = deployment.resource(logicalId).Properties?.SecretString;
      if (given !== undefined && typeof given !== 'string') {
        throw new Error(`the SecretString of ${logicalId} is no plain string`);
      }
      return [logicalId, given ?? `whsec_${randomBytes(24).toString('base64')}`];
    }),
  );
}

/** The stand-ins; Secrets Manager keeps `secrets` (full ARN → value) and writes puts into it. */
async function startStandIns(secrets: Map<string, string>) {
  const [secretsManager, cloudWatch, s3]: [StandIn, StandIn, FakeS3] = await Promise.all([
    startSecretsManager(secrets),
    startCloudWatch(),
    startFakeS3(),
  ]);
  return {
    endpoints: (emulators: RehearsalEmulators): ServiceEndpoints => ({
      sqs: emulators.sqsEndpoint,
      dynamodb: emulators.dynamoDbEndpoint,
      s3: s3.endpoint,
      secretsmanager: secretsManager.endpoint,
      monitoring: cloudWatch.endpoint,
    }),
    async stop() {
      await Promise.all([secretsManager.stop(), cloudWatch.stop(), s3.stop()]);
    },
  };
}

/** The function's variables as Lambda would set them once CloudFormation has resolved them. */
function resolvedEnvironment(deployment: Deployment, fn: AssemblyFunction): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fn.environment).map(([name, value]) => [name, deployment.resolveString(value)]),
  );
}

/**
 * The event source mappings, each with an SQS client whose calls are recorded for the function it
 * serves (Lambda polls with the function's execution role), through SDK middleware.
 */
function startMappings(
  deployment: Deployment,
  functions: ReadonlyMap<string, FunctionProcess>,
  emulators: RehearsalEmulators,
  calls: AwsCall[],
): EventSourceMapping[] {
  return startEventSourceMappings(deployment, functions, (functionLogicalId) => {
    const name = functions.get(functionLogicalId)?.fn.name ?? functionLogicalId;
    const client = new SQSClient({
      region: emulators.region,
      credentials: emulators.credentials,
      endpoint: emulators.sqsEndpoint,
      useQueueUrlAsEndpoint: false,
    });
    client.middlewareStack.add(
      (next, context) => (args) => {
        const operation = String(context.commandName ?? '').replace(/Command$/, '');
        calls.push({
          fn: name,
          via: 'event source mapping',
          service: 'sqs',
          operation,
          input: args.input as Record<string, unknown>,
        });
        return next(args);
      },
      { step: 'initialize', name: 'rehearsalRecorder' },
    );
    return client;
  });
}

/** The route's resources in this deployment, from its functions' variables. */
export interface RouteResources {
  readonly route: string;
  readonly queueUrl: string;
  readonly dlqUrl?: string;
  readonly secretArn?: string;
  /** Whether the route's handshake stores its signing key (`handshakeStoresSecret`): its ingress writes `secretArn`. */
  readonly handshakeStoresSecret?: boolean;
}

export function routeResources(
  stack: Pick<RehearsalStack, 'assembly' | 'deployment'>,
): Map<string, RouteResources> {
  const routes = new Map<string, RouteResources>();
  for (const fn of stack.assembly.functions) {
    if (fn.role.kind === 'admin') continue;
    // The ingress names the route's secret, the handler its DLQ; both name its queue.
    const env = resolvedEnvironment(stack.deployment, fn);
    const known = routes.get(fn.role.route) ?? { route: fn.role.route, queueUrl: env[ENV.queueUrl] ?? '' };
    const dlqUrl = env[ENV.dlqUrl];
    const secretArn = env[ENV.secretArn];
    const route = env[ENV.route];
    routes.set(fn.role.route, {
      ...known,
      ...(dlqUrl !== undefined && { dlqUrl }),
      ...(secretArn !== undefined && { secretArn }),
      ...(route !== undefined && {
        handshakeStoresSecret: handshakeStoresSecret((JSON.parse(route) as ResolvedRoute).verify),
      }),
    });
  }
  return routes;
}
