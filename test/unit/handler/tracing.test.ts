import type { Context, SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ENV } from '../../../shared/env-names.js';
import { LambdaTracing, type LoadedTracer, tracingFromEnv } from '../../../shared/handler/tracing.js';
import { TEST_ENVELOPE_KEY } from '../../helpers/envelope-keys.js';
import { makeRoute } from '../../helpers/routes.js';

// X-Ray cannot run here: the Tracer modules are replaced by a stand-in that records what it saw.
const standIn = await vi.hoisted(() => import('../../helpers/tracer-stand-in.js'));
const { tracerSeen, resetTracerSeen } = standIn;
vi.mock('@aws-lambda-powertools/tracer', () => standIn.tracerModule());
vi.mock('@aws-lambda-powertools/tracer/middleware', () => standIn.tracerMiddlewareModule());

const lambdaContext = {
  functionName: 'handler',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 30_000,
} as Context;

/** A loader whose Tracer records the clients it captures and the hooks that ran. */
function fakeLoader() {
  const seen = { loads: 0, captured: [] as object[], hooks: [] as string[] };
  const load = async (_serviceName?: string): Promise<LoadedTracer> => {
    seen.loads += 1;
    return {
      tracer: {
        captureAWSv3Client: <T>(client: T) => {
          seen.captured.push(client as object);
          return client;
        },
      },
      middleware: {
        before: () => void seen.hooks.push('before'),
        after: () => void seen.hooks.push('after'),
        onError: () => void seen.hooks.push('onError'),
      },
    };
  };
  return { seen, load };
}

// biome-ignore lint/suspicious/noExplicitAny: a middy request is opaque to these hooks
const request = {} as any;

describe('tracingFromEnv()', () => {
  it('is on only when HOOKLINE_TRACING is "true"', () => {
    expect(tracingFromEnv('svc', {})).toBeUndefined();
    expect(tracingFromEnv('svc', { [ENV.tracing]: 'false' })).toBeUndefined();
    expect(tracingFromEnv('svc', { [ENV.tracing]: '1' })).toBeUndefined();
    expect(tracingFromEnv('svc', { [ENV.tracing]: 'true' })).toBeInstanceOf(LambdaTracing);
  });
});

describe('LambdaTracing', () => {
  it('loads the Tracer before the first invocation only, capturing the clients made before it', async () => {
    const { seen, load } = fakeLoader();
    const tracing = new LambdaTracing('svc', load);
    const early = tracing.capture({ name: 'dynamodb' });
    const middleware = tracing.middleware();

    expect(seen.loads).toBe(0);
    expect(tracing.loaded).toBe(false);
    await middleware.before?.(request);
    await middleware.after?.(request);
    await middleware.before?.(request);
    await middleware.onError?.(request);
    const late = tracing.capture({ name: 'sqs' });

    expect(seen.loads).toBe(1);
    expect(tracing.loaded).toBe(true);
    expect(seen.captured).toEqual([early, late]);
    expect(seen.hooks).toEqual(['before', 'after', 'before', 'onError']);
  });

  it('tries the load again on the next invocation when it failed', async () => {
    const { seen, load } = fakeLoader();
    let failures = 1;
    const tracing = new LambdaTracing('svc', async (name) => {
      if (failures-- > 0) throw new Error('import failed');
      return load(name);
    });
    const middleware = tracing.middleware();

    await expect(middleware.before?.(request)).rejects.toThrow('import failed');
    await middleware.before?.(request);

    expect(seen.loads).toBe(1);
    expect(seen.hooks).toEqual(['before']);
  });
});

describe('defineHandler() and HOOKLINE_TRACING', () => {
  const saved = { ...process.env };
  const route = makeRoute({ path: '/traced/' });

  beforeEach(() => {
    vi.resetModules();
    resetTracerSeen();
    process.env = {
      ...saved,
      [ENV.route]: JSON.stringify(route),
      [ENV.tableName]: 'events',
      [ENV.queueUrl]: 'http://sqs.local/000000000000/traced',
      [ENV.dlqUrl]: 'http://sqs.local/000000000000/traced-dlq',
      HOOKLINE_ENVELOPE_KEY: TEST_ENVELOPE_KEY,
      AWS_REGION: 'us-east-1',
      POWERTOOLS_LOG_LEVEL: 'CRITICAL',
      POWERTOOLS_METRICS_DISABLED: 'true',
    };
  });

  afterEach(() => {
    process.env = saved;
  });

  async function invokeEmptyBatch(): Promise<unknown> {
    const { defineHandler } = await import('../../../shared/handler/define-handler.js');
    const handler = defineHandler(async () => {});
    return handler({ Records: [] } as SQSEvent, lambdaContext);
  }

  it('loads nothing of X-Ray without HOOKLINE_TRACING', async () => {
    delete process.env[ENV.tracing];

    expect(await invokeEmptyBatch()).toEqual({ batchItemFailures: [] });

    expect(tracerSeen.imports).toBe(0);
    expect(tracerSeen.services).toEqual([]);
  });

  it('with HOOKLINE_TRACING=true wraps the invocation with captureLambdaHandler and captures the DynamoDB and SQS clients', async () => {
    process.env[ENV.tracing] = 'true';

    expect(await invokeEmptyBatch()).toEqual({ batchItemFailures: [] });
    await invokeEmptyBatch();

    expect(tracerSeen.services).toEqual(['hookline-handler', 'hookline-handler']);
    expect(tracerSeen.hooks).toEqual(['before', 'after', 'before', 'after']);
    const clients = tracerSeen.captured.map((client) => client.constructor.name);
    expect(clients).toEqual(['DynamoDBClient', 'SQSClient', 'DynamoDBClient', 'SQSClient']);
  });
});
