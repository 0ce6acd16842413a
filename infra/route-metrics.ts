import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { ResolvedConfig, ResolvedRoute } from '../shared/config/types.js';
import {
  type CIRCUIT_METRICS,
  INGRESS_METRICS,
  METRIC_DIMENSIONS,
  RUNTIME_METRICS,
} from '../shared/metric-names.js';

/** Period of the alarms and graphs on the functions' own metrics. */
export const METRIC_PERIOD = Duration.minutes(5);
/** SQS publishes queue metrics every minute. */
export const QUEUE_METRIC_PERIOD = Duration.minutes(1);

/** The `Reason` of a refusal for a signature that does not verify. */
export const INVALID_SIGNATURE_REASON = 'invalid_signature';

/** The namespace the functions emit their metrics in: the config's `metrics.namespace`, else its `name`. */
export function metricsNamespace(config: Pick<ResolvedConfig, 'name' | 'metrics'>): string {
  return config.metrics?.namespace ?? config.name;
}

type MetricName =
  | (typeof INGRESS_METRICS)[keyof typeof INGRESS_METRICS]
  | (typeof RUNTIME_METRICS)[keyof typeof RUNTIME_METRICS]
  | (typeof CIRCUIT_METRICS)[keyof typeof CIRCUIT_METRICS];

/**
 * A route's custom metrics (`shared/metric-names.ts`) as the ingress and handler runtime emit them:
 * under `namespace`, dimension `Route` = the route's configured path.
 */
export class RouteMetrics {
  constructor(
    private readonly namespace: string,
    private readonly route: Pick<ResolvedRoute, 'path'>,
  ) {}

  /** `name` summed per `METRIC_PERIOD`. */
  sum(name: MetricName, label?: string): cloudwatch.Metric {
    return this.metric(name, 'Sum', label);
  }

  /** `name` at percentile `statistic` (`p50`, `p99`) per `METRIC_PERIOD`. */
  percentile(name: MetricName, statistic: 'p50' | 'p99', label?: string): cloudwatch.Metric {
    return this.metric(name, statistic, label);
  }

  /** Requests refused for an invalid signature: `Rejected` with `Reason=invalid_signature`. */
  rejectedSignatures(): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.namespace,
      metricName: INGRESS_METRICS.rejected,
      dimensionsMap: {
        [METRIC_DIMENSIONS.route]: this.route.path,
        [METRIC_DIMENSIONS.reason]: INVALID_SIGNATURE_REASON,
      },
      statistic: 'Sum',
      period: METRIC_PERIOD,
      label: 'rejected (invalid signature)',
    });
  }

  /**
   * Every refusal, whatever its reason: `Rejected` is emitted only with its `Reason`, so the graph
   * sums a search over the reasons.
   */
  rejected(): cloudwatch.MathExpression {
    const route = this.route.path.replace(/["\\]/g, '\\$&');
    const search =
      `{${this.namespace},${METRIC_DIMENSIONS.route},${METRIC_DIMENSIONS.reason}} ` +
      `MetricName="${INGRESS_METRICS.rejected}" ${METRIC_DIMENSIONS.route}="${route}"`;
    return new cloudwatch.MathExpression({
      expression: `SUM(SEARCH('${search}', 'Sum', ${METRIC_PERIOD.toSeconds()}))`,
      usingMetrics: {},
      period: METRIC_PERIOD,
      label: 'rejected',
    });
  }

  /**
   * Percent of the handler's attempts that failed: `AttemptFailed` against `AttemptFailed` +
   * `Delivered`. The runtime catches a handler's errors and reports them as partial batch failures,
   * so Lambda's `Errors` never counts them: only these metrics do.
   */
  handlerErrorRate(): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: '100 * FILL(failed, 0) / (FILL(failed, 0) + FILL(delivered, 0))',
      usingMetrics: {
        // A period without deliveries (every attempt failing) still has a rate: missing counts as 0.
        failed: this.sum(RUNTIME_METRICS.attemptFailed),
        delivered: this.sum(RUNTIME_METRICS.delivered),
      },
      period: METRIC_PERIOD,
      label: 'handler error rate (%)',
    });
  }

  private metric(name: MetricName, statistic: string, label?: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.namespace,
      metricName: name,
      dimensionsMap: { [METRIC_DIMENSIONS.route]: this.route.path },
      statistic,
      period: METRIC_PERIOD,
      ...(label !== undefined && { label }),
    });
  }
}
