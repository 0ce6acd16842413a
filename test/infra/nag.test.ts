import { type App, type CfnElement, type PolicyViolation, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, type NagPack, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeBodyPrefix } from '../../infra/body-bucket.js';
import { HooklineGateway } from '../../infra/hookline-gateway.js';
import { unbundledApp } from '../helpers/cdk-app.js';
import { makeConfig, makeRoute } from '../helpers/routes.js';

const PROJECT_ROOT = new URL('../..', import.meta.url).pathname;

/** One route per secret situation: created, imported, none (no verification) and JWT with a JWKS. */
const routes = [
  makeRoute({ path: '/github/', verify: { scheme: 'github', secret: { name: 'GITHUB_WEBHOOK_SECRET' } } }),
  makeRoute({
    path: '/stripe/',
    verify: { scheme: 'stripe', secret: { name: 'STRIPE_WEBHOOK_SECRET', existing: true } },
  }),
  makeRoute({ path: '/order/status/', methods: ['POST', 'PUT'] }),
  makeRoute({
    path: '/partner/',
    verify: { scheme: 'jwt', jwksUrl: 'https://partner.example.com/jwks.json' },
  }),
  makeRoute({ path: '/open/', verify: { scheme: 'none' } }),
];

/** Every acknowledgement the gateway makes, and why it is expected (the reasons live in the constructs). */
const EXPECTED_ACKNOWLEDGEMENTS = [
  'AwsSolutions-APIG4', // providers authenticate by signature, verified in the ingress Lambda
  'AwsSolutions-SMG4', // provider-shared signing secrets are rotated with the provider, not by a Lambda
  'Serverless-SQSRedrivePolicy', // the DLQ itself has no DLQ (AwsSolutions-SQS3 recognises DLQs by itself)
  'Serverless-LambdaDLQ', // ingress: invoked synchronously; handler: invoked only by its SQS mapping
  'Serverless-LambdaTracing', // X-Ray needs Resource "*"; requests are correlated by ids in logs
  'Serverless-LambdaEventSourceMappingDestination', // SQS mappings take no on-failure destination: queue redrive
  // body object ARNs: a route's key prefix (ingress puts, handler reads, admin copies for replays) or
  // every object (admin reads); and the admin function's cloudwatch:GetMetricData, which has no
  // resource-level permissions (Resource "*")
  'AwsSolutions-IAM5',
  'AwsSolutions-S1', // the access log bucket does not log its own access
  'Serverless-SNSRedrivePolicy', // an undelivered alarm e-mail loses nothing: the alarm keeps its state
];

function buildApp(): { app: App; stack: Stack } {
  const app = unbundledApp();
  const stack = new Stack(app, 'hookline');
  // With e-mail subscriptions, so the alarm topic is checked with everything it can have.
  const config = { ...makeConfig(routes), alarms: { email: ['ops@example.com'] } };
  new HooklineGateway(stack, 'Gateway', { config, projectRoot: PROJECT_ROOT });
  return { app, stack };
}

function describeViolations(violations: readonly PolicyViolation[]): string[] {
  return violations.map(
    (v) =>
      `${v.severity} ${v.ruleName}: ${v.description} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
  );
}

/** Acknowledged rule ids and reasons recorded on every construct under `scope`. */
function acknowledgements(scope: IConstruct): { id: string; reason: string; path: string }[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          id: id.replace(/^annotation::/i, ''),
          reason,
          path: construct.node.path,
        })),
      ),
  );
}

describe('cdk-nag', () => {
  let stack: Stack;

  beforeAll(() => {
    ({ stack } = buildApp());
  });

  describe.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ] as const)('%s checks', (_name, makePack: () => NagPack) => {
    it('report no unacknowledged error or warning', () => {
      const report = makePack().validateScope(stack);
      expect(describeViolations(report.violations)).toEqual([]);
      expect(report.success).toBe(true);
    });
  });

  it('let the app synthesize with both packs registered as validation plugins', () => {
    const { app } = buildApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    expect(() => app.synth()).not.toThrow();
  }, 120_000);

  it('leave no AwsSolutions error or warning annotation on the stack', () => {
    // cdk-nag 3 reports through the validation report (checked above), not through annotations; this
    // guards against a v2-style Aspect pack being added, whose findings would land here instead.
    const annotations = Annotations.fromStack(stack);
    expect(annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
    expect(annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))).toEqual([]);
  });

  it('acknowledge only the expected rules, each with a written reason', () => {
    const acks = acknowledgements(stack);
    const ruleIds = acks.map((ack) => ack.id.replace(/\[.*\]$/, ''));
    expect([...new Set(ruleIds)].sort()).toEqual([...EXPECTED_ACKNOWLEDGEMENTS].sort());
    for (const ack of acks) expect(ack.reason.length, `${ack.id} at ${ack.path}`).toBeGreaterThan(60);
  });

  it('acknowledge wildcard resources one by one: body object prefixes and the admin role’s metric reads', () => {
    const bucketId = stack.getLogicalId(
      stack.node.findChild('Gateway').node.findChild('BodyBucket').node.findChild('Bucket').node
        .defaultChild as CfnElement,
    );
    const iam5 = acknowledgements(stack).filter((ack) => ack.id.startsWith('AwsSolutions-IAM5'));
    // cloudwatch:GetMetricData has no resource-level permissions: acknowledged on the admin role alone.
    const anyResource = iam5.filter((ack) => ack.id === 'AwsSolutions-IAM5[Resource::*]');
    const adminRole = (stack.node.findChild('Gateway') as HooklineGateway).adminApi.role;
    expect(anyResource.map((ack) => ack.path)).toEqual([adminRole.node.path]);
    expect(anyResource[0]?.reason).toMatch(/cloudwatch:GetMetricData/);
    const wildcards = iam5.filter((ack) => !anyResource.includes(ack)).map((ack) => ack.id);
    expect(wildcards.length).toBeGreaterThan(0);
    for (const id of wildcards) {
      expect(id).toMatch(
        new RegExp(`^AwsSolutions-IAM5\\[Resource::<${bucketId}\\.Arn>/([a-z0-9_-]+/)?\\*\\]$`),
      );
    }
    // Each route's ingress and handler name their own prefix, and the admin function every route's
    // prefix (replay copies); the admin function alone names every object (reads).
    expect(wildcards.filter((id) => id.endsWith('.Arn>/*]'))).toHaveLength(1);
    expect(wildcards).toHaveLength(routes.length * 3 + 1);
    const adminPrefixes = iam5
      .filter((ack) => ack.path === adminRole.node.path && !anyResource.includes(ack))
      .filter((ack) => !ack.id.endsWith('.Arn>/*]'));
    expect(adminPrefixes.map((ack) => ack.id).sort()).toEqual(
      routes.map((r) => `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${routeBodyPrefix(r)}*]`).sort(),
    );
    for (const ack of adminPrefixes) expect(ack.reason).toMatch(/own copy .*\(s3:x-amz-copy-source\)/);
  });

  it('acknowledge nothing at stack or gateway level', () => {
    const gateway = stack.node.findChild('Gateway');
    const broad = acknowledgements(stack).filter(
      (ack) => ack.path === stack.node.path || ack.path === gateway.node.path,
    );
    expect(broad).toEqual([]);
  });

  it('still catch an unacknowledged finding (the harness is not vacuous)', () => {
    const { app, stack: probe } = buildApp();
    new sqs.Queue(probe, 'UnencryptedQueueWithoutDlq', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    const ruleNames = new AwsSolutionsChecks().validateScope(probe).violations.map((v) => v.ruleName);
    expect(ruleNames).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });
});
