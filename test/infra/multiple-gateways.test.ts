/**
 * Several gateways in one stack, as another CDK app uses the construct: output ids scoped by the
 * construct's id (`Gateway` keeps Hookline's own unprefixed ids), configs written in code validated
 * like config files, what would collide between two gateways reported up front, and the CLI's
 * `--stack NAME[/PREFIX]` lookup of a gateway's outputs.
 */
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { HooklineGateway } from '../../infra/hookline-gateway.js';
import { describeDeployedStack, splitStackName } from '../../shared/cli/deployed-stack.js';
import { unbundledApp } from '../helpers/cdk-app.js';
import { makeConfig, makeRoute } from '../helpers/routes.js';

const PROJECT_ROOT = new URL('../..', import.meta.url).pathname;
const HANDLER = new URL('../../functions/handlers/order-status.ts', import.meta.url).pathname;

function twoGateways(): { stack: Stack; orders: HooklineGateway; billing: HooklineGateway } {
  const stack = new Stack(unbundledApp(), 'shared');
  const orders = new HooklineGateway(stack, 'Orders', {
    config: makeConfig([makeRoute({ path: '/orders/' })], 'orders'),
    projectRoot: PROJECT_ROOT,
  });
  // Written in code, as `defineConfig` takes it: validated and resolved by the construct.
  const billing = new HooklineGateway(stack, 'billing-gateway', {
    config: {
      name: 'billing',
      routes: [
        {
          path: '/invoices/',
          verify: { scheme: 'stripe', secret: { name: 'BILLING_STRIPE_SECRET' } },
          handler: HANDLER,
        },
      ],
    },
    projectRoot: PROJECT_ROOT,
  });
  return { stack, orders, billing };
}

describe('HooklineGateway, twice in one stack', () => {
  it('prefixes each output id with the construct id (letters and digits)', () => {
    const { stack, orders, billing } = twoGateways();
    expect([orders.outputPrefix, billing.outputPrefix]).toEqual(['Orders', 'billinggateway']);
    const outputs = Object.keys(Template.fromStack(stack).toJSON().Outputs as object).sort();
    const names = ['ApiUrl', 'EventTableName', 'EnvelopeKeyArn', 'BodyBucketName', 'AlarmTopicArn'];
    expect(outputs).toEqual(
      [
        ...names.map((name) => `Orders${name}`),
        'OrdersWebhookUrlOrders',
        ...names.map((name) => `billinggateway${name}`),
        'billinggatewayWebhookUrlInvoices',
      ].sort(),
    );
  });

  it('resolves a config written in code, with the absolute handler path as its entry', () => {
    const { billing } = twoGateways();
    expect(billing.config.routes[0]).toMatchObject({ path: '/invoices/', queueName: 'invoices' });
  });

  it('leaves cdk-nag nothing to report', () => {
    const { stack } = twoGateways();
    for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
      const report = pack.validateScope(stack);
      expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    }
  });

  it('keeps the unprefixed ids for the id Gateway, or takes the given outputPrefix', () => {
    const stack = new Stack(unbundledApp(), 'own');
    new HooklineGateway(stack, 'Gateway', { config: makeConfig(), projectRoot: PROJECT_ROOT });
    new HooklineGateway(stack, 'Second', {
      config: makeConfig([makeRoute({ verify: { scheme: 'none' } })], 'second'),
      projectRoot: PROJECT_ROOT,
      outputPrefix: 'Two',
    });
    const outputs = Object.keys(Template.fromStack(stack).toJSON().Outputs as object);
    expect(outputs).toEqual(
      expect.arrayContaining(['ApiUrl', 'EventTableName', 'TwoApiUrl', 'TwoEventTableName']),
    );
  });

  it('reports every collision with another gateway of the stack at once', () => {
    const stack = new Stack(unbundledApp(), 'clash');
    const route = makeRoute({ verify: { scheme: 'github', secret: { name: 'SHARED_SECRET' } } });
    new HooklineGateway(stack, 'First', {
      config: makeConfig([route], 'same'),
      projectRoot: PROJECT_ROOT,
      outputPrefix: 'Out',
    });
    expect(
      () =>
        new HooklineGateway(stack, 'Second', {
          config: makeConfig([route], 'same'),
          projectRoot: PROJECT_ROOT,
          outputPrefix: 'Out',
        }),
    ).toThrow(
      /config name "same" is used by gateway clash\/First too[\s\S]*output prefix "Out" is used by gateway clash\/First too[\s\S]*secret "SHARED_SECRET" is created by gateway clash\/First too/,
    );
  });

  it('refuses an output prefix with other characters than letters and digits', () => {
    const stack = new Stack(unbundledApp(), 'bad');
    expect(
      () =>
        new HooklineGateway(stack, 'G', {
          config: makeConfig(),
          projectRoot: PROJECT_ROOT,
          outputPrefix: 'a-b',
        }),
    ).toThrow(/outputPrefix "a-b" may hold only letters and digits/);
  });
});

describe('describeDeployedStack() with several gateways', () => {
  const stackId = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/shared/0f1e';
  const fakeClient = (outputs: Record<string, string>) =>
    ({
      send: async () => ({
        Stacks: [
          {
            StackName: 'shared',
            StackId: stackId,
            StackStatus: 'CREATE_COMPLETE',
            Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
          },
        ],
      }),
    }) as unknown as Pick<CloudFormationClient, 'send'>;
  const two = {
    OrdersApiUrl: 'https://orders.example/',
    OrdersEventTableName: 'orders-table',
    BillingApiUrl: 'https://billing.example',
  };

  it('splits NAME/PREFIX, and leaves names and ARNs without one whole', () => {
    expect(splitStackName('shared/Orders')).toEqual({ stackName: 'shared', outputPrefix: 'Orders' });
    expect(splitStackName('shared')).toEqual({ stackName: 'shared' });
    expect(splitStackName(stackId)).toEqual({ stackName: stackId });
  });

  it("reads NAME/PREFIX's outputs under their unprefixed names", async () => {
    const stack = await describeDeployedStack({ stackName: 'shared/Orders', client: fakeClient(two) });
    expect(stack).toMatchObject({
      apiUrl: 'https://orders.example',
      outputPrefix: 'Orders',
      region: 'eu-west-1',
    });
    expect(stack.outputs.EventTableName).toBe('orders-table');
  });

  it("takes a stack's only gateway, prefixed or not", async () => {
    const only = await describeDeployedStack({
      stackName: 'shared',
      client: fakeClient({ BillingApiUrl: 'https://billing.example' }),
    });
    expect(only).toMatchObject({ apiUrl: 'https://billing.example', outputPrefix: 'Billing' });
    const own = await describeDeployedStack({
      stackName: 'shared',
      client: fakeClient({ ApiUrl: 'https://a.example' }),
    });
    expect(own).toMatchObject({ apiUrl: 'https://a.example', outputPrefix: '' });
  });

  it('asks which gateway when the stack holds several', async () => {
    await expect(describeDeployedStack({ stackName: 'shared', client: fakeClient(two) })).rejects.toThrow(
      /holds several gateways \(Orders, Billing\): pick one with --stack shared\/Orders/,
    );
  });

  it('names the missing output of a prefix the stack does not have', async () => {
    await expect(
      describeDeployedStack({ stackName: 'shared/Nope', client: fakeClient(two) }),
    ).rejects.toThrow(/has no NopeApiUrl output/);
  });
});
