/**
 * One source of truth: the CloudFormation template the CDK stack synthesizes and the queues the
 * local stack creates (createRouteQueues + queueSettings, against the SQS emulator) must agree on
 * queue names, redrive, visibility timeouts, retention and batching. The cloud side is read from
 * the template only, the local side from GetQueueAttributes and what the local poller is given.
 */
import { join } from 'node:path';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HooklineGateway } from '../../../infra/hookline-gateway.js';
import type { ResolvedConfig } from '../../../shared/config/types.js';
import { createRouteQueues } from '../../../shared/local/create-queues.js';
import { queueSettings } from '../../../shared/resources.js';
import { unbundledApp } from '../../helpers/cdk-app.js';
import { makeConfig, makeRoute } from '../../helpers/routes.js';
import { connectSqs, type EmulatorConnection } from '../../helpers/shared-emulators.js';

const PROJECT_ROOT = new URL('../../..', import.meta.url).pathname;
const CONFIG_FILE = join(PROJECT_ROOT, 'test/infra/fixtures/hookline.config.ts');

/** Two routes that differ in every setting the comparison covers. */
const config: ResolvedConfig = makeConfig(
  [
    makeRoute({
      path: '/alpha/',
      handler: 'handlers/alpha.ts',
      retry: { maxAttempts: 3, initialDelaySeconds: 5, multiplier: 2, maxDelaySeconds: 60 },
      timeoutSeconds: 20,
      batchSize: 4,
      maxBatchingWindowSeconds: 0,
    }),
    makeRoute({
      path: '/beta/events/',
      handler: 'handlers/beta.ts',
      verify: { scheme: 'none' },
      retry: { maxAttempts: 9, initialDelaySeconds: 30, multiplier: 3, maxDelaySeconds: 3600 },
      timeoutSeconds: 90,
      batchSize: 50,
      maxBatchingWindowSeconds: 3,
    }),
  ],
  'agree',
);

/** What a route's queue pair and its consumer look like, on either side. */
interface RouteQueueView {
  readonly queueName: string;
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  readonly maxReceiveCount: number;
  readonly dlqName: string;
  readonly dlqRetentionSeconds: number;
  /** Only this queue may redrive into the DLQ. */
  readonly dlqRedriveSources: readonly string[];
  /** Messages handed to one handler invocation at most. */
  readonly batchSize: number;
  /** Seconds the consumer waits to fill a batch (0: none). */
  readonly batchingWindowSeconds: number;
}

type CfnResource = { Type: string; Properties: Record<string, unknown> };

/** The logical id in `{ 'Fn::GetAtt': [id, 'Arn'] }`. */
function getAttId(value: unknown): string {
  const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
  if (getAtt?.[1] !== 'Arn') throw new Error(`expected Fn::GetAtt Arn, got ${JSON.stringify(value)}`);
  return getAtt[0];
}

/** The queue name at the end of a formatted ARN (`Fn::Join` of `arn:`, partition, ... `:name`). */
function joinedArnName(value: unknown): string {
  const parts = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join']?.[1];
  const last = parts?.at(-1);
  if (typeof last !== 'string') throw new Error(`expected a joined ARN, got ${JSON.stringify(value)}`);
  return last.replace(/^:/, '');
}

/** Reads every route queue (a queue with a redrive policy) and its DLQ and mapping from the template. */
function cloudView(resources: Record<string, CfnResource>): RouteQueueView[] {
  const queue = (id: string) => {
    const resource = resources[id];
    if (resource?.Type !== 'AWS::SQS::Queue') throw new Error(`${id} is not a queue`);
    return resource.Properties;
  };
  const mappings = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::SQS::Queue' && r.Properties.RedrivePolicy !== undefined)
    .map(([id, r]) => {
      const redrive = r.Properties.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number };
      const dlq = queue(getAttId(redrive.deadLetterTargetArn));
      const consumers = mappings.filter((m) => getAttId(m.Properties.EventSourceArn) === id);
      expect(consumers, `event source mappings on ${id}`).toHaveLength(1);
      const mapping = consumers[0]?.Properties ?? {};
      const allow = dlq.RedriveAllowPolicy as { redrivePermission: string; sourceQueueArns: unknown[] };
      expect(allow.redrivePermission).toBe('byQueue');
      return {
        queueName: r.Properties.QueueName as string,
        visibilityTimeoutSeconds: r.Properties.VisibilityTimeout as number,
        retentionSeconds: r.Properties.MessageRetentionPeriod as number,
        maxReceiveCount: redrive.maxReceiveCount,
        dlqName: dlq.QueueName as string,
        dlqRetentionSeconds: dlq.MessageRetentionPeriod as number,
        dlqRedriveSources: allow.sourceQueueArns.map(joinedArnName),
        batchSize: mapping.BatchSize as number,
        batchingWindowSeconds: (mapping.MaximumBatchingWindowInSeconds as number | undefined) ?? 0,
      };
    });
}

const arnName = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);

/** The queues are named after `config.name` (`agree-…`, as in the template), which no other file uses. */
let sqs: EmulatorConnection<SQSClient> | undefined;

beforeAll(async () => {
  sqs = await connectSqs();
});

afterAll(() => {
  sqs?.close();
});

/** Creates each route's queues as the local stack does and reads them back from the emulator. */
async function localView(): Promise<RouteQueueView[]> {
  const client = sqs?.client;
  if (!client) throw new Error('the SQS emulator is not running');
  const attributes = async (queueUrl: string) =>
    (await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] })))
      .Attributes ?? {};
  const views: RouteQueueView[] = [];
  for (const route of config.routes) {
    const queues = await createRouteQueues(client, queueSettings(route, config.name));
    const queue = await attributes(queues.queueUrl);
    const dlq = await attributes(queues.dlqUrl);
    const redrive = JSON.parse(queue.RedrivePolicy ?? '{}') as {
      deadLetterTargetArn: string;
      maxReceiveCount: number | string;
    };
    const allow = JSON.parse(dlq.RedriveAllowPolicy ?? '{}') as { sourceQueueArns?: string[] };
    views.push({
      queueName: arnName(queue.QueueArn ?? ''),
      visibilityTimeoutSeconds: Number(queue.VisibilityTimeout),
      retentionSeconds: Number(queue.MessageRetentionPeriod),
      maxReceiveCount: Number(redrive.maxReceiveCount),
      dlqName: arnName(redrive.deadLetterTargetArn),
      dlqRetentionSeconds: Number(dlq.MessageRetentionPeriod),
      dlqRedriveSources: (allow.sourceQueueArns ?? []).map(arnName),
      // The local poller is configured from the same route: it hands up to `batchSize` messages to
      // one processBatch call, gathering them over several ReceiveMessage calls of at most 10 (the
      // SQS per-receive limit, min(batchSize, 10) each) until the batch is full or the window closes.
      batchSize: route.batchSize,
      batchingWindowSeconds: route.maxBatchingWindowSeconds,
    });
  }
  return views;
}

describe('the synthesized template and the local stack', () => {
  let cloud: RouteQueueView[];
  let local: RouteQueueView[];

  beforeAll(async () => {
    const app = unbundledApp();
    const stack = new Stack(app, 'agree');
    new HooklineGateway(stack, 'Gateway', { config, projectRoot: PROJECT_ROOT, configFile: CONFIG_FILE });
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, CfnResource>;
    cloud = cloudView(resources);
    local = await localView();
  });

  const byName = (views: readonly RouteQueueView[], name: string) => {
    const view = views.find((v) => v.queueName === name);
    if (!view) throw new Error(`no queue ${name} in ${views.map((v) => v.queueName).join(', ')}`);
    return view;
  };

  it('have the same route queues', () => {
    expect(cloud.map((v) => v.queueName).sort()).toEqual(local.map((v) => v.queueName).sort());
    expect(cloud.map((v) => v.queueName).sort()).toEqual(['agree-alpha', 'agree-beta_events']);
  });

  describe.each(config.routes.map((route) => [route.path, queueSettings(route, config.name).queueName]))(
    'route %s (%s)',
    (_path, queueName) => {
      it('agrees on the DLQ name, maxReceiveCount and who may redrive into the DLQ', () => {
        const [c, l] = [byName(cloud, queueName), byName(local, queueName)];
        expect({ dlq: l.dlqName, receives: l.maxReceiveCount, sources: l.dlqRedriveSources }).toEqual({
          dlq: c.dlqName,
          receives: c.maxReceiveCount,
          sources: c.dlqRedriveSources,
        });
      });

      it('agrees on the visibility timeout and the retention of the queue and the DLQ', () => {
        const [c, l] = [byName(cloud, queueName), byName(local, queueName)];
        expect([l.visibilityTimeoutSeconds, l.retentionSeconds, l.dlqRetentionSeconds]).toEqual([
          c.visibilityTimeoutSeconds,
          c.retentionSeconds,
          c.dlqRetentionSeconds,
        ]);
      });

      it('agrees on the batch size and batching window of the consumer', () => {
        const [c, l] = [byName(cloud, queueName), byName(local, queueName)];
        expect([l.batchSize, l.batchingWindowSeconds]).toEqual([c.batchSize, c.batchingWindowSeconds]);
      });
    },
  );

  it('differs between the two routes, so agreement is not by coincidence of defaults', () => {
    const [alpha, beta] = ['agree-alpha', 'agree-beta_events'].map((name) => byName(cloud, name));
    expect(alpha?.maxReceiveCount).not.toBe(beta?.maxReceiveCount);
    expect(alpha?.visibilityTimeoutSeconds).not.toBe(beta?.visibilityTimeoutSeconds);
    expect(alpha?.batchSize).not.toBe(beta?.batchSize);
    expect(alpha?.batchingWindowSeconds).not.toBe(beta?.batchingWindowSeconds);
  });
});
