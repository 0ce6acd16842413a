import type { ResolvedRoute } from '../shared/config/types.js';

/**
 * The route as its functions read it (`ENV.route`): the resolved route without what only the stack
 * uses (`alarms`), so Lambda's 4 KB of environment is not spent on it.
 */
export function routeEnvironmentJson(route: ResolvedRoute): string {
  const { alarms: _alarms, ...runtimeRoute } = route;
  return JSON.stringify(runtimeRoute);
}
