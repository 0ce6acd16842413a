import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { HooklineGateway } from '../../infra/hookline-gateway.js';
import type { WebhookRoute } from '../../infra/webhook-route.js';
import { ALARM_DEFAULTS } from '../../shared/config/alarms.js';
import type { ResolvedConfig, ResolvedRoute } from '../../shared/config/types.js';
import { ENV } from '../../shared/env-names.js';
import { unbundledApp } from '../helpers/cdk-app.js';
import { makeConfig, makeRoute } from '../helpers/routes.js';

const PROJECT_ROOT = new URL('../..', import.meta.url).pathname;

type Resource = { Type: string; Properties: Record<string, unknown> };

function build(config: ResolvedConfig) {
  const stack = new Stack(unbundledApp(), 'hookline');
  const gateway = new HooklineGateway(stack, 'Gateway', { config, projectRoot: PROJECT_ROOT });
  return { stack, gateway, template: Template.fromStack(stack) };
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

function webhookRoute(gateway: HooklineGateway, route: ResolvedRoute): WebhookRoute {
  const found = gateway.routes.get(route.path);
  if (!found) throw new Error(`no WebhookRoute for ${route.path}`);
  return found;
}

function alarmsOf(template: Template): Record<string, Resource> {
  return template.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>;
}

function alarmNamed(template: Template, name: string): Record<string, unknown> {
  const found = Object.values(alarmsOf(template)).find((alarm) => alarm.Properties.AlarmName === name);
  if (!found) throw new Error(`no alarm named ${name}`);
  return found.Properties;
}

/** The dashboard body as JSON, each CloudFormation token replaced by `<token JSON>`. */
function dashboardBody(template: Template): { widgets: Widget[] } {
  const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as Resource[];
  const body = dashboard?.Properties.DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof body === 'string'
      ? body
      : body['Fn::Join'][1]
          .map((part) => (typeof part === 'string' ? part : `<${JSON.stringify(part).replace(/"/g, "'")}>`))
          .join('');
  return JSON.parse(text) as { widgets: Widget[] };
}

type Widget = {
  type: string;
  x: number;
  y: number;
  width: number;
  properties: { title?: string; alarms?: string[]; metrics?: unknown[][] };
};

const orders = makeRoute({ path: '/orders/' });
const stripe = makeRoute({
  path: '/stripe/',
  verify: { scheme: 'stripe', secret: { name: 'STRIPE_WEBHOOK_SECRET' } },
  alarms: {
    oldestMessageAge: { threshold: 3600, evaluationPeriods: 3 },
    handlerErrorRate: { threshold: 25 },
    rejectedSignatures: { evaluationPeriods: 2 },
    throttles: false,
  },
});
const disabled = makeRoute({ path: '/disabled/', enabled: false });

/** Every alarm each route has by default, with its metric. */
const ROUTE_ALARMS = [
  'dlq-not-empty',
  'oldest-message-age',
  'handler-error-rate',
  'ingress-errors',
  'rejected-signatures',
  'ingress-throttles',
  'handler-throttles',
] as const;
const STACK_ALARMS = ['table-read-throttles', 'table-write-throttles', 'api-server-errors'] as const;

describe('monitoring with the defaults', () => {
  const routes = [orders, makeRoute({ path: '/github/' }), disabled];
  let stack: Stack;
  let gateway: HooklineGateway;
  let template: Template;
  let topicRef: { Ref: string };

  beforeAll(() => {
    ({ stack, gateway, template } = build(makeConfig(routes)));
    topicRef = { Ref: logicalId(stack, gateway.alarmTopic.topic as never) };
  });

  describe('alarm topic', () => {
    it('is created, named after the stack and encrypted with its own rotated key', () => {
      template.resourceCountIs('AWS::SNS::Topic', 1);
      template.resourceCountIs('AWS::KMS::Key', 1);
      const key = gateway.alarmTopic.key;
      if (!key) throw new Error('expected a created key');
      template.hasResourceProperties('AWS::SNS::Topic', {
        TopicName: 'hookline-alarms',
        KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(stack, key), 'Arn'] },
      });
      template.hasResource('AWS::KMS::Key', {
        Properties: { EnableKeyRotation: true, PendingWindowInDays: 7 },
        DeletionPolicy: 'Delete',
      });
    });

    it('lets CloudWatch of this account use the key and publish, and refuses publishing without TLS', () => {
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            }),
          ]),
        },
      });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [topicRef],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sns:Publish',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
              Resource: topicRef,
            }),
          ]),
        },
      });
    });

    it('has no subscription unless the config names e-mail addresses, and an output with its ARN', () => {
      template.resourceCountIs('AWS::SNS::Subscription', 0);
      template.hasOutput('AlarmTopicArn', { Value: topicRef });
    });
  });

  describe('route alarms', () => {
    it.each([orders.path, '/github/'])(
      '%s has every alarm, each notifying the topic on ALARM and OK',
      (path) => {
        const route = webhookRoute(gateway, makeRoute({ path }));
        expect(route.alarms.all).toHaveLength(ROUTE_ALARMS.length);
        for (const alarm of ROUTE_ALARMS) {
          expect(alarmNamed(template, `hookline-${route.route.queueName}-${alarm}`)).toMatchObject({
            AlarmActions: [topicRef],
            OKActions: [topicRef],
            ComparisonOperator: 'GreaterThanThreshold',
            TreatMissingData: 'notBreaching',
          });
        }
      },
    );

    it('watch the DLQ for any visible message', () => {
      const route = webhookRoute(gateway, orders);
      expect(alarmNamed(template, 'hookline-orders-dlq-not-empty')).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [
          {
            Name: 'QueueName',
            Value: { 'Fn::GetAtt': [logicalId(stack, route.deadLetterQueue), 'QueueName'] },
          },
        ],
        Statistic: 'Maximum',
        Period: 60,
        Threshold: ALARM_DEFAULTS.dlqNotEmpty.threshold,
        EvaluationPeriods: 1,
      });
    });

    it('watch the age of the queue’s oldest message', () => {
      const route = webhookRoute(gateway, orders);
      expect(alarmNamed(template, 'hookline-orders-oldest-message-age')).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [
          { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack, route.queue), 'QueueName'] } },
        ],
        Statistic: 'Maximum',
        Period: 60,
        Threshold: 900,
        EvaluationPeriods: 1,
      });
    });

    it('compute the handler error rate from the runtime’s AttemptFailed and Delivered, not Lambda Errors', () => {
      const custom = (metricName: string) => ({
        MetricStat: {
          Metric: {
            Namespace: 'hookline',
            MetricName: metricName,
            Dimensions: [{ Name: 'Route', Value: '/orders/' }],
          },
          Period: 300,
          Stat: 'Sum',
        },
        ReturnData: false,
      });
      expect(alarmNamed(template, 'hookline-orders-handler-error-rate')).toMatchObject({
        Metrics: [
          { Expression: '100 * FILL(failed, 0) / (FILL(failed, 0) + FILL(delivered, 0))', ReturnData: true },
          { Id: 'failed', ...custom('AttemptFailed') },
          { Id: 'delivered', ...custom('Delivered') },
        ],
        Threshold: 10,
        EvaluationPeriods: 2,
      });
    });

    it('count the ingress’s 5xx answers and invalid signatures in the stack’s namespace, by route', () => {
      expect(alarmNamed(template, 'hookline-orders-ingress-errors')).toMatchObject({
        Namespace: 'hookline',
        MetricName: 'IngressError',
        Dimensions: [{ Name: 'Route', Value: '/orders/' }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 0,
      });
      expect(alarmNamed(template, 'hookline-orders-rejected-signatures')).toMatchObject({
        Metrics: [
          {
            MetricStat: {
              Metric: { Namespace: 'hookline', MetricName: 'Rejected' },
              Period: 300,
              Stat: 'Sum',
            },
          },
        ],
        Threshold: 10,
      });
      const [rejected] = alarmNamed(template, 'hookline-orders-rejected-signatures').Metrics as {
        MetricStat: { Metric: { Dimensions: unknown[] } };
      }[];
      expect(rejected?.MetricStat.Metric.Dimensions).toEqual(
        expect.arrayContaining([
          { Name: 'Route', Value: '/orders/' },
          { Name: 'Reason', Value: 'invalid_signature' },
        ]),
      );
    });

    it('watch throttles of the ingress and of the handler function', () => {
      const route = webhookRoute(gateway, orders);
      for (const [alarm, fn] of [
        ['ingress-throttles', route.ingressFunction],
        ['handler-throttles', route.handlerFunction],
      ] as const) {
        expect(alarmNamed(template, `hookline-orders-${alarm}`)).toMatchObject({
          Namespace: 'AWS/Lambda',
          MetricName: 'Throttles',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stack, fn) } }],
          Statistic: 'Sum',
          Threshold: 0,
        });
      }
    });

    it('leave disabled routes without alarms', () => {
      const names = Object.values(alarmsOf(template)).map((alarm) => String(alarm.Properties.AlarmName));
      expect(names.filter((name) => name.includes('disabled'))).toEqual([]);
    });
  });

  describe('stack alarms', () => {
    it('watch the event table’s read and write throttles and the HTTP API’s 5xx', () => {
      const table = logicalId(stack, gateway.table);
      for (const [name, metricName] of [
        ['table-read-throttles', 'ReadThrottleEvents'],
        ['table-write-throttles', 'WriteThrottleEvents'],
      ]) {
        expect(alarmNamed(template, `hookline-${name}`)).toMatchObject({
          Namespace: 'AWS/DynamoDB',
          MetricName: metricName,
          Dimensions: [{ Name: 'TableName', Value: { Ref: table } }],
          Statistic: 'Sum',
          Threshold: 0,
          AlarmActions: [topicRef],
        });
      }
      expect(alarmNamed(template, 'hookline-api-server-errors')).toMatchObject({
        Namespace: 'AWS/ApiGateway',
        MetricName: '5xx',
        Dimensions: [{ Name: 'ApiId', Value: { Ref: logicalId(stack, gateway.httpApi) } }],
        Threshold: 5,
        AlarmActions: [topicRef],
      });
    });

    it('are all the alarms there are, with the routes’', () => {
      const count = STACK_ALARMS.length + 2 * ROUTE_ALARMS.length;
      template.resourceCountIs('AWS::CloudWatch::Alarm', count);
      expect(gateway.alarms).toHaveLength(count);
    });
  });

  describe('dashboard', () => {
    it('is named after the stack', () => {
      template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
      template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'hookline' });
    });

    it('opens with every alarm’s state, the API and the table', () => {
      const first = dashboardBody(template).widgets.filter((widget) => widget.y === 0);
      expect(first.map((widget) => widget.properties.title)).toEqual([
        'Alarms',
        'HTTP API',
        'Event table throttling',
      ]);
      expect(first[0]?.properties.alarms).toHaveLength(gateway.alarms.length);
    });

    it('has one row per deployed route, in config order, with its events, queues, age, latency and duration', () => {
      const widgets = dashboardBody(template).widgets.filter((widget) => widget.y > 0);
      const rows = [...new Set(widgets.map((widget) => widget.y))];
      expect(rows).toHaveLength(2);
      for (const [index, path] of ['/orders/', '/github/'].entries()) {
        const row = widgets.filter((widget) => widget.y === rows[index]);
        expect(row.map((widget) => widget.properties.title)).toEqual([
          `${path} events`,
          `${path} queue depth`,
          `${path} oldest message age (s)`,
          `${path} latency (ms)`,
          `${path} handler duration (ms)`,
        ]);
        expect(row.reduce((width, widget) => width + widget.width, 0)).toBe(24);
      }
    });

    it('graphs each route’s custom metrics by its Route dimension, and every refusal reason', () => {
      const row = dashboardBody(template).widgets.filter((widget) =>
        widget.properties.title?.startsWith('/orders/'),
      );
      const metrics = row.flatMap((widget) => widget.properties.metrics ?? []);
      const custom = metrics.filter((metric) => metric[0] === 'hookline');
      expect(
        custom.map((metric) => [metric[1], metric[2], metric[3], (metric[4] as { stat: string }).stat]),
      ).toEqual([
        ['Received', 'Route', '/orders/', 'Sum'],
        ['Accepted', 'Route', '/orders/', 'Sum'],
        ['Delivered', 'Route', '/orders/', 'Sum'],
        ['DeadLettered', 'Route', '/orders/', 'Sum'],
        ['AcceptLatency', 'Route', '/orders/', 'p50'],
        ['AcceptLatency', 'Route', '/orders/', 'p99'],
        ['EndToEndLatency', 'Route', '/orders/', 'p50'],
        ['EndToEndLatency', 'Route', '/orders/', 'p99'],
        ['HandlerDuration', 'Route', '/orders/', 'p50'],
        ['HandlerDuration', 'Route', '/orders/', 'p99'],
      ]);
      const expressions = metrics.flatMap((metric) =>
        metric.filter(
          (part): part is { expression: string } =>
            typeof part === 'object' && part !== null && 'expression' in part,
        ),
      );
      expect(expressions.map((e) => e.expression)).toEqual([
        `SUM(SEARCH('{hookline,Route,Reason} MetricName="Rejected" Route="/orders/"', 'Sum', 300))`,
      ]);
      const sqs = metrics.filter((metric) => metric[0] === 'AWS/SQS').map((metric) => metric[1]);
      expect(sqs).toEqual([
        'ApproximateNumberOfMessagesVisible',
        'ApproximateNumberOfMessagesVisible',
        'ApproximateAgeOfOldestMessage',
      ]);
    });
  });
});

describe('monitoring with the config’s overrides', () => {
  const config: ResolvedConfig = {
    ...makeConfig([orders, stripe], 'shop'),
    metrics: { namespace: 'Acme/Webhooks' },
    alarms: {
      email: ['ops@example.com', 'oncall@example.com'],
      rejectedSignatures: { threshold: 25 },
      handlerErrorRate: false,
      dlqNotEmpty: { evaluationPeriods: 2 },
      tableThrottles: { threshold: 10, evaluationPeriods: 3 },
      apiServerErrors: false,
    },
  };
  let stack: Stack;
  let gateway: HooklineGateway;
  let template: Template;

  beforeAll(() => {
    ({ stack, gateway, template } = build(config));
  });

  it('subscribes every configured e-mail address to the topic', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    for (const address of ['ops@example.com', 'oncall@example.com']) {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: address,
        TopicArn: { Ref: logicalId(stack, gateway.alarmTopic.topic as never) },
      });
    }
  });

  it('uses the configured metrics namespace in the alarms and the functions’ environment', () => {
    expect(gateway.metricsNamespace).toBe('Acme/Webhooks');
    expect(alarmNamed(template, 'shop-orders-ingress-errors')).toMatchObject({ Namespace: 'Acme/Webhooks' });
    const functions = [orders, stripe].flatMap((route) => {
      const own = webhookRoute(gateway, route);
      return [own.ingressFunction, own.handlerFunction];
    });
    const resources = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
    for (const fn of functions) {
      const environment = resources[logicalId(stack, fn)]?.Properties.Environment as {
        Variables: Record<string, unknown>;
      };
      expect(environment.Variables[ENV.metricsNamespace]).toBe('Acme/Webhooks');
    }
  });

  it('applies the top-level settings to every route: a field overridden keeps the other’s default', () => {
    expect(alarmNamed(template, 'shop-orders-rejected-signatures')).toMatchObject({
      Threshold: 25,
      EvaluationPeriods: 1,
    });
    expect(alarmNamed(template, 'shop-orders-dlq-not-empty')).toMatchObject({
      Threshold: 0,
      EvaluationPeriods: 2,
    });
    expect(alarmNamed(template, 'shop-orders-oldest-message-age')).toMatchObject({
      Threshold: 900,
      EvaluationPeriods: 1,
    });
    expect(webhookRoute(gateway, orders).alarms.handlerErrorRate).toBeUndefined();
  });

  it('applies a route’s own settings over the top-level ones, turning alarms on and off', () => {
    const own = webhookRoute(gateway, stripe).alarms;
    expect(alarmNamed(template, 'shop-stripe-oldest-message-age')).toMatchObject({
      Threshold: 3600,
      EvaluationPeriods: 3,
    });
    // Off at the top, back on for this route with its own threshold and the default periods.
    expect(alarmNamed(template, 'shop-stripe-handler-error-rate')).toMatchObject({
      Threshold: 25,
      EvaluationPeriods: 2,
    });
    expect(alarmNamed(template, 'shop-stripe-rejected-signatures')).toMatchObject({
      Threshold: 25,
      EvaluationPeriods: 2,
    });
    expect(own.ingressThrottles).toBeUndefined();
    expect(own.handlerThrottles).toBeUndefined();
    expect(own.all.map((alarm) => alarm.node.id)).toEqual([
      'DlqNotEmpty',
      'OldestMessageAge',
      'HandlerErrorRate',
      'IngressErrors',
      'RejectedSignatures',
    ]);
  });

  it('applies the stack-wide settings', () => {
    expect(alarmNamed(template, 'shop-table-read-throttles')).toMatchObject({
      Threshold: 10,
      EvaluationPeriods: 3,
    });
    expect(alarmNamed(template, 'shop-table-write-throttles')).toMatchObject({
      Threshold: 10,
      EvaluationPeriods: 3,
    });
    expect(gateway.stackAlarms.apiServerErrors).toBeUndefined();
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2 + 6 + 5);
  });

  it('keeps the alarm settings out of the route JSON the functions read', () => {
    const resources = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
    const own = webhookRoute(gateway, stripe);
    for (const fn of [own.ingressFunction, own.handlerFunction]) {
      const environment = resources[logicalId(stack, fn)]?.Properties.Environment as {
        Variables: Record<string, string>;
      };
      const route = JSON.parse(environment.Variables[ENV.route] ?? '{}') as Record<string, unknown>;
      expect(route.path).toBe('/stripe/');
      expect(route).not.toHaveProperty('alarms');
    }
  });

  it('graphs the routes under the configured namespace', () => {
    const row = dashboardBody(template).widgets.filter(
      (widget) => widget.properties.title === '/stripe/ events',
    );
    expect(row[0]?.properties.metrics?.[0]?.slice(0, 4)).toEqual([
      'Acme/Webhooks',
      'Received',
      'Route',
      '/stripe/',
    ]);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'shop' });
  });
});

describe('monitoring with an existing topic', () => {
  const topicArn = 'arn:aws:sns:eu-west-1:123456789012:ops-alerts';

  it('notifies the topic by its ARN, creates neither topic nor key, and subscribes the e-mail addresses to it', () => {
    const { gateway, template } = build({
      ...makeConfig([orders]),
      alarms: { topicArn, email: ['ops@example.com'] },
    });
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    expect(gateway.alarmTopic.key).toBeUndefined();
    expect(alarmNamed(template, 'hookline-orders-dlq-not-empty')).toMatchObject({
      AlarmActions: [topicArn],
      OKActions: [topicArn],
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      TopicArn: topicArn,
      Endpoint: 'ops@example.com',
    });
    template.hasOutput('AlarmTopicArn', { Value: topicArn });
  });
});

describe('alarm settings built in code', () => {
  it('are checked like the config, every problem named', () => {
    const bad: ResolvedConfig = {
      ...makeConfig([makeRoute({ path: '/orders/', alarms: { dlqNotEmpty: { threshold: -1 } } })]),
      alarms: { handlerErrorRate: { threshold: 150 }, topicArn: 'not-an-arn' },
    };
    expect(() => build(bad)).toThrow(
      /alarms\.topicArn: must be an SNS topic ARN[\s\S]*alarms\.handlerErrorRate\.threshold: [\s\S]*route \/orders\/ alarms\.dlqNotEmpty\.threshold: /,
    );
  });
});
