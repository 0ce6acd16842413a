import { Annotations, ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { normalizePath } from '../shared/config/queue-name.js';
import type { ResolvedRoute, SecretReference } from '../shared/config/types.js';
import { ENV } from '../shared/env-names.js';
import { type QueueSettings, queueSettings, VISIBILITY_TIMEOUT_FACTOR } from '../shared/resources.js';
import { acknowledgeRouteBodies, type BodyBucket } from './body-bucket.js';
import { bundledFunctionDefaults, SOURCE_MAPS_ENVIRONMENT } from './function-defaults.js';
import { RouteHandler } from './route-handler.js';

/** SQS's longest visibility timeout (12 hours). */
const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
/** Lambda's longest function timeout (15 minutes); the route's handler runs with `timeoutSeconds`. */
const MAX_LAMBDA_TIMEOUT_SECONDS = 900;
/** SQS accepts 1 to 1000 for a redrive policy's `maxReceiveCount`. */
const MAX_RECEIVE_COUNT = 1000;
/** Lambda memory sizes (MB). */
const MIN_MEMORY_MB = 128;
const MAX_MEMORY_MB = 10_240;
/** An SQS event source mapping's batch size: up to 10 without a batching window, 10 000 with one. */
const MAX_BATCH_SIZE_WITHOUT_WINDOW = 10;
const MAX_BATCH_SIZE = 10_000;
const MAX_BATCHING_WINDOW_SECONDS = 300;
/** An SQS event source mapping's maximum concurrency range. */
const MIN_MAX_CONCURRENCY = 2;
const MAX_MAX_CONCURRENCY = 1000;
/** Lambda rejects functions whose environment variables (keys and values) exceed 4 KB in total. */
const MAX_LAMBDA_ENVIRONMENT_BYTES = 4096;
const QUEUE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
const SECRET_NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const HTTP_METHODS: ReadonlySet<string> = new Set(Object.values(apigwv2.HttpMethod));

/** The ingress function's fixed sizing: it verifies, records and enqueues, it never runs user code. */
const INGRESS_MEMORY_MB = 256;
const INGRESS_TIMEOUT = Duration.seconds(10);

export interface WebhookRouteProps {
  /** The route, with every default applied (`resolveConfig`). */
  readonly route: ResolvedRoute;
  /** Resource name prefix (the config's `name`); queues are named by `queueSettings(route, prefix)`. */
  readonly prefix: string;
  /** The HTTP API the route's `METHOD path` routes are added to. */
  readonly httpApi: apigwv2.IHttpApi;
  /** The event table; the ingress function may get, put and update items in it (nothing else). */
  readonly table: dynamodb.ITable;
  /**
   * The claim-check bucket for bodies too large to travel inline: the ingress may put, and the handler
   * read, objects under the route's own prefix (`bodyKeyPrefix`), nothing else.
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
   * Retention of the ingress and handler functions' log groups.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Use this secret for signature verification instead of creating or importing one. The gateway
   * passes it when several routes reference the same created secret name, so it is created once.
   * @default - created or imported from `route.verify.secret` (see `WebhookRoute.secret`)
   */
  readonly secret?: secretsmanager.ISecret;
}

/**
 * One webhook route: its queue and dead-letter queue, its ingress Lambda, its verification secret,
 * its API Gateway routes (`POST` and every method in `route.methods` on the route's path) and its
 * handler Lambda consuming the queue (`RouteHandler`).
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
  /** Receives messages after `route.retry.maxAttempts` receives; only `queue` may redrive into it. */
  public readonly deadLetterQueue: sqs.Queue;
  /** Verifies, records and enqueues each request; answers the provider. */
  public readonly ingressFunction: nodejs.NodejsFunction;
  /** The ingress function's log group. */
  public readonly ingressLogGroup: logs.LogGroup;
  /** Runs the route's handler module on batches from `queue` (SQS event source mapping). */
  public readonly handlerFunction: nodejs.NodejsFunction;
  /** The handler function's log group. */
  public readonly handlerLogGroup: logs.LogGroup;
  /**
   * The verification secret, when the route's scheme uses one (every scheme but `none`, and `jwt`
   * only with a shared secret). Its Secrets Manager name is `route.verify.secret.name` (the same
   * name the local stack reads from the environment): created by the stack with a random initial
   * value, or imported when `secret.existing` is true. Put the provider's value in it after the
   * first deploy when the provider issues the secret (Stripe, Slack, Shopify, Standard Webhooks).
   */
  public readonly secret?: secretsmanager.ISecret;
  /** The API Gateway routes, one per method. */
  public readonly httpRoutes: readonly apigwv2.HttpRoute[];
  /** Their route keys (`POST /order/status`), used for per-route throttling on the stage. */
  public readonly routeKeys: readonly string[];

  constructor(scope: Construct, id: string, props: WebhookRouteProps) {
    super(scope, id);
    const { route, prefix } = props;
    this.route = route;
    this.settings = queueSettings(route, prefix);
    this.webhookPath = normalizePath(route.path);
    const methods = routeMethods(route);
    const secretReference = verifySecret(route);

    const problems = checkWebhookRoute(route, this.settings);
    if (secretReference && !props.secret && !SECRET_NAME_PATTERN.test(secretReference.name)) {
      problems.push(`verify.secret.name "${secretReference.name}" is not a valid Secrets Manager name`);
    }
    if (problems.length > 0) {
      throw new Error(`Invalid webhook route ${route.path}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    }

    // The DLQ's redriveAllowPolicy must name the source queue, and the source queue's redrive policy
    // names the DLQ: referencing each other's ARN attribute would be a circular dependency. The source
    // queue's name is fixed, so its ARN is known up front; an imported reference carries no dependency.
    const sourceQueueArn = Stack.of(this).formatArn({
      service: 'sqs',
      resource: this.settings.queueName,
      arnFormat: ArnFormat.NO_RESOURCE_NAME,
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
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
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        "This queue is the route queue's dead-letter queue: a DLQ of a DLQ would only move the problem. Messages " +
        'here are kept 14 days and redriven to the route queue from the console or `hookline dlq redrive`.',
    });

    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: this.settings.queueName,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(this.settings.visibilityTimeoutSeconds),
      retentionPeriod: Duration.seconds(this.settings.retentionSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: this.settings.maxReceiveCount },
    });

    if (props.secret) {
      this.secret = props.secret;
    } else if (secretReference?.existing) {
      this.secret = secretsmanager.Secret.fromSecretNameV2(this, 'Secret', secretReference.name);
    } else if (secretReference) {
      const secret = new secretsmanager.Secret(this, 'Secret', {
        secretName: secretReference.name,
        description: `Hookline ${route.verify.scheme} signing secret for ${route.path}`,
        generateSecretString: { passwordLength: 48, excludePunctuation: true },
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'A webhook signing secret is shared with the external provider and must change there too, so it ' +
          'cannot be rotated by a rotation Lambda; rotate by storing old and new values side by side (the ' +
          'ingress accepts any of them), updating the provider, then removing the old value.',
      });
      this.secret = secret;
    }

    this.ingressLogGroup = new logs.LogGroup(this, 'IngressLogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    // An explicit role keeps AWS managed policies (AWSLambdaBasicExecutionRole: logs on every group)
    // out: the function may write to its own log group and nothing else beyond the grants below.
    const role = new iam.Role(this, 'IngressRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Hookline ingress for ${route.path}`,
    });
    this.ingressLogGroup.grantWrite(role);

    const environment: Record<string, string> = {
      ...SOURCE_MAPS_ENVIRONMENT,
      [ENV.route]: JSON.stringify(route),
      [ENV.tableName]: props.table.tableName,
      [ENV.queueUrl]: this.queue.queueUrl,
      ...(this.secret ? { [ENV.secretArn]: this.secret.secretArn } : {}),
      ...(props.bodyBucket ? { [ENV.bodyBucket]: props.bodyBucket.bucket.bucketName } : {}),
    };
    // Both functions carry the route as JSON; the handler's other variables are as small as the ingress's.
    const routeBytes = Buffer.byteLength(ENV.route) + Buffer.byteLength(environment[ENV.route] ?? '');
    if (routeBytes > MAX_LAMBDA_ENVIRONMENT_BYTES - 1024) {
      throw new Error(
        `Invalid webhook route ${route.path}: its resolved config is ${routeBytes} bytes as ${ENV.route}, ` +
          `too close to Lambda's ${MAX_LAMBDA_ENVIRONMENT_BYTES}-byte environment limit (shorten filters)`,
      );
    }

    this.ingressFunction = new nodejs.NodejsFunction(this, 'Ingress', {
      ...bundledFunctionDefaults(props.projectRoot),
      entry: props.ingressEntry,
      handler: 'handler',
      memorySize: INGRESS_MEMORY_MB,
      timeout: INGRESS_TIMEOUT,
      role,
      logGroup: this.ingressLogGroup,
      description: `Hookline ingress for ${route.path}`,
      environment,
    });

    this.queue.grantSendMessages(this.ingressFunction);
    // On the table itself, not on its indexes (table.grant would add `<table>/index/*`): the ingress
    // puts events and dedupe keys, reads a duplicate's event (`getEvent()`: one Query of the event's
    // partition), resumes an unqueued one in a transaction (ConditionCheckItem) and deletes a
    // duplicate's copy of the request data (DeleteItem). It never updates an item.
    this.ingressFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:Query',
          'dynamodb:ConditionCheckItem',
          'dynamodb:DeleteItem',
        ],
        resources: [props.table.tableArn],
      }),
    );
    this.secret?.grantRead(this.ingressFunction);
    if (props.bodyBucket) {
      props.bodyBucket.grantPutRouteBodies(role, route);
      acknowledgeRouteBodies(role, props.bodyBucket, route, 'writes');
    }

    // Tracing is off by design; a Lambda DLQ only serves asynchronous invocations.
    Validations.of(this.ingressFunction).acknowledge(
      {
        id: 'Serverless-LambdaTracing',
        reason:
          'X-Ray needs xray:PutTraceSegments on Resource "*" (no resource-level permissions) and is billed per ' +
          'trace; requests are correlated instead by the event id and API Gateway request id in structured logs.',
      },
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'API Gateway invokes the ingress synchronously, so a Lambda DLQ never receives anything: a failed ' +
          'request returns 5xx and the provider retries; accepted events are on the SQS queue with its own DLQ.',
      },
    );

    const integration = new HttpLambdaIntegration('IngressIntegration', this.ingressFunction, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    this.httpRoutes = methods.map(
      (method) =>
        new apigwv2.HttpRoute(this, `Route${method}`, {
          httpApi: props.httpApi,
          routeKey: apigwv2.HttpRouteKey.with(this.webhookPath, method as apigwv2.HttpMethod),
          integration,
        }),
    );
    this.routeKeys = methods.map((method) => `${method} ${this.webhookPath}`);
    const apig4Reason =
      route.verify.scheme === 'none'
        ? 'This route is configured with `verify: { scheme: "none" }`: its owner chose to accept unsigned ' +
          'requests (flagged by the hookline:unverified-route warning); restrict it with allowedSourceIps.'
        : 'Webhook providers (GitHub, Stripe, Slack, ...) cannot sign requests with SigV4 or obtain Cognito or ' +
          'JWT authorizer tokens; each request is authenticated by the ingress Lambda, which verifies the ' +
          "provider's signature (constant-time) and rejects unverified requests with 401.";
    for (const httpRoute of this.httpRoutes) {
      Validations.of(httpRoute).acknowledge({ id: 'AwsSolutions-APIG4', reason: apig4Reason });
    }
    if (route.verify.scheme === 'none') {
      Annotations.of(this).addWarningV2(
        'hookline:unverified-route',
        `${route.path} accepts requests without verifying a signature (verify.scheme "none")`,
      );
    }

    const handler = new RouteHandler(this, 'Handler', {
      route,
      entry: props.handlerEntry,
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      table: props.table,
      ...(props.bodyBucket ? { bodyBucket: props.bodyBucket } : {}),
      ...(props.projectRoot ? { projectRoot: props.projectRoot } : {}),
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
    });
    this.handlerFunction = handler.function;
    this.handlerLogGroup = handler.logGroup;
  }
}

/** `POST` plus every method the route accepts, upper-cased, without duplicates. */
export function routeMethods(route: ResolvedRoute): string[] {
  return [...new Set(['POST', ...route.methods.map((method) => method.toUpperCase())])];
}

/** The route's verification secret reference, if its scheme uses one. */
export function verifySecret(route: ResolvedRoute): SecretReference | undefined {
  const verify = route.verify;
  return verify.scheme === 'none' ? undefined : verify.secret;
}

/**
 * Checks the resource settings CloudFormation would only reject at deploy time (or accept and
 * misbehave with), returning every problem found.
 */
export function checkWebhookRoute(route: ResolvedRoute, settings: QueueSettings): string[] {
  const problems: string[] = [];
  const timeout = route.timeoutSeconds;
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_LAMBDA_TIMEOUT_SECONDS) {
    problems.push(
      `timeoutSeconds ${timeout} must be an integer from 1 to ${MAX_LAMBDA_TIMEOUT_SECONDS} (Lambda)`,
    );
  }
  const visibility = settings.visibilityTimeoutSeconds;
  if (visibility < VISIBILITY_TIMEOUT_FACTOR * timeout) {
    problems.push(
      `visibility timeout ${visibility} s is less than ${VISIBILITY_TIMEOUT_FACTOR} × the handler timeout ` +
        `(${timeout} s): messages would become visible again while the handler still runs`,
    );
  }
  if (visibility > MAX_VISIBILITY_TIMEOUT_SECONDS) {
    problems.push(
      `visibility timeout ${visibility} s (${VISIBILITY_TIMEOUT_FACTOR} × timeout ${timeout} s) exceeds the SQS ` +
        `maximum of ${MAX_VISIBILITY_TIMEOUT_SECONDS} s; lower timeoutSeconds`,
    );
  }
  const receives = settings.maxReceiveCount;
  if (!Number.isInteger(receives) || receives < 1 || receives > MAX_RECEIVE_COUNT) {
    problems.push(
      `retry.maxAttempts ${receives} must be an integer from 1 to ${MAX_RECEIVE_COUNT} (SQS maxReceiveCount)`,
    );
  }
  const memory = route.memoryMb;
  if (!Number.isInteger(memory) || memory < MIN_MEMORY_MB || memory > MAX_MEMORY_MB) {
    problems.push(`memoryMb ${memory} must be an integer from ${MIN_MEMORY_MB} to ${MAX_MEMORY_MB} (Lambda)`);
  }
  const window = route.maxBatchingWindowSeconds;
  if (!Number.isInteger(window) || window < 0 || window > MAX_BATCHING_WINDOW_SECONDS) {
    problems.push(
      `maxBatchingWindowSeconds ${window} must be an integer from 0 to ${MAX_BATCHING_WINDOW_SECONDS}`,
    );
  }
  const batchSize = route.batchSize;
  const maxBatchSize = window > 0 ? MAX_BATCH_SIZE : MAX_BATCH_SIZE_WITHOUT_WINDOW;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > maxBatchSize) {
    problems.push(
      `batchSize ${batchSize} must be an integer from 1 to ${maxBatchSize}` +
        (window > 0 ? '' : ' (above 10 needs maxBatchingWindowSeconds of at least 1)'),
    );
  }
  const concurrency = route.maxConcurrency;
  if (
    !Number.isInteger(concurrency) ||
    concurrency < MIN_MAX_CONCURRENCY ||
    concurrency > MAX_MAX_CONCURRENCY
  ) {
    problems.push(
      `maxConcurrency ${concurrency} must be an integer from ${MIN_MAX_CONCURRENCY} to ${MAX_MAX_CONCURRENCY} ` +
        '(SQS event source mapping)',
    );
  }
  if (settings.dlqRetentionSeconds <= settings.retentionSeconds) {
    problems.push('the dead-letter queue must keep messages longer than the source queue');
  }
  for (const name of [settings.queueName, settings.dlqName]) {
    if (!QUEUE_NAME_PATTERN.test(name)) {
      problems.push(`queue name "${name}" must be 1-80 letters, digits, - or _`);
    }
  }
  for (const method of routeMethods(route)) {
    if (!HTTP_METHODS.has(method) || method === 'ANY')
      problems.push(`method "${method}" is not an HTTP method`);
  }
  const { rateLimit, burstLimit } = route.throttle;
  if (!(rateLimit > 0) || !Number.isInteger(burstLimit) || burstLimit < 1) {
    problems.push(`throttle { rateLimit: ${rateLimit}, burstLimit: ${burstLimit} } must be positive`);
  }
  return problems;
}
