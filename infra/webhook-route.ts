import { Annotations, ArnFormat, Duration, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  LAMBDA_MAX_ENVIRONMENT_BYTES,
  SECRETS_MANAGER_NAME_PATTERN,
  SQS_MAX_VISIBILITY_TIMEOUT_SECONDS,
  SQS_QUEUE_NAME_PATTERN,
} from '../shared/aws-limits.js';
import { type AlarmSettings, resolveRouteAlarms } from '../shared/config/alarms.js';
import { routeLimitProblems } from '../shared/config/check-route-limits.js';
import { circuitScheduleGroup } from '../shared/config/circuit-schedules.js';
import { normalizePath } from '../shared/config/queue-name.js';
import {
  challengeMethods,
  handshakeStoresSecret,
  otherSecrets,
  verifySecret,
} from '../shared/config/scheme-needs.js';
import type { ResolvedLogs, ResolvedRoute, SecretReference } from '../shared/config/types.js';
import { ENV } from '../shared/env-names.js';
import { type QueueSettings, queueSettings, VISIBILITY_TIMEOUT_FACTOR } from '../shared/resources.js';
import { acknowledgeRouteBodies, type BodyBucket } from './body-bucket.js';
import { bundledScheme, HooklineFunction } from './hookline-function.js';
import { RouteAlarms } from './route-alarms.js';
import { routeEnvironmentJson } from './route-environment.js';
import { RouteHandler } from './route-handler.js';
import { routeTableStatements } from './table-grants.js';

const HTTP_METHODS: ReadonlySet<string> = new Set(Object.values(apigwv2.HttpMethod));

/** The ingress function's fixed sizing: it verifies, records and enqueues, it never runs user code. */
export const INGRESS_MEMORY_MB = 256;
export const INGRESS_TIMEOUT = Duration.seconds(10);

export interface WebhookRouteProps {
  /** The route, with every default applied (`resolveConfig`). */
  readonly route: ResolvedRoute;
  /** Resource name prefix (the config's `name`); queues are named by `queueSettings(route, prefix)`. */
  readonly prefix: string;
  /** The HTTP API the route's `METHOD path` routes are added to. */
  readonly httpApi: apigwv2.IHttpApi;
  /** The stack's envelope key (`HooklineFunctionProps.envelopeKey`). */
  readonly envelopeKey: secretsmanager.ISecret;
  /**
   * The event table. The ingress function may put, get, query and delete items on the table itself
   * (no index) and condition-check them in transactions: its route's dedupe claims, request data,
   * `queued` states. It never updates an item; the handler's grants are `RouteHandler`'s.
   */
  readonly table: dynamodb.ITable;
  /**
   * The claim-check bucket for bodies too large to travel inline: the ingress may put, and the handler
   * read, objects under the route's own prefix (`routeBodyPrefix`), nothing else.
   * @default - no body bucket: bodies above the inline limit are refused with 413
   */
  readonly bodyBucket?: BodyBucket;
  /** Entry file of the ingress Lambda (exports `handler`). */
  readonly ingressEntry: string;
  /**
   * Entry file of the route's handler Lambda (exports `handler`): `route.handler` resolved from the
   * config file's folder (`handlerEntry`).
   */
  readonly handlerEntry: string;
  /**
   * Directory holding `package-lock.json`, used by esbuild to resolve the entry's dependencies.
   * @default - the directory of the nearest lock file above the working directory
   */
  readonly projectRoot?: string;
  /**
   * The lock file esbuild bundles with.
   * @default - the lock file in `projectRoot` if given, else the nearest one above the working directory
   */
  readonly depsLockFilePath?: string;
  /**
   * Retention of the ingress and handler functions' log groups.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What Lambda keeps of the function's logs (the config's \`logs\`).
   * @default LOG_DEFAULTS: INFO, no START/END/REPORT lines
   */
  readonly logs?: ResolvedLogs;
  /**
   * Use this secret for signature verification instead of creating or importing one. The gateway
   * passes it when several routes reference the same created secret name, so it is created once.
   * @default - created or imported from `route.verify.secret` (see `WebhookRoute.secret`)
   */
  readonly secret?: secretsmanager.ISecret;
  /**
   * The CloudWatch namespace the route's functions emit their metrics in (`ENV.metricsNamespace`),
   * which its alarms read.
   * @default - `prefix`
   */
  readonly metricsNamespace?: string;
  /**
   * The top-level `alarms` of the config, which `route.alarms` overrides (`resolveRouteAlarms`).
   * @default - every route alarm on with its default (`ALARM_DEFAULTS`)
   */
  readonly alarmDefaults?: AlarmSettings;
  /**
   * Where the route's alarms notify (the gateway's alarm topic).
   * @default - the alarms notify nothing
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;
}

/**
 * One webhook route: its queue and dead-letter queue, its verification secret, its ingress Lambda (a
 * `HooklineFunction`), its API Gateway routes (`POST` and every method in `route.methods` on the
 * route's path) and its handler Lambda consuming the queue (`RouteHandler`), built in that order.
 *
 * Paths are registered without a trailing slash: HTTP API route keys may not end with `/` (the
 * service rejects them and `HttpRouteKey.with` throws), and the ingress treats `/a/b` and `/a/b/`
 * alike. The webhook URL to give providers is `${api.apiEndpoint}${webhookPath}`.
 *
 * The queue's visibility timeout is 6 × `route.timeoutSeconds`, the handler function's timeout
 * (`queueSettings`), checked at synth with the rest of the route's settings (`checkWebhookRoute`).
 */
export class WebhookRoute extends Construct {
  /** The route this construct deploys. */
  public readonly route: ResolvedRoute;
  /** Queue and DLQ names, timeouts, retention and `maxReceiveCount`, shared with the local stack. */
  public readonly settings: QueueSettings;
  /** The path registered on the HTTP API: the route's path without a trailing slash. */
  public readonly webhookPath: string;
  /** The route's queue (SQS-managed SSE, TLS enforced), redriving to `deadLetterQueue`. */
  public readonly queue: sqs.Queue;
  /** Receives what the runtime dead-letters, and redrives after `maxReceiveCount`; only `queue` may redrive into it. */
  public readonly deadLetterQueue: sqs.Queue;
  /** Verifies, records and enqueues each request; answers the provider. */
  public readonly ingressFunction: nodejs.NodejsFunction;
  /** The ingress function's log group. */
  public readonly ingressLogGroup: logs.LogGroup;
  /** Runs the route's handler module on batches from `queue` (SQS event source mapping). */
  public readonly handlerFunction: nodejs.NodejsFunction;
  /** The handler function's log group. */
  public readonly handlerLogGroup: logs.LogGroup;
  /** The SQS event source mapping feeding the handler (switched off while the route is paused). */
  public readonly eventSource: lambda.EventSourceMapping;
  /**
   * The verification secret, when the route's scheme uses one (every scheme but `none`, and `jwt`
   * only with a shared secret). Its Secrets Manager name is `route.verify.secret.name` (the same
   * name the local stack reads from the environment): created by the stack with a random initial
   * value, or imported when `secret.existing` is true. Put the provider's value in it after the
   * first deploy when the provider issues the secret (Stripe, Slack, Shopify, Standard Webhooks).
   */
  public readonly secret?: secretsmanager.ISecret;
  /** The other secrets the scheme reads, by name (Meta's `verifyToken`), created or imported alike. */
  public readonly otherSecrets: readonly { readonly name: string; readonly secret: secretsmanager.ISecret }[];
  /** The API Gateway routes, one per method. */
  public readonly httpRoutes: readonly apigwv2.HttpRoute[];
  /** Their route keys (`POST /order/status`), used for per-route throttling on the stage. */
  public readonly routeKeys: readonly string[];
  /** The namespace of the route's custom metrics. */
  public readonly metricsNamespace: string;
  /** The route's alarms (DLQ not empty, oldest message age, error rate, 5xx, signatures, throttles). */
  public readonly alarms: RouteAlarms;

  constructor(scope: Construct, id: string, props: WebhookRouteProps) {
    super(scope, id);
    const { route, prefix } = props;
    this.route = route;
    this.settings = queueSettings(route, prefix);
    this.webhookPath = normalizePath(route.path);
    this.metricsNamespace = props.metricsNamespace ?? prefix;
    const secretReference = verifySecret(route.verify);

    const problems = checkWebhookRoute(route, this.settings);
    if (secretReference && !props.secret && !SECRETS_MANAGER_NAME_PATTERN.test(secretReference.name)) {
      problems.push(`verify.secret.name "${secretReference.name}" is not a valid Secrets Manager name`);
    }
    if (problems.length > 0) {
      throw new Error(`Invalid webhook route ${route.path}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    }
    if (route.verify.scheme === 'none') {
      Annotations.of(this).addWarningV2(
        'hookline:unverified-route',
        `${route.path} accepts requests without verifying a signature (verify.scheme "none")`,
      );
    }

    const { queue, deadLetterQueue } = this.buildQueues();
    this.queue = queue;
    this.deadLetterQueue = deadLetterQueue;
    const secret =
      props.secret ??
      (secretReference &&
        this.buildSecret(secretReference, 'Secret', 'signing secret', handshakeStoresSecret(route.verify)));
    if (secret) this.secret = secret;
    this.otherSecrets = otherSecrets(route.verify).map((reference) => ({
      name: reference.name,
      secret: this.buildSecret(
        reference,
        `Secret-${reference.name.replace(/[^A-Za-z0-9]/g, '-')}`,
        reference.name,
      ),
    }));

    const ingress = this.buildIngress(props);
    this.ingressFunction = ingress.function;
    this.ingressLogGroup = ingress.logGroup;
    this.httpRoutes = this.buildApiRoutes(props.httpApi);
    this.routeKeys = routeMethods(route).map((method) => `${method} ${this.webhookPath}`);

    const handler = this.buildHandler(props);
    this.handlerFunction = handler.function;
    this.handlerLogGroup = handler.logGroup;
    this.eventSource = handler.eventSource;

    this.alarms = new RouteAlarms(this, 'Alarms', {
      route,
      prefix,
      metricsNamespace: this.metricsNamespace,
      settings: resolveRouteAlarms(props.alarmDefaults, route.alarms),
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      ingressFunction: this.ingressFunction,
      handlerFunction: this.handlerFunction,
      ...(props.alarmAction ? { action: props.alarmAction } : {}),
    });
  }

  /** The route's queue and its dead-letter queue, each allowing the other and nothing more. */
  private buildQueues(): { queue: sqs.Queue; deadLetterQueue: sqs.Queue } {
    // The DLQ's redriveAllowPolicy must name the source queue, and the source queue's redrive policy
    // names the DLQ: referencing each other's ARN attribute would be a circular dependency. The source
    // queue's name is fixed, so its ARN is known up front; an imported reference carries no dependency.
    const sourceQueueArn = Stack.of(this).formatArn({
      service: 'sqs',
      resource: this.settings.queueName,
      arnFormat: ArnFormat.NO_RESOURCE_NAME,
    });
    const deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: this.settings.dlqName,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.seconds(this.settings.dlqRetentionSeconds),
      redriveAllowPolicy: {
        redrivePermission: sqs.RedrivePermission.BY_QUEUE,
        sourceQueues: [sqs.Queue.fromQueueArn(this, 'SourceQueueRef', sourceQueueArn)],
      },
    });
    // AwsSolutions-SQS3 recognises a queue used as a DLQ; the Serverless pack's rule does not.
    Validations.of(deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        "This queue is the route queue's dead-letter queue: a DLQ of a DLQ would only move the problem. Messages " +
        'here are kept 14 days and redriven to the route queue from the console or `hookline dlq redrive`.',
    });

    const queue = new sqs.Queue(this, 'Queue', {
      queueName: this.settings.queueName,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(this.settings.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(this.settings.retentionSeconds),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: this.settings.maxReceiveCount },
    });
    return { queue, deadLetterQueue };
  }

  /**
   * The secret `reference` names: imported when `existing`, else created with a random value, or
   * empty (`[]`: no value) for a signing key the provider hands over in its handshake.
   */
  private buildSecret(
    reference: SecretReference,
    id: string,
    purpose: string,
    storedByHandshake = false,
  ): secretsmanager.ISecret {
    if (reference.existing) return secretsmanager.Secret.fromSecretNameV2(this, id, reference.name);
    const secret = new secretsmanager.Secret(this, id, {
      secretName: reference.name,
      description: `Hookline ${this.route.verify.scheme} ${purpose} for ${this.route.path}`,
      ...(storedByHandshake
        ? { secretStringValue: SecretValue.unsafePlainText('[]') }
        : { generateSecretString: { passwordLength: 48, excludePunctuation: true } }),
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'A webhook signing secret is shared with the external provider and must change there too, so it ' +
        'cannot be rotated by a rotation Lambda; rotate by storing old and new values side by side (the ' +
        'ingress accepts any of them), updating the provider, then removing the old value.',
    });
    return secret;
  }

  /**
   * The ingress function, allowed to send to the route's queue, write the event table's items (see
   * the statement below), read the secret and put the route's bodies. Needs `queue` and `secret`.
   */
  private buildIngress(props: WebhookRouteProps): HooklineFunction {
    const { route } = this;
    // 'Default' and these ids keep the logical ids the ingress resources had when this construct
    // created them itself.
    const ingress = new HooklineFunction(this, 'Default', {
      ids: { function: 'Ingress', role: 'IngressRole', logGroup: 'IngressLogGroup' },
      entry: props.ingressEntry,
      envelopeKey: props.envelopeKey,
      description: `Hookline ingress for ${route.path}`,
      memorySize: INGRESS_MEMORY_MB,
      timeout: INGRESS_TIMEOUT,
      define: bundledScheme(route),
      // Measured (README, "Performance and cost"): reading the map was a fifth of the ingress's cold
      // import, and the ingress logs errors by name and message, never their stacks.
      sourceMapsAtRuntime: false,
      environment: this.ingressEnvironment(props),
      ...(props.projectRoot ? { projectRoot: props.projectRoot } : {}),
      ...(props.depsLockFilePath ? { depsLockFilePath: props.depsLockFilePath } : {}),
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      ...(props.logs !== undefined && { logs: props.logs }),
      tracing: route.tracing === true,
      correlation:
        'requests are correlated instead by the event id and API Gateway request id in structured logs.',
      noDeadLetterQueueReason:
        'API Gateway invokes the ingress synchronously, so a Lambda DLQ never receives anything: a failed ' +
        'request returns 5xx and the provider retries; accepted events are on the SQS queue with its own DLQ.',
    });

    // Explicit statements rather than the CDK helpers, which add actions the ingress never calls
    // (GetQueueAttributes and GetQueueUrl with grantSendMessages, DescribeSecret with grantRead).
    ingress.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }),
    );
    // On the table itself, not on its indexes, and on this route's items only (table layout v2):
    // its state items, to put an event `queued`, to read a key holder's state (is it a duplicate?)
    // and to check one still has none when an earlier attempt is resumed (ConditionCheckItem in that
    // transaction); its request items, to claim a dedupe key with the request data (PutItem), read a
    // claim a failed put returned without, move a claim after its window and add a large body's
    // reference or resume an event (UpdateItem), and delete what a delivery that lost a race wrote
    // (DeleteItem). Never another route's items, never a Query or a Scan.
    for (const statement of routeTableStatements(props.table, route, {
      states: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem'],
      requests: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    })) {
      ingress.function.addToRolePolicy(statement);
    }
    if (this.secret) {
      ingress.function.addToRolePolicy(
        new iam.PolicyStatement({
          // Asana hands its signing key over in the handshake: that ingress stores it.
          actions: handshakeStoresSecret(route.verify)
            ? ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue']
            : ['secretsmanager:GetSecretValue'],
          resources: [fullArn(this.secret)],
        }),
      );
    }
    if (this.otherSecrets.length > 0) {
      ingress.function.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['secretsmanager:GetSecretValue'],
          resources: this.otherSecrets.map(({ secret }) => fullArn(secret)),
        }),
      );
    }
    if (props.bodyBucket) {
      props.bodyBucket.grantPutRouteBodies(ingress.role, route);
      acknowledgeRouteBodies(ingress.role, props.bodyBucket, route, 'writes');
    }
    return ingress;
  }

  /** The ingress function's environment; throws when the route's JSON leaves too little room in it. */
  private ingressEnvironment(props: WebhookRouteProps): Record<string, string> {
    const environment: Record<string, string> = {
      [ENV.route]: routeEnvironmentJson(this.route),
      [ENV.tableName]: props.table.tableName,
      [ENV.queueUrl]: this.queue.queueUrl,
      [ENV.metricsNamespace]: this.metricsNamespace,
      ...(this.secret ? { [ENV.secretArn]: this.secret.secretArn } : {}),
      ...(this.otherSecrets.length > 0 && {
        [ENV.otherSecretArns]: Stack.of(this).toJsonString(
          Object.fromEntries(this.otherSecrets.map(({ name, secret }) => [name, secret.secretArn])),
        ),
      }),
      ...(props.bodyBucket ? { [ENV.bodyBucket]: props.bodyBucket.bucket.bucketName } : {}),
    };
    // Both functions carry the route as JSON; the handler's other variables are as small as the ingress's.
    const routeBytes = Buffer.byteLength(ENV.route) + Buffer.byteLength(environment[ENV.route] ?? '');
    if (routeBytes > LAMBDA_MAX_ENVIRONMENT_BYTES - 1024) {
      throw new Error(
        `Invalid webhook route ${this.route.path}: its resolved config is ${routeBytes} bytes as ${ENV.route}, ` +
          `too close to Lambda's ${LAMBDA_MAX_ENVIRONMENT_BYTES}-byte environment limit (shorten filters)`,
      );
    }
    return environment;
  }

  /**
   * `POST` and every method in `route.methods` on `webhookPath`, all sent to the ingress function
   * (Lambda proxy, payload 2.0) without an API Gateway authorizer: the ingress verifies each request.
   * Needs `ingressFunction`.
   */
  private buildApiRoutes(httpApi: apigwv2.IHttpApi): apigwv2.HttpRoute[] {
    const integration = new HttpLambdaIntegration('IngressIntegration', this.ingressFunction, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    const httpRoutes = routeMethods(this.route).map(
      (method) =>
        new apigwv2.HttpRoute(this, `Route${method}`, {
          httpApi,
          routeKey: apigwv2.HttpRouteKey.with(this.webhookPath, method as apigwv2.HttpMethod),
          integration,
        }),
    );
    const apig4Reason =
      this.route.verify.scheme === 'none'
        ? 'This route is configured with `verify: { scheme: "none" }`: its owner chose to accept unsigned ' +
          'requests (flagged by the hookline:unverified-route warning); restrict it with allowedSourceIps.'
        : 'Webhook providers (GitHub, Stripe, Slack, ...) cannot sign requests with SigV4 or obtain Cognito or ' +
          'JWT authorizer tokens; each request is authenticated by the ingress Lambda, which verifies the ' +
          "provider's signature (constant-time) and rejects unverified requests with 401.";
    for (const httpRoute of httpRoutes) {
      Validations.of(httpRoute).acknowledge({ id: 'AwsSolutions-APIG4', reason: apig4Reason });
    }
    return httpRoutes;
  }

  /** The route's handler function, consuming `queue`. Needs `queue` and `deadLetterQueue`. */
  private buildHandler(props: WebhookRouteProps): RouteHandler {
    return new RouteHandler(this, 'Handler', {
      route: this.route,
      entry: props.handlerEntry,
      envelopeKey: props.envelopeKey,
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      table: props.table,
      metricsNamespace: this.metricsNamespace,
      ...(props.bodyBucket ? { bodyBucket: props.bodyBucket } : {}),
      ...(props.projectRoot ? { projectRoot: props.projectRoot } : {}),
      ...(props.depsLockFilePath ? { depsLockFilePath: props.depsLockFilePath } : {}),
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      ...(props.logs !== undefined && { logs: props.logs }),
      ...(this.route.circuitBreaker !== undefined && {
        circuitScheduleGroup: circuitScheduleGroup(props.prefix),
      }),
    });
  }
}

/**
 * `POST`, every method the route accepts and those its provider checks the endpoint with (the
 * ingress answers those for the check alone), upper-cased, without duplicates.
 */
function routeMethods(route: ResolvedRoute): string[] {
  return [
    ...new Set([
      'POST',
      ...[...route.methods, ...challengeMethods(route.verify)].map((m) => m.toUpperCase()),
    ]),
  ];
}

/** A secret's ARN as IAM matches it: an imported secret's lacks the suffix Secrets Manager appends. */
function fullArn(secret: secretsmanager.ISecret): string {
  return secret.secretFullArn ?? `${secret.secretArn}-??????`;
}

/**
 * Checks the resource settings CloudFormation would only reject at deploy time (or accept and
 * misbehave with), returning every problem found.
 */
export function checkWebhookRoute(route: ResolvedRoute, settings: QueueSettings): string[] {
  // The ranges resolveConfig enforces, for routes built in code without it.
  const problems = routeLimitProblems(route);
  const timeout = route.timeoutSeconds;
  const visibility = settings.visibilityTimeoutSeconds;
  if (visibility < VISIBILITY_TIMEOUT_FACTOR * timeout) {
    problems.push(
      `visibility timeout ${visibility} s is less than ${VISIBILITY_TIMEOUT_FACTOR} × the handler timeout ` +
        `(${timeout} s): messages would become visible again while the handler still runs`,
    );
  }
  if (visibility > SQS_MAX_VISIBILITY_TIMEOUT_SECONDS) {
    problems.push(
      `visibility timeout ${visibility} s (${VISIBILITY_TIMEOUT_FACTOR} × timeout ${timeout} s) exceeds the SQS ` +
        `maximum of ${SQS_MAX_VISIBILITY_TIMEOUT_SECONDS} s; lower timeoutSeconds`,
    );
  }
  if (settings.dlqRetentionSeconds <= settings.retentionSeconds) {
    problems.push('the dead-letter queue must keep messages longer than the source queue');
  }
  for (const name of [settings.queueName, settings.dlqName]) {
    if (!SQS_QUEUE_NAME_PATTERN.test(name)) {
      problems.push(`queue name "${name}" must be 1-80 letters, digits, - or _`);
    }
  }
  for (const method of routeMethods(route)) {
    if (!HTTP_METHODS.has(method) || method === 'ANY')
      problems.push(`method "${method}" is not an HTTP method`);
  }
  return problems;
}
