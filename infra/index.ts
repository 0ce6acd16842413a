/**
 * `hookline`: the gateway as a CDK construct for your own app, and the config helpers it takes.
 *
 * ```ts
 * import { HooklineGateway, loadConfig } from 'hookline';
 * new HooklineGateway(stack, 'Gateway', { config: await loadConfig('hookline.config.ts') });
 * ```
 */
export { ConfigError } from '../shared/config/errors.js';
export { DEFAULT_CONFIG_FILE, handlerEntry, loadConfig } from '../shared/config/load.js';
export {
  defineConfig,
  type HooklineConfig,
  type ResolvedConfig,
  type ResolvedRoute,
  type RouteConfig,
} from '../shared/config/types.js';
export { resolveConfig } from '../shared/config/validate.js';
export { HooklineGateway, type HooklineGatewayProps } from './hookline-gateway.js';
