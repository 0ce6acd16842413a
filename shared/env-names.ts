/** Environment variables the stack sets on Lambda functions (and the local stack sets in-process). */
export const ENV = {
  /** JSON of the function's `ResolvedRoute`. */
  route: 'HOOKLINE_ROUTE',
  tableName: 'HOOKLINE_TABLE_NAME',
  queueUrl: 'HOOKLINE_QUEUE_URL',
  /** URL of the route's dead-letter queue (permanent failures are sent there directly). */
  dlqUrl: 'HOOKLINE_DLQ_URL',
  /** ARN of the route's Secrets Manager secret; when absent secrets come from the environment. */
  secretArn: 'HOOKLINE_SECRET_ARN',
  /** JSON of the ARNs of the other secrets the route's scheme reads, by name (Meta's `verifyToken`). */
  otherSecretArns: 'HOOKLINE_OTHER_SECRET_ARNS',
  /** ARN of the stack's envelope key secret, which signs and verifies envelopes (`envelope-signature.ts`). */
  envelopeKeyArn: 'HOOKLINE_ENVELOPE_KEY_ARN',
  /** Seconds a fetched secret is cached per container. */
  secretTtlSeconds: 'HOOKLINE_SECRET_TTL_SECONDS',
  /** S3 bucket holding bodies too large to travel inline (claim check); unset: no large bodies. */
  bodyBucket: 'HOOKLINE_BODY_BUCKET',
  /** JSON of the admin function's queue URL and ARN prefixes (`shared/config/deployed-routes.ts`). */
  adminRoutes: 'HOOKLINE_ADMIN_ROUTES',
  /**
   * The CloudWatch namespace of the function's metrics (the config's `metrics.namespace`, else its
   * `name`); unset: the stack prefix of the route's queue name.
   */
  metricsNamespace: 'HOOKLINE_METRICS_NAMESPACE',
  /**
   * `true` on a route's ingress and handler functions when the route traces (`tracing` in the config):
   * the entry points then load Powertools Tracer and capture their AWS SDK clients. Unset: nothing of
   * X-Ray is loaded.
   */
  tracing: 'HOOKLINE_TRACING',
  /**
   * JSON of `CircuitSchedule` (`shared/circuit/event-source-switch.ts`) on the handler of a route with
   * a `circuitBreaker` and on the admin function: where the probe that re-enables an open circuit's
   * event source mapping is scheduled. Unset on a handler: its breaker is off.
   */
  circuit: 'HOOKLINE_CIRCUIT',
} as const;
