import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { LOG_DEFAULTS } from '../shared/config/defaults.js';
import type { ResolvedLogs } from '../shared/config/types.js';
import { ENV } from '../shared/env-names.js';

/** The package.json `exports` condition naming the TypeScript sources of `hookline/...` entry points. */
export const SOURCE_CONDITION = 'hookline-source';

/** Whether this module runs as TypeScript (the repository) rather than compiled (the installed package). */
const RUNNING_FROM_SOURCES = import.meta.url.endsWith('.ts');

/** The runtime of every Hookline function, the one its bundles are built for (`BUNDLING.target`). */
const RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * The newest Node.js runtime the installed aws-cdk-lib knows, when it is newer than `RUNTIME`: a CDK
 * app may install a newer aws-cdk-lib than the one Hookline was tested with, and cdk-nag flags
 * every runtime but the newest it knows (`AwsSolutions-L1`, `Serverless-LambdaLatestVersion`).
 */
const NEWER_NODE_RUNTIME = (() => {
  const version = (runtime: lambda.Runtime) => Number(/^nodejs(\d+)/.exec(runtime.name)?.[1] ?? 0);
  const newest = lambda.Runtime.ALL.filter(
    (runtime) => runtime.family === lambda.RuntimeFamily.NODEJS,
  ).reduce((best, runtime) => (version(runtime) > version(best) ? runtime : best), RUNTIME);
  return newest.name === RUNTIME.name ? undefined : newest.name;
})();

/** Lock files CDK's `NodejsFunction` knows, in the order it looks for them. */
const LOCK_FILES = ['pnpm-lock.yaml', 'yarn.lock', 'bun.lockb', 'bun.lock', 'package-lock.json'] as const;

/**
 * esbuild settings shared by every Hookline function (the ingress, each route's handler and the
 * admin function), so what is measured for one bundle holds for all of them.
 */
export const BUNDLING: nodejs.BundlingOptions = {
  // Also what folds away the branches a `define` makes dead (shared/verify/registry.ts, tracing.ts).
  minify: true,
  sourceMap: true,
  // Stack traces need names and positions, not the sources: the map loads at every cold start
  // (--enable-source-maps), and without sources it is a third of the size and half the cost.
  sourcesContent: false,
  format: nodejs.OutputFormat.ESM,
  mainFields: ['module', 'main'],
  target: 'node24',
  // Some CommonJS dependencies call `require` on Node built-ins; give the ESM bundle one.
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  // Bundle the AWS SDK instead of using the runtime's copy: the version we test is the version that
  // runs (the runtime's SDK changes under us), and AWS's cold-start guidance is to bundle only the
  // clients used, tree-shaken and minified, rather than loading the full SDK from the runtime.
  externalModules: [],
  forceDockerBundling: false,
  // Run from the repository's TypeScript sources, `hookline/...` imports (the example handlers') resolve
  // to those sources too (package.json `exports`), not to a `dist/` build that may be stale; the
  // installed package bundles its compiled JavaScript, the only thing it ships.
  ...(RUNNING_FROM_SOURCES && { esbuildArgs: { '--conditions': SOURCE_CONDITION } }),
};

/**
 * The identifier shared/handler/tracing.ts reads at build time: `false` leaves Powertools Tracer and
 * the X-Ray SDK out of the bundle of a function without tracing.
 */
export const BUNDLED_TRACING_IDENTIFIER = 'HOOKLINE_BUNDLED_TRACING';

/**
 * The identifier shared/verify/registry.ts finds its one scheme in: a route's ingress and handler are
 * bundled with it defined as the route's scheme name, so each holds that scheme and no other.
 */
export const BUNDLED_SCHEME_IDENTIFIER = 'HOOKLINE_BUNDLED_SCHEME';

/** The `define` that leaves every scheme but `route`'s out of a bundle. */
export function bundledScheme(route: {
  readonly verify: { readonly scheme: string };
}): Record<string, string> {
  return { [BUNDLED_SCHEME_IDENTIFIER]: JSON.stringify(route.verify.scheme) };
}

/** Turns the bundles' source maps on in Lambda (`BUNDLING.sourceMap`), unless `sourceMapsAtRuntime` is false. */
export const SOURCE_MAPS_ENVIRONMENT: Readonly<Record<string, string>> = {
  NODE_OPTIONS: '--enable-source-maps',
};

/** Construct ids of the resources a `HooklineFunction` creates. */
export interface HooklineFunctionIds {
  /** @default 'Function' */
  readonly function?: string;
  /** @default 'Role' */
  readonly role?: string;
  /** @default 'LogGroup' */
  readonly logGroup?: string;
}

export interface HooklineFunctionProps {
  /** Entry file of the function (exports `handler`). */
  readonly entry: string;
  /** The function's description. */
  readonly description: string;
  /**
   * The execution role's description.
   * @default - the function's `description`
   */
  readonly roleDescription?: string;
  /** Memory size in MB: explicit, never Lambda's default. */
  readonly memorySize: number;
  /** Function timeout: explicit, never Lambda's default. */
  readonly timeout: Duration;
  /**
   * The stack's envelope key: the function may read it (GetSecretValue only) and finds it by
   * HOOKLINE_ENVELOPE_KEY_ARN, to sign envelopes (ingress, replays) or verify them (handlers).
   */
  readonly envelopeKey: secretsmanager.ISecret;
  /**
   * Environment variables, added to `NODE_OPTIONS=--enable-source-maps` (see `sourceMapsAtRuntime`).
   * @default - `NODE_OPTIONS` only
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Whether Node maps stack traces through the bundle's source map (`NODE_OPTIONS=--enable-source-maps`),
   * which it then reads at every cold start. The map is in the code package either way, to map a
   * stack trace by hand.
   * @default true
   */
  readonly sourceMapsAtRuntime?: boolean;
  /**
   * Identifiers esbuild replaces with the given code at build time (`define`): configuration
   * that belongs in the bundle rather than in Lambda's 4 KB of environment.
   * @default - none
   */
  readonly define?: Readonly<Record<string, string>>;
  /**
   * Directory holding the lock file, used by esbuild to resolve the entry's dependencies; the entry
   * must be under it.
   * @default - the directory of the nearest lock file above the working directory
   */
  readonly projectRoot?: string;
  /**
   * The lock file esbuild bundles with.
   * @default - the lock file in `projectRoot` if given, else the nearest one above the working directory
   */
  readonly depsLockFilePath?: string;
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What Lambda keeps of the function's logs (the config's \`logs\`).
   * @default LOG_DEFAULTS: INFO, no START/END/REPORT lines
   */
  readonly logs?: ResolvedLogs;
  /**
   * AWS X-Ray active tracing (`tracing` in the config): `Tracing.ACTIVE`, with the X-Ray write
   * permissions CDK adds to the role (`xray:PutTraceSegments`, `xray:PutTelemetryRecords` on
   * Resource "*", acknowledged as `AwsSolutions-IAM5`), and `HOOKLINE_TRACING=true`, which makes the
   * entry point load Powertools Tracer. Off: none of them, and the bundle leaves the Tracer out.
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * How the function's work is correlated without X-Ray, completing the `Serverless-LambdaTracing`
   * acknowledgement (e.g. `'requests are correlated instead by the event id ... in structured logs.'`).
   */
  readonly correlation: string;
  /**
   * Why a Lambda DLQ would never receive anything (the function is not invoked asynchronously) and
   * where failures go instead: the `Serverless-LambdaDLQ` acknowledgement.
   */
  readonly noDeadLetterQueueReason: string;
  /**
   * Construct ids of the function, its role and its log group. With this construct's own id
   * `'Default'`, which CDK leaves out of logical ids, the ids a caller used before these resources
   * moved into a `HooklineFunction` keep their logical ids, so deployed stacks update them in place
   * instead of replacing them.
   * @default { function: 'Function', role: 'Role', logGroup: 'LogGroup' }
   */
  readonly ids?: HooklineFunctionIds;
}

/**
 * A Hookline Lambda function as every part of Hookline deploys it: nodejs24.x on arm64, bundled by
 * esbuild as minified ESM with the AWS SDK inside and source maps turned on, explicit memory and
 * timeout, its own log group with a retention, and an explicit execution role that may write that
 * log group and nothing else until the caller grants more. No AWS managed policy is attached
 * (AWSLambdaBasicExecutionRole would allow logs on every group).
 *
 * Tracing is off unless the caller turns it on (`tracing`), and none of the functions is invoked
 * asynchronously, so both cdk-nag findings (`Serverless-LambdaTracing` when tracing is off,
 * `Serverless-LambdaDLQ`) are acknowledged here with the caller's reasons.
 */
export class HooklineFunction extends Construct {
  /** The function. */
  public readonly function: nodejs.NodejsFunction;
  /** The function's execution role (no AWS managed policy). */
  public readonly role: iam.Role;
  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: HooklineFunctionProps) {
    super(scope, id);
    const ids = props.ids ?? {};
    const tracing = props.tracing === true;

    this.logGroup = new logs.LogGroup(this, ids.logGroup ?? 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    this.role = new iam.Role(this, ids.role ?? 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.roleDescription ?? props.description,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, ids.function ?? 'Function', {
      runtime: RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      bundling: {
        ...BUNDLING,
        define: { ...props.define, [BUNDLED_TRACING_IDENTIFIER]: JSON.stringify(tracing) },
      },
      // Without either CDK finds the nearest lock file above the working directory.
      ...bundleLocation(props),
      entry: props.entry,
      handler: 'handler',
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      ...lambdaLogging(props.logs ?? LOG_DEFAULTS),
      description: props.description,
      ...(tracing && { tracing: lambda.Tracing.ACTIVE }),
      environment: {
        ...(props.sourceMapsAtRuntime !== false && SOURCE_MAPS_ENVIRONMENT),
        [ENV.envelopeKeyArn]: props.envelopeKey.secretArn,
        ...props.environment,
        ...(tracing && { [ENV.tracing]: 'true' }),
      },
    });
    // Not `grantRead`: the functions never call DescribeSecret, which it adds.
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [props.envelopeKey.secretArn],
      }),
    );

    Validations.of(this.function).acknowledge(
      ...(tracing
        ? []
        : [
            {
              id: 'Serverless-LambdaTracing',
              reason:
                'X-Ray needs xray:PutTraceSegments on Resource "*" (no resource-level permissions) and is billed per ' +
                `trace, so it is on only for routes with \`tracing\`; ${props.correlation}`,
            },
          ]),
      { id: 'Serverless-LambdaDLQ', reason: props.noDeadLetterQueueReason },
      ...(NEWER_NODE_RUNTIME === undefined
        ? []
        : ['AwsSolutions-L1', 'Serverless-LambdaLatestVersion'].map((id) => ({
            id,
            reason:
              `Hookline's bundles target ${BUNDLING.target} and are tested on ${RUNTIME.name}; the aws-cdk-lib of ` +
              `this app knows ${NEWER_NODE_RUNTIME}, which a Hookline release adopts once tested on it.`,
          }))),
    );
    if (tracing) {
      // The statement Lambda's active tracing adds (CDK, on `tracing: ACTIVE`).
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          "Active X-Ray tracing (the route's `tracing`): xray:PutTraceSegments and xray:PutTelemetryRecords have " +
          'no resource-level permissions, so they are granted on Resource "*"; they write trace data only.',
      });
    }
  }
}

/** `projectRoot` and `depsLockFilePath` as `NodejsFunction` takes them. */
function bundleLocation(props: Pick<HooklineFunctionProps, 'projectRoot' | 'depsLockFilePath'>) {
  const { projectRoot, depsLockFilePath } = props;
  if (projectRoot === undefined) return depsLockFilePath === undefined ? {} : { depsLockFilePath };
  // The project's own lock file, whichever package manager wrote it (CDK names the missing one).
  const lockFile =
    depsLockFilePath ??
    LOCK_FILES.map((name) => join(projectRoot, name)).find((path) => existsSync(path)) ??
    join(projectRoot, 'package-lock.json');
  return { projectRoot, depsLockFilePath: lockFile };
}

/** Lambda's JSON log format with its two filters (Powertools Logger reads the level Lambda sets). */
function lambdaLogging(settings: ResolvedLogs) {
  return {
    loggingFormat: lambda.LoggingFormat.JSON,
    applicationLogLevelV2: lambda.ApplicationLogLevel[settings.level],
    systemLogLevelV2: settings.invocationReports ? lambda.SystemLogLevel.INFO : lambda.SystemLogLevel.WARN,
  };
}
