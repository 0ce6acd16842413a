/**
 * The contract between the admin function's infrastructure and its code: how the deployed admin
 * function learns its routes. The list is split by when each part is known: the routes' resolved
 * configs and queue names at synth, baked into the bundle by esbuild's `define` (a dozen routes'
 * configs would overflow Lambda's 4 KB environment); the account, region and partition at deploy,
 * as queue URL and ARN prefixes in `ENV.adminRoutes`. A queue's URL and ARN are its prefix plus its
 * fixed name. `shared/admin/deployed-routes.ts` reads them back.
 */
import type { ResolvedRoute } from './types.js';

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
