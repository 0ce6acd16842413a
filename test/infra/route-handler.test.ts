import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, type CfnElement, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { beforeAll, describe, expect, it } from 'vitest';
import { HooklineGateway, type HooklineGatewayProps } from '../../infra/hookline-gateway.js';
import type { WebhookRoute } from '../../infra/webhook-route.js';
import type { ResolvedRoute } from '../../shared/config/types.js';
import { ENV } from '../../shared/env-names.js';
import { routeTag } from '../../shared/resources.js';
import { unbundledApp } from '../helpers/cdk-app.js';
import { makeConfig, makeRoute } from '../helpers/routes.js';

const PROJECT_ROOT = new URL('../..', import.meta.url).pathname;
/** Handler paths below are relative to this file's folder (it need not exist). */
const CONFIG_FILE = join(PROJECT_ROOT, 'test/infra/fixtures/hookline.config.ts');

const alpha = makeRoute({
  path: '/alpha/',
  handler: 'handlers/alpha.ts',
  retry: { maxAttempts: 3, initialDelaySeconds: 5, multiplier: 2, maxDelaySeconds: 60 },
  batchSize: 5,
  maxBatchingWindowSeconds: 0,
  maxConcurrency: 2,
  timeoutSeconds: 20,
  memoryMb: 1024,
});
const beta = makeRoute({
  path: '/beta/',
  handler: 'handlers/beta.ts',
  verify: { scheme: 'none' },
  batchSize: 100,
  maxBatchingWindowSeconds: 5,
  maxConcurrency: 40,
  timeoutSeconds: 60,
  memoryMb: 256,
});
const routes = [alpha, beta];

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** Bundles only when asked: a single test reads the bundles, of the stack built once for the file. */
function buildStack(props: Partial<HooklineGatewayProps> = {}, app: App = unbundledApp()) {
  const stack = new Stack(app, 'hookline');
  const gateway = new HooklineGateway(stack, 'Gateway', {
    config: makeConfig(routes),
    projectRoot: PROJECT_ROOT,
    configFile: CONFIG_FILE,
    ...props,
  });
  return { stack, gateway };
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

describe('route handler functions', () => {
  let stack: Stack;
  let gateway: HooklineGateway;
  let template: Template;
  let resources: Resources;
  const route = (r: ResolvedRoute): WebhookRoute => {
    const found = gateway.routes.get(r.path);
    if (!found) throw new Error(`no WebhookRoute for ${r.path}`);
    return found;
  };
  const ids = (r: ResolvedRoute) => {
    const own = route(r);
    return {
      fn: logicalId(stack, own.handlerFunction),
      logGroup: logicalId(stack, own.handlerLogGroup),
      queue: logicalId(stack, own.queue),
      dlq: logicalId(stack, own.deadLetterQueue),
      table: logicalId(stack, gateway.table),
      bodyBucket: logicalId(stack, gateway.bodyBucket.bucket),
    };
  };
  const statementsOf = (r: ResolvedRoute): Statement[] => {
    const role = route(r).handlerFunction.role as iam.Role;
    const policy = resources[logicalId(stack, role.node.findChild('DefaultPolicy'))];
    if (!policy) throw new Error(`no handler policy for ${r.path}`);
    return (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
  };
  const mappingOf = (r: ResolvedRoute) => {
    const found = Object.values(template.findResources('AWS::Lambda::EventSourceMapping')).filter(
      (mapping) => JSON.stringify(mapping.Properties.FunctionName) === JSON.stringify({ Ref: ids(r).fn }),
    );
    expect(found).toHaveLength(1);
    return found[0]?.Properties as Record<string, unknown>;
  };

  // Bundles every function for real: on a loaded machine that takes longer than the default hook timeout.
  beforeAll(() => {
    ({ stack, gateway } = buildStack({}, new App()));
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources as Resources;
  }, 180_000);

  it('adds one handler function and one event source mapping per route', () => {
    // An ingress and a handler per route, plus the admin function.
    template.resourceCountIs('AWS::Lambda::Function', routes.length * 2 + 1);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', routes.length);
  });

  describe.each(routes.map((r) => [r.path, r] as const))('route %s', (_path, r) => {
    it('runs on arm64 nodejs24.x with the route’s memory and timeout and its own log group', () => {
      expect(resources[ids(r).fn]?.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: r.memoryMb,
        Timeout: r.timeoutSeconds,
        Role: arnOf(logicalId(stack, route(r).handlerFunction.role as iam.Role)),
        LoggingConfig: { LogGroup: { Ref: ids(r).logGroup } },
      });
    });

    it('gets the route, the table, its queue, its DLQ, the body bucket, the envelope key and the metrics namespace in its environment, and nothing else', () => {
      expect(resources[ids(r).fn]?.Properties.Environment).toEqual({
        Variables: {
          NODE_OPTIONS: '--enable-source-maps',
          [ENV.envelopeKeyArn]: { Ref: logicalId(stack, gateway.envelopeKey) },
          [ENV.route]: JSON.stringify(r),
          [ENV.tableName]: { Ref: ids(r).table },
          [ENV.queueUrl]: { Ref: ids(r).queue },
          [ENV.dlqUrl]: { Ref: ids(r).dlq },
          [ENV.bodyBucket]: { Ref: ids(r).bodyBucket },
          [ENV.metricsNamespace]: 'hookline',
        },
      });
    });

    it('bundles the route’s handler file, resolved from the config file’s folder, as minified ESM with a source map', () => {
      const asset = route(r).handlerFunction.node.findChild('Code') as Asset;
      const dir = join(Stage.of(stack)?.outdir ?? '', asset.assetPath);
      const bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');
      const marker = `fixture-handler-${r.path.replaceAll('/', '')}`;
      expect(bundle).toContain(marker);
      expect(bundle).not.toContain(r === alpha ? 'fixture-handler-beta' : 'fixture-handler-alpha');
      expect(bundle).toContain('createRequire');
      expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
    });

    it('keeps its logs for a month', () => {
      expect(resources[ids(r).logGroup]?.Properties).toEqual({ RetentionInDays: 30 });
    });

    it('consumes its own queue with partial batch responses, the route’s batch size, window and concurrency', () => {
      expect(mappingOf(r)).toEqual({
        FunctionName: { Ref: ids(r).fn },
        EventSourceArn: arnOf(ids(r).queue),
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: r.batchSize,
        ScalingConfig: { MaximumConcurrency: r.maxConcurrency },
        ...(r.maxBatchingWindowSeconds > 0
          ? { MaximumBatchingWindowInSeconds: r.maxBatchingWindowSeconds }
          : {}),
      });
    });

    it('has a queue whose visibility timeout is 6 × the function’s timeout', () => {
      const timeout = resources[ids(r).fn]?.Properties.Timeout as number;
      expect(resources[ids(r).queue]?.Properties.VisibilityTimeout).toBe(6 * timeout);
    });
  });

  it('omits the batching window when the route has none', () => {
    expect(mappingOf(alpha)).not.toHaveProperty('MaximumBatchingWindowInSeconds');
  });

  describe('least privilege', () => {
    it("lets the handler write its logs, read the envelope key, consume its queue, send to its DLQ, get, update, put and condition-check events' items and read its bodies", () => {
      const own = ids(alpha);
      expect(statementsOf(alpha)).toEqual([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: arnOf(own.logGroup),
        },
        {
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: { Ref: logicalId(stack, gateway.envelopeKey) },
        },
        {
          Effect: 'Allow',
          Action: [
            'sqs:ReceiveMessage',
            'sqs:DeleteMessage',
            'sqs:GetQueueAttributes',
            'sqs:ChangeMessageVisibility',
          ],
          Resource: arnOf(own.queue),
        },
        {
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: arnOf(own.dlq),
        },
        // Table layout v2: its route's state items, its route's request items, the layout item.
        {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'],
          Resource: arnOf(own.table),
          Condition: {
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`ROUTE#${routeTag(alpha.path)}#*`] },
          },
        },
        {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:ConditionCheckItem'],
          Resource: arnOf(own.table),
          Condition: {
            'ForAllValues:StringLike': {
              'dynamodb:LeadingKeys': [`DEDUPE#${alpha.path}#*`, `REQUEST#evt_*${routeTag(alpha.path)}`],
            },
          },
        },
        {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
          Resource: arnOf(own.table),
          Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['HOOKLINE#LAYOUT'] } },
        },
        { Effect: 'Allow', Action: 'dynamodb:DescribeTable', Resource: arnOf(own.table) },
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: { 'Fn::Join': ['', [arnOf(own.bodyBucket), '/alpha/*']] },
        },
      ]);
    });

    it.each([
      [alpha.path, beta.path, alpha, beta],
      [beta.path, alpha.path, beta, alpha],
    ])('gives the %s handler nothing on the %s queue, DLQ or log group', (_path, _otherPath, r, other) => {
      const document = JSON.stringify(statementsOf(r));
      expect(document).not.toContain(ids(other).queue);
      expect(document).not.toContain(ids(other).dlq);
      expect(document).not.toContain(ids(other).logGroup);
    });

    it.each(routes.map((r) => [r.path, r] as const))(
      'lets %s send messages only to its own DLQ and change visibility only on its own queue',
      (_path, r) => {
        const resourcesFor = (action: string) =>
          statementsOf(r)
            .filter((s) => [s.Action].flat().includes(action))
            .map((s) => s.Resource);
        expect(resourcesFor('sqs:SendMessage')).toEqual([arnOf(ids(r).dlq)]);
        expect(resourcesFor('sqs:ChangeMessageVisibility')).toEqual([arnOf(ids(r).queue)]);
        expect(resourcesFor('sqs:DeleteMessage')).toEqual([arnOf(ids(r).queue)]);
      },
    );

    it.each(routes.map((r) => [r.path, r] as const))(
      'limits %s to getting, updating, putting and condition-checking items on the table itself (no delete, query or index)',
      (_path, r) => {
        const actions = statementsOf(r).flatMap((s) => [s.Action].flat());
        expect(new Set(actions.filter((a) => a.startsWith('dynamodb:')))).toEqual(
          new Set([
            'dynamodb:GetItem',
            'dynamodb:UpdateItem',
            'dynamodb:PutItem',
            'dynamodb:ConditionCheckItem',
            'dynamodb:DescribeTable',
          ]),
        );
        expect(actions.filter((a) => a.includes('*'))).toEqual([]);
        expect(JSON.stringify(statementsOf(r))).not.toContain('/index/');
      },
    );

    it('gives handler roles no managed policy and lets only Lambda assume them', () => {
      for (const r of routes) {
        const role = resources[logicalId(stack, route(r).handlerFunction.role as iam.Role)];
        expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
        expect(role?.Properties.AssumeRolePolicyDocument).toEqual({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } },
          ],
        });
      }
    });

    it('gives the handler no access to the verification secret, only to the envelope key', () => {
      const secret = route(alpha).secret;
      if (secret === undefined) throw new Error('alpha has no verification secret');
      const secrets = statementsOf(alpha).filter((s) => JSON.stringify(s.Action).includes('secretsmanager'));
      expect(secrets.map((s) => s.Resource)).toEqual([{ Ref: logicalId(stack, gateway.envelopeKey) }]);
      expect(JSON.stringify(statementsOf(alpha))).not.toContain(logicalId(stack, secret));
    });
  });

  it('uses the gateway’s log retention for handler log groups', () => {
    const { stack: weekStack, gateway: weekGateway } = buildStack({
      config: makeConfig([alpha]),
      logRetention: logs.RetentionDays.ONE_WEEK,
    });
    const handler = weekGateway.routes.get(alpha.path)?.handlerLogGroup;
    if (!handler) throw new Error('no handler log group');
    expect(
      Template.fromStack(weekStack).toJSON().Resources[logicalId(weekStack, handler)].Properties,
    ).toEqual({
      RetentionInDays: 7,
    });
  });

  describe('synth-time checks', () => {
    it('reports every invalid handler setting in one error', () => {
      const build = () =>
        buildStack({
          config: makeConfig([
            makeRoute({
              handler: 'handlers/alpha.ts',
              memoryMb: 64,
              batchSize: 11,
              maxBatchingWindowSeconds: 0,
              maxConcurrency: 1,
            }),
          ]),
        });
      expect(build).toThrow(/memoryMb 64 must be an integer from 128 to 10240/);
      expect(build).toThrow(
        /batchSize 11 must be an integer from 1 to 10 \(above 10 needs maxBatchingWindowSeconds/,
      );
      expect(build).toThrow(/maxConcurrency 1 must be an integer from 2 to 1000/);
    });

    it('rejects a batching window above 300 s and a batch above 10 000', () => {
      const build = () =>
        buildStack({
          config: makeConfig([
            makeRoute({ handler: 'handlers/alpha.ts', batchSize: 20_000, maxBatchingWindowSeconds: 301 }),
          ]),
        });
      expect(build).toThrow(/maxBatchingWindowSeconds 301 must be an integer from 0 to 300/);
      expect(build).toThrow(/batchSize 20000 must be an integer from 1 to 10000/);
    });

    it('names the missing handler file', () => {
      expect(() =>
        buildStack({ config: makeConfig([makeRoute({ handler: 'handlers/missing.ts' })]) }),
      ).toThrow(/handlers\/missing\.ts/);
    });
  });
});
