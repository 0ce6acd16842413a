import { Duration, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ResolvedRoute } from '../shared/config/types.js';
import { ENV } from '../shared/env-names.js';
import { acknowledgeRouteBodies, type BodyBucket } from './body-bucket.js';
import { bundledFunctionDefaults, SOURCE_MAPS_ENVIRONMENT } from './function-defaults.js';

export interface RouteHandlerProps {
  /** The route whose events the handler processes (sizing, batching, retry policy). */
  readonly route: ResolvedRoute;
  /** The handler module (absolute path); it exports `handler`, normally made by `defineHandler`. */
  readonly entry: string;
  /**
   * The route's queue. Its visibility timeout must be at least 6 × `route.timeoutSeconds`, the
   * handler's timeout (checked by `checkWebhookRoute`).
   */
  readonly queue: sqs.IQueue;
  /** The route's dead-letter queue: permanent failures are sent there directly. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The event table; the handler may get and update items in it (the lock is the event record). */
  readonly table: dynamodb.ITable;
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
   * Retention of the handler's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * A route's handler Lambda: the route's handler module bundled like the ingress (nodejs24.x,
 * arm64, ESM, source maps), sized by `route.memoryMb` and `route.timeoutSeconds`, fed by an SQS
 * event source mapping on the route's queue with partial batch responses.
 *
 * Its role holds only what the handler runtime does: receive, delete and change the visibility of
 * messages on its own queue (the mapping's grant), send to its own DLQ (permanent failures), get and
 * update items in the event table (lock, history), read its route's bodies in the body bucket, write
 * its own log group.
 */
export class RouteHandler extends Construct {
  /** The handler function. */
  public readonly function: nodejs.NodejsFunction;
  /** The function's log group. */
  public readonly logGroup: logs.LogGroup;
  /** The function's execution role (no AWS managed policy). */
  public readonly role: iam.Role;
  /** The SQS event source feeding the function from the route's queue. */
  public readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: RouteHandlerProps) {
    super(scope, id);
    const { route } = props;

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    // An explicit role keeps AWS managed policies (AWSLambdaBasicExecutionRole: logs on every group,
    // AWSLambdaSQSQueueExecutionRole: every queue) out of the function's permissions.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Hookline handler for ${route.path}`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      ...bundledFunctionDefaults(props.projectRoot),
      entry: props.entry,
      handler: 'handler',
      memorySize: route.memoryMb,
      timeout: Duration.seconds(route.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      description: `Hookline handler for ${route.path}`,
      environment: {
        ...SOURCE_MAPS_ENVIRONMENT,
        [ENV.route]: JSON.stringify(route),
        [ENV.tableName]: props.table.tableName,
        [ENV.queueUrl]: props.queue.queueUrl,
        [ENV.dlqUrl]: props.deadLetterQueue.queueUrl,
        ...(props.bodyBucket ? { [ENV.bodyBucket]: props.bodyBucket.bucket.bucketName } : {}),
      },
    });

    // Binding grants the consume actions on this queue only: ReceiveMessage, DeleteMessage,
    // ChangeMessageVisibility (backoff), GetQueueAttributes, GetQueueUrl.
    this.eventSource = new SqsEventSource(props.queue, {
      reportBatchItemFailures: true,
      batchSize: route.batchSize,
      maxConcurrency: route.maxConcurrency,
      ...(route.maxBatchingWindowSeconds > 0
        ? { maxBatchingWindow: Duration.seconds(route.maxBatchingWindowSeconds) }
        : {}),
    });
    this.function.addEventSource(this.eventSource);
    const mapping = this.function.node.children.find((child) => child instanceof lambda.EventSourceMapping);
    if (mapping) {
      Validations.of(mapping).acknowledge({
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'Lambda supports on-failure destinations only for stream and Kafka sources (Kinesis, DynamoDB Streams, ' +
          'MSK, self-managed Kafka), not SQS: a failed SQS message stays on the route queue, whose redrive policy ' +
          "moves it to the route's DLQ after retry.maxAttempts receives.",
      });
    }

    props.deadLetterQueue.grantSendMessages(this.role);
    // On the table itself, not its indexes (table.grant would add `<table>/index/*`). The lock and
    // the history are conditional updates of the event's state; PutItem and ConditionCheckItem are
    // the transaction that creates the state when the message arrives before ingress wrote it.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'dynamodb:GetItem',
          'dynamodb:UpdateItem',
          'dynamodb:PutItem',
          'dynamodb:ConditionCheckItem',
        ],
        resources: [props.table.tableArn],
      }),
    );

    if (props.bodyBucket) {
      props.bodyBucket.grantReadBodies(this.role, route);
      acknowledgeRouteBodies(this.role, props.bodyBucket, route, 'reads');
    }

    Validations.of(this.function).acknowledge(
      {
        id: 'Serverless-LambdaTracing',
        reason:
          'X-Ray needs xray:PutTraceSegments on Resource "*" (no resource-level permissions) and is billed per ' +
          'trace; events are correlated instead by the event id and route in structured logs and the history.',
      },
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'The function is invoked only by its SQS event source mapping, never asynchronously, so a Lambda DLQ ' +
          'would receive nothing: failed messages stay on the route queue and its redrive policy moves them to the ' +
          "route's DLQ after retry.maxAttempts receives (permanent failures are sent there directly).",
      },
    );
  }
}
