/**
 * What watches a Hookline stack: the SNS topic every alarm notifies (`AlarmTopic`), the stack-wide
 * alarms (`StackAlarms`) and the CloudWatch dashboard (`GatewayDashboard`). Each route's own alarms
 * are `RouteAlarms`, made by its `WebhookRoute`.
 */
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { ResolvedAlarm, ResolvedStackAlarms } from '../shared/config/alarms.js';
import { INGRESS_METRICS, RUNTIME_METRICS } from '../shared/metric-names.js';
import { kebab } from './route-alarms.js';
import { METRIC_PERIOD, QUEUE_METRIC_PERIOD, RouteMetrics } from './route-metrics.js';
import type { WebhookRoute } from './webhook-route.js';

const CLOUDWATCH = new iam.ServicePrincipal('cloudwatch.amazonaws.com');

export interface AlarmTopicProps {
  /** Resource name prefix (the config's `name`): the created topic is `<prefix>-alarms`. */
  readonly prefix: string;
  /**
   * Notify this existing topic instead of creating one.
   * @default - a topic is created, encrypted with its own KMS key
   */
  readonly topicArn?: string;
  /**
   * E-mail addresses subscribed to the topic (created or existing); each must confirm.
   * @default - none
   */
  readonly email?: readonly string[];
}

/**
 * The one SNS topic every Hookline alarm notifies, created or imported by ARN, with the config's
 * e-mail subscriptions.
 *
 * A created topic is encrypted with a customer-managed KMS key (rotated yearly): CloudWatch cannot
 * publish to a topic encrypted with the AWS-managed `alias/aws/sns` key, whose policy cannot be
 * changed, so the key's policy lets `cloudwatch.amazonaws.com` (from this account) use it. The
 * topic's policy refuses publishing without TLS and allows CloudWatch alarms of this account to
 * publish. The key holds nothing once the topic is gone (SNS keeps no messages), so it is deleted
 * with the stack after a 7-day waiting period.
 */
export class AlarmTopic extends Construct {
  /** The topic the alarms notify. */
  public readonly topic: sns.ITopic;
  /** The key encrypting a created topic; absent when the topic is imported. */
  public readonly key?: kms.Key;
  /** The alarm action publishing to `topic`. */
  public readonly action: cloudwatch.IAlarmAction;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    if (props.topicArn !== undefined) {
      this.topic = sns.Topic.fromTopicArn(this, 'Topic', props.topicArn);
    } else {
      const { key, topic } = this.buildTopic(props.prefix);
      this.key = key;
      this.topic = topic;
    }
    for (const address of props.email ?? []) {
      const subscription = this.topic.addSubscription(new subscriptions.EmailSubscription(address));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'An alarm notification that cannot be e-mailed loses nothing: the alarm keeps its state in CloudWatch ' +
          '(the dashboard opens with every alarm’s state) and notifies again on its next change, while a DLQ ' +
          'of undelivered notifications would be one more queue that nobody reads.',
      });
    }
    this.action = new cloudwatchActions.SnsAction(this.topic);
  }

  private buildTopic(prefix: string): { key: kms.Key; topic: sns.Topic } {
    const stack = Stack.of(this);
    const key = new kms.Key(this, 'Key', {
      description: `Hookline alarm topic key (${prefix})`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [CLOUDWATCH],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    const topic = new sns.Topic(this, 'Topic', {
      topicName: `${prefix}-alarms`,
      displayName: `Hookline alarms (${prefix})`,
      masterKey: key,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [CLOUDWATCH],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    return { key, topic };
  }
}

export interface StackAlarmsProps {
  /** Resource name prefix: alarms are named `<prefix>-<alarm>`. */
  readonly prefix: string;
  readonly settings: ResolvedStackAlarms;
  readonly table: dynamodb.ITable;
  readonly httpApi: apigwv2.IHttpApi;
  /** @default - no action */
  readonly action?: cloudwatch.IAlarmAction;
}

/**
 * The stack-wide alarms: DynamoDB throttling of the event table (reads and writes, one alarm each:
 * no metric math, so neither hides when the other has no data) and the HTTP API's 5xx, which also
 * counts what no function could count (integration timeouts, crashes, throttled invocations).
 */
export class StackAlarms extends Construct {
  /** The event table throttled reads (AWS/DynamoDB `ReadThrottleEvents`). */
  public readonly tableReadThrottles?: cloudwatch.Alarm;
  /** The event table throttled writes (AWS/DynamoDB `WriteThrottleEvents`). */
  public readonly tableWriteThrottles?: cloudwatch.Alarm;
  /** The HTTP API answered 5xx (AWS/ApiGateway `5xx`). */
  public readonly apiServerErrors?: cloudwatch.Alarm;
  /** Every alarm above that is on. */
  public readonly all: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: StackAlarmsProps) {
    super(scope, id);
    const all: cloudwatch.Alarm[] = [];
    const add = (
      alarmId: string,
      setting: ResolvedAlarm,
      metric: cloudwatch.IMetric,
      description: string,
    ) => {
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        alarmName: `${props.prefix}-${kebab(alarmId)}`,
        alarmDescription: description,
        metric,
        threshold: setting.threshold,
        evaluationPeriods: setting.evaluationPeriods,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      if (props.action) {
        alarm.addAlarmAction(props.action);
        alarm.addOkAction(props.action);
      }
      all.push(alarm);
      return alarm;
    };
    const { tableThrottles, apiServerErrors } = props.settings;
    if (tableThrottles !== false) {
      const throttleEvents = (metricName: string) =>
        props.table.metric(metricName, { statistic: 'Sum', period: METRIC_PERIOD });
      const consequence =
        'The ingress answers 5xx (the provider retries) and handlers retry their events; the table is ' +
        'on-demand, so this is a sudden burst or a hot partition.';
      this.tableReadThrottles = add(
        'TableReadThrottles',
        tableThrottles,
        throttleEvents('ReadThrottleEvents'),
        `The Hookline event table (${props.prefix}) throttled reads. ${consequence}`,
      );
      this.tableWriteThrottles = add(
        'TableWriteThrottles',
        tableThrottles,
        throttleEvents('WriteThrottleEvents'),
        `The Hookline event table (${props.prefix}) throttled writes. ${consequence}`,
      );
    }
    if (apiServerErrors !== false) {
      this.apiServerErrors = add(
        'ApiServerErrors',
        apiServerErrors,
        props.httpApi.metricServerError({ statistic: 'Sum', period: METRIC_PERIOD }),
        `The Hookline HTTP API (${props.prefix}) answered 5xx: read the access log (integrationError) and ` +
          'the ingress and admin log groups.',
      );
    }
    this.all = all;
  }
}

export interface GatewayDashboardProps {
  /** The dashboard's name (the config's `name`). */
  readonly dashboardName: string;
  /** Namespace of the routes' custom metrics. */
  readonly metricsNamespace: string;
  /** The deployed routes, one dashboard row each, in config order. */
  readonly routes: readonly WebhookRoute[];
  readonly table: dynamodb.ITable;
  readonly httpApi: apigwv2.IHttpApi;
  /** Every alarm of the stack, shown by state in the first row. */
  readonly alarms: readonly cloudwatch.IAlarm[];
}

/**
 * The stack's dashboard: a first row with every alarm's state, the HTTP API's requests and errors
 * and the table's throttling; then one row per route, generated from the config: events received,
 * accepted, rejected, delivered and dead-lettered; queue and DLQ depth; oldest message age; accept
 * and end-to-end latency p50/p99; handler duration p50/p99.
 */
export class GatewayDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: GatewayDashboardProps) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });
    // An alarm status widget shows at most 100 alarms: the first 100 open the dashboard, any more
    // follow in rows of their own.
    const [firstAlarms = [], ...moreAlarms] = chunks(props.alarms, MAX_ALARMS_PER_WIDGET);
    this.dashboard.addWidgets(...stackRow(props, firstAlarms));
    for (const alarms of moreAlarms) {
      this.dashboard.addWidgets(
        new cloudwatch.AlarmStatusWidget({ alarms: [...alarms], width: 24, height: HEIGHT }),
      );
    }
    for (const route of props.routes) this.dashboard.addWidgets(...routeRow(props.metricsNamespace, route));
  }
}

const HEIGHT = 6;
const MAX_ALARMS_PER_WIDGET = 100;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

function stackRow(props: GatewayDashboardProps, alarms: readonly cloudwatch.IAlarm[]): cloudwatch.IWidget[] {
  const sum = { statistic: 'Sum', period: METRIC_PERIOD };
  return [
    new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...alarms], width: 12, height: HEIGHT }),
    new cloudwatch.GraphWidget({
      title: 'HTTP API',
      width: 6,
      height: HEIGHT,
      left: [
        props.httpApi.metricCount({ ...sum, label: 'requests' }),
        props.httpApi.metricClientError({ ...sum, label: '4xx' }),
        props.httpApi.metricServerError({ ...sum, label: '5xx' }),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: 'Event table throttling',
      width: 6,
      height: HEIGHT,
      left: [
        props.table.metric('ReadThrottleEvents', { ...sum, label: 'read throttles' }),
        props.table.metric('WriteThrottleEvents', { ...sum, label: 'write throttles' }),
      ],
    }),
  ];
}

function routeRow(namespace: string, webhookRoute: WebhookRoute): cloudwatch.IWidget[] {
  const { route, queue, deadLetterQueue } = webhookRoute;
  const metrics = new RouteMetrics(namespace, route);
  const queueOptions = { statistic: 'Maximum', period: QUEUE_METRIC_PERIOD };
  const milliseconds = { label: 'ms', showUnits: false } as const;
  return [
    new cloudwatch.GraphWidget({
      title: `${route.path} events`,
      width: 6,
      height: HEIGHT,
      left: [
        metrics.sum(INGRESS_METRICS.received, 'received'),
        metrics.sum(INGRESS_METRICS.accepted, 'accepted'),
        metrics.rejected(),
        metrics.sum(RUNTIME_METRICS.delivered, 'delivered'),
        metrics.sum(RUNTIME_METRICS.deadLettered, 'dead-lettered'),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: `${route.path} queue depth`,
      width: 4,
      height: HEIGHT,
      left: [
        queue.metricApproximateNumberOfMessagesVisible({ ...queueOptions, label: 'queue' }),
        deadLetterQueue.metricApproximateNumberOfMessagesVisible({ ...queueOptions, label: 'DLQ' }),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: `${route.path} oldest message age (s)`,
      width: 4,
      height: HEIGHT,
      left: [queue.metricApproximateAgeOfOldestMessage({ ...queueOptions, label: 'oldest age' })],
    }),
    new cloudwatch.GraphWidget({
      title: `${route.path} latency (ms)`,
      width: 5,
      height: HEIGHT,
      leftYAxis: milliseconds,
      left: [
        metrics.percentile(INGRESS_METRICS.acceptLatency, 'p50', 'accept p50'),
        metrics.percentile(INGRESS_METRICS.acceptLatency, 'p99', 'accept p99'),
        metrics.percentile(RUNTIME_METRICS.endToEndLatency, 'p50', 'end-to-end p50'),
        metrics.percentile(RUNTIME_METRICS.endToEndLatency, 'p99', 'end-to-end p99'),
      ],
    }),
    new cloudwatch.GraphWidget({
      title: `${route.path} handler duration (ms)`,
      width: 5,
      height: HEIGHT,
      leftYAxis: milliseconds,
      left: [
        metrics.percentile(RUNTIME_METRICS.handlerDuration, 'p50', 'p50'),
        metrics.percentile(RUNTIME_METRICS.handlerDuration, 'p99', 'p99'),
      ],
    }),
  ];
}
