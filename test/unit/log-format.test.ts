import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLocalLogger } from '../../shared/cli/local-logger.js';

const NOW = new Date('2026-06-01T12:34:56.789Z');

function lambdaContext(requestId: string): Context {
  return {
    awsRequestId: requestId,
    functionName: 'stack-Ingress-0123456789AB',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:stack-Ingress-0123456789AB',
    memoryLimitInMB: '256',
    logGroupName: '/aws/lambda/stack-Ingress-0123456789AB',
    logStreamName: '2026/06/01/[$LATEST]0123',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 10_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

function logged() {
  const lines: string[] = [];
  const logger = createLocalLogger({
    serviceName: 'hookline-ingress',
    destination: { write: (line) => lines.push(line) },
  });
  return { logger, lines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('HooklineLogFormatter', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    for (const name of ['POWERTOOLS_LOG_LEVEL', 'LOG_LEVEL', 'AWS_LAMBDA_LOG_LEVEL', 'POWERTOOLS_DEV']) {
      vi.stubEnv(name, '');
    }
    // Powertools reads the X-Ray trace id from here on every line: the lean shape leaves it out.
    vi.stubEnv(
      '_X_AMZN_TRACE_ID',
      'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
    );
  });

  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllEnvs();
  });

  it('writes level, message, timestamp, service, the request id, then the keys: none of the function facts', () => {
    const { logger, lines } = logged();
    logger.addContext(lambdaContext('req-1'));

    logger.info('event queued', { eventId: 'evt_1', route: '/orders/' });

    expect(lines()).toEqual([
      {
        level: 'INFO',
        message: 'event queued',
        timestamp: NOW.toISOString(),
        service: 'hookline-ingress',
        function_request_id: 'req-1',
        eventId: 'evt_1',
        route: '/orders/',
      },
    ]);
  });

  it('marks a cold start, and only a cold start', () => {
    // Lambda sets it; Powertools tells a cold start only in an on-demand execution environment.
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
    const { logger, lines } = logged();
    logger.addContext(lambdaContext('req-1'));
    logger.info('first');
    logger.addContext(lambdaContext('req-2'));
    logger.info('second');

    const [first, second] = lines();
    expect(first).toMatchObject({ function_request_id: 'req-1', cold_start: true });
    expect(second).toMatchObject({ function_request_id: 'req-2' });
    expect(second).not.toHaveProperty('cold_start');
  });

  it('writes no request id outside Lambda', () => {
    const { logger, lines } = logged();

    logger.warn('poller stopped');

    expect(lines()).toEqual([
      { level: 'WARN', message: 'poller stopped', timestamp: NOW.toISOString(), service: 'hookline-ingress' },
    ]);
  });
});
