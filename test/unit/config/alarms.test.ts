import { describe, expect, it } from 'vitest';
import { ALARM_DEFAULTS, resolveRouteAlarms, resolveStackAlarms } from '../../../shared/config/alarms.js';
import { ConfigError } from '../../../shared/config/errors.js';
import { resolveConfig } from '../../../shared/config/validate.js';

const GITHUB = { scheme: 'github', secret: { name: 'GITHUB_WEBHOOK_SECRET' } } as const;

function route(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { path: '/hook/', verify: GITHUB, handler: 'functions/handlers/hook.ts', ...overrides };
}

function problemsOf(input: unknown): readonly string[] {
  try {
    resolveConfig(input);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected resolveConfig() to throw a ConfigError');
}

describe('alarms config', () => {
  it('is optional: without it every alarm has its default', () => {
    const config = resolveConfig({ routes: [route()] });
    expect(config.alarms).toBeUndefined();
    expect(config.routes[0]?.alarms).toBeUndefined();
    expect(resolveRouteAlarms(config.alarms, config.routes[0]?.alarms)).toEqual({
      dlqNotEmpty: ALARM_DEFAULTS.dlqNotEmpty,
      oldestMessageAge: ALARM_DEFAULTS.oldestMessageAge,
      handlerErrorRate: ALARM_DEFAULTS.handlerErrorRate,
      ingressErrors: ALARM_DEFAULTS.ingressErrors,
      rejectedSignatures: ALARM_DEFAULTS.rejectedSignatures,
      throttles: ALARM_DEFAULTS.throttles,
      circuitOpened: ALARM_DEFAULTS.circuitOpened,
    });
    expect(resolveStackAlarms(config.alarms)).toEqual({
      tableThrottles: ALARM_DEFAULTS.tableThrottles,
      apiServerErrors: ALARM_DEFAULTS.apiServerErrors,
    });
  });

  it('is kept as written at the top and on a route', () => {
    const alarms = {
      topicArn: 'arn:aws:sns:us-east-1:123456789012:alerts',
      email: ['ops@example.com'],
      dlqNotEmpty: false,
      apiServerErrors: { threshold: 20 },
    };
    const routeAlarms = { oldestMessageAge: { threshold: 3600, evaluationPeriods: 3 } };
    const config = resolveConfig({ routes: [route({ alarms: routeAlarms })], alarms });
    expect(config.alarms).toEqual(alarms);
    expect(config.routes[0]?.alarms).toEqual(routeAlarms);
  });

  it('resolves a route field by field: its own setting, then the top level, then the default', () => {
    const resolved = resolveRouteAlarms(
      {
        oldestMessageAge: { threshold: 600 },
        handlerErrorRate: false,
        throttles: false,
        ingressErrors: { threshold: 3 },
      },
      {
        oldestMessageAge: { evaluationPeriods: 5 },
        handlerErrorRate: { threshold: 50 },
        ingressErrors: false,
      },
    );
    expect(resolved.oldestMessageAge).toEqual({ threshold: 600, evaluationPeriods: 5 });
    expect(resolved.handlerErrorRate).toEqual({ threshold: 50, evaluationPeriods: 2 });
    expect(resolved.throttles).toBe(false);
    expect(resolved.ingressErrors).toBe(false);
    expect(resolved.dlqNotEmpty).toEqual({ threshold: 0, evaluationPeriods: 1 });
  });

  it('names every problem by its field path', () => {
    expect(
      problemsOf({
        routes: [
          route({
            alarms: {
              dlqNotEmpty: true,
              oldestMessageAge: { threshold: 0 },
              topicArn: 'x',
              tableThrottles: false,
            },
          }),
        ],
        alarms: {
          topicArn: 'arn:aws:sqs:us-east-1:123456789012:queue',
          email: ['ops@example.com', 'not-an-address', 'ops@example.com'],
          handlerErrorRate: { threshold: 101, evaluationPeriods: 0 },
          rejectedSignatures: { threshold: 2.5 },
          ingressErrors: { thresold: 1 },
        },
      }),
    ).toEqual([
      'routes[0].alarms.dlqNotEmpty: must be false (off) or an object such as { threshold: 5, evaluationPeriods: 1 }',
      'routes[0].alarms.oldestMessageAge.threshold: Too small: expected number to be >=1',
      'routes[0].alarms.topicArn: unknown field; routes[0].alarms.tableThrottles: unknown field',
      'alarms.topicArn: must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:alerts',
      'alarms.email[1]: must be an e-mail address',
      'alarms.email: must not repeat an address',
      'alarms.handlerErrorRate.threshold: Too big: expected number to be <=100',
      'alarms.handlerErrorRate.evaluationPeriods: Too small: expected number to be >=1',
      'alarms.ingressErrors.thresold: unknown field',
      'alarms.rejectedSignatures.threshold: must be a whole number',
    ]);
  });
});
