import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ResolvedAlarm, ResolvedRouteAlarms } from '../shared/config/alarms.js';
import type { ResolvedRoute } from '../shared/config/types.js';
import { CIRCUIT_METRICS, INGRESS_METRICS } from '../shared/metric-names.js';
import { METRIC_PERIOD, QUEUE_METRIC_PERIOD, RouteMetrics } from './route-metrics.js';

export interface RouteAlarmsProps {
  /** The route the alarms watch. */
  readonly route: ResolvedRoute;
  /** Resource name prefix (the config's `name`): alarms are named `<prefix>-<queue name>-<alarm>`. */
  readonly prefix: string;
  /** Namespace of the route's custom metrics. */
  readonly metricsNamespace: string;
  /** Each alarm's threshold and evaluation periods, or `false` for an alarm that is off. */
  readonly settings: ResolvedRouteAlarms;
  readonly queue: sqs.IQueue;
  readonly deadLetterQueue: sqs.IQueue;
  readonly ingressFunction: lambda.IFunction;
  readonly handlerFunction: lambda.IFunction;
  /**
   * Where every alarm notifies, on entering ALARM and on returning to OK.
   * @default - no action
   */
  readonly action?: cloudwatch.IAlarmAction;
}

/**
 * A route's alarms, each on when its setting is not `false` (`shared/config/alarms.ts` documents the
 * defaults): DLQ not empty, oldest message age, handler error rate, ingress 5xx, rejected-signature
 * spike, throttles of the ingress and of the handler function, and (with a `circuitBreaker`) the
 * circuit opening.
 *
 * Per-route alarms, each notifying the topic itself, rather than one composite alarm per route or
 * stack: a notification then names the route and the failure (and its description says what to do:
 * redrive the DLQ, check the secret, look at the handler's logs), each alarm's threshold is
 * overridden on its own, and no alarm's ALARM is hidden behind a composite that is already in ALARM
 * (a composite notifies once, when it changes state, so a second route failing while the first
 * still does would go unnoticed). They also cost no more: a composite over them would be an extra
 * alarm. A team that wants one page per stack can build a composite over `all` themselves.
 *
 * Missing data never breaches: the custom metrics exist only for periods with events, and SQS stops
 * publishing for a queue idle for hours.
 */
export class RouteAlarms extends Construct {
  /** The DLQ holds messages (AWS/SQS `ApproximateNumberOfMessagesVisible`, maximum). */
  public readonly dlqNotEmpty?: cloudwatch.Alarm;
  /** The queue's oldest message is too old (AWS/SQS `ApproximateAgeOfOldestMessage`, maximum). */
  public readonly oldestMessageAge?: cloudwatch.Alarm;
  /** Too many of the handler's attempts failed (`AttemptFailed` / (`AttemptFailed` + `Delivered`)). */
  public readonly handlerErrorRate?: cloudwatch.Alarm;
  /** The ingress answered 5xx (`IngressError`). */
  public readonly ingressErrors?: cloudwatch.Alarm;
  /** Many requests were refused for an invalid signature (`Rejected`, `Reason=invalid_signature`). */
  public readonly rejectedSignatures?: cloudwatch.Alarm;
  /** The ingress function was throttled (AWS/Lambda `Throttles`). */
  public readonly ingressThrottles?: cloudwatch.Alarm;
  /** The handler function was throttled (AWS/Lambda `Throttles`). */
  public readonly handlerThrottles?: cloudwatch.Alarm;
  /** The route's circuit breaker opened (`CircuitOpened`); routes with a `circuitBreaker` only. */
  public readonly circuitOpened?: cloudwatch.Alarm;
  /** Every alarm above that is on. */
  public readonly all: readonly cloudwatch.Alarm[];

  private readonly props: RouteAlarmsProps;

  constructor(scope: Construct, id: string, props: RouteAlarmsProps) {
    super(scope, id);
    this.props = props;
    const { route, settings } = props;
    const metrics = new RouteMetrics(props.metricsNamespace, route);
    const all: cloudwatch.Alarm[] = [];
    const add = (
      alarmId: string,
      setting: ResolvedAlarm | false,
      metric: cloudwatch.IMetric,
      description: string,
    ): cloudwatch.Alarm | undefined => {
      if (setting === false) return undefined;
      const alarm = this.alarm(alarmId, setting, metric, description);
      all.push(alarm);
      return alarm;
    };

    this.dlqNotEmpty = add(
      'DlqNotEmpty',
      settings.dlqNotEmpty,
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: QUEUE_METRIC_PERIOD,
      }),
      `Events of ${route.path} were dead-lettered: their attempts are used up or they failed permanently. ` +
        'Read why in the event history (`hookline events`), fix the handler, then `hookline dlq redrive`.',
    );
    this.oldestMessageAge = add(
      'OldestMessageAge',
      settings.oldestMessageAge,
      props.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: QUEUE_METRIC_PERIOD }),
      `The oldest message on ${route.path}'s queue is older than the threshold (seconds): the handler is ` +
        'stalled, throttled or slower than the traffic. Check its errors, duration and concurrency.',
    );
    this.handlerErrorRate = add(
      'HandlerErrorRate',
      settings.handlerErrorRate,
      metrics.handlerErrorRate(),
      `Too many of ${route.path}'s handler attempts failed (percent): failed events are retried and then ` +
        "dead-lettered. Read the handler's log group.",
    );
    this.ingressErrors = add(
      'IngressErrors',
      settings.ingressErrors,
      metrics.sum(INGRESS_METRICS.ingressError),
      `The ingress of ${route.path} answered 5xx: the provider was told to retry (it may give up). ` +
        "Read the ingress's log group: DynamoDB, SQS or Secrets Manager failed.",
    );
    this.rejectedSignatures = add(
      'RejectedSignatures',
      settings.rejectedSignatures,
      metrics.rejectedSignatures(),
      `Many requests to ${route.path} had an invalid signature: an attack, or the provider's secret changed ` +
        "and the route's secret was not updated (store old and new side by side while rotating).",
    );
    if (settings.throttles !== false) {
      const throttles = (fn: lambda.IFunction) =>
        fn.metricThrottles({ statistic: 'Sum', period: METRIC_PERIOD });
      this.ingressThrottles = add(
        'IngressThrottles',
        settings.throttles,
        throttles(props.ingressFunction),
        `The ingress function of ${route.path} was throttled: requests were answered 5xx (429 from Lambda). ` +
          'Raise the account concurrency limit or reserve concurrency.',
      );
      this.handlerThrottles = add(
        'HandlerThrottles',
        settings.throttles,
        throttles(props.handlerFunction),
        `The handler function of ${route.path} was throttled: messages wait on the queue longer. ` +
          'Raise the account concurrency limit or lower other functions’ use of it.',
      );
    }
    if (route.circuitBreaker !== undefined) {
      this.circuitOpened = add(
        'CircuitOpened',
        settings.circuitOpened,
        metrics.sum(CIRCUIT_METRICS.opened).with({ period: QUEUE_METRIC_PERIOD }),
        `The circuit breaker of ${route.path} opened: its handler kept failing, so its event source mapping ` +
          'is disabled and events wait in the queue (none is dead-lettered meanwhile). A probe runs after the ' +
          'cool-down. Fix the downstream or the handler; `hookline status` shows the circuit, ' +
          '`hookline route resume` closes it at once.',
      );
    }
    this.all = all;
  }

  private alarm(
    id: string,
    setting: ResolvedAlarm,
    metric: cloudwatch.IMetric,
    description: string,
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `${this.props.prefix}-${this.props.route.queueName}-${kebab(id)}`,
      alarmDescription: description,
      metric,
      threshold: setting.threshold,
      evaluationPeriods: setting.evaluationPeriods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (this.props.action) {
      alarm.addAlarmAction(this.props.action);
      alarm.addOkAction(this.props.action);
    }
    return alarm;
  }
}

/** `DlqNotEmpty` → `dlq-not-empty`. */
export function kebab(id: string): string {
  return id.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
