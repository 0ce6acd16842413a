import { App, type CfnElement, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import { BodyBucket, routeBodyPrefix } from '../../infra/body-bucket.js';
import { HooklineGateway } from '../../infra/hookline-gateway.js';
import type { WebhookRoute } from '../../infra/webhook-route.js';
import type { ResolvedRoute } from '../../shared/config/types.js';
import { ENV } from '../../shared/env-names.js';
import { unbundledApp } from '../helpers/cdk-app.js';
import { makeConfig, makeRoute } from '../helpers/routes.js';

const PROJECT_ROOT = new URL('../..', import.meta.url).pathname;

const orderStatus = makeRoute({ path: '/order/status/', retentionDays: 7 });
// An explicit queue name does not change the key prefix: the body store derives it from the path.
const stripe = makeRoute({ path: '/stripe/', queueName: 'payments', retentionDays: 365 });
const routes = [orderStatus, stripe];

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type Resources = Record<
  string,
  { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; UpdateReplacePolicy?: string }
>;

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

const arnOf = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const objectsArn = (bucketId: string, pattern: string) => ({
  'Fn::Join': ['', [arnOf(bucketId), `/${pattern}`]],
});

describe('body bucket', () => {
  let stack: Stack;
  let gateway: HooklineGateway;
  let template: Template;
  let resources: Resources;
  let bucketId: string;
  let logBucketId: string;
  const route = (r: ResolvedRoute): WebhookRoute => {
    const found = gateway.routes.get(r.path);
    if (!found) throw new Error(`no WebhookRoute for ${r.path}`);
    return found;
  };
  const statementsOf = (role: iam.IRole | undefined): Statement[] => {
    const policy = resources[logicalId(stack, (role as iam.Role).node.findChild('DefaultPolicy'))];
    if (!policy) throw new Error('no policy for the role');
    return (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
  };
  const s3Statements = (role: iam.IRole | undefined) =>
    statementsOf(role).filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')));

  /** S3-managed encryption, all public access blocked, ACLs disabled: both buckets. */
  const PRIVATE_S3_MANAGED_BUCKET = {
    BucketEncryption: {
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    },
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    },
    OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
  };

  beforeAll(() => {
    const app = unbundledApp();
    stack = new Stack(app, 'hookline');
    gateway = new HooklineGateway(stack, 'Gateway', {
      config: makeConfig(routes),
      projectRoot: PROJECT_ROOT,
    });
    template = Template.fromStack(stack);
    resources = template.toJSON().Resources as Resources;
    bucketId = logicalId(stack, gateway.bodyBucket.bucket);
    logBucketId = logicalId(stack, gateway.bodyBucket.accessLogBucket);
  });

  describe('bucket', () => {
    it('is encrypted with S3-managed keys, blocks all public access, disables ACLs and is not versioned', () => {
      expect(resources[bucketId]?.Properties).toMatchObject({
        ...PRIVATE_S3_MANAGED_BUCKET,
      });
      expect(resources[bucketId]?.Properties.VersioningConfiguration).toBeUndefined();
    });

    it('denies every request not made over TLS', () => {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    it('expires each route’s bodies after the route’s retentionDays, one rule per key prefix', () => {
      expect(resources[bucketId]?.Properties.LifecycleConfiguration).toHaveProperty('Rules', [
        {
          Id: 'expire-order_status',
          Prefix: 'order_status/',
          ExpirationInDays: 7,
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          Status: 'Enabled',
        },
        {
          Id: 'expire-stripe',
          Prefix: 'stripe/',
          ExpirationInDays: 365,
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          Status: 'Enabled',
        },
      ]);
      expect(routes.map(routeBodyPrefix)).toEqual(['order_status/', 'stripe/']);
    });

    it('logs server access to the separate log bucket', () => {
      expect(resources[bucketId]?.Properties.LoggingConfiguration).toEqual({
        DestinationBucketName: { Ref: logBucketId },
      });
    });

    it('is retained, like the event table, when removed from the stack', () => {
      for (const id of [bucketId, logBucketId]) {
        expect(resources[id]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      }
    });

    it('is output as BodyBucketName', () => {
      template.hasOutput('BodyBucketName', { Value: { Ref: bucketId } });
    });
  });

  describe('access log bucket', () => {
    it('is encrypted with S3-managed keys (the only kind log delivery supports), private and expires logs', () => {
      expect(resources[logBucketId]?.Properties).toMatchObject({
        ...PRIVATE_S3_MANAGED_BUCKET,
        LifecycleConfiguration: { Rules: [{ ExpirationInDays: 90, Status: 'Enabled' }] },
      });
      expect(resources[logBucketId]?.Properties.AccessControl).toBeUndefined();
    });

    it('lets the logging service write only the body bucket’s logs, over TLS only', () => {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logBucketId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({
              Effect: 'Allow',
              Action: 's3:PutObject',
              Principal: { Service: 'logging.s3.amazonaws.com' },
              Condition: Match.objectLike({ ArnLike: { 'aws:SourceArn': arnOf(bucketId) } }),
            }),
          ]),
        },
      });
    });
  });

  describe('grants', () => {
    it.each(routes.map((r) => [r.path, r] as const))(
      'lets the %s ingress put objects under its own prefix only',
      (_path, r) => {
        expect(s3Statements(route(r).ingressFunction.role)).toEqual([
          {
            Effect: 'Allow',
            Action: 's3:PutObject',
            Resource: objectsArn(bucketId, `${routeBodyPrefix(r)}*`),
          },
        ]);
      },
    );

    it.each(routes.map((r) => [r.path, r] as const))(
      'lets the %s handler get objects under its own prefix only, and not list the bucket',
      (_path, r) => {
        // Listing would show every route's keys: a missing body is a 403 for the handler.
        expect(s3Statements(route(r).handlerFunction.role)).toEqual([
          {
            Effect: 'Allow',
            Action: 's3:GetObject',
            Resource: objectsArn(bucketId, `${routeBodyPrefix(r)}*`),
          },
        ]);
      },
    );

    it('lets the admin function get every route’s objects and copy objects of the bucket under the route prefixes', () => {
      expect(s3Statements(gateway.adminApi.role)).toEqual([
        { Effect: 'Allow', Action: 's3:ListBucket', Resource: arnOf(bucketId) },
        { Effect: 'Allow', Action: 's3:GetObject', Resource: objectsArn(bucketId, '*') },
        // A replay's own copy of its body: a copy from this bucket (never an upload), per route prefix.
        {
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: routes.map((r) => objectsArn(bucketId, `${routeBodyPrefix(r)}*`)),
          Condition: {
            StringLike: { 's3:x-amz-copy-source': { 'Fn::Join': ['', [{ Ref: bucketId }, '/*']] } },
          },
        },
      ]);
    });

    it('grants no copy when there is no route to copy to', () => {
      const probe = new Stack(new App(), 'probe');
      const bucket = new BodyBucket(probe, 'Bodies', { routes });
      const role = new iam.Role(probe, 'Role', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      });

      expect(bucket.grantCopyBodies(role, [])).toBeUndefined();
      expect(Template.fromStack(probe).findResources('AWS::IAM::Policy')).toEqual({});
    });

    it('gives no role delete, ACL or bucket configuration rights, and no access to the log bucket', () => {
      const allStatements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
        (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
      );
      const s3Actions = new Set(
        allStatements.flatMap((s) => [s.Action].flat()).filter((a) => a.startsWith('s3:')),
      );
      expect([...s3Actions].sort()).toEqual(['s3:GetObject', 's3:ListBucket', 's3:PutObject']);
      expect(JSON.stringify(allStatements)).not.toContain(logBucketId);
    });

    it('names the bucket in the environment of every ingress, handler and admin function', () => {
      const functions = Object.values(template.findResources('AWS::Lambda::Function'));
      expect(functions).toHaveLength(routes.length * 2 + 1);
      for (const fn of functions) {
        expect(
          (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables[ENV.bodyBucket],
        ).toEqual({ Ref: bucketId });
      }
    });
  });

  describe('props', () => {
    const bucketStack = (props: Partial<ConstructorParameters<typeof BodyBucket>[2]> = {}) => {
      const probe = new Stack(new App(), 'probe');
      const bucket = new BodyBucket(probe, 'Bodies', { routes, ...props });
      return { probe, bucket };
    };

    it('deletes both buckets with the stack when asked to', () => {
      const { probe, bucket } = bucketStack({ removalPolicy: RemovalPolicy.DESTROY });
      const probeResources = Template.fromStack(probe).toJSON().Resources as Resources;
      for (const id of [logicalId(probe, bucket.bucket), logicalId(probe, bucket.accessLogBucket)]) {
        expect(probeResources[id]).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
      }
    });

    it('keeps access logs for accessLogRetentionDays', () => {
      const { probe, bucket } = bucketStack({ accessLogRetentionDays: 400 });
      const probeResources = Template.fromStack(probe).toJSON().Resources as Resources;
      expect(
        probeResources[logicalId(probe, bucket.accessLogBucket)]?.Properties.LifecycleConfiguration,
      ).toEqual({
        Rules: [{ ExpirationInDays: 400, Status: 'Enabled' }],
      });
    });

    it('reports every invalid setting in one error', () => {
      const build = () =>
        bucketStack({
          routes: [
            makeRoute({ path: '/a/b/', queueName: 'one' }),
            makeRoute({ path: '/a_b/', queueName: 'two', retentionDays: 0 }),
          ],
          accessLogRetentionDays: 1.5,
        });
      expect(build).toThrow(/routes \/a\/b\/ and \/a_b\/ would share the body key prefix a_b\//);
      expect(build).toThrow(/route \/a_b\/: retentionDays 0 must be a positive integer/);
      expect(build).toThrow(/accessLogRetentionDays 1.5 must be a positive integer/);
    });
  });
});
