/**
 * The `alarms` section of the config, at the top (defaults for every route, the topic, e-mail
 * subscriptions and the stack-wide alarms) and per route (overrides). Each alarm is `false` (off)
 * or an object whose fields override its default one by one: built-in default, then the top-level
 * setting, then the route's. `resolveRouteAlarms` and `resolveStackAlarms` apply that order.
 *
 * Every threshold is "alarm when the statistic is above it" over the alarm's period (one minute
 * for the queue alarms, five minutes for the others); `evaluationPeriods` consecutive periods must
 * breach. Missing data never breaches: the custom metrics exist only while events flow.
 */
import { z } from 'zod';

/** Thresholds and evaluation periods each alarm has when the config says nothing about it. */
export const ALARM_DEFAULTS = {
  /** Visible messages on the route's DLQ (maximum over 1 min): any dead-lettered event needs a look. */
  dlqNotEmpty: { threshold: 0, evaluationPeriods: 1 },
  /** Seconds the oldest message of the route's queue has waited (maximum over 1 min). */
  oldestMessageAge: { threshold: 900, evaluationPeriods: 1 },
  /** Percent of the handler's attempts that failed (`AttemptFailed` / attempts, 5 min). */
  handlerErrorRate: { threshold: 10, evaluationPeriods: 2 },
  /** Requests the ingress answered with 5xx (`IngressError`, sum over 5 min). */
  ingressErrors: { threshold: 0, evaluationPeriods: 1 },
  /** Requests refused for an invalid signature (`Rejected`, `Reason=invalid_signature`, sum over 5 min). */
  rejectedSignatures: { threshold: 10, evaluationPeriods: 1 },
  /** Lambda throttles of the route's ingress and of its handler (one alarm each, sum over 5 min). */
  throttles: { threshold: 0, evaluationPeriods: 1 },
  /** Times the route's circuit breaker opened (`CircuitOpened`, sum over 1 min); routes with a `circuitBreaker` only. */
  circuitOpened: { threshold: 0, evaluationPeriods: 1 },
  /** Throttled reads and writes on the event table (one alarm each, sum over 5 min); top level only. */
  tableThrottles: { threshold: 0, evaluationPeriods: 1 },
  /** 5xx answers of the HTTP API, every route and the admin API (sum over 5 min); top level only. */
  apiServerErrors: { threshold: 5, evaluationPeriods: 1 },
} as const;

/** CloudWatch allows at most a day of evaluation: 288 five-minute periods. */
const MAX_EVALUATION_PERIODS = 288;

/** An SNS topic ARN in any partition. */
const SNS_TOPIC_ARN_PATTERN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/**
 * One alarm: `false` turns it off; an object sets its threshold and evaluation periods, each
 * falling back to the level above (top-level setting, then `ALARM_DEFAULTS`).
 */
function alarmSetting(threshold: z.ZodNumber) {
  return z.union(
    [
      z.literal(false),
      z.strictObject({
        /** Alarm when the statistic is above this (the unit is the alarm's: messages, seconds, percent, count). */
        threshold: threshold.optional(),
        /** Consecutive periods that must breach. */
        evaluationPeriods: wholeNumber(1, MAX_EVALUATION_PERIODS).optional(),
      }),
    ],
    { error: 'must be false (off) or an object such as { threshold: 5, evaluationPeriods: 1 }' },
  );
}

/** Whole numbers by `multipleOf`: `.int()` would fail the union's type check and hide the message. */
const wholeNumber = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.number().min(min).max(max).multipleOf(1, 'must be a whole number');
const count = wholeNumber(0);

/** The alarms each route has, set at the top for every route or on a route for that route. */
const routeAlarmFields = {
  /**
   * The route's DLQ holds messages (`ApproximateNumberOfMessagesVisible`, maximum over 1 min).
   * @default { threshold: 0, evaluationPeriods: 1 }
   */
  dlqNotEmpty: alarmSetting(count).optional(),
  /**
   * The route's oldest queued message is older than `threshold` seconds
   * (`ApproximateAgeOfOldestMessage`, maximum over 1 min): the handler is stalled or too slow.
   * @default { threshold: 900, evaluationPeriods: 1 }
   */
  oldestMessageAge: alarmSetting(wholeNumber(1)).optional(),
  /**
   * More than `threshold` percent of the handler's attempts failed (`AttemptFailed` against
   * `AttemptFailed` + `Delivered`, over 5 min).
   * @default { threshold: 10, evaluationPeriods: 2 }
   */
  handlerErrorRate: alarmSetting(z.number().min(0).max(100)).optional(),
  /**
   * The ingress answered 5xx more than `threshold` times in 5 min (`IngressError`).
   * @default { threshold: 0, evaluationPeriods: 1 }
   */
  ingressErrors: alarmSetting(count).optional(),
  /**
   * More than `threshold` requests in 5 min were refused for an invalid signature (`Rejected` with
   * `Reason=invalid_signature`): an attack, or a secret rotated at the provider and not here.
   * @default { threshold: 10, evaluationPeriods: 1 }
   */
  rejectedSignatures: alarmSetting(count).optional(),
  /**
   * The route's ingress or handler function was throttled more than `threshold` times in 5 min
   * (AWS/Lambda `Throttles`, one alarm per function).
   * @default { threshold: 0, evaluationPeriods: 1 }
   */
  throttles: alarmSetting(count).optional(),
  /**
   * The route's circuit breaker opened more than `threshold` times in 1 min (`CircuitOpened`): its
   * handler kept failing, so its consumer is paused and events wait in the queue. Only on routes
   * with a `circuitBreaker`.
   * @default { threshold: 0, evaluationPeriods: 1 }
   */
  circuitOpened: alarmSetting(count).optional(),
};

/** Per-route `alarms`: overrides of the top-level settings for this route. */
export const routeAlarmsSchema = z.strictObject(routeAlarmFields);

/** Top-level `alarms`: where alarms notify, and the settings every route starts from. */
export const alarmsSchema = z.strictObject({
  /**
   * Send alarm notifications to this existing SNS topic instead of one the stack creates (an
   * encrypted topic's key must let `cloudwatch.amazonaws.com` use it).
   * @default - the stack creates `<name>-alarms`, encrypted with its own KMS key
   */
  topicArn: z
    .string()
    .regex(
      SNS_TOPIC_ARN_PATTERN,
      'must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:alerts',
    )
    .optional(),
  /** E-mail addresses subscribed to the topic (each must confirm the subscription). */
  email: z
    .array(z.email('must be an e-mail address'))
    .min(1)
    .refine((emails) => new Set(emails).size === emails.length, 'must not repeat an address')
    .optional(),
  ...routeAlarmFields,
  /**
   * The event table throttled more than `threshold` reads or writes in 5 min (`ReadThrottleEvents`,
   * `WriteThrottleEvents`: one alarm each).
   * @default { threshold: 0, evaluationPeriods: 1 }
   */
  tableThrottles: alarmSetting(count).optional(),
  /**
   * The HTTP API answered 5xx more than `threshold` times in 5 min (AWS/ApiGateway `5xx`), also
   * counting failures no function could count (timeouts, crashes, throttled invocations).
   * @default { threshold: 5, evaluationPeriods: 1 }
   */
  apiServerErrors: alarmSetting(count).optional(),
});

export type RouteAlarmName = keyof typeof routeAlarmFields;
export type StackAlarmName = 'tableThrottles' | 'apiServerErrors';
export type AlarmName = RouteAlarmName | StackAlarmName;

/** An alarm as the config may set it (read-only, as `ResolvedConfig` holds it). */
export type AlarmSetting =
  | false
  | { readonly threshold?: number | undefined; readonly evaluationPeriods?: number | undefined };
/** Any level of alarm settings: the top-level `alarms` or a route's. */
export type AlarmSettings = { readonly [Name in AlarmName]?: AlarmSetting | undefined };

/** An alarm that is on, with every field resolved. */
export interface ResolvedAlarm {
  readonly threshold: number;
  readonly evaluationPeriods: number;
}
export type ResolvedRouteAlarms = { readonly [Name in RouteAlarmName]: ResolvedAlarm | false };
export type ResolvedStackAlarms = { readonly [Name in StackAlarmName]: ResolvedAlarm | false };

export const ROUTE_ALARM_NAMES = Object.keys(routeAlarmFields) as readonly RouteAlarmName[];
export const STACK_ALARM_NAMES: readonly StackAlarmName[] = ['tableThrottles', 'apiServerErrors'];

/** A route's alarms: its own settings over the top-level ones over `ALARM_DEFAULTS`. */
export function resolveRouteAlarms(
  topLevel: AlarmSettings | undefined,
  route: AlarmSettings | undefined,
): ResolvedRouteAlarms {
  return Object.fromEntries(
    ROUTE_ALARM_NAMES.map((name) => [name, resolveAlarm(name, [topLevel?.[name], route?.[name]])]),
  ) as Record<RouteAlarmName, ResolvedAlarm | false>;
}

/** The stack-wide alarms: the top-level settings over `ALARM_DEFAULTS`. */
export function resolveStackAlarms(topLevel: AlarmSettings | undefined): ResolvedStackAlarms {
  return {
    tableThrottles: resolveAlarm('tableThrottles', [topLevel?.tableThrottles]),
    apiServerErrors: resolveAlarm('apiServerErrors', [topLevel?.apiServerErrors]),
  };
}

/** Applies `layers` (outermost first) over the alarm's default: `false` turns it off, an object sets fields. */
function resolveAlarm(name: AlarmName, layers: readonly (AlarmSetting | undefined)[]): ResolvedAlarm | false {
  const defaults: ResolvedAlarm = ALARM_DEFAULTS[name];
  let resolved: ResolvedAlarm | false = defaults;
  for (const layer of layers) {
    if (layer === undefined) continue;
    if (layer === false) {
      resolved = false;
      continue;
    }
    // A route that sets an alarm turns it back on when the top level turned it off.
    const base: ResolvedAlarm = resolved === false ? defaults : resolved;
    resolved = {
      threshold: layer.threshold ?? base.threshold,
      evaluationPeriods: layer.evaluationPeriods ?? base.evaluationPeriods,
    };
  }
  return resolved;
}

/** The config's alarm problems as `alarms.x.y: message` lines, for settings built in code without `resolveConfig`. */
export function alarmSettingsProblems(settings: unknown, at: string, topLevel: boolean): string[] {
  if (settings === undefined) return [];
  const parsed = (topLevel ? alarmsSchema : routeAlarmsSchema).safeParse(settings);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => {
    const path = issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
    return `${at}${path}: ${issue.message}`;
  });
}
