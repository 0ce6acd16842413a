/**
 * How the deployed admin function learns its routes. The list is split by when each part is known:
 * the routes' resolved configs and queue names at synth, baked into the bundle by esbuild's
 * `define` (a dozen routes' configs would overflow Lambda's 4 KB environment); the account, region
 * and partition at deploy, as queue URL and ARN prefixes in `ENV.adminRoutes`. A queue's URL and
 * ARN are its prefix plus its fixed name.
 */
import type { ResolvedRoute } from '../config/types.js';
import { EnvironmentError } from '../env.js';
import type { AdminRouteTarget } from './admin-api.js';

/** The expression esbuild replaces with the JSON of `AdminRouteConfig[]` in the admin bundle. */
export const ADMIN_ROUTE_CONFIGS_VARIABLE = 'HOOKLINE_ADMIN_ROUTE_CONFIGS';

/** One entry of the admin bundle's route list. */
export interface AdminRouteConfig {
  readonly route: ResolvedRoute;
  /** The route queue's name (`queueSettings`). */
  readonly queueName: string;
  /** The dead-letter queue's name. */
  readonly dlqName: string;
}

/** `ENV.adminRoutes`: what turns a queue name into its URL and ARN in the deployed account and region. */
export interface AdminQueuePrefixes {
  /** `https://sqs.<region>.<url suffix>/<account>/` */
  readonly queueUrlPrefix: string;
  /** `arn:<partition>:sqs:<region>:<account>:` */
  readonly queueArnPrefix: string;
}

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
