import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { AwsSolutionsChecks, NagRuleCompliance, rules, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { HooklineGateway } from '../../infra/hookline-gateway.js';
import type { ResolvedConfig, ResolvedTable } from '../../shared/config/types.js';
import { EVENT_TABLE } from '../../shared/resources.js';
import { unbundledApp } from '../helpers/cdk-app.js';
import { makeConfig } from '../helpers/routes.js';

const PROJECT_ROOT = new URL('../..', import.meta.url).pathname;
const INDEX_NAMES = Object.values(EVENT_TABLE.indexes).map((index) => index.name);

const PROVISIONED = {
  billing: 'provisioned',
  read: { min: 2, max: 40, targetUtilization: 60 },
  write: { min: 10, max: 800, targetUtilization: 75 },
} as const satisfies ResolvedTable;

function buildStack(table: ResolvedTable | undefined) {
  const stack = new Stack(unbundledApp(), 'hookline');
  const config: ResolvedConfig = { ...makeConfig(), ...(table !== undefined && { table }) };
  const gateway = new HooklineGateway(stack, 'Gateway', { config, projectRoot: PROJECT_ROOT });
  return { stack, gateway, template: Template.fromStack(stack) };
}

describe('HooklineGateway event table capacity', () => {
  describe.each([
    ['without a table setting', undefined],
    ['with billing onDemand', { billing: 'onDemand' }],
  ] as const)('%s', (_name, table) => {
    let template: Template;

    beforeAll(() => {
      ({ template } = buildStack(table));
    });

    it('bills per request, with no provisioned throughput on the table or its indexes', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        BillingMode: 'PAY_PER_REQUEST',
        ProvisionedThroughput: Match.absent(),
        GlobalSecondaryIndexes: INDEX_NAMES.map((name) =>
          Match.objectLike({ IndexName: name, ProvisionedThroughput: Match.absent() }),
        ),
      });
    });

    it('creates no auto scaling', () => {
      template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
      template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 0);
    });
  });

  describe('with billing provisioned', () => {
    let stack: Stack;
    let gateway: HooklineGateway;
    let template: Template;
    let tableId: string;

    beforeAll(() => {
      ({ stack, gateway, template } = buildStack(PROVISIONED));
      tableId = stack.getLogicalId(gateway.table.node.defaultChild as CfnElement);
    });

    /** The one scalable target of a dimension of the table (no `index`) or of an index: id and properties. */
    function scalableTarget(dimension: string, index?: string): { id: string; properties: unknown } {
      const resource = ['table/', { Ref: tableId }, ...(index === undefined ? [] : [`/index/${index}`])];
      const targets = Object.entries(
        template.findResources('AWS::ApplicationAutoScaling::ScalableTarget', {
          Properties: {
            ServiceNamespace: 'dynamodb',
            ScalableDimension: dimension,
            ResourceId: { 'Fn::Join': ['', resource] },
          },
        }),
      );
      expect(targets, `${dimension} of ${index ?? 'the table'}`).toHaveLength(1);
      const [id, target] = targets[0] ?? ['', {}];
      return { id, properties: (target as { Properties?: unknown }).Properties };
    }

    it('provisions the table and each index at the minimum capacity, keeping point-in-time recovery', () => {
      const throughput = {
        ReadCapacityUnits: PROVISIONED.read.min,
        WriteCapacityUnits: PROVISIONED.write.min,
      };
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        // CDK leaves it out for CloudFormation's default, PROVISIONED.
        BillingMode: Match.absent(),
        ProvisionedThroughput: throughput,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        GlobalSecondaryIndexes: INDEX_NAMES.map((name) =>
          Match.objectLike({ IndexName: name, ProvisionedThroughput: throughput }),
        ),
      });
    });

    it('scales reads and writes of the table and of every index: two targets each', () => {
      template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 2 * (1 + INDEX_NAMES.length));
      template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 2 * (1 + INDEX_NAMES.length));
    });

    describe.each([
      ['table', undefined],
      ...INDEX_NAMES.map((name) => [`index ${name}`, name] as const),
    ] as const)('on the %s', (_name, index) => {
      const kind = index === undefined ? 'table' : 'index';

      it.each([
        ['reads', 'ReadCapacityUnits', 'DynamoDBReadCapacityUtilization', PROVISIONED.read],
        ['writes', 'WriteCapacityUnits', 'DynamoDBWriteCapacityUtilization', PROVISIONED.write],
      ] as const)(
        'tracks the target utilization of its %s between min and max',
        (_what, unit, metric, scaling) => {
          const target = scalableTarget(`dynamodb:${kind}:${unit}`, index);
          expect(target.properties).toMatchObject({ MinCapacity: scaling.min, MaxCapacity: scaling.max });
          template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
            PolicyType: 'TargetTrackingScaling',
            ScalingTargetId: { Ref: target.id },
            TargetTrackingScalingPolicyConfiguration: {
              PredefinedMetricSpecification: { PredefinedMetricType: metric },
              TargetValue: scaling.targetUtilization,
            },
          });
        },
      );
    });

    it('passes the AwsSolutions and Serverless cdk-nag packs', () => {
      for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
        const report = pack.validateScope(stack);
        expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.length}`)).toEqual([]);
      }
    });

    it('satisfies cdk-nag’s auto scaling rule for provisioned tables (NIST and HIPAA packs)', () => {
      const cfnTable = gateway.table.node.defaultChild as dynamodb.CfnTable;
      expect(rules.dynamodb.DynamoDBAutoScalingEnabled(cfnTable)).toBe(NagRuleCompliance.COMPLIANT);
    });
  });

  it('is refused, with every problem named, when a config built in code has bad capacity', () => {
    const table = {
      billing: 'provisioned',
      read: { min: 0, max: 10, targetUtilization: 95 },
      write: { min: 50, max: 20, targetUtilization: 70 },
    } as const satisfies ResolvedTable;
    expect(() => buildStack(table)).toThrow(
      /Invalid Hookline gateway:[\s\S]*table\.read\.min: must be at least 1[\s\S]*table\.read\.targetUtilization: must be 20–90 \(percent\)[\s\S]*table\.write\.max: 20 is below min \(50\)/,
    );
  });
});
