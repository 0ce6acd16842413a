/**
 * A synthesized stack brought up as `cdk deploy` would leave it, on this machine: its queues and
 * table created in the emulators from the template, every function started from its own bundle
 * with the template's environment (resolved to this deployment's names), the HTTP API and the
 * event source mappings of the template between them, Lambda's API for those mappings, Scheduler
 * for the circuits' probes, and recorded answers for Secrets Manager and CloudWatch. Every AWS call
 * a function makes is kept, attributed to it; so is every call Scheduler makes with a role of the
 * stack, attributed to that role.
 */
import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type FakeS3, startFakeS3 } from '../helpers/fake-s3.js';
import type { Assembly } from './assembly.js';
import { type AwsCall, callOf } from './authorization.js';
import type { ServiceEndpoints } from './aws-network.js';
import { type EventSourceMapping, startEventSourceMappings } from './event-source-mappings.js';
import { type FunctionProcess, type SessionCredentials, startFunction } from './function-process.js';
import { startLambdaControlPlane } from './lambda-control-plane.js';
import { serveTemplateApi } from './platform-stand-ins.js';
import { schedulerRoles } from './principals.js';
import { provisionTemplate } from './provision.js';
import { type SchedulerStandIn, startScheduler } from './scheduler-stand-in.js';
import { type StandIn, startCloudWatch, startSecretsManager } from './stand-ins.js';
import { Deployment } from './template.js';
import { universalTargetRunner } from './universal-target.js';

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
  /** The event source mappings, as Lambda runs them: enabled or not, their batch size, their changes. */
  readonly mappings: readonly EventSourceMapping[];
  /** Scheduler's schedules: every one created, and what became of it. */
  readonly schedules: Pick<SchedulerStandIn, 'history' | 'existing'>;
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
    const mappings: EventSourceMapping[] = [];
    const standIns = await startStandIns(storedSecrets, deployment, {
      mappings: () => mappings,
      emulators,
      record: (call) => calls.push(call),
      functions: assembly.functions.map((fn) => ({
        name: deployment.ref(fn.logicalId),
        arn: deployment.arn(fn.logicalId),
      })),
      principalOf: (roleArn) =>
        schedulerRoles(deployment, assembly.functions).find((role) => role.roleArn === roleArn)?.name,
    });
    undo.push(standIns.stop);
    const functions = new Map<string, FunctionProcess>();
    undo.push(async () => {
      await Promise.all([...functions.values()].map((fn) => fn.stop()));
    });
    const started = await Promise.all(
      assembly.functions.map((fn) =>
        startFunction({
          fn,
          functionName: deployment.ref(fn.logicalId),
          environment: deployment.resolveStrings(fn.environment),
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
    mappings.push(...startMappings(deployment, functions, emulators, calls));
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
      mappings,
      schedules: standIns.scheduler,
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

/** What the Lambda and Scheduler stand-ins need of the stack. */
interface ControlPlaneOptions {
  /** The mappings, once they run. */
  readonly mappings: () => readonly EventSourceMapping[];
  readonly emulators: RehearsalEmulators;
  readonly record: (call: AwsCall) => void;
  /** Every function's deployed name and ARN. */
  readonly functions: readonly { readonly name: string; readonly arn: string }[];
  /** The principal of a role Scheduler assumes. */
  readonly principalOf: (roleArn: string) => string | undefined;
}

/**
 * The stand-ins; Secrets Manager keeps `secrets` (full ARN → value) and writes puts into it, and
 * Scheduler runs its targets against the Lambda stand-in.
 */
async function startStandIns(
  secrets: Map<string, string>,
  deployment: Deployment,
  options: ControlPlaneOptions,
) {
  const [secretsManager, cloudWatch, s3, lambda]: [StandIn, StandIn, FakeS3, StandIn] = await Promise.all([
    startSecretsManager(secrets),
    startCloudWatch(),
    startFakeS3(),
    startLambdaControlPlane(options.mappings, options.functions),
  ]);
  const runTarget = universalTargetRunner({
    lambdaEndpoint: lambda.endpoint,
    region: options.emulators.region,
    credentials: options.emulators.credentials,
    principalOf: options.principalOf,
    record: options.record,
  });
  const scheduler = await startScheduler({
    region: deployment.region,
    account: deployment.account,
    groups: deployment.ofType('AWS::Scheduler::ScheduleGroup').map((id) => deployment.ref(id)),
    runTarget,
  });
  return {
    scheduler,
    endpoints: (emulators: RehearsalEmulators): ServiceEndpoints => ({
      sqs: emulators.sqsEndpoint,
      dynamodb: emulators.dynamoDbEndpoint,
      s3: s3.endpoint,
      secretsmanager: secretsManager.endpoint,
      monitoring: cloudWatch.endpoint,
      lambda: lambda.endpoint,
      scheduler: scheduler.endpoint,
    }),
    async stop() {
      await scheduler.stop();
      runTarget.destroy();
      await Promise.all([secretsManager.stop(), cloudWatch.stop(), s3.stop(), lambda.stop()]);
    },
  };
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
