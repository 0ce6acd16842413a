/**
 * A route's `tracing` in the stack: active X-Ray tracing, its permissions and HOOKLINE_TRACING on
 * the route's ingress and handler functions, and nothing of it on a route without; cdk-nag stays clean.
 */
import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, type NagPack, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { HooklineGateway } from '../../infra/hookline-gateway.js';
import type { ResolvedRoute } from '../../shared/config/types.js';
import { ENV } from '../../shared/env-names.js';
import { unbundledApp } from '../helpers/cdk-app.js';
import { makeConfig, makeRoute } from '../helpers/routes.js';

const PROJECT_ROOT = new URL('../..', import.meta.url).pathname;
const traced = makeRoute({ path: '/traced/', tracing: true });
const plain = makeRoute({ path: '/plain/' });

type Statement = { Action: string | string[]; Resource: unknown };
const XRAY_STATEMENT = {
  Effect: 'Allow',
  Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
  Resource: '*',
};

describe('route tracing', () => {
  let stack: Stack;
  let gateway: HooklineGateway;
  let resources: Record<string, { Properties: Record<string, unknown> }>;

  beforeAll(() => {
    stack = new Stack(unbundledApp(), 'hookline');
    gateway = new HooklineGateway(stack, 'Gateway', {
      config: makeConfig([traced, plain]),
      projectRoot: PROJECT_ROOT,
    });
    resources = Template.fromStack(stack).toJSON().Resources;
  });

  const functionsOf = (route: ResolvedRoute): lambda.IFunction[] => {
    const own = gateway.routes.get(route.path);
    if (own === undefined) throw new Error(`no WebhookRoute for ${route.path}`);
    return [own.ingressFunction, own.handlerFunction];
  };
  const propertiesOf = (fn: lambda.IFunction) => {
    const found = resources[stack.getLogicalId(fn.node.defaultChild as CfnElement)];
    if (found === undefined) throw new Error(`no resource for ${fn.node.path}`);
    return found.Properties as {
      TracingConfig?: unknown;
      Environment: { Variables: Record<string, unknown> };
    };
  };
  const statementsOf = (fn: lambda.IFunction): Statement[] => {
    const role = fn.role as iam.Role;
    const policy =
      resources[stack.getLogicalId(role.node.findChild('DefaultPolicy').node.defaultChild as CfnElement)];
    if (policy === undefined) throw new Error(`no policy for ${fn.node.path}`);
    return (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
  };

  it('turns on active tracing, its X-Ray permissions and HOOKLINE_TRACING for both functions of a traced route', () => {
    for (const fn of functionsOf(traced)) {
      const properties = propertiesOf(fn);
      expect(properties.TracingConfig, fn.node.path).toEqual({ Mode: 'Active' });
      expect(properties.Environment.Variables[ENV.tracing], fn.node.path).toBe('true');
      expect(statementsOf(fn), fn.node.path).toContainEqual(XRAY_STATEMENT);
    }
  });

  it('adds nothing of X-Ray to a route without tracing', () => {
    for (const fn of functionsOf(plain)) {
      const properties = propertiesOf(fn);
      expect(properties.TracingConfig, fn.node.path).toBeUndefined();
      expect(properties.Environment.Variables, fn.node.path).not.toHaveProperty(ENV.tracing);
      const actions = statementsOf(fn).flatMap((statement) => [statement.Action].flat());
      expect(
        actions.filter((action) => action.startsWith('xray:')),
        fn.node.path,
      ).toEqual([]);
    }
  });

  it('leaves the admin function untraced', () => {
    expect(propertiesOf(gateway.adminApi.function).TracingConfig).toBeUndefined();
  });

  describe.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ] as const)('%s checks', (_name, makePack: () => NagPack) => {
    it('report no unacknowledged error or warning with a traced route', () => {
      const report = makePack().validateScope(stack);
      expect(
        report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath)}`),
      ).toEqual([]);
      expect(report.success).toBe(true);
    });
  });

  it('acknowledges Serverless-LambdaTracing only on untraced functions, and the X-Ray Resource "*" only on traced roles', () => {
    const acknowledged = (construct: { node: { metadata: { type: string; data: unknown }[] } }) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) => Object.keys(entry.data as Record<string, string>))
        .map((id) => id.replace(/^annotation::/i, ''));
    for (const fn of functionsOf(traced)) {
      expect(acknowledged(fn)).not.toContain('Serverless-LambdaTracing');
      expect(acknowledged(fn.role as iam.Role)).toContain('AwsSolutions-IAM5[Resource::*]');
    }
    for (const fn of functionsOf(plain)) {
      expect(acknowledged(fn)).toContain('Serverless-LambdaTracing');
      expect(acknowledged(fn.role as iam.Role)).not.toContain('AwsSolutions-IAM5[Resource::*]');
    }
  });
});
