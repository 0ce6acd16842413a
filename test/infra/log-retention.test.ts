/**
 * Logs expire: every log group of the stack has a retention, and every function writes to one of
 * them, so none is left to an implicit `/aws/lambda/...` group that keeps its logs forever (as CDK's
 * singleton custom-resource providers, such as S3 auto-delete or log retention, would be).
 */
import { join } from 'node:path';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import { HooklineGateway, type HooklineGatewayProps } from '../../infra/hookline-gateway.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../../shared/config/load.js';
import { resolveConfig } from '../../shared/config/validate.js';
import { unbundledApp } from '../helpers/cdk-app.js';

const PROJECT_ROOT = new URL('../..', import.meta.url).pathname;

/** The app `npx cdk synth` deploys: the shipped config, every default. */
async function shippedProject(): Promise<HooklineGatewayProps> {
  const configFile = join(PROJECT_ROOT, DEFAULT_CONFIG_FILE);
  return { config: await loadConfig(configFile), configFile };
}

/**
 * Every optional part of the stack on: tracing, alarms with an e-mail subscription, a metrics
 * namespace and event types, route filters, redaction, source IPs and a circuit breaker, a
 * handshake that stores its secret, a second secret (Meta), JWKS, an imported secret, a disabled
 * route, and the buckets and table removed with the stack.
 */
async function everythingOnProject(): Promise<HooklineGatewayProps> {
  const handler = 'handlers/alpha.ts';
  const config = resolveConfig({
    name: 'everything',
    tracing: true,
    metrics: { namespace: 'Everything/Webhooks' },
    alarms: { email: ['ops@example.com'], oldestMessageAge: { threshold: 600 } },
    routes: [
      {
        path: '/orders/',
        verify: { scheme: 'standardWebhooks', secret: { name: 'ORDERS_SECRET' } },
        handler,
        dedupe: { source: 'header', header: 'x-delivery-id' },
        filters: { methods: ['POST'], headers: { 'x-event': '^order[.]' }, payload: { type: 'order.*' } },
        redact: { body: ['card.number'], headers: ['x-api-key'] },
        allowedSourceIps: ['203.0.113.0/24'],
        metrics: { eventTypes: ['order.created'] },
        alarms: { dlqNotEmpty: { threshold: 1 } },
        circuitBreaker: { consecutiveFailures: 3 },
      },
      {
        path: '/asana/',
        verify: { scheme: 'asana', secret: { name: 'ASANA_SECRET' } },
        handler,
        tracing: false,
      },
      {
        path: '/meta/',
        verify: {
          scheme: 'meta',
          secret: { name: 'META_SECRET' },
          verifyToken: { name: 'META_VERIFY_TOKEN' },
        },
        handler,
      },
      {
        path: '/partner/',
        verify: { scheme: 'jwt', jwksUrl: 'https://partner.example.com/jwks.json' },
        handler,
      },
      {
        path: '/stripe/',
        verify: { scheme: 'stripe', secret: { name: 'STRIPE_SECRET', existing: true } },
        handler,
      },
      { path: '/paused/', enabled: false, verify: { scheme: 'none' }, handler },
    ],
  });
  return {
    config,
    configFile: join(PROJECT_ROOT, 'test/infra/fixtures/hookline.config.ts'),
    logRetention: logs.RetentionDays.ONE_WEEK,
    bodyBucketRemovalPolicy: RemovalPolicy.DESTROY,
    tableRemovalPolicy: RemovalPolicy.DESTROY,
  };
}

type Resources = Record<string, { Properties?: Record<string, unknown> }>;

describe.each([
  ['the shipped config', shippedProject, 30],
  ['a project with every optional feature on', everythingOnProject, 7],
])('log retention with %s', (_project, project, days) => {
  let template: Template;

  beforeAll(async () => {
    const stack = new Stack(unbundledApp(), 'hookline');
    new HooklineGateway(stack, 'Gateway', { projectRoot: PROJECT_ROOT, ...(await project()) });
    template = Template.fromStack(stack);
  });

  it(`keeps every log group's logs ${days} days`, () => {
    const groups = Object.entries(template.findResources('AWS::Logs::LogGroup') as Resources);

    expect(groups.length).toBeGreaterThan(0);
    for (const [id, group] of groups) expect(group.Properties?.RetentionInDays, id).toBe(days);
  });

  it('has every function write to a log group of the stack', () => {
    const groupIds = new Set(Object.keys(template.findResources('AWS::Logs::LogGroup')));
    const functions = Object.entries(template.findResources('AWS::Lambda::Function') as Resources);

    expect(functions.length).toBeGreaterThan(0);
    for (const [id, fn] of functions) {
      const { LogGroup } = (fn.Properties?.LoggingConfig ?? {}) as { LogGroup?: { Ref?: unknown } };
      expect(groupIds.has(String(LogGroup?.Ref)), `${id} has no log group of the stack`).toBe(true);
    }
  });
});
