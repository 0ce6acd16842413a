import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct, type IConstruct } from 'constructs';
import { S3_MAX_LIFECYCLE_RULES } from '../shared/aws-limits.js';
import type { ResolvedRoute } from '../shared/config/types.js';
import { bodyKeyPrefix } from '../shared/resources.js';

export interface BodyBucketProps {
  /**
   * The deployed routes: each gets a lifecycle rule expiring its bodies (`routeBodyPrefix`) after
   * `retentionDays`, the same retention as its event records.
   */
  readonly routes: readonly ResolvedRoute[];
  /**
   * What happens to the body bucket and its access log bucket when they leave the stack. The
   * bodies belong to the event history, so they are kept like the event table. CloudFormation
   * deletes only empty buckets: with `DESTROY`, empty them first.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Days the body bucket's server access logs are kept.
   * @default 90
   */
  readonly accessLogRetentionDays?: number;
}

/** A route as the body bucket sees it: its path names its key prefix, its retention its lifecycle rule. */
type BodyRoute = Pick<ResolvedRoute, 'path'>;

/** The key prefix of `route`'s bodies (`<queueName of the path>/`, as the body store writes them). */
export function routeBodyPrefix(route: BodyRoute): string {
  return bodyKeyPrefix(route.path);
}

/**
 * The claim-check bucket: request bodies too large to travel inline in the envelope and the event
 * record, one key prefix per route (`routeBodyPrefix`). SSE-S3 encrypted, TLS enforced, all public access
 * blocked, each route's prefix expired after the route's `retentionDays`, server access logs in a
 * separate bucket. Not versioned: bodies are written once under a new event id and never changed.
 *
 * Grants are per route prefix: the ingress may put its own route's bodies, the handler may read
 * them, the admin function may read every route's (replays and `include=body`) and copy them within
 * the bucket to the route prefixes (a replay's own copy of its original's body).
 */
export class BodyBucket extends Construct {
  /** Holds the bodies, keyed `<prefix>/<eventId>` (`routeBodyPrefix`). */
  public readonly bucket: s3.Bucket;
  /** Receives the body bucket's server access logs. */
  public readonly accessLogBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: BodyBucketProps) {
    super(scope, id);
    const problems = checkBodyBucketProps(props);
    if (problems.length > 0) {
      throw new Error(`Invalid Hookline body bucket:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    // Log delivery is granted by a bucket policy naming this bucket as the source, not by the legacy
    // LogDeliveryWrite ACL (which needs ACLs enabled on the log bucket); set here so it holds whatever the
    // app's feature flags say. Context must be set before the buckets exist.
    this.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    // Server access logs can only be delivered to an SSE-S3 (not SSE-KMS) bucket.
    this.accessLogBucket = new s3.Bucket(this, 'AccessLogBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(props.accessLogRetentionDays ?? 90) }],
      removalPolicy,
    });
    Validations.of(this.accessLogBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        "This bucket is the destination of the body bucket's server access logs: logging its own access to " +
        'itself would log the log writes in a loop, and another log bucket would only move the finding.',
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      serverAccessLogsBucket: this.accessLogBucket,
      lifecycleRules: props.routes.map((route) => ({
        id: `expire-${routeBodyPrefix(route).slice(0, -1)}`,
        prefix: routeBodyPrefix(route),
        expiration: Duration.days(route.retentionDays),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      })),
      removalPolicy,
    });
  }

  /** The ARN pattern of one route's bodies (`<bucket arn>/<prefix>/*`). */
  public routeObjectsArn(route: BodyRoute): string {
    return this.bucket.arnForObjects(`${routeBodyPrefix(route)}*`);
  }

  /** Lets `grantee` write bodies under `route`'s prefix, and nothing else in the bucket. */
  public grantPutRouteBodies(grantee: iam.IGrantable, route: BodyRoute): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObject'],
      resourceArns: [this.routeObjectsArn(route)],
    });
  }

  /**
   * Lets `grantee` copy bodies within the bucket to keys under the `routes`' prefixes (a replay's own
   * copy, which then expires a full retention after the replay): `s3:PutObject` on those prefixes
   * only, and only for a request copying an object of this bucket (condition `s3:x-amz-copy-source`),
   * so the grantee cannot upload bytes of its own. Reading the source needs `grantReadBodies`.
   * Grants nothing when `routes` is empty.
   */
  public grantCopyBodies(grantee: iam.IGrantable, routes: readonly BodyRoute[]): iam.Grant | undefined {
    if (routes.length === 0) return undefined;
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObject'],
      resourceArns: routes.map((route) => this.routeObjectsArn(route)),
      // The header's value is `<bucket>/<key>`, URL-encoded (S3BodyStore sends no leading slash).
      conditions: { StringLike: { 's3:x-amz-copy-source': `${this.bucket.bucketName}/*` } },
    });
  }

  /**
   * Lets `grantee` read bodies under `route`'s prefix, or under every prefix when `route` is omitted.
   * Reading every prefix also grants `s3:ListBucket` on the bucket, so that S3 answers a missing key
   * with 404 rather than 403 and an expired body shows as missing. A route's reader gets no
   * `s3:ListBucket`: it would list every route's keys (S3 checks `s3:prefix` on listings only, not
   * on the 404 decision), so a missing body is a denied read for it, retried like a store failure.
   */
  public grantReadBodies(grantee: iam.IGrantable, route?: BodyRoute): iam.Grant {
    if (route === undefined) {
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['s3:ListBucket'],
        resourceArns: [this.bucket.bucketArn],
      });
    }
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject'],
      resourceArns: [route ? this.routeObjectsArn(route) : this.bucket.arnForObjects('*')],
    });
  }
}

/**
 * Acknowledges cdk-nag's wildcard finding for `route`'s object ARN (`<bucket>/<prefix>/*`) on
 * `scope` (the grantee's role): keys are `<prefix>/<eventId>` with ids not known in advance, so the
 * prefix is the narrowest resource there is.
 */
export function acknowledgeRouteBodies(
  scope: IConstruct,
  bodyBucket: BodyBucket,
  route: BodyRoute,
  access: 'reads' | 'writes',
): void {
  const bucketId = Stack.of(scope).getLogicalId(bodyBucket.bucket.node.defaultChild as CfnElement);
  Validations.of(scope).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${routeBodyPrefix(route)}*]`,
    reason:
      `The function ${access} the bodies of ${route.path} only: keys are <route prefix>/<event id> with ids ` +
      "made per request, so the route's key prefix is the narrowest resource an IAM policy can name.",
  });
}

/** Every problem with the props, so they can be reported in one error. */
function checkBodyBucketProps(props: BodyBucketProps): string[] {
  const problems: string[] = [];
  if (props.routes.length > S3_MAX_LIFECYCLE_RULES) {
    problems.push(
      `${props.routes.length} routes exceed S3's ${S3_MAX_LIFECYCLE_RULES} lifecycle rules per bucket`,
    );
  }
  const prefixes = new Map<string, string>();
  for (const route of props.routes) {
    const other = prefixes.get(routeBodyPrefix(route));
    if (other !== undefined) {
      problems.push(
        `routes ${other} and ${route.path} would share the body key prefix ${routeBodyPrefix(route)}`,
      );
    } else prefixes.set(routeBodyPrefix(route), route.path);
    if (!Number.isInteger(route.retentionDays) || route.retentionDays < 1) {
      problems.push(`route ${route.path}: retentionDays ${route.retentionDays} must be a positive integer`);
    }
  }
  const logDays = props.accessLogRetentionDays;
  if (logDays !== undefined && (!Number.isInteger(logDays) || logDays < 1)) {
    problems.push(`accessLogRetentionDays ${logDays} must be a positive integer`);
  }
  return problems;
}
