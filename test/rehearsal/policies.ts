/**
 * The template's permissions, resolved: each role's identity policies (its `AWS::IAM::Policy`
 * attachments and inline policies), each resource's policy (queue policies, bucket policies), and a
 * simulator of how IAM decides one request against them (`@cloud-copilot/iam-simulate`, offline).
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { AuthorizationRequest } from './authorization.js';
import type { Deployment } from './template.js';

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly PolicyStatement[];
}

export interface PolicyStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Principal?: unknown;
  readonly Condition?: Readonly<Record<string, unknown>>;
  readonly Sid?: string;
}

export interface NamedPolicy {
  readonly name: string;
  readonly policy: PolicyDocument;
}

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

export class TemplatePermissions {
  readonly #identity = new Map<string, NamedPolicy[]>();
  /** Resource policies by the ARN of the resource they are attached to. */
  readonly #resource = new Map<string, PolicyDocument>();

  constructor(readonly deployment: Deployment) {
    this.#readIdentityPolicies();
    this.#readResourcePolicies();
  }

  /** The role's identity policies, resolved; a managed policy (unknown here) is an error. */
  identityPolicies(roleLogicalId: string): NamedPolicy[] {
    const role = this.deployment.resource(roleLogicalId).Properties ?? {};
    if (Array.isArray(role.ManagedPolicyArns) && role.ManagedPolicyArns.length > 0) {
      throw new Error(`${roleLogicalId} has managed policies, which the rehearsal cannot read`);
    }
    return this.#identity.get(roleLogicalId) ?? [];
  }

  /** The policy of the resource `arn` names: a queue, a bucket or an object in it. */
  resourcePolicy(arn: string): PolicyDocument | undefined {
    return this.#resource.get(arn) ?? this.#resource.get(arn.replace(/^(arn:aws:s3:::[^/]+)\/.*$/, '$1'));
  }

  /** How IAM decides `request` by the role `roleLogicalId` (a Lambda session of it). */
  async decide(roleLogicalId: string, request: AuthorizationRequest): Promise<Decision> {
    return simulate({
      principal: this.sessionArn(roleLogicalId),
      identityPolicies: this.identityPolicies(roleLogicalId),
      resourcePolicy: this.resourcePolicy(request.resource),
      request,
      account: this.deployment.account,
    });
  }

  sessionArn(roleLogicalId: string): string {
    return `arn:aws:sts::${this.deployment.account}:assumed-role/${this.deployment.ref(roleLogicalId)}/rehearsal`;
  }

  #readIdentityPolicies(): void {
    const { deployment } = this;
    const attach = (roleLogicalId: string, policy: NamedPolicy) => {
      this.#identity.set(roleLogicalId, [...(this.#identity.get(roleLogicalId) ?? []), policy]);
    };
    for (const logicalId of deployment.ofType('AWS::IAM::Policy')) {
      const props = deployment.resource(logicalId).Properties ?? {};
      const document = deployment.resolve(props.PolicyDocument) as PolicyDocument;
      for (const role of (props.Roles ?? []) as { Ref?: string }[]) {
        if (role.Ref !== undefined) attach(role.Ref, { name: logicalId, policy: document });
      }
    }
    for (const logicalId of deployment.ofType('AWS::IAM::Role')) {
      const inline = (deployment.resource(logicalId).Properties?.Policies ?? []) as {
        PolicyName: string;
        PolicyDocument: unknown;
      }[];
      for (const { PolicyName, PolicyDocument } of inline) {
        attach(logicalId, { name: PolicyName, policy: deployment.resolve(PolicyDocument) as PolicyDocument });
      }
    }
  }

  #readResourcePolicies(): void {
    const { deployment } = this;
    for (const logicalId of deployment.ofType('AWS::SQS::QueuePolicy')) {
      const props = deployment.resource(logicalId).Properties ?? {};
      const document = deployment.resolve(props.PolicyDocument) as PolicyDocument;
      for (const queue of (props.Queues ?? []) as { Ref?: string }[]) {
        const queueLogicalId = deployment.ofType('AWS::SQS::Queue').find((id) => id === queue.Ref);
        if (queueLogicalId !== undefined) this.#resource.set(deployment.arn(queueLogicalId), document);
      }
    }
    for (const logicalId of deployment.ofType('AWS::S3::BucketPolicy')) {
      const props = deployment.resource(logicalId).Properties ?? {};
      const bucket = (props.Bucket as { Ref?: string }).Ref;
      if (bucket !== undefined) {
        this.#resource.set(
          deployment.arn(bucket),
          deployment.resolve(props.PolicyDocument) as PolicyDocument,
        );
      }
    }
  }
}

/** One IAM decision. The request is made over TLS, as the SDK does. */
export async function simulate(options: {
  readonly principal: string;
  readonly identityPolicies: readonly NamedPolicy[];
  readonly resourcePolicy: PolicyDocument | undefined;
  readonly request: AuthorizationRequest;
  readonly account: string;
}): Promise<Decision> {
  const { request } = options;
  const result = await runSimulation(
    {
      request: {
        principal: options.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: options.account },
        contextVariables: { 'aws:SecureTransport': 'true', ...request.context },
      },
      identityPolicies: options.identityPolicies.map((policy) => ({
        name: policy.name,
        policy: policy.policy,
      })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(options.resourcePolicy !== undefined && { resourcePolicy: options.resourcePolicy }),
    },
    {},
  );
  if (result.resultType === 'error') {
    throw new Error(
      `IAM simulation of ${request.action} on ${request.resource} failed: ${result.errors.message}`,
    );
  }
  // A `*` resource (actions without resource-level permissions) is a wildcard simulation.
  return result.overallResult as Decision;
}
