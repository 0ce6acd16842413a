/**
 * The deployed admin function's routes, read back from what its infrastructure baked into the
 * bundle and the environment (the contract is in `shared/config/deployed-routes.ts`).
 */
import {
  ADMIN_ROUTE_CONFIGS_VARIABLE,
  type AdminQueuePrefixes,
  type AdminRouteConfig,
} from '../config/deployed-routes.js';
import { EnvironmentError } from '../env.js';
import type { AdminRouteTarget } from './admin-api.js';

/** Joins the bundled route configs with the deployed prefixes; rejects malformed values by name. */
export function adminRouteTargets(configs: unknown, prefixes: unknown): AdminRouteTarget[] {
  if (!Array.isArray(configs)) {
    throw new EnvironmentError(`${ADMIN_ROUTE_CONFIGS_VARIABLE} must hold a JSON array of routes`);
  }
  const { queueUrlPrefix, queueArnPrefix } = (prefixes ?? {}) as Partial<AdminQueuePrefixes>;
  if (typeof queueUrlPrefix !== 'string' || typeof queueArnPrefix !== 'string') {
    throw new EnvironmentError('the admin queue prefixes must hold queueUrlPrefix and queueArnPrefix');
  }
  return (configs as AdminRouteConfig[]).map(({ route, queueName, dlqName }) => ({
    route,
    queueUrl: `${queueUrlPrefix}${queueName}`,
    queueArn: `${queueArnPrefix}${queueName}`,
    dlqUrl: `${queueUrlPrefix}${dlqName}`,
    dlqArn: `${queueArnPrefix}${dlqName}`,
  }));
}
