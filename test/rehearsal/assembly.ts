/**
 * The cloud assembly a rehearsal runs: synthesized here from a config with the real bundling (what
 * `cdk synth` writes to `cdk.out`), or read from an existing `cdk.out`. Its functions are found in
 * the template, each with the asset directory `cdk deploy` would upload.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { HooklineGateway } from '../../infra/hookline-gateway.js';
import { loadConfig } from '../../shared/config/load.js';
import { ENV } from '../../shared/env-names.js';
import type { Template } from './template.js';

/** What a function is, by the variables the template gives it. */
export type FunctionRole =
  | { readonly kind: 'ingress'; readonly route: string }
  | { readonly kind: 'handler'; readonly route: string }
  | { readonly kind: 'admin' };

export interface AssemblyFunction {
  readonly logicalId: string;
  /** `ingress /orders/`, `handler /orders/` or `admin`. */
  readonly name: string;
  readonly role: FunctionRole;
  /** Logical id of the execution role. */
  readonly roleLogicalId: string;
  /** The bundle: the asset directory and the handler export (`index.handler`). */
  readonly assetDir: string;
  readonly handler: string;
  /** The template's environment variables, intrinsic functions unresolved. */
  readonly environment: Readonly<Record<string, unknown>>;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
}

export interface Assembly {
  readonly dir: string;
  readonly stackName: string;
  readonly template: Template;
  readonly functions: readonly AssemblyFunction[];
}

/**
 * Synthesizes the gateway of `configFile` into `outdir`, bundles included; `stackName` replaces the
 * config's name (which names the stack, its queues and its secrets).
 */
export async function synthesizeAssembly(options: {
  readonly configFile: string;
  readonly outdir: string;
  readonly stackName?: string;
}): Promise<Assembly> {
  const loaded = await loadConfig(options.configFile);
  const config = options.stackName === undefined ? loaded : { ...loaded, name: options.stackName };
  const app = new App({ outdir: options.outdir });
  const stack = new Stack(app, config.name);
  new HooklineGateway(stack, 'Gateway', { config, configFile: options.configFile });
  app.synth();
  return readAssembly(options.outdir, config.name);
}

/** The stack `stackName` of the assembly in `dir` (a `cdk.out`); the only stack when omitted. */
export function readAssembly(dir: string, stackName?: string): Assembly {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
  };
  const stacks = Object.entries(manifest.artifacts).filter(
    ([name, artifact]) =>
      artifact.type === 'aws:cloudformation:stack' && (stackName === undefined || name === stackName),
  );
  const [found, ...others] = stacks;
  if (found === undefined || others.length > 0) {
    throw new Error(
      `${dir} holds ${stacks.length} stacks${stackName ? ` named ${stackName}` : ''}; name one`,
    );
  }
  const [name, artifact] = found;
  const template = JSON.parse(
    readFileSync(join(dir, artifact.properties?.templateFile ?? `${name}.template.json`), 'utf8'),
  ) as Template;
  return { dir, stackName: name, template, functions: functionsOf(dir, template) };
}

function functionsOf(dir: string, template: Template): AssemblyFunction[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .map(([logicalId, resource]): AssemblyFunction => {
      const props = resource.Properties ?? {};
      const assetPath = resource.Metadata?.['aws:asset:path'] ?? assetOfCode(props.Code);
      if (typeof assetPath !== 'string') throw new Error(`${logicalId} has no code asset of the assembly`);
      const environment = ((props.Environment as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables ?? {}) as Record<string, unknown>;
      const role = roleOf(logicalId, environment);
      const roleRef = props.Role as { 'Fn::GetAtt'?: [string, string] } | undefined;
      const roleLogicalId = roleRef?.['Fn::GetAtt']?.[0];
      if (roleLogicalId === undefined) throw new Error(`${logicalId} has no role of the template`);
      return {
        logicalId,
        name: role.kind === 'admin' ? 'admin' : `${role.kind} ${role.route}`,
        role,
        roleLogicalId,
        assetDir: join(dir, assetPath),
        handler: String(props.Handler ?? 'index.handler'),
        environment,
        memorySize: Number(props.MemorySize ?? 128),
        timeoutSeconds: Number(props.Timeout ?? 3),
      };
    });
}

/** `asset.<hash>` of a function's `Code` (`S3Key: <hash>.zip`), when the metadata does not name it. */
function assetOfCode(code: unknown): string | undefined {
  const key = (code as { S3Key?: unknown } | undefined)?.S3Key;
  return typeof key === 'string' ? `asset.${key.replace(/\.zip$/, '')}` : undefined;
}

function roleOf(logicalId: string, environment: Readonly<Record<string, unknown>>): FunctionRole {
  if (environment[ENV.adminRoutes] !== undefined) return { kind: 'admin' };
  const route = environment[ENV.route];
  if (typeof route !== 'string')
    throw new Error(`${logicalId} is neither an ingress, a handler nor the admin function`);
  const path = (JSON.parse(route) as { path: string }).path;
  return environment[ENV.dlqUrl] === undefined
    ? { kind: 'ingress', route: path }
    : { kind: 'handler', route: path };
}
