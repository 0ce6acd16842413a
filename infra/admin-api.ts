import { type CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  ADMIN_ROUTE_CONFIGS_VARIABLE,
  type AdminQueuePrefixes,
  type AdminRouteConfig,
} from '../shared/config/deployed-routes.js';
import type { ResolvedLogs, ResolvedRoute } from '../shared/config/types.js';
import { ENV } from '../shared/env-names.js';
import { ADMIN_ENDPOINTS, ADMIN_PATH_PREFIX } from '../shared/http/paths.js';
import { EVENT_TABLE, type QueueSettings } from '../shared/resources.js';
import { type BodyBucket, routeBodyPrefix } from './body-bucket.js';
import { acknowledgeProbeSchedules, circuitScheduleArn } from './circuit-schedules.js';
import { HooklineFunction } from './hookline-function.js';

/**
 * The admin API's routes: explicit method and path pairs (`ADMIN_ENDPOINTS`, the list the admin
 * API's route table dispatches on), so nothing else under the prefix answers.
 */
export const ADMIN_ROUTES: readonly { readonly method: apigwv2.HttpMethod; readonly path: string }[] =
  Object.values(ADMIN_ENDPOINTS).map(({ method, path }) => ({ method: apigwv2.HttpMethod[method], path }));

/** Sized for listing pages of events and paced bulk replays, not for heavy work. */
const ADMIN_MEMORY_MB = 512;
/** API Gateway HTTP APIs wait at most 30 s for an integration; a longer run would answer no one. */
const ADMIN_TIMEOUT = Duration.seconds(30);

/** One deployed route as the admin function sees it: its config, queue and dead-letter queue. */
export interface AdminApiRoute {
  readonly route: ResolvedRoute;
  /** Events are replayed to it (new event id); its depth is reported. */
  readonly queue: sqs.IQueue;
  /** Its messages are listed (hidden while read, never deleted) and redriven to `queue`. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The queues' fixed names (`queueSettings`). */
  readonly settings: Pick<QueueSettings, 'queueName' | 'dlqName'>;
  /** The mapping feeding its handler: disabled and enabled by `hookline route pause|resume`. */
  readonly eventSource: lambda.IEventSourceMapping;
}

export interface AdminApiProps {
  /** The HTTP API the `/_hookline/...` routes are added to. */
  readonly httpApi: apigwv2.IHttpApi;
  /** The event table: the admin function reads the history and writes replays. */
  readonly table: dynamodb.ITable;
  /** The stack's envelope key (`HooklineFunctionProps.envelopeKey`). */
  readonly envelopeKey: secretsmanager.ISecret;
  /** The deployed routes, with their queues. */
  readonly routes: readonly AdminApiRoute[];
  /** The stack's schedule group for the circuits' probes: a pause or resume cancels a pending one. */
  readonly circuitScheduleGroup: string;
  /** Entry file of the admin Lambda (exports `handler`). */
  readonly entry: string;
  /**
   * The claim-check bucket: the admin function reads every route's bodies (`include=body`) and
   * copies a replayed event's body to the replay's key under its route's prefix.
   * @default - no body bucket: events with a stored body are shown without it and cannot be replayed
   */
  readonly bodyBucket?: BodyBucket;
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
   * Retention of the admin function's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What Lambda keeps of the function's logs (the config's \`logs\`).
   * @default LOG_DEFAULTS: INFO, no START/END/REPORT lines
   */
  readonly logs?: ResolvedLogs;
  /**
   * The namespace of the routes' custom metrics (`ENV.metricsNamespace`), for the metrics it reports.
   * @default - not set: the function falls back to its own default
   */
  readonly metricsNamespace?: string;
}

/**
 * Hookline's admin API on the gateway's HTTP API: `GET /_hookline/events`, `GET /_hookline/events/{id}`,
 * `POST /_hookline/replay`, `GET /_hookline/routes`, `GET /_hookline/dlq/{route}` and
 * `GET`/`POST /_hookline/dlq/{route}/redrive`, all served by one admin Lambda.
 *
 * Every route requires IAM authorization (SigV4-signed requests from a principal allowed
 * `execute-api:Invoke` on it); none is anonymous. The function may read and write the event table
 * (history, replays), send to and inspect the route queues, read, hide and redrive the DLQs
 * (`StartMessageMoveTask` with the DLQ as source), read the stored bodies and copy them within the
 * body bucket to the route prefixes (a replay's own body; copies only, no uploads), and read
 * CloudWatch metric data (the queues' oldest message ages and the routes' statistics;
 * `cloudwatch:GetMetricData` on `"*"`, its only form).
 */
export class AdminApi extends Construct {
  /** The admin function. */
  public readonly function: nodejs.NodejsFunction;
  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;
  /** The function's execution role (no AWS managed policy). */
  public readonly role: iam.Role;
  /** The API Gateway routes, one per entry of `ADMIN_ROUTES`. */
  public readonly httpRoutes: readonly apigwv2.HttpRoute[];
  /** Their route keys (`GET /_hookline/events`). */
  public readonly routeKeys: readonly string[];

  constructor(scope: Construct, id: string, props: AdminApiProps) {
    super(scope, id);

    const stack = Stack.of(this);
    const prefixes: AdminQueuePrefixes = {
      queueUrlPrefix: `https://sqs.${stack.region}.${stack.urlSuffix}/${stack.account}/`,
      queueArnPrefix: `arn:${stack.partition}:sqs:${stack.region}:${stack.account}:`,
    };
    const routeConfigs: AdminRouteConfig[] = props.routes.map(({ route, settings }) => ({
      route,
      queueName: settings.queueName,
      dlqName: settings.dlqName,
    }));

    // 'Default' keeps the logical ids of `Function`, `Role` and `LogGroup` as they were when this
    // construct created them itself.
    const admin = new HooklineFunction(this, 'Default', {
      entry: props.entry,
      envelopeKey: props.envelopeKey,
      description: 'Hookline admin API (events, replay, routes, DLQ)',
      roleDescription: 'Hookline admin API',
      memorySize: ADMIN_MEMORY_MB,
      timeout: ADMIN_TIMEOUT,
      define: {
        [`process.env.${ADMIN_ROUTE_CONFIGS_VARIABLE}`]: JSON.stringify(JSON.stringify(routeConfigs)),
      },
      environment: {
        [ENV.tableName]: props.table.tableName,
        [ENV.adminRoutes]: stack.toJsonString(prefixes),
        ...(props.bodyBucket ? { [ENV.bodyBucket]: props.bodyBucket.bucket.bucketName } : {}),
        ...(props.metricsNamespace !== undefined && { [ENV.metricsNamespace]: props.metricsNamespace }),
        [ENV.circuit]: JSON.stringify({ group: props.circuitScheduleGroup }),
      },
      ...(props.projectRoot ? { projectRoot: props.projectRoot } : {}),
      ...(props.depsLockFilePath ? { depsLockFilePath: props.depsLockFilePath } : {}),
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      ...(props.logs !== undefined && { logs: props.logs }),
      correlation:
        'admin requests are correlated by the API Gateway request id and event ids in structured logs.',
      noDeadLetterQueueReason:
        'API Gateway invokes the admin function synchronously, so a Lambda DLQ would never receive anything: ' +
        'a failed request returns 5xx to the caller, who retries.',
    });
    this.function = admin.function;
    this.role = admin.role;
    this.logGroup = admin.logGroup;

    this.grantTable(props.table);
    this.grantQueues(props.routes);
    this.grantQueueAgeMetric();
    this.grantConsumerControl(props);
    if (props.bodyBucket) this.grantBodies(props.bodyBucket, props.routes);

    this.httpRoutes = this.buildRoutes(props.httpApi);
    this.routeKeys = ADMIN_ROUTES.map(({ method, path }) => `${method} ${path}`);
  }

  /** Send to each route queue; list and redrive its DLQ. */
  private grantQueues(routes: readonly AdminApiRoute[]): void {
    for (const { queue, deadLetterQueue } of routes) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
          resources: [queue.queueArn],
        }),
      );
      // Listing hides messages for a moment and restores them (Receive, ChangeMessageVisibility). A redrive
      // is a message move task with the DLQ as source: AWS requires StartMessageMoveTask, ReceiveMessage,
      // DeleteMessage and GetQueueAttributes on the source and SendMessage on the destination (the queue).
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: [
            'sqs:ReceiveMessage',
            'sqs:ChangeMessageVisibility',
            'sqs:GetQueueAttributes',
            'sqs:StartMessageMoveTask',
            'sqs:ListMessageMoveTasks',
            'sqs:DeleteMessage',
          ],
          resources: [deadLetterQueue.queueArn],
        }),
      );
    }
  }

  private grantQueueAgeMetric(): void {
    // `GET /_hookline/routes` reads the queues' oldest message ages (a CloudWatch metric, not a queue
    // attribute), `GET /_hookline/stats` the routes' own metrics. GetMetricData has no resource-level
    // permissions and no condition key that narrows it.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }),
    );
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'cloudwatch:GetMetricData and lambda:ListEventSourceMappings support no resource-level permissions, so ' +
        'they can only be granted on Resource "*"; they are the only actions on "*", both read-only: the first ' +
        'for the SQS ApproximateAgeOfOldestMessage metric of the route queues shown by GET /_hookline/routes ' +
        "and the routes' own metrics summed up by GET /_hookline/stats, the second to find a route's event " +
        'source mapping by its queue for hookline route pause|resume.',
    });
  }

  /** One IAM-authorized API Gateway route per admin endpoint, all to this function. */
  private buildRoutes(httpApi: apigwv2.IHttpApi): apigwv2.HttpRoute[] {
    const integration = new HttpLambdaIntegration('AdminIntegration', this.function, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    });
    const authorizer = new HttpIamAuthorizer();
    return ADMIN_ROUTES.map(
      ({ method, path }) =>
        new apigwv2.HttpRoute(this, `Route${method}${routeIdSuffix(path)}`, {
          httpApi,
          routeKey: apigwv2.HttpRouteKey.with(path, method),
          integration,
          authorizer,
        }),
    );
  }

  /**
   * Reads of every body (`include=body`, the source of a replay's copy) and copies within the bucket
   * to each route's prefix: a replay gets its own copy of a stored body, under its own id, so the
   * bucket's lifecycle keeps it as long as the replay's record.
   */
  private grantBodies(bodyBucket: BodyBucket, routes: readonly AdminApiRoute[]): void {
    const bucketId = Stack.of(this).getLogicalId(bodyBucket.bucket.node.defaultChild as CfnElement);
    bodyBucket.grantReadBodies(this.role);
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
      reason:
        'The admin API shows and replays events of every route, so it reads bodies under every route prefix; ' +
        'the bucket holds nothing but request bodies, and this grant is GetObject only (no put or delete).',
    });
    bodyBucket.grantCopyBodies(
      this.role,
      routes.map(({ route }) => route),
    );
    for (const { route } of routes) {
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${routeBodyPrefix(route)}*]`,
        reason:
          `A replay of a ${route.path} event gets its own copy of the stored body, keyed <route prefix>/<replay id> ` +
          "with ids made per replay, so the route's key prefix is the narrowest resource an IAM policy can name; " +
          'the put is allowed only as a copy from the body bucket (s3:x-amz-copy-source), never an upload.',
      });
    }
  }

  /**
   * Item reads and writes on the table (history, replays: put the new event, mark it queued, link it
   * to the original, delete one whose send failed) and queries of the listing indexes, each index named (no `index/*`).
   */
  /**
   * `hookline route pause|resume`: switch each route's event source mapping (found by its queue: a
   * mapping's id is known only once deployed) and cancel a circuit's pending probe.
   */
  private grantConsumerControl(props: AdminApiProps): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:UpdateEventSourceMapping'],
        resources: props.routes.map(({ eventSource }) => eventSource.eventSourceMappingArn),
      }),
    );
    const breakers = props.routes.filter(({ route }) => route.circuitBreaker !== undefined);
    if (breakers.length > 0) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['scheduler:DeleteSchedule'],
          resources: breakers.map(({ route }) => circuitScheduleArn(this, props.circuitScheduleGroup, route)),
        }),
      );
      for (const { route } of breakers)
        acknowledgeProbeSchedules(this.role, props.circuitScheduleGroup, route);
    }
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:ListEventSourceMappings'], resources: ['*'] }),
    );
  }

  private grantTable(table: dynamodb.ITable): void {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:Query',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          // A replay whose send failed: its request data is deleted in a transaction that checks
          // it has no state (`discardUnqueued()`).
          'dynamodb:ConditionCheckItem',
          'dynamodb:DeleteItem',
          // The table's layout, described when its layout item is missing (a new table).
          'dynamodb:DescribeTable',
        ],
        resources: [table.tableArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: Object.values(EVENT_TABLE.indexes).map((index) => `${table.tableArn}/index/${index.name}`),
      }),
    );
  }
}

/** `/_hookline/dlq/{route}/redrive` → `DlqRouteRedrive`: a construct id part per admin path. */
function routeIdSuffix(path: string): string {
  return path
    .slice(ADMIN_PATH_PREFIX.length)
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}
