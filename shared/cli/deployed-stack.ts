/**
 * A deployed Hookline stack as the CLI sees it: its CloudFormation outputs (`ApiUrl`) and region.
 * A stack may hold several gateways, each with its outputs prefixed (`OrdersApiUrl`): `--stack NAME`
 * picks the unprefixed `ApiUrl`, else the stack's only `<prefix>ApiUrl`; `--stack NAME/PREFIX` picks
 * `<PREFIX>ApiUrl`.
 * The CloudFormation endpoint follows the SDK's own settings, so AWS_ENDPOINT_URL_CLOUDFORMATION
 * (or AWS_ENDPOINT_URL) points it elsewhere.
 */
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { errorMessage, HooklineError } from '../errors.js';

/** The stack output holding the HTTP API's base URL (webhooks and the admin routes). */
const API_URL_OUTPUT = 'ApiUrl';

/** A deployed Hookline stack, as its CloudFormation outputs describe it. */
export interface DeployedStack {
  readonly stackName: string;
  readonly stackId: string;
  /** Region of the stack, taken from its ARN. */
  readonly region: string;
  /** Base URL of the HTTP API, without a trailing slash. */
  readonly apiUrl: string;
  /** The gateway's output prefix (`''` for a gateway whose outputs are unprefixed). */
  readonly outputPrefix: string;
  /** The stack's outputs, those of the chosen gateway under their unprefixed names (`ApiUrl`, …). */
  readonly outputs: Readonly<Record<string, string>>;
}

/** Which stack `describeDeployedStack` reads, and where. */
export interface DescribeDeployedStackOptions {
  /** The stack's name (or ARN), optionally followed by `/` and a gateway's output prefix. */
  readonly stackName: string;
  /** @default the SDK's region resolution (AWS_REGION, profile) */
  readonly region?: string;
  /** CloudFormation endpoint override. @default the SDK's (AWS_ENDPOINT_URL_CLOUDFORMATION, …) */
  readonly endpoint?: string;
  /** An existing client (tests); `region` and `endpoint` are then ignored. */
  readonly client?: Pick<CloudFormationClient, 'send'>;
}

export type DeployedStackErrorCode =
  | 'stack_not_found'
  | 'output_missing'
  | 'region_missing'
  | 'describe_failed';

/** The stack is missing, has no `ApiUrl` output, or CloudFormation could not be asked. */
export class DeployedStackError extends HooklineError<DeployedStackErrorCode> {
  override name = 'DeployedStackError';
}

/** Reads the stack's outputs with DescribeStacks. */
export async function describeDeployedStack(options: DescribeDeployedStackOptions): Promise<DeployedStack> {
  if (options.client !== undefined) return describeWith(options.client, options);
  const client = new CloudFormationClient({
    ...(options.region !== undefined && { region: options.region }),
    ...(options.endpoint !== undefined && { endpoint: options.endpoint }),
  });
  try {
    return await describeWith(client, options);
  } finally {
    client.destroy();
  }
}

async function describeWith(
  client: Pick<CloudFormationClient, 'send'>,
  options: DescribeDeployedStackOptions,
): Promise<DeployedStack> {
  const { stackName, outputPrefix: wantedPrefix } = splitStackName(options.stackName);
  let described: DescribeStacksCommandOutput;
  try {
    described = await client.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (error: unknown) {
    throw toDeployedStackError(stackName, error);
  }
  const stack = described.Stacks?.[0];
  if (stack === undefined) {
    throw new DeployedStackError('stack_not_found', `stack ${stackName} does not exist`);
  }
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey !== undefined && output.OutputValue !== undefined) {
      outputs[output.OutputKey] = output.OutputValue;
    }
  }
  const status = stack.StackStatus ?? 'unknown status';
  const outputPrefix = wantedPrefix ?? onlyGateway(stackName, status, outputs);
  const apiUrl = outputs[`${outputPrefix}${API_URL_OUTPUT}`];
  if (apiUrl === undefined) {
    throw new DeployedStackError(
      'output_missing',
      `stack ${stackName} (${status}) has no ${outputPrefix}${API_URL_OUTPUT} output: is it a Hookline stack, fully deployed?`,
    );
  }
  const stackId = stack.StackId ?? stackName;
  return {
    stackName: stack.StackName ?? stackName,
    stackId,
    region: regionOfArn(stackId) ?? options.region ?? '',
    apiUrl: apiUrl.replace(/\/+$/, ''),
    outputPrefix,
    outputs: outputPrefix === '' ? outputs : unprefixed(outputs, outputPrefix),
  };
}

/**
 * `name/Prefix` → the stack and a gateway's output prefix. CloudFormation stack names hold no `/`;
 * an ARN (`arn:aws:cloudformation:…:stack/name/id`) is a stack name as a whole.
 */
export function splitStackName(stackName: string): { stackName: string; outputPrefix?: string } {
  const slash = stackName.indexOf('/');
  if (stackName.startsWith('arn:') || slash < 0) return { stackName };
  return { stackName: stackName.slice(0, slash), outputPrefix: stackName.slice(slash + 1) };
}

/**
 * The output prefix of the stack's gateway when none was asked for: `''` when the stack has an
 * unprefixed `ApiUrl` (or none at all, reported by the caller), else that of its only `<prefix>ApiUrl`.
 */
function onlyGateway(stackName: string, status: string, outputs: Readonly<Record<string, string>>): string {
  if (outputs[API_URL_OUTPUT] !== undefined) return '';
  const prefixes = Object.keys(outputs)
    .filter((key) => key.endsWith(API_URL_OUTPUT) && key !== API_URL_OUTPUT)
    .map((key) => key.slice(0, -API_URL_OUTPUT.length));
  if (prefixes.length > 1) {
    throw new DeployedStackError(
      'output_missing',
      `stack ${stackName} (${status}) holds several gateways (${prefixes.join(', ')}): pick one with --stack ${stackName}/${prefixes[0]}`,
    );
  }
  return prefixes[0] ?? '';
}

/** The outputs of one gateway under their unprefixed names, then the stack's others as they are. */
function unprefixed(outputs: Readonly<Record<string, string>>, prefix: string): Record<string, string> {
  const gateway = Object.entries(outputs).flatMap(([key, value]) =>
    key.startsWith(prefix) && key.length > prefix.length ? [[key.slice(prefix.length), value] as const] : [],
  );
  return { ...outputs, ...Object.fromEntries(gateway) };
}

/** `arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>` → region. */
export function regionOfArn(arn: string): string | undefined {
  const parts = arn.split(':');
  return parts[0] === 'arn' && parts[3] !== undefined && parts[3] !== '' ? parts[3] : undefined;
}

function toDeployedStackError(stackName: string, error: unknown): DeployedStackError {
  const name = error instanceof Error ? error.name : '';
  const message = errorMessage(error);
  // CloudFormation answers a missing stack with a generic ValidationError.
  if (name === 'ValidationError' && /does not exist/i.test(message)) {
    return new DeployedStackError('stack_not_found', `stack ${stackName} does not exist (${message})`, {
      cause: error,
    });
  }
  if (/region is missing/i.test(message)) {
    return new DeployedStackError(
      'region_missing',
      `no AWS region for stack ${stackName}: pass --region or set AWS_REGION`,
      { cause: error },
    );
  }
  return new DeployedStackError('describe_failed', `could not describe stack ${stackName}: ${message}`, {
    cause: error,
  });
}
