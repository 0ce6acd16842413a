import { join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * esbuild settings shared by every Hookline function (the ingress and each route's handler), so
 * what is measured for one bundle holds for all of them.
 */
export const BUNDLING: nodejs.BundlingOptions = {
  minify: true,
  sourceMap: true,
  // Stack traces need names and positions, not the sources: the map loads at every cold start
  // (--enable-source-maps), and without sources it is a third of the size and half the cost.
  sourcesContent: false,
  format: nodejs.OutputFormat.ESM,
  mainFields: ['module', 'main'],
  target: 'node24',
  // Some CommonJS dependencies call `require` on Node built-ins; give the ESM bundle one.
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  // Bundle the AWS SDK instead of using the runtime's copy: the version we test is the version that
  // runs (the runtime's SDK changes under us), and AWS's cold-start guidance is to bundle only the
  // clients used, tree-shaken and minified, rather than loading the full SDK from the runtime.
  externalModules: [],
  forceDockerBundling: false,
};

/** Turns the bundles' source maps on in Lambda (`BUNDLING.sourceMap`). */
export const SOURCE_MAPS_ENVIRONMENT: Readonly<Record<string, string>> = {
  NODE_OPTIONS: '--enable-source-maps',
};

/** Runtime, architecture and bundling every Hookline `NodejsFunction` is built with. */
export type BundledFunctionDefaults = Required<
  Pick<nodejs.NodejsFunctionProps, 'runtime' | 'architecture' | 'bundling'>
> &
  Pick<nodejs.NodejsFunctionProps, 'projectRoot' | 'depsLockFilePath'>;

/**
 * The props shared by every Hookline function: nodejs24.x on arm64, bundled with `BUNDLING`, with
 * `projectRoot`'s `package-lock.json` when a project root is given (else CDK finds the nearest lock
 * file above the working directory).
 */
export function bundledFunctionDefaults(projectRoot?: string): BundledFunctionDefaults {
  return {
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    bundling: BUNDLING,
    ...(projectRoot ? { projectRoot, depsLockFilePath: join(projectRoot, 'package-lock.json') } : {}),
  };
}
