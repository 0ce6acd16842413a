import { DEFAULT_STACK_NAME } from '../config/stack-name.js';
import { ENV } from '../env-names.js';

/**
 * A deployed function's metrics namespace: `HOOKLINE_METRICS_NAMESPACE` (the config's
 * `metrics.namespace`, else its `name`, set by the stack); unset, the stack prefix of the route's
 * queue name (`<name>-<queueName>`, `shared/resources.ts`), else `hookline`.
 */
export function metricsNamespaceFromEnv(
  route: { readonly queueName: string },
  queueUrl: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const configured = env[ENV.metricsNamespace]?.trim();
  if (configured !== undefined && configured !== '') return configured;
  const queueName = queueUrl.split('/').at(-1) ?? '';
  const suffix = `-${route.queueName}`;
  return queueName.endsWith(suffix) && queueName.length > suffix.length
    ? queueName.slice(0, -suffix.length)
    : DEFAULT_STACK_NAME;
}

/** A config's metrics namespace: its `metrics.namespace`, else its `name`. */
export function configMetricsNamespace(config: {
  readonly name: string;
  readonly metrics?: { readonly namespace?: string };
}): string {
  return config.metrics?.namespace ?? config.name;
}
