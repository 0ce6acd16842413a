/**
 * A route's `circuitBreaker` in the stack: the handler may switch its own event source mapping and
 * schedule its probe under its route's prefix, Scheduler gets a role of its own that can only
 * re-enable that mapping, the stack has the schedule group and the `circuit-opened` alarm; nothing of
 * it on a route without a breaker; cdk-nag stays clean.
 */
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, type NagPack, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { HooklineGateway } from '../../infra/hookline-gateway.js';
import type { WebhookRoute } from '../../infra/webhook-route.js';
import { circuitSchedulePrefix } from '../../shared/config/circuit-schedules.js';
import { ENV } from '../../shared/env-names.js';
import { TABLE_PARTITIONS } from '../../shared/resources.js';
import { unbundledApp } from '../helpers/cdk-app.js';
import { makeConfig, makeRoute } from '../helpers/routes.js';

const PROJECT_ROOT = new URL('../..', import.meta.url).pathname;
const guarded = makeRoute({
  path: '/guarded/',
  circuitBreaker: { consecutiveFailures: 3, coolDownSeconds: 120 },
});
const plain = makeRoute({ path: '/plain/' });

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type Resource = { Type: string; Properties: Record<string, unknown> };

describe('deployed circuit breaker', () => {
  let stack: Stack;
  let gateway: HooklineGateway;
  let resources: Record<string, Resource>;

  beforeAll(() => {
    stack = new Stack(unbundledApp(), 'hookline');
    gateway = new HooklineGateway(stack, 'Gateway', {
      config: makeConfig([guarded, plain]),
      projectRoot: PROJECT_ROOT,
    });
    resources = Template.fromStack(stack).toJSON().Resources;
  });

  const routeOf = (path: string): WebhookRoute => {
    const found = gateway.routes.get(path);
    if (found === undefined) throw new Error(`no WebhookRoute for ${path}`);
    return found;
  };
  const idOf = (construct: { node: { defaultChild?: unknown } }) =>
    stack.getLogicalId(construct.node.defaultChild as CfnElement);
  const resource = (id: string): Resource => {
    const found = resources[id];
    if (found === undefined) throw new Error(`no resource ${id}`);
    return found;
  };
  /** Every statement of every policy attached to `role` (its default policy and any other). */
  const statementsOf = (role: iam.IRole): Statement[] => {
    const roleId = idOf(role as iam.Role);
    return Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .filter((r) =>
        (r.Properties.Roles as unknown[]).some(
          (ref) => JSON.stringify(ref) === JSON.stringify({ Ref: roleId }),
        ),
      )
      .flatMap((r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  };
  const actionsOf = (role: iam.IRole) => statementsOf(role).flatMap((s) => [s.Action].flat());
  const handlerRole = (path: string) => routeOf(path).handlerFunction.role as iam.IRole;
  const mappingArn = (path: string) => stack.resolve(routeOf(path).eventSource.eventSourceMappingArn);
  const schedulerRoleId = () => {
    const ids = Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Role')
      .filter(([, r]) =>
        JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'),
      )
      .map(([id]) => id);
    expect(ids).toHaveLength(1);
    return ids[0] as string;
  };

  it('creates the stack’s schedule group', () => {
    const groups = Object.values(resources).filter((r) => r.Type === 'AWS::Scheduler::ScheduleGroup');
    expect(groups.map((g) => g.Properties.Name)).toEqual(['hookline-circuits']);
  });

  it('tells the guarded handler where to schedule its probe and with which role', () => {
    const variables = (
      resource(idOf(routeOf('/guarded/').handlerFunction)).Properties.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    const circuit = JSON.stringify(stack.resolve(variables[ENV.circuit]));
    expect(circuit).toContain('hookline-circuits');
    expect(circuit).toContain(schedulerRoleId());
    const plainVariables = (
      resource(idOf(routeOf('/plain/').handlerFunction)).Properties.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(plainVariables[ENV.circuit]).toBeUndefined();
  });

  it('lets the guarded handler switch its own mapping only, and schedule only under its route’s prefix', () => {
    const statements = statementsOf(handlerRole('/guarded/'));
    const update = statements.filter((s) => [s.Action].flat().includes('lambda:UpdateEventSourceMapping'));
    expect(update.map((s) => s.Resource)).toEqual([mappingArn('/guarded/')]);
    const create = statements.filter((s) => [s.Action].flat().includes('scheduler:CreateSchedule'));
    expect(create).toHaveLength(1);
    expect(JSON.stringify(create[0]?.Resource)).toContain(
      `:schedule/hookline-circuits/${circuitSchedulePrefix('/guarded/')}*`,
    );
    const passRole = statements.filter((s) => [s.Action].flat().includes('iam:PassRole'));
    expect(passRole).toEqual([
      {
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: { 'Fn::GetAtt': [schedulerRoleId(), 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      },
    ]);
  });

  it('lets the guarded handler read and write its own route’s circuit item only', () => {
    const circuitStatements = statementsOf(handlerRole('/guarded/')).filter((s) =>
      JSON.stringify(s.Condition ?? {}).includes('CIRCUIT#'),
    );
    expect(circuitStatements).toHaveLength(1);
    expect(circuitStatements[0]?.Action).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    expect(circuitStatements[0]?.Condition).toEqual({
      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [TABLE_PARTITIONS.circuit('/guarded/')] },
    });
  });

  it('gives a route without a breaker nothing of it', () => {
    const actions = actionsOf(handlerRole('/plain/'));
    for (const action of [
      'lambda:UpdateEventSourceMapping',
      'lambda:ListEventSourceMappings',
      'scheduler:CreateSchedule',
      'iam:PassRole',
    ]) {
      expect(actions).not.toContain(action);
    }
    expect(JSON.stringify(statementsOf(handlerRole('/plain/')))).not.toContain('CIRCUIT#');
  });

  it('lets Scheduler’s role, assumed only by Scheduler for this account, re-enable the guarded mapping and nothing else', () => {
    const role = resource(schedulerRoleId());
    const trust = JSON.stringify(role.Properties.AssumeRolePolicyDocument);
    expect(trust).toContain('aws:SourceAccount');
    expect(trust).toContain('aws:SourceArn');
    expect(trust).toContain(':schedule-group/hookline-circuits');
    const policies = Object.values(resources).filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: schedulerRoleId() }]),
    );
    const statements = policies.flatMap(
      (p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 'lambda:UpdateEventSourceMapping', Resource: mappingArn('/guarded/') },
    ]);
  });

  it('lets the admin cancel the guarded route’s probes only', () => {
    const statements = statementsOf(gateway.adminApi.role).filter((s) =>
      [s.Action].flat().includes('scheduler:DeleteSchedule'),
    );
    expect(statements).toHaveLength(1);
    const resourcesText = JSON.stringify(statements[0]?.Resource);
    expect(resourcesText).toContain(circuitSchedulePrefix('/guarded/'));
    expect(resourcesText).not.toContain(circuitSchedulePrefix('/plain/'));
  });

  it('alarms when the guarded route’s circuit opens, and has no such alarm on the plain route', () => {
    expect(routeOf('/guarded/').alarms.circuitOpened).toBeDefined();
    expect(routeOf('/plain/').alarms.circuitOpened).toBeUndefined();
    const alarm = resource(idOf(routeOf('/guarded/').alarms.circuitOpened as never)).Properties;
    expect(alarm).toMatchObject({
      AlarmName: 'hookline-guarded-circuit-opened',
      MetricName: 'CircuitOpened',
      Statistic: 'Sum',
      Period: 60,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'Route', Value: '/guarded/' }],
    });
    expect((alarm.AlarmActions as unknown[]).length).toBe(1);
  });

  it('turns the alarm off with alarms.circuitOpened: false', () => {
    const quiet = makeRoute({ ...guarded, alarms: { circuitOpened: false } });
    const other = new HooklineGateway(new Stack(unbundledApp(), 'quiet'), 'Gateway', {
      config: makeConfig([quiet]),
      projectRoot: PROJECT_ROOT,
    });
    expect(other.routes.get('/guarded/')?.alarms.circuitOpened).toBeUndefined();
  });

  describe.each([
    ['AwsSolutions', () => new AwsSolutionsChecks()],
    ['Serverless', () => new ServerlessChecks()],
  ] as const)('%s checks', (_name, makePack: () => NagPack) => {
    it('report no unacknowledged error or warning with a guarded route', () => {
      const report = makePack().validateScope(stack);
      expect(
        report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath)}`),
      ).toEqual([]);
      expect(report.success).toBe(true);
    });
  });
});
