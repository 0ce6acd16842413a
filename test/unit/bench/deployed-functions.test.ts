/**
 * The bench builds and runs each function as the stack deploys it: infra's bundling options as
 * esbuild options, each route's `define`s, and the environment the synthesized template gives the
 * ingress and the handler (variable names, `NODE_OPTIONS`), memory and timeout.
 */
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BUNDLED_SCHEME_IDENTIFIER,
  BUNDLED_TRACING_IDENTIFIER,
  BUNDLING,
} from '../../../infra/hookline-function.js';
import { HooklineGateway } from '../../../infra/hookline-gateway.js';
import type { WebhookRoute } from '../../../infra/webhook-route.js';
import type { ResolvedRoute } from '../../../shared/config/types.js';
import type { AwsProxy } from '../../bench/aws-proxy.js';
import { esbuildOptions, routeDefine } from '../../bench/bundles.js';
import {
  handlerEnvironment,
  INGRESS_MEMORY_MB,
  INGRESS_TIMEOUT_MS,
  ingressEnvironment,
  type RouteDeployment,
} from '../../bench/deployed-functions.js';
import { unbundledApp } from '../../helpers/cdk-app.js';
import { makeConfig, makeRoute } from '../../helpers/routes.js';

const PROJECT_ROOT = new URL('../../..', import.meta.url).pathname;
const STACK_NAME = 'hookline';

const github = makeRoute({ path: '/github/' });
const traced = makeRoute({
  path: '/traced/',
  verify: { scheme: 'standardWebhooks', secret: { name: 'TRACED_WEBHOOK_SECRET' } },
  tracing: true,
});

const proxy: AwsProxy = {
  url: 'http://127.0.0.1:1',
  queueUrl: (url) => url,
  onCall: () => () => {},
  close: async () => {},
};

function deployment(route: ResolvedRoute): RouteDeployment {
  return {
    stackName: STACK_NAME,
    route,
    tableName: `${STACK_NAME}-events`,
    queues: { queueUrl: 'http://sqs/q', queueArn: 'arn:q', dlqUrl: 'http://sqs/dlq', dlqArn: 'arn:dlq' },
    proxy,
    secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:route-abcdef',
    envelopeKeyArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:key-abcdef',
  };
}

interface DeployedFunction {
  readonly MemorySize: number;
  readonly Timeout: number;
  readonly Environment: { readonly Variables: Record<string, unknown> };
}

describe('esbuildOptions()', () => {
  it("translates infra's BUNDLING into the esbuild options NodejsFunction passes", () => {
    const options = esbuildOptions(BUNDLING);

    expect(options).toMatchObject({
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      mainFields: ['module', 'main'],
      banner: { js: BUNDLING.banner },
      external: [],
    });
  });

  it('refuses a bundling option it does not translate, naming it', () => {
    expect(() => esbuildOptions({ ...BUNDLING, keepNames: true })).toThrow(/keepNames/);
  });
});

describe('routeDefine()', () => {
  it.each([
    { route: github, scheme: '"github"', tracing: 'false' },
    { route: traced, scheme: '"standardWebhooks"', tracing: 'true' },
  ])('defines the scheme and tracing infra bundles $route.path with', ({ route, scheme, tracing }) => {
    expect(routeDefine(route)).toEqual({
      [BUNDLED_SCHEME_IDENTIFIER]: scheme,
      [BUNDLED_TRACING_IDENTIFIER]: tracing,
    });
  });
});

describe("the bench's ingress and handler against the synthesized stack", () => {
  let template: Template;
  let stack: Stack;
  let gateway: HooklineGateway;

  beforeAll(() => {
    stack = new Stack(unbundledApp(), STACK_NAME);
    gateway = new HooklineGateway(stack, 'Gateway', {
      config: makeConfig([github, traced], STACK_NAME),
      projectRoot: PROJECT_ROOT,
    });
    template = Template.fromStack(stack);
  });

  const deployed = (route: ResolvedRoute, fn: 'ingress' | 'handler'): DeployedFunction => {
    const webhookRoute: WebhookRoute | undefined = gateway.routes.get(route.path);
    if (webhookRoute === undefined) throw new Error(`no route ${route.path}`);
    const lambda: NodejsFunction =
      fn === 'ingress' ? webhookRoute.ingressFunction : webhookRoute.handlerFunction;
    const id = stack.getLogicalId(lambda.node.defaultChild as CfnElement);
    const resource = template.toJSON().Resources[id] as { Properties: DeployedFunction } | undefined;
    if (resource === undefined) throw new Error(`no resource ${id}`);
    return resource.Properties;
  };
  const names = (variables: Record<string, unknown>) =>
    Object.keys(variables)
      .filter((name) => name !== 'PATH')
      .sort();

  describe.each([github, traced])('route $path', (route) => {
    it('runs the ingress with the variables, NODE_OPTIONS (none), memory and timeout the stack gives it', () => {
      const own = deployed(route, 'ingress');
      const bench = ingressEnvironment({ ...deployment(route), queueUrl: 'http://sqs/q' });

      expect(names(bench)).toEqual(names(own.Environment.Variables));
      expect(bench.NODE_OPTIONS).toBe(own.Environment.Variables.NODE_OPTIONS);
      expect(bench.NODE_OPTIONS).toBeUndefined();
      expect(INGRESS_MEMORY_MB).toBe(own.MemorySize);
      expect(INGRESS_TIMEOUT_MS).toBe(own.Timeout * 1000);
    });

    it('runs the handler with the variables and NODE_OPTIONS (source maps) the stack gives it', () => {
      const own = deployed(route, 'handler');
      const bench = handlerEnvironment(deployment(route));

      expect(names(bench)).toEqual(names(own.Environment.Variables));
      expect(bench.NODE_OPTIONS).toBe(own.Environment.Variables.NODE_OPTIONS);
      expect(bench.NODE_OPTIONS).toBe('--enable-source-maps');
    });
  });
});
