import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ROUTES } from '../../infra/admin-api.js';
import { HooklineGateway, type HooklineGatewayProps } from '../../infra/hookline-gateway.js';
import { checkWebhookRoute, type WebhookRoute } from '../../infra/webhook-route.js';
import { SPARE_RECEIVES } from '../../shared/config/route-limits.js';
import type { ResolvedRoute } from '../../shared/config/types.js';
import { ENV } from '../../shared/env-names.js';
import { EVENT_TABLE, queueSettings, routeTag } from '../../shared/resources.js';
import { unbundledApp } from '../helpers/cdk-app.js';
import { makeConfig, makeRoute } from '../helpers/routes.js';

const PREFIX = 'hookline';
const PROJECT_ROOT = new URL('../..', import.meta.url).pathname;

const orderStatus = makeRoute({
  path: '/order/status/',
  methods: ['POST', 'PUT'],
  verify: { scheme: 'standardWebhooks', secret: { name: 'ORDER_STATUS_WEBHOOK_SECRET' } },
  timeoutSeconds: 20,
  throttle: { rateLimit: 50, burstLimit: 100 },
});
const stripe = makeRoute({
  path: '/stripe/',
  verify: { scheme: 'stripe', secret: { name: 'STRIPE_WEBHOOK_SECRET', existing: true } },
  retry: { maxAttempts: 8, initialDelaySeconds: 30, multiplier: 2, maxDelaySeconds: 3600 },
  timeoutSeconds: 60,
});
const partner = makeRoute({
  path: '/partner/events',
  verify: { scheme: 'jwt', jwksUrl: 'https://partner.example.com/.well-known/jwks.json' },
});
const open = makeRoute({ path: '/open/', verify: { scheme: 'none' }, allowedSourceIps: ['203.0.113.0/24'] });
const disabled = makeRoute({ path: '/disabled/', enabled: false });
const enabledRoutes = [orderStatus, stripe, partner, open];

function buildStack(props: Partial<HooklineGatewayProps> & Pick<HooklineGatewayProps, 'config'>) {
  const stack = new Stack(unbundledApp(), 'hookline');
  const gateway = new HooklineGateway(stack, 'Gateway', { projectRoot: PROJECT_ROOT, ...props });
  return { stack, gateway };
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

/** Every logical id referenced by `Ref` or `Fn::GetAtt` anywhere in `value`. */
function referencedIds(value: unknown): Set<string> {
  const ids = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        if (key === 'Ref' && typeof child === 'string') ids.add(child);
        else if (key === 'Fn::GetAtt' && Array.isArray(child) && typeof child[0] === 'string')
          ids.add(child[0]);
        else visit(child);
      }
    }
  };
  visit(value);
  return ids;
}

describe('HooklineGateway', () => {
  let stack: Stack;
  let gateway: HooklineGateway;
  let template: Template;
  const route = (r: ResolvedRoute): WebhookRoute => {
    const found = gateway.routes.get(r.path);
    if (!found) throw new Error(`no WebhookRoute for ${r.path}`);
    return found;
  };

  beforeAll(() => {
    ({ stack, gateway } = buildStack({ config: makeConfig([...enabledRoutes, disabled], PREFIX) }));
    template = Template.fromStack(stack);
  });

  describe('event table', () => {
    it('is on-demand, point-in-time recoverable, encrypted and expires items by TTL', () => {
      template.resourceCountIs('AWS::DynamoDB::Table', 1);
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: EVENT_TABLE.ttlAttribute, Enabled: true },
        SSESpecification: { SSEEnabled: true },
        KeySchema: [
          { AttributeName: EVENT_TABLE.partitionKey, KeyType: 'HASH' },
          { AttributeName: EVENT_TABLE.sortKey, KeyType: 'RANGE' },
        ],
      });
    });

    it('has the one global secondary index of EVENT_TABLE, and no byRoute index (table layout v2)', () => {
      const { byRouteStatus } = EVENT_TABLE.indexes;
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        GlobalSecondaryIndexes: Match.exact(
          [byRouteStatus].map((index) =>
            Match.objectLike({
              IndexName: index.name,
              KeySchema: [
                { AttributeName: index.partitionKey, KeyType: 'HASH' },
                { AttributeName: index.sortKey, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'KEYS_ONLY' },
            }),
          ),
        ),
      });
    });

    it('carries the layout version in its logical id, so a stack of another layout gets a table of its own', () => {
      expect(Object.keys(template.findResources('AWS::DynamoDB::Table'))).toEqual([
        expect.stringMatching(new RegExp(`EventTableV${EVENT_TABLE.layoutVersion}[0-9A-F]{8}$`)),
      ]);
    });

    it('is retained when removed from the stack', () => {
      template.hasResource('AWS::DynamoDB::Table', {
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });
  });

  describe('per route resources', () => {
    it('deploys enabled routes only', () => {
      expect([...gateway.routes.keys()]).toEqual(enabledRoutes.map((r) => r.path));
      template.resourceCountIs('AWS::SQS::Queue', enabledRoutes.length * 2);
      // An ingress and a handler per route (handler details: handler.test.ts), plus the admin function.
      template.resourceCountIs('AWS::Lambda::Function', enabledRoutes.length * 2 + 1);
      expect(JSON.stringify(template.toJSON())).not.toContain('/disabled');
    });

    describe.each(enabledRoutes.map((r) => [r.path, r] as const))('route %s', (_path, r) => {
      const settings = queueSettings(r, PREFIX);

      it('has a queue named by queueSettings redriving to its DLQ after retry.maxAttempts receives', () => {
        const dlqId = logicalId(stack, route(r).deadLetterQueue);
        template.hasResourceProperties('AWS::SQS::Queue', {
          QueueName: settings.queueName,
          VisibilityTimeout: 6 * r.timeoutSeconds,
          MessageRetentionPeriod: settings.retentionSeconds,
          SqsManagedSseEnabled: true,
          RedrivePolicy: {
            deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
            maxReceiveCount: r.retry.maxAttempts + SPARE_RECEIVES,
          },
        });
      });

      it('has a DLQ kept 14 days whose redrive allow policy names only the source queue', () => {
        template.hasResourceProperties('AWS::SQS::Queue', {
          QueueName: settings.dlqName,
          MessageRetentionPeriod: 1_209_600,
          SqsManagedSseEnabled: true,
          RedriveAllowPolicy: {
            redrivePermission: 'byQueue',
            sourceQueueArns: [
              {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':sqs:',
                    { Ref: 'AWS::Region' },
                    ':',
                    { Ref: 'AWS::AccountId' },
                    `:${settings.queueName}`,
                  ],
                ],
              },
            ],
          },
        });
      });

      it('denies non-TLS access to both queues', () => {
        for (const queue of [route(r).queue, route(r).deadLetterQueue]) {
          template.hasResourceProperties('AWS::SQS::QueuePolicy', {
            Queues: [{ Ref: logicalId(stack, queue) }],
            PolicyDocument: {
              Statement: Match.arrayWith([
                Match.objectLike({
                  Effect: 'Deny',
                  Action: 'sqs:*',
                  Principal: { AWS: '*' },
                  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
                }),
              ]),
            },
          });
        }
      });

      it('has an arm64 nodejs24.x ingress function with explicit sizing and its environment, source maps off at run time', () => {
        const webhookRoute = route(r);
        template.hasResourceProperties('AWS::Lambda::Function', {
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          MemorySize: 256,
          Timeout: 10,
          Handler: 'index.handler',
          LoggingConfig: { LogGroup: { Ref: logicalId(stack, webhookRoute.ingressLogGroup) } },
          Environment: {
            Variables: {
              NODE_OPTIONS: Match.absent(),
              [ENV.route]: JSON.stringify(r),
              [ENV.tableName]: { Ref: logicalId(stack, gateway.table) },
              [ENV.queueUrl]: { Ref: logicalId(stack, webhookRoute.queue) },
              [ENV.secretArn]: webhookRoute.secret ? Match.anyValue() : Match.absent(),
              [ENV.metricsNamespace]: PREFIX,
            },
          },
        });
      });

      it('keeps the ingress logs for a month', () => {
        expect(template.toJSON().Resources[logicalId(stack, route(r).ingressLogGroup)].Properties).toEqual({
          RetentionInDays: 30,
        });
      });

      it('registers POST and every route method on the path without its trailing slash', () => {
        const path = r.path.replace(/\/$/, '');
        for (const method of new Set(['POST', ...r.methods])) {
          template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
            RouteKey: `${method} ${path}`,
            AuthorizationType: 'NONE',
            Target: Match.anyValue(),
          });
        }
      });

      it('throttles its routes with the route throttle on the stage', () => {
        const path = r.path.replace(/\/$/, '');
        const settingsByKey = Object.fromEntries(
          [...new Set(['POST', ...r.methods])].map((method) => [
            `${method} ${path}`,
            { ThrottlingRateLimit: r.throttle.rateLimit, ThrottlingBurstLimit: r.throttle.burstLimit },
          ]),
        );
        template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
          RouteSettings: Match.objectLike(settingsByKey),
        });
      });

      it('outputs the full webhook URL', () => {
        const outputs = template.findOutputs('*', {
          Value: {
            'Fn::Join': [
              '',
              [
                { 'Fn::GetAtt': [logicalId(stack, gateway.httpApi), 'ApiEndpoint'] },
                r.path.replace(/\/$/, ''),
              ],
            ],
          },
        });
        expect(Object.keys(outputs)).toHaveLength(1);
      });
    });
  });

  describe('least privilege', () => {
    const policyOf = (r: ResolvedRoute) => {
      const role = route(r).ingressFunction.role as iam.Role;
      const policy = role.node.findChild('DefaultPolicy');
      return template.toJSON().Resources[logicalId(stack, policy)] as {
        Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } };
      };
    };

    it('attaches no AWS managed policy to ingress roles', () => {
      template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
      expect(
        template.findResources('AWS::IAM::Role', { Properties: { ManagedPolicyArns: Match.anyValue() } }),
      ).toEqual({});
    });

    it("lets the ingress write its log group, read the envelope key, send to its queue, get, put, query, condition-check and delete events' and its own dedupe items, read its secret and put its bodies", () => {
      const webhookRoute = route(orderStatus);
      const secretId = logicalId(stack, webhookRoute.secret as ISecret);
      expect(policyOf(orderStatus).Properties.PolicyDocument.Statement).toEqual([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [logicalId(stack, webhookRoute.ingressLogGroup), 'Arn'] },
        },
        {
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: { Ref: logicalId(stack, gateway.envelopeKey) },
        },
        {
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: { 'Fn::GetAtt': [logicalId(stack, webhookRoute.queue), 'Arn'] },
        },
        // Table layout v2: the route's own state items, its own request items (its dedupe keys',
        // and its own events' by their ids, which end with its tag), the layout item.
        {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem'],
          Resource: { 'Fn::GetAtt': [logicalId(stack, gateway.table), 'Arn'] },
          Condition: {
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`ROUTE#${routeTag('/order/status/')}#*`] },
          },
        },
        {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
          Resource: { 'Fn::GetAtt': [logicalId(stack, gateway.table), 'Arn'] },
          Condition: {
            'ForAllValues:StringLike': {
              'dynamodb:LeadingKeys': [
                'DEDUPE#/order/status/#*',
                `REQUEST#evt_*${routeTag('/order/status/')}`,
              ],
            },
          },
        },
        {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
          Resource: { 'Fn::GetAtt': [logicalId(stack, gateway.table), 'Arn'] },
          Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['HOOKLINE#LAYOUT'] } },
        },
        {
          Effect: 'Allow',
          Action: 'dynamodb:DescribeTable',
          Resource: { 'Fn::GetAtt': [logicalId(stack, gateway.table), 'Arn'] },
        },
        {
          Effect: 'Allow',
          Action: 'secretsmanager:GetSecretValue',
          Resource: { Ref: secretId },
        },
        {
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: {
            'Fn::Join': [
              '',
              [{ 'Fn::GetAtt': [logicalId(stack, gateway.bodyBucket.bucket), 'Arn'] }, '/order_status/*'],
            ],
          },
        },
      ]);
    });

    it.each(enabledRoutes.map((r) => [r.path, r] as const))(
      'gives %s access to its own queue, log group, secret, the table, the body bucket and the envelope key only',
      (_path, r) => {
        const own = route(r);
        const allowed = new Set([
          logicalId(stack, own.queue),
          logicalId(stack, own.ingressLogGroup),
          logicalId(stack, gateway.table),
          logicalId(stack, gateway.bodyBucket.bucket),
          logicalId(stack, gateway.envelopeKey),
          ...(own.secret?.node.defaultChild ? [logicalId(stack, own.secret)] : []),
        ]);
        const referenced = referencedIds(policyOf(r).Properties.PolicyDocument);
        referenced.delete('AWS::Partition');
        referenced.delete('AWS::Region');
        referenced.delete('AWS::AccountId');
        expect([...referenced].filter((id) => !allowed.has(id))).toEqual([]);
        for (const other of enabledRoutes.filter((o) => o !== r)) {
          expect(referenced.has(logicalId(stack, route(other).queue))).toBe(false);
          expect(referenced.has(logicalId(stack, route(other).deadLetterQueue))).toBe(false);
        }
        const actions = policyOf(r).Properties.PolicyDocument.Statement.flatMap((s) => s.Action);
        expect(actions.filter((a) => a.includes('*'))).toEqual([]);
      },
    );

    it("does not let the order-status ingress send to the stripe route's queue", () => {
      const statements = policyOf(orderStatus).Properties.PolicyDocument.Statement;
      const sendTargets = statements
        .filter((s) => [s.Action].flat().includes('sqs:SendMessage'))
        .map((s) => JSON.stringify(s.Resource));
      expect(sendTargets).toEqual([
        JSON.stringify({ 'Fn::GetAtt': [logicalId(stack, route(orderStatus).queue), 'Arn'] }),
      ]);
      expect(sendTargets.join()).not.toContain(logicalId(stack, route(stripe).queue));
    });
  });

  describe('secrets', () => {
    it('creates a secret named by verify.secret.name when it is not marked existing', () => {
      // The route's, and the envelope key.
      template.resourceCountIs('AWS::SecretsManager::Secret', 2);
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        Name: 'ORDER_STATUS_WEBHOOK_SECRET',
        GenerateSecretString: Match.objectLike({ PasswordLength: 48 }),
      });
    });

    it('imports an existing secret by name and grants read on that name only', () => {
      const statements = (
        template.toJSON().Resources[
          logicalId(stack, (route(stripe).ingressFunction.role as iam.Role).node.findChild('DefaultPolicy'))
        ] as { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } } }
      ).Properties.PolicyDocument.Statement;
      const reads = statements.filter((s) =>
        JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue'),
      );
      expect(reads.map((s) => JSON.stringify(s.Resource))).toEqual([
        JSON.stringify({ Ref: logicalId(stack, gateway.envelopeKey) }),
        expect.stringContaining(':secret:STRIPE_WEBHOOK_SECRET-??????'),
      ]);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            [ENV.route]: JSON.stringify(stripe),
            [ENV.secretArn]: { 'Fn::Join': ['', Match.arrayWith([':secret:STRIPE_WEBHOOK_SECRET'])] },
          }),
        },
      });
    });

    it('gives routes without a shared secret (none, jwt with JWKS) no secret at all', () => {
      expect(route(open).secret).toBeUndefined();
      expect(route(partner).secret).toBeUndefined();
    });

    it('creates a secret once when several routes name the same one', () => {
      const shared = { scheme: 'github', secret: { name: 'GITHUB_WEBHOOK_SECRET' } } as const;
      const { stack: sharedStack, gateway: sharedGateway } = buildStack({
        config: makeConfig([
          makeRoute({ path: '/github/a/', verify: shared }),
          makeRoute({ path: '/github/b/', verify: shared }),
        ]),
      });
      const sharedTemplate = Template.fromStack(sharedStack);
      sharedTemplate.resourceCountIs('AWS::SecretsManager::Secret', 2);
      const [a, b] = [...sharedGateway.routes.values()];
      expect(a?.secret).toBeDefined();
      expect(b?.secret).toBe(a?.secret);
      const ingressPolicies = [...sharedGateway.routes.values()].map((r) =>
        logicalId(sharedStack, (r.ingressFunction.role as iam.Role).node.findChild('DefaultPolicy')),
      );
      const secretReaders = sharedTemplate.findResources('AWS::IAM::Policy', {
        Properties: {
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Action: 'secretsmanager:GetSecretValue',
                Resource: { Ref: logicalId(sharedStack, a?.secret as ISecret) },
              }),
            ]),
          },
        },
      });
      expect(Object.keys(secretReaders).sort()).toEqual(ingressPolicies.sort());
    });
  });

  describe('schemes with handshakes', () => {
    const meta = makeRoute({
      path: '/meta/',
      verify: {
        scheme: 'meta',
        secret: { name: 'META_APP_SECRET' },
        verifyToken: { name: 'META_VERIFY_TOKEN' },
      },
    });
    const asana = makeRoute({
      path: '/asana/',
      verify: { scheme: 'asana', secret: { name: 'ASANA_SECRET' } },
    });
    let handshakeStack: Stack;
    let handshakeGateway: HooklineGateway;
    let handshakeTemplate: Template;
    const statementsOf = (r: ResolvedRoute) => {
      const webhookRoute = handshakeGateway.routes.get(r.path) as WebhookRoute;
      const policy = (webhookRoute.ingressFunction.role as iam.Role).node.findChild('DefaultPolicy');
      return (
        handshakeTemplate.toJSON().Resources[logicalId(handshakeStack, policy as never)] as {
          Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } };
        }
      ).Properties.PolicyDocument.Statement;
    };

    beforeAll(() => {
      ({ stack: handshakeStack, gateway: handshakeGateway } = buildStack({
        config: makeConfig([meta, asana]),
      }));
      handshakeTemplate = Template.fromStack(handshakeStack);
    });

    it('routes GET to the ingress of a scheme whose provider checks the endpoint with GET', () => {
      const keys = Object.values(handshakeTemplate.findResources('AWS::ApiGatewayV2::Route')).map(
        (resource) => (resource as { Properties: { RouteKey: string } }).Properties.RouteKey,
      );
      expect(keys).toEqual(expect.arrayContaining(['POST /meta', 'GET /meta', 'POST /asana']));
      expect(keys).not.toContain('GET /asana');
    });

    it("creates Meta's verify token as a second secret the ingress alone may read", () => {
      const webhookRoute = handshakeGateway.routes.get(meta.path) as WebhookRoute;
      const [token] = webhookRoute.otherSecrets;
      handshakeTemplate.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'META_VERIFY_TOKEN' });
      expect(statementsOf(meta)).toContainEqual({
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: { Ref: logicalId(handshakeStack, token?.secret as ISecret) },
      });
      handshakeTemplate.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            [ENV.otherSecretArns]: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
          }),
        },
      });
    });

    it("creates Asana's secret empty, and lets its ingress store the key the handshake hands over", () => {
      const webhookRoute = handshakeGateway.routes.get(asana.path) as WebhookRoute;
      handshakeTemplate.hasResourceProperties('AWS::SecretsManager::Secret', {
        Name: 'ASANA_SECRET',
        SecretString: '[]',
      });
      expect(statementsOf(asana)).toContainEqual({
        Effect: 'Allow',
        Action: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
        Resource: { Ref: logicalId(handshakeStack, webhookRoute.secret as ISecret) },
      });
      const writers = statementsOf(meta).filter((s) => JSON.stringify(s.Action).includes('PutSecretValue'));
      expect(writers).toEqual([]);
    });

    it('refuses an Asana secret shared with another route', () => {
      const shared = { name: 'SHARED_SECRET' };
      expect(() =>
        buildStack({
          config: makeConfig([
            makeRoute({ path: '/asana/', verify: { scheme: 'asana', secret: shared } }),
            makeRoute({ path: '/github/', verify: { scheme: 'github', secret: shared } }),
          ]),
        }),
      ).toThrow(/\/asana\/ stores the signing key .* cannot be shared \(\/asana\/, \/github\/\)/);
    });
  });

  describe('envelope key', () => {
    const keyArn = () => ({ Ref: logicalId(stack, gateway.envelopeKey) });
    const functions = () => [
      ...[...gateway.routes.values()].flatMap((r) => [r.ingressFunction, r.handlerFunction]),
      gateway.adminApi.function,
    ];

    it('is one generated secret, named to every function by HOOKLINE_ENVELOPE_KEY_ARN', () => {
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        Description: Match.stringLikeRegexp('envelope signing key'),
        GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
      });
      expect(functions()).toHaveLength(enabledRoutes.length * 2 + 1);
      for (const fn of functions()) {
        const props = template.toJSON().Resources[logicalId(stack, fn)].Properties;
        expect(props.Environment.Variables[ENV.envelopeKeyArn]).toEqual(keyArn());
      }
    });

    it('may only be read, with GetSecretValue, by each function', () => {
      const readers = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
        (
          policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]
        ).filter((statement) => JSON.stringify(statement.Resource) === JSON.stringify(keyArn())),
      );
      expect(readers).toHaveLength(functions().length);
      for (const statement of readers) expect(statement.Action).toBe('secretsmanager:GetSecretValue');
    });

    it('is an output, for workers outside Lambda', () => {
      template.hasOutput('EnvelopeKeyArn', { Value: keyArn() });
    });
  });

  describe('HTTP API', () => {
    it('has one HTTP API with a Lambda proxy integration (payload 2.0) per route and one for the admin API', () => {
      template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
      // One per route and one for the admin API.
      template.resourceCountIs('AWS::ApiGatewayV2::Integration', enabledRoutes.length + 1);
      template.allResourcesProperties('AWS::ApiGatewayV2::Integration', {
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
      });
      const methodCount = enabledRoutes.reduce((n, r) => n + new Set(['POST', ...r.methods]).size, 0);
      template.resourceCountIs('AWS::ApiGatewayV2::Route', methodCount + ADMIN_ROUTES.length);
    });

    it('auto-deploys a $default stage with JSON access logs kept a month and default throttling', () => {
      template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        StageName: '$default',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
        AccessLogSettings: {
          DestinationArn: { 'Fn::GetAtt': [logicalId(stack, gateway.accessLogGroup), 'Arn'] },
          Format: Match.anyValue(),
        },
      });
      const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0] as {
        Properties: { AccessLogSettings: { Format: string } };
      };
      const format = JSON.parse(stage.Properties.AccessLogSettings.Format) as Record<string, string>;
      expect(format).toMatchObject({
        requestId: '$context.requestId',
        routeKey: '$context.routeKey',
        status: '$context.status',
      });
      expect(Object.values(format).join()).not.toMatch(/requestBody|header|querystring/i);
      expect(template.toJSON().Resources[logicalId(stack, gateway.accessLogGroup)].Properties).toEqual({
        RetentionInDays: 30,
      });
    });

    it('updates the stage only after the routes its settings name exist', () => {
      const routeIds = [...gateway.routes.values()].flatMap((r) =>
        r.httpRoutes.map((httpRoute) => logicalId(stack, httpRoute)),
      );
      const stage = template.toJSON().Resources[logicalId(stack, gateway.stage)] as { DependsOn: string[] };
      expect(routeIds).toHaveLength(5);
      expect(stage.DependsOn).toEqual(expect.arrayContaining(routeIds));
    });

    it('outputs the API URL, the table name and the body bucket name', () => {
      template.hasOutput('ApiUrl', {
        Value: { 'Fn::GetAtt': [logicalId(stack, gateway.httpApi), 'ApiEndpoint'] },
      });
      template.hasOutput('EventTableName', { Value: { Ref: logicalId(stack, gateway.table) } });
      template.hasOutput('BodyBucketName', { Value: { Ref: logicalId(stack, gateway.bodyBucket.bucket) } });
      template.hasOutput('WebhookUrlOrderStatus', Match.anyValue());
      expect(
        Object.keys(template.toJSON().Outputs)
          .filter((id) => id.startsWith('WebhookUrl'))
          .sort(),
      ).toEqual(['WebhookUrlOpen', 'WebhookUrlOrderStatus', 'WebhookUrlPartnerEvents', 'WebhookUrlStripe']);
    });

    it('flags a route that verifies nothing with a synth warning', () => {
      Annotations.fromStack(stack).hasWarning(
        `/hookline/Gateway/Route-${open.queueName}`,
        Match.stringLikeRegexp('without verifying a signature'),
      );
    });
  });

  describe('function logs', () => {
    const loggingConfigs = (built: Template) =>
      Object.values(built.findResources('AWS::Lambda::Function')).map(
        (fn) => (fn as { Properties: { LoggingConfig?: unknown } }).Properties.LoggingConfig,
      );

    it("logs every function's lines as JSON from INFO up, without Lambda's START/END/REPORT lines", () => {
      const configs = loggingConfigs(template);
      // Four ingresses, four handlers, the admin function.
      expect(configs).toHaveLength(9);
      for (const config of configs) {
        expect(config).toEqual({
          LogFormat: 'JSON',
          ApplicationLogLevel: 'INFO',
          SystemLogLevel: 'WARN',
          LogGroup: expect.anything(),
        });
      }
    });

    it("applies the config's logs to every function", () => {
      const built = buildStack({
        config: { ...makeConfig([orderStatus], PREFIX), logs: { level: 'DEBUG', invocationReports: true } },
      });
      const configs = loggingConfigs(Template.fromStack(built.stack));
      expect(configs).toHaveLength(3);
      for (const config of configs) {
        expect(config).toMatchObject({
          LogFormat: 'JSON',
          ApplicationLogLevel: 'DEBUG',
          SystemLogLevel: 'INFO',
        });
      }
    });
  });

  describe('synth-time checks', () => {
    it('rejects a timeout whose 6× visibility timeout exceeds the SQS maximum', () => {
      const build = () => buildStack({ config: makeConfig([makeRoute({ timeoutSeconds: 8000 })]) });
      expect(build).toThrow(
        /visibility timeout 48000 s \(6 × timeout 8000 s\) exceeds the SQS maximum of 43200 s/,
      );
      expect(build).toThrow(/timeoutSeconds 8000 must be an integer from 1 to 900/);
    });

    it('rejects queue settings whose visibility timeout is below 6 × the handler timeout', () => {
      const r = makeRoute({ timeoutSeconds: 30 });
      const problems = checkWebhookRoute(r, { ...queueSettings(r, PREFIX), visibilityTimeoutSeconds: 60 });
      expect(problems.join('\n')).toMatch(
        /visibility timeout 60 s is less than 6 × the handler timeout \(30 s\)/,
      );
    });

    it('accepts the queue settings queueSettings() derives for the defaults', () => {
      const r = makeRoute();
      expect(checkWebhookRoute(r, queueSettings(r, PREFIX))).toEqual([]);
    });

    it('reports every conflicting gateway prop in one error', () => {
      const build = () =>
        buildStack({
          config: makeConfig(
            [
              makeRoute({ path: '/a/b/', queueName: 'same' }),
              makeRoute({ path: '/c/', queueName: 'same' }),
              makeRoute({ path: '/d/', verify: { scheme: 'github', secret: { name: 'S', existing: true } } }),
              makeRoute({ path: '/e/', verify: { scheme: 'github', secret: { name: 'S' } } }),
            ],
            'bad name!',
          ),
        });
      expect(build).toThrow(/config name "bad name!"/);
      expect(build).toThrow(/routes \/a\/b\/ and \/c\/ have the same queue name/);
      expect(build).toThrow(/secret "S" is marked existing on some routes and not on others/);
    });

    it('rejects two routes built in code whose route tags collide', () => {
      // Found by a birthday search over the 40-bit tags (test/unit/config/validate.test.ts).
      const build = () =>
        buildStack({ config: makeConfig([makeRoute({ path: '/p333r/' }), makeRoute({ path: '/podsg/' })]) });
      expect(build).toThrow(/routes \/p333r\/ and \/podsg\/ have the same route tag/);
    });

    it('rejects a config with no enabled route', () => {
      expect(() => buildStack({ config: makeConfig([makeRoute({ enabled: false })]) })).toThrow(
        /no enabled routes/,
      );
    });

    it('rejects an unknown HTTP method and a too-large maxAttempts', () => {
      const build = () =>
        buildStack({
          config: makeConfig([
            makeRoute({
              methods: ['POST', 'FETCH'],
              retry: { maxAttempts: 5000, initialDelaySeconds: 10, multiplier: 2, maxDelaySeconds: 900 },
            }),
          ]),
        });
      expect(build).toThrow(/method "FETCH" is not an HTTP method/);
      expect(build).toThrow(/retry.maxAttempts 5000 must be an integer from 1 to 999/);
    });
  });
});
