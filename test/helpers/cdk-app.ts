/** CDK apps for the infra tests. */
import { App } from 'aws-cdk-lib';
import { BUNDLING_STACKS } from 'aws-cdk-lib/cx-api';

/**
 * An app whose stacks skip esbuild bundling: each function's code is a placeholder asset, while the
 * template comes out the same. For tests that read templates, not bundles: bundling every function
 * costs seconds of CPU per stack, which the suite's other files wait for.
 */
export function unbundledApp(): App {
  return new App({ context: { [BUNDLING_STACKS]: [] } });
}
