import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ROUTES } from '../../infra/admin-api.js';
import { routeBodyPrefix } from '../../infra/body-bucket.js';
import { HooklineGateway } from '../../infra/hookline-gateway.js';
import type { WebhookRoute } from '../../infra/webhook-route.js';
import {
  ADMIN_ROUTE_CONFIGS_VARIABLE,
  type AdminQueuePrefixes,
} from '../../shared/config/deployed-routes.js';
import type { ResolvedRoute } from '../../shared/config/types.js';
import { ENV } from '../../shared/env-names.js';
import { ADMIN_PATH_PREFIX } from '../../shared/http/paths.js';
import { EVENT_TABLE } from '../../shared/resources.js';
import { makeConfig, makeRoute } from '../helpers/routes.js';

const PROJECT_ROOT = new URL('../..', import.meta.url).pathname;

const orderStatus = makeRoute({ path: '/order/status/', methods: ['POST', 'PUT'] });
const open = makeRoute({ path: '/open/', verify: { scheme: 'none' } });
const routes = [orderStatus, open];

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
type RouteProperties = { RouteKey: string; AuthorizationType?: string; Target?: unknown };

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

/** Every HTTP API route in the template as `{ routeKey, authorizationType }`. */
function httpRoutes(template: Template): { routeKey: string; authorizationType: string }[] {
  return Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((resource) => {
    const properties = resource.Properties as RouteProperties;
    return { routeKey: properties.RouteKey, authorizationType: properties.AuthorizationType ?? 'NONE' };
  });
}

const isAdminRouteKey = (routeKey: string): boolean => {
  const path = routeKey.split(' ')[1] ?? '';
  return path === ADMIN_PATH_PREFIX || path.startsWith(`${ADMIN_PATH_PREFIX}/`);
};

/** Route keys under `/_hookline` that do not require IAM authorization: must always be empty. */
function unprotectedAdminRoutes(template: Template): string[] {
  return httpRoutes(template)
    .filter(({ routeKey, authorizationType }) => isAdminRouteKey(routeKey) && authorizationType !== 'AWS_IAM')
    .map(({ routeKey }) => routeKey);
}

/** Evaluates `Ref` pseudo parameters and `Fn::Join` the way CloudFormation would in one account. */
function evaluate(value: unknown, pseudo: Record<string, string>): string {
  if (typeof value === 'string') return value;
  const node = value as { Ref?: string; 'Fn::Join'?: [string, unknown[]] };
  if (node.Ref !== undefined) {
    const resolved = pseudo[node.Ref];
    if (resolved === undefined) throw new Error(`cannot evaluate Ref ${node.Ref}`);
    return resolved;
  }
  if (node['Fn::Join']) {
    const [separator, parts] = node['Fn::Join'];
    return parts.map((part) => evaluate(part, pseudo)).join(separator);
  }
  throw new Error(`cannot evaluate ${JSON.stringify(value)}`);
}

describe('admin API', () => {
  let stack: Stack;
  let gateway: HooklineGateway;
  let template: Template;
  let resources: Resources;
  const route = (r: ResolvedRoute): WebhookRoute => {
    const found = gateway.routes.get(r.path);
    if (!found) throw new Error(`no WebhookRoute for ${r.path}`);
    return found;
  };
  const adminFunction = () => resources[logicalId(stack, gateway.adminApi.function)]?.Properties ?? {};
  const adminStatements = (): Statement[] => {
    const policy = resources[logicalId(stack, gateway.adminApi.role.node.findChild('DefaultPolicy'))];
    if (!policy) throw new Error('no admin policy');
    return (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
  };
  const resourcesFor = (action: string) =>
    adminStatements()
      .filter((s) => [s.Action].flat().includes(action))
      .flatMap((s) => [s.Resource].flat());

  beforeAll(() => {
    const app = new App();
    stack = new Stack(app, 'hookline');
    gateway = new HooklineGateway(stack, 'Gateway', {
      config: makeConfig(routes),
      projectRoot: PROJECT_ROOT,
    });
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources as Resources;
  });

  describe('routes', () => {
    it('registers exactly the admin endpoints of the contract', () => {
      const adminKeys = httpRoutes(template)
        .map(({ routeKey }) => routeKey)
        .filter(isAdminRouteKey)
        .sort();
      expect(adminKeys).toEqual(
        [
          'GET /_hookline/events',
          'GET /_hookline/events/{id}',
          'POST /_hookline/replay',
          'GET /_hookline/routes',
          'POST /_hookline/routes/{route}/pause',
          'POST /_hookline/routes/{route}/resume',
          'GET /_hookline/dlq/{route}',
          'GET /_hookline/dlq/{route}/redrive',
          'POST /_hookline/dlq/{route}/redrive',
          'GET /_hookline/stats',
        ].sort(),
      );
      expect(gateway.adminApi.routeKeys).toHaveLength(ADMIN_ROUTES.length);
    });

    it('requires IAM authorization on every route under /_hookline', () => {
      const admin = httpRoutes(template).filter(({ routeKey }) => isAdminRouteKey(routeKey));
      expect(admin).toHaveLength(ADMIN_ROUTES.length);
      for (const { authorizationType } of admin) expect(authorizationType).toBe('AWS_IAM');
      expect(unprotectedAdminRoutes(template)).toEqual([]);
    });

    it('leaves only webhook routes without IAM authorization, none of them under /_hookline', () => {
      const webhookKeys = [...gateway.routes.values()].flatMap((r) => r.routeKeys).sort();
      const withoutIam = httpRoutes(template)
        .filter(({ authorizationType }) => authorizationType !== 'AWS_IAM')
        .map(({ routeKey }) => routeKey)
        .sort();
      expect(withoutIam).toEqual(webhookKeys);
      expect(withoutIam.filter(isAdminRouteKey)).toEqual([]);
    });

    it('would report an anonymous route under /_hookline (the check is not vacuous)', () => {
      const probe = new Stack(new App(), 'probe');
      const api = new apigwv2.HttpApi(probe, 'Api');
      new apigwv2.HttpRoute(probe, 'Anonymous', {
        httpApi: api,
        routeKey: apigwv2.HttpRouteKey.with('/_hookline/events', apigwv2.HttpMethod.GET),
        integration: new HttpUrlIntegration('Url', 'https://example.com'),
      });
      expect(unprotectedAdminRoutes(Template.fromStack(probe))).toEqual(['GET /_hookline/events']);
    });

    it('sends every admin route to the admin function', () => {
      const integrations = template.findResources('AWS::ApiGatewayV2::Integration', {
        Properties: {
          IntegrationUri: arnOf(logicalId(stack, gateway.adminApi.function)),
          PayloadFormatVersion: '2.0',
        },
      });
      const [integrationId] = Object.keys(integrations);
      expect(Object.keys(integrations)).toHaveLength(1);
      for (const httpRoute of gateway.adminApi.httpRoutes) {
        expect(resources[logicalId(stack, httpRoute)]?.Properties.Target).toEqual({
          'Fn::Join': ['', ['integrations/', { Ref: integrationId }]],
        });
      }
    });

    it('rejects a webhook route under /_hookline', () => {
      const build = () =>
        new HooklineGateway(new Stack(new App(), 'reserved'), 'Gateway', {
          config: makeConfig([makeRoute({ path: '/_Hookline/events/', queueName: 'reserved' })]),
          projectRoot: PROJECT_ROOT,
        });
      expect(build).toThrow(/route \/_Hookline\/events\/: paths under \/_hookline are reserved/);
    });
  });

  describe('function', () => {
    it('runs on arm64 nodejs24.x with explicit memory and timeout and its own log group kept a month', () => {
      expect(adminFunction()).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 512,
        Timeout: 30,
        LoggingConfig: { LogGroup: { Ref: logicalId(stack, gateway.adminApi.logGroup) } },
      });
      expect(resources[logicalId(stack, gateway.adminApi.logGroup)]?.Properties).toEqual({
        RetentionInDays: 30,
      });
    });

    it('gets the table, the body bucket, the queue prefixes and the metrics namespace in its environment', () => {
      const variables = (adminFunction().Environment as { Variables: Record<string, unknown> }).Variables;
      expect(Object.keys(variables).sort()).toEqual(
        [
          'NODE_OPTIONS',
          ENV.tableName,
          ENV.adminRoutes,
          ENV.bodyBucket,
          ENV.envelopeKeyArn,
          ENV.metricsNamespace,
          ENV.circuit,
        ].sort(),
      );
      expect(variables[ENV.metricsNamespace]).toBe(gateway.metricsNamespace);
      expect(JSON.parse(String(variables[ENV.circuit]))).toEqual({ group: 'hookline-circuits' });
      expect(variables[ENV.tableName]).toEqual({ Ref: logicalId(stack, gateway.table) });
      expect(variables[ENV.bodyBucket]).toEqual({ Ref: logicalId(stack, gateway.bodyBucket.bucket) });
    });

    it('derives each queue URL and ARN CloudFormation gives the route queues', () => {
      const variables = (adminFunction().Environment as { Variables: Record<string, unknown> }).Variables;
      const pseudo = {
        'AWS::Region': 'eu-west-1',
        'AWS::AccountId': '123456789012',
        'AWS::Partition': 'aws',
        'AWS::URLSuffix': 'amazonaws.com',
      };
      const prefixes = JSON.parse(evaluate(variables[ENV.adminRoutes], pseudo)) as AdminQueuePrefixes;
      expect(prefixes).toEqual({
        queueUrlPrefix: 'https://sqs.eu-west-1.amazonaws.com/123456789012/',
        queueArnPrefix: 'arn:aws:sqs:eu-west-1:123456789012:',
      });
      const settings = route(orderStatus).settings;
      expect(`${prefixes.queueArnPrefix}${settings.queueName}`).toBe(
        'arn:aws:sqs:eu-west-1:123456789012:hookline-order_status',
      );
      expect(resources[logicalId(stack, route(orderStatus).queue)]?.Properties.QueueName).toBe(
        settings.queueName,
      );
      expect(resources[logicalId(stack, route(orderStatus).deadLetterQueue)]?.Properties.QueueName).toBe(
        settings.dlqName,
      );
    });

    it('carries the routes’ configs and queue names in its bundle, not its environment', () => {
      const asset = gateway.adminApi.function.node.findChild('Code') as Asset;
      const bundle = readFileSync(join(Stage.of(stack)?.outdir ?? '', asset.assetPath, 'index.mjs'), 'utf8');
      // `includes` rather than `toContain`: a failure would print the whole bundle.
      expect(bundle.includes(`process.env.${ADMIN_ROUTE_CONFIGS_VARIABLE}`)).toBe(false);
      for (const r of routes) {
        expect(bundle.includes(`"dlqName":"${route(r).settings.dlqName}"`)).toBe(true);
        expect(bundle.includes(`"path":"${r.path}"`)).toBe(true);
      }
      const entry = readFileSync(join(PROJECT_ROOT, 'functions/admin.ts'), 'utf8');
      expect(entry).toContain(`process.env.${ADMIN_ROUTE_CONFIGS_VARIABLE}`);
      expect(JSON.stringify(adminFunction().Environment)).not.toContain(orderStatus.path);
    });
  });

  describe('least privilege', () => {
    it('gives the admin role no managed policy and lets only Lambda assume it', () => {
      const role = resources[logicalId(stack, gateway.adminApi.role)];
      expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role?.Properties.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } },
        ],
      });
    });

    it('names every action, and a "*" resource only for the two read-only actions that support no other', () => {
      const actions = adminStatements().flatMap((s) => [s.Action].flat());
      expect(actions.filter((a) => a.includes('*'))).toEqual([]);
      const onEverything = adminStatements().filter((s) => [s.Resource].flat().includes('*'));
      expect(onEverything).toEqual([
        { Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' },
        { Effect: 'Allow', Action: 'lambda:ListEventSourceMappings', Resource: '*' },
      ]);
    });

    it("switches each route's own event source mapping and nothing else of Lambda", () => {
      const mappings = [...gateway.routes.values()].map((route) => ({
        'Fn::Join': expect.arrayContaining([
          expect.arrayContaining([{ Ref: logicalId(stack, route.eventSource) }]),
        ]),
      }));
      expect(resourcesFor('lambda:UpdateEventSourceMapping')).toEqual(mappings);
      const lambdaActions = adminStatements()
        .flatMap((s) => [s.Action].flat())
        .filter((a) => a.startsWith('lambda:'));
      expect(lambdaActions.sort()).toEqual([
        'lambda:ListEventSourceMappings',
        'lambda:UpdateEventSourceMapping',
      ]);
      // No route here has a circuit breaker: no probe schedule to cancel.
      expect(resourcesFor('scheduler:DeleteSchedule')).toEqual([]);
    });

    it('reads CloudWatch metric data (the queues’ oldest message ages) and nothing else of CloudWatch', () => {
      // GetMetricData supports no resource-level permissions: "*" is its only form.
      expect(resourcesFor('cloudwatch:GetMetricData')).toEqual(['*']);
      const cloudwatchActions = adminStatements()
        .flatMap((s) => [s.Action].flat())
        .filter((a) => a.startsWith('cloudwatch:'));
      expect(cloudwatchActions).toEqual(['cloudwatch:GetMetricData']);
    });

    it('reads and writes items in the table and queries its index by name', () => {
      const tableArn = arnOf(logicalId(stack, gateway.table));
      expect(adminStatements()).toEqual(
        expect.arrayContaining([
          {
            Effect: 'Allow',
            Action: [
              'dynamodb:GetItem',
              'dynamodb:BatchGetItem',
              'dynamodb:Query',
              'dynamodb:PutItem',
              'dynamodb:UpdateItem',
              'dynamodb:ConditionCheckItem',
              'dynamodb:DeleteItem',
              'dynamodb:DescribeTable',
            ],
            Resource: tableArn,
          },
          {
            Effect: 'Allow',
            Action: 'dynamodb:Query',
            // Its one index (table layout v2): a single resource.
            Resource: { 'Fn::Join': ['', [tableArn, `/index/${EVENT_TABLE.indexes.byRouteStatus.name}`]] },
          },
        ]),
      );
      const dynamoActions = adminStatements()
        .flatMap((s) => [s.Action].flat())
        .filter((a) => a.startsWith('dynamodb:'));
      expect(dynamoActions).not.toContain('dynamodb:Scan');
      expect(JSON.stringify(adminStatements())).not.toContain('/index/*');
    });

    it('sends replays to the route queues only, never to a DLQ', () => {
      const queues = routes.map((r) => arnOf(logicalId(stack, route(r).queue)));
      expect(resourcesFor('sqs:SendMessage')).toEqual(queues);
      expect(resourcesFor('sqs:GetQueueAttributes')).toEqual(
        routes.flatMap((r) => [
          arnOf(logicalId(stack, route(r).queue)),
          arnOf(logicalId(stack, route(r).deadLetterQueue)),
        ]),
      );
    });

    it.each([
      'sqs:ReceiveMessage',
      'sqs:ChangeMessageVisibility',
      'sqs:StartMessageMoveTask',
      'sqs:ListMessageMoveTasks',
      'sqs:DeleteMessage',
    ])('allows %s on the DLQs only (listing and redrive with the DLQ as source)', (action) => {
      expect(resourcesFor(action)).toEqual(
        routes.map((r) => arnOf(logicalId(stack, route(r).deadLetterQueue))),
      );
    });

    it('reads every stored body, and writes only copies of them under the route prefixes', () => {
      const bucketId = logicalId(stack, gateway.bodyBucket.bucket);
      const bucketArn = arnOf(bucketId);
      expect(resourcesFor('s3:GetObject')).toEqual([{ 'Fn::Join': ['', [bucketArn, '/*']] }]);
      // ListBucket turns a missing (expired) body into 404 instead of 403.
      expect(resourcesFor('s3:ListBucket')).toEqual([bucketArn]);
      // A replay's own copy of its body: each route prefix named, not the whole bucket, and only as a
      // copy from the body bucket (a PutObject without x-amz-copy-source does not match).
      const puts = adminStatements().filter((s) => [s.Action].flat().includes('s3:PutObject'));
      expect(puts).toEqual([
        {
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: routes.map((r) => ({
            'Fn::Join': ['', [bucketArn, `/${routeBodyPrefix(r)}*`]],
          })),
          Condition: {
            StringLike: { 's3:x-amz-copy-source': { 'Fn::Join': ['', [{ Ref: bucketId }, '/*']] } },
          },
        },
      ]);
      const s3Actions = adminStatements()
        .flatMap((s) => [s.Action].flat())
        .filter((a) => a.startsWith('s3:'));
      expect(s3Actions.sort()).toEqual(['s3:GetObject', 's3:ListBucket', 's3:PutObject']);
      expect(s3Actions).not.toContain('s3:DeleteObject');
    });

    it('gives webhook roles nothing on the admin function’s DLQ actions', () => {
      for (const r of routes) {
        for (const role of [route(r).ingressFunction.role, route(r).handlerFunction.role] as iam.Role[]) {
          const policy = resources[logicalId(stack, role.node.findChild('DefaultPolicy'))];
          expect(JSON.stringify(policy?.Properties.PolicyDocument)).not.toMatch(/MessageMoveTask/);
        }
      }
    });
  });
});
