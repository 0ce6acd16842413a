/**
 * A deployed Hookline stack as the CLI sees it: its CloudFormation outputs (`ApiUrl`) and region.
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
  readonly outputs: Readonly<Record<string, string>>;
}

/** Which stack `describeDeployedStack` reads, and where. */
export interface DescribeDeployedStackOptions {
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
  const { stackName } = options;
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
  const apiUrl = outputs[API_URL_OUTPUT];
  if (apiUrl === undefined) {
    throw new DeployedStackError(
      'output_missing',
      `stack ${stackName} (${stack.StackStatus ?? 'unknown status'}) has no ${API_URL_OUTPUT} output: is it a Hookline stack, fully deployed?`,
    );
  }
  const stackId = stack.StackId ?? stackName;
  return {
    stackName: stack.StackName ?? stackName,
    stackId,
    region: regionOfArn(stackId) ?? options.region ?? '',
    apiUrl: apiUrl.replace(/\/+$/, ''),
    outputs,
  };
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
