/**
 * The CDK app: reads `hookline.config.ts` (or `HOOKLINE_CONFIG`), validates it and deploys one stack,
 * named after the config, holding the gateway. No account or region lookups, so it synthesizes
 * offline: `npx cdk synth`.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../shared/config/load.js';
import { HooklineGateway } from './hookline-gateway.js';

const configFile = process.env.HOOKLINE_CONFIG ?? DEFAULT_CONFIG_FILE;
const config = await loadConfig(configFile);

const app = new App();
const stack = new Stack(app, config.name, {
  description: `Hookline webhook gateway (${config.name})`,
});
new HooklineGateway(stack, 'Gateway', { config, configFile });

// cdk-nag 3 packs are CDK validation plugins: findings fail synthesis unless acknowledged with a reason.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
