import { Duration, Names, Stack, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ResolvedLogs, ResolvedRoute } from '../shared/config/types.js';
import { ENV } from '../shared/env-names.js';
import { TABLE_PARTITIONS } from '../shared/resources.js';
import { acknowledgeRouteBodies, type BodyBucket } from './body-bucket.js';
import { acknowledgeProbeSchedules, circuitScheduleArn } from './circuit-schedules.js';
import { bundledScheme, HooklineFunction } from './hookline-function.js';
import { routeEnvironmentJson } from './route-environment.js';
import { routeTableStatements } from './table-grants.js';

export interface RouteHandlerProps {
  /** The route whose events the handler processes (sizing, batching, retry policy). */
  readonly route: ResolvedRoute;
  /** The stack's envelope key (`HooklineFunctionProps.envelopeKey`). */
  readonly envelopeKey: secretsmanager.ISecret;
  /** The handler module (absolute path); it exports `handler`, normally made by `defineHandler`. */
  readonly entry: string;
  /**
   * The route's queue. Its visibility timeout must be at least 6 × `route.timeoutSeconds`, the
   * handler's timeout (checked by `checkWebhookRoute`).
   */
  readonly queue: sqs.IQueue;
  /** The route's dead-letter queue: permanent failures are sent there directly. */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * The event table. The handler may get, update and put items on the table itself (no index):
   * the lock and the settled outcome are conditional updates of the event's state item, and the
   * state is created (a put, in a transaction with a condition check of the request item) when the
   * message arrives before the ingress wrote it. No query, no delete.
   */
  readonly table: dynamodb.ITable;
  /** The CloudWatch namespace the handler runtime emits its metrics in (`ENV.metricsNamespace`). */
  readonly metricsNamespace: string;
  /**
   * The claim-check bucket: the handler reads its own route's stored bodies (events whose body was too
   * large to travel inline) and nothing else in it.
   * @default - no body bucket: an event with a stored body fails as `body_unavailable`
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
   * Retention of the handler's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What Lambda keeps of the function's logs (the config's \`logs\`).
   * @default LOG_DEFAULTS: INFO, no START/END/REPORT lines
   */
  readonly logs?: ResolvedLogs;
  /**
   * The stack's schedule group for the circuits' probes (`circuitScheduleGroup`); required when the
   * route has a `circuitBreaker`.
   * @default - none
   */
  readonly circuitScheduleGroup?: string;
}

/**
 * A route's handler Lambda (a `HooklineFunction`): the route's handler module, sized by
 * `route.memoryMb` and `route.timeoutSeconds`, fed by an SQS event source mapping on the route's
 * queue with partial batch responses.
 *
 * Its role holds only what the mapping and the handler runtime do: receive, delete, change the
 * visibility of and read the attributes of messages on its own queue, send to its own DLQ (permanent
 * failures), get, update and put events' items and condition-check them in transactions on the event
 * table itself (lock, outcome, a state created for a message that overtook the ingress), read its
 * route's bodies in the body bucket, write its own log group; and, with the route's `tracing`, write
 * X-Ray trace data (`HooklineFunction`).
 */
export class RouteHandler extends Construct {
  /** The handler function. */
  public readonly function: nodejs.NodejsFunction;
  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;
  /** The function's execution role (no AWS managed policy). */
  public readonly role: iam.Role;
  /** The SQS event source mapping feeding the function from the route's queue. */
  public readonly eventSource: lambda.EventSourceMapping;

  constructor(scope: Construct, id: string, props: RouteHandlerProps) {
    super(scope, id);
    const { route } = props;

    // 'Default' keeps the logical ids of `Function`, `Role` and `LogGroup` as they were when this
    // construct created them itself.
    const handler = new HooklineFunction(this, 'Default', {
      entry: props.entry,
      envelopeKey: props.envelopeKey,
      description: `Hookline handler for ${route.path}`,
      memorySize: route.memoryMb,
      timeout: Duration.seconds(route.timeoutSeconds),
      // The runtime reads its event types through the scheme registry: this route's scheme only.
      define: bundledScheme(route),
      environment: {
        [ENV.route]: routeEnvironmentJson(route),
        [ENV.tableName]: props.table.tableName,
        [ENV.queueUrl]: props.queue.queueUrl,
        [ENV.dlqUrl]: props.deadLetterQueue.queueUrl,
        [ENV.metricsNamespace]: props.metricsNamespace,
        ...(props.bodyBucket ? { [ENV.bodyBucket]: props.bodyBucket.bucket.bucketName } : {}),
      },
      ...(props.projectRoot ? { projectRoot: props.projectRoot } : {}),
      ...(props.depsLockFilePath ? { depsLockFilePath: props.depsLockFilePath } : {}),
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      ...(props.logs !== undefined && { logs: props.logs }),
      tracing: route.tracing === true,
      correlation:
        'events are correlated instead by the event id and route in structured logs and the history.',
      noDeadLetterQueueReason:
        'The function is invoked only by its SQS event source mapping, never asynchronously, so a Lambda DLQ ' +
        'would receive nothing: the runtime sends a message whose attempts are used up (or a permanent failure) to the ' +
        "route's DLQ itself, and the queue's redrive policy backs it up one receive later.",
    });
    this.function = handler.function;
    this.role = handler.role;
    this.logGroup = handler.logGroup;

    this.eventSource = this.consumeQueue(props);
    this.grantStores(props);
    if (route.circuitBreaker !== undefined) this.breakCircuit(props);
  }

  /** The event source mapping from the route's queue, with partial batch failures. */
  private consumeQueue(props: RouteHandlerProps): lambda.EventSourceMapping {
    // What `SqsEventSource` would make, under the id it would give it (so the logical id stays), but
    // without its grant, which adds GetQueueUrl: Lambda's poller calls ReceiveMessage, DeleteMessage
    // and GetQueueAttributes, the runtime ChangeMessageVisibility (backoff). The role is explicit, so
    // AWSLambdaSQSQueueExecutionRole (every queue) is not attached either.
    const mapping = this.function.addEventSourceMapping(
      `SqsEventSource:${Names.nodeUniqueId(props.queue.node)}`,
      {
        eventSourceArn: props.queue.queueArn,
        reportBatchItemFailures: true,
        batchSize: props.route.batchSize,
        maxConcurrency: props.route.maxConcurrency,
        ...(props.route.maxBatchingWindowSeconds > 0
          ? { maxBatchingWindow: Duration.seconds(props.route.maxBatchingWindowSeconds) }
          : {}),
      },
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'sqs:ReceiveMessage',
          'sqs:DeleteMessage',
          'sqs:GetQueueAttributes',
          'sqs:ChangeMessageVisibility',
        ],
        resources: [props.queue.queueArn],
      }),
    );
    Validations.of(mapping).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'Lambda supports on-failure destinations only for stream and Kafka sources (Kinesis, DynamoDB Streams, ' +
        'MSK, self-managed Kafka), not SQS: the runtime sends a message whose attempts are used up to the ' +
        "route's DLQ itself, and the queue redrives there one receive later.",
    });
    return mapping;
  }

  /** Its DLQ, its event states and its route's bodies: nothing else. */
  private grantStores(props: RouteHandlerProps): void {
    // Not `grantSendMessages`, which adds GetQueueAttributes and GetQueueUrl.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.deadLetterQueue.queueArn] }),
    );
    // On the table itself, not its indexes, and on its route's items only (table layout v2). The
    // lock and the outcome are conditional updates of the event's state item; GetItem reads the
    // state when a condition fails. When the message arrives before the ingress wrote the state,
    // the state is created, locked (PutItem), in a transaction that checks the request item still
    // holds the event (ConditionCheckItem), read first (GetItem) for its retention and dedupe key.
    for (const statement of routeTableStatements(props.table, props.route, {
      states: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'],
      requests: ['dynamodb:GetItem', 'dynamodb:ConditionCheckItem'],
    })) {
      this.role.addToPrincipalPolicy(statement);
    }
    if (props.route.circuitBreaker !== undefined) {
      // Its route's circuit item: read per batch (at most every few seconds), written when it changes.
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
          resources: [props.table.tableArn],
          conditions: {
            'ForAllValues:StringEquals': {
              'dynamodb:LeadingKeys': [TABLE_PARTITIONS.circuit(props.route.path)],
            },
          },
        }),
      );
    }

    if (props.bodyBucket) {
      props.bodyBucket.grantReadBodies(this.role, props.route);
      acknowledgeRouteBodies(this.role, props.bodyBucket, props.route, 'reads');
    }
  }

  /**
   * The deployed circuit breaker (`shared/circuit/deployed-breaker.ts`): the handler disables its own
   * event source mapping and schedules, in the stack's schedule group under its route's name prefix,
   * the probe that EventBridge Scheduler runs with a role of its own: re-enabling that mapping.
   */
  private breakCircuit(props: RouteHandlerProps): void {
    const group = props.circuitScheduleGroup;
    if (group === undefined)
      throw new Error(`${props.route.path} has a circuitBreaker but no schedule group`);
    const stack = Stack.of(this);
    const mappingArn = this.eventSource.eventSourceMappingArn;

    const schedulerRole = new iam.Role(this, 'ProbeSchedulerRole', {
      // Only Scheduler, for schedules of this stack's group (the confused-deputy guard AWS advises).
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnEquals: {
            'aws:SourceArn': stack.formatArn({
              service: 'scheduler',
              resource: 'schedule-group',
              resourceName: group,
            }),
          },
        },
      }),
      description: `Hookline: re-enables the event source mapping of ${props.route.path} after its circuit's cool-down`,
    });
    schedulerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:UpdateEventSourceMapping'], resources: [mappingArn] }),
    );

    this.function.addEnvironment(ENV.circuit, stack.toJsonString({ group, roleArn: schedulerRole.roleArn }));
    // A policy of its own: in the role's default policy the mapping's ARN would make the function
    // depend on its own mapping.
    const policy = new iam.Policy(this, 'CircuitPolicy', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({ actions: ['lambda:UpdateEventSourceMapping'], resources: [mappingArn] }),
        new iam.PolicyStatement({
          actions: ['scheduler:CreateSchedule'],
          resources: [circuitScheduleArn(this, group, props.route)],
        }),
        new iam.PolicyStatement({
          actions: ['iam:PassRole'],
          resources: [schedulerRole.roleArn],
          conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
        }),
      ],
    });
    acknowledgeProbeSchedules(policy, group, props.route);
    // The mapping's id cannot reach the function (a cycle), so it is looked up by queue, once.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:ListEventSourceMappings'], resources: ['*'] }),
    );
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'lambda:ListEventSourceMappings supports no resource-level permissions: it is read-only, and the ' +
        "circuit breaker calls it once per instance, when it first opens the circuit, to find its own mapping's id.",
    });
  }
}
