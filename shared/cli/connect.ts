/**
 * Which gateway a command talks to: the local stack of the config (default) or, with
 * `--stack NAME [--region R]`, a deployed stack found through CloudFormation, with SigV4-signed
 * admin requests.
 */

import { pathToQueueName } from '../config/queue-name.js';
import { HooklineError } from '../errors.js';
import { ADMIN_PATH_PREFIX } from '../http/paths.js';
import { isLocalStateLive, localStateFile, readLocalState } from '../local-state/state-file.js';
import { AdminClient } from './admin-client.js';
import { type CommandModule, configFileFrom } from './command.js';
import { describeDeployedStack } from './deployed-stack.js';
import type { OptionHelp } from './help.js';
import { createSigV4Signer, type RequestSigner } from './sigv4.js';

/** `--stack` and `--region`, accepted by every command that talks to a gateway. */
export const TARGET_OPTIONS = {
  stack: { type: 'string' },
  region: { type: 'string' },
} as const satisfies CommandModule['options'];

/** The help lines of `TARGET_OPTIONS`. */
export const TARGET_HELP = {
  stack: { value: 'NAME', text: 'a deployed stack (found through CloudFormation) instead of the local one' },
  region: { value: 'R', text: "the deployed stack's region (else AWS_REGION or the AWS profile's)" },
} as const satisfies Record<keyof typeof TARGET_OPTIONS, OptionHelp>;

/** No local stack runs for the config (and no `--stack` was given). */
export class NoLocalStackError extends HooklineError<'no_local_stack'> {
  override name = 'NoLocalStackError';

  constructor(configFile: string) {
    super('no_local_stack', `no local stack running for ${configFile}: start it with npm start`);
  }
}

/** The gateway a command talks to. */
export interface GatewayTarget {
  readonly kind: 'local' | 'deployed';
  /** Base URL of the gateway's webhook routes, without a trailing slash. */
  readonly baseUrl: string;
  /** The gateway's admin API (`/_hookline/...`). */
  readonly admin: AdminClient;
  /** The config file named by `--config` / HOOKLINE_CONFIG / the default. */
  readonly configFile: string;
  /** Deployed only. */
  readonly stackName?: string;
  readonly region?: string;
}

/** How `connect` reaches its environment, for tests. */
export interface ConnectOptions {
  /** @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Signer for a deployed stack. @default SigV4 with the standard credential chain */
  readonly signer?: (region: string) => RequestSigner;
}

/** Resolves the gateway from a command's `--config`, `--stack` and `--region` values. */
export async function connect(
  values: Record<string, unknown>,
  options: ConnectOptions = {},
): Promise<GatewayTarget> {
  const env = options.env ?? process.env;
  const configFile = configFileFrom(values);
  const stackName = stringValue(values.stack);
  if (stackName === undefined) {
    const state = readLocalState(localStateFile(configFile, env));
    if (state === undefined || !isLocalStateLive(state) || typeof state.httpUrl !== 'string') {
      throw new NoLocalStackError(configFile);
    }
    return {
      kind: 'local',
      baseUrl: state.httpUrl,
      configFile,
      admin: new AdminClient({
        adminUrl: state.adminUrl,
        description: `local stack at ${state.httpUrl}`,
        unreachableHint: `is the stack for ${configFile} still running? start it with npm start`,
      }),
    };
  }
  const requestedRegion = stringValue(values.region) ?? nonEmpty(env.AWS_REGION);
  const stack = await describeDeployedStack({
    stackName,
    ...(requestedRegion !== undefined && { region: requestedRegion }),
  });
  const region = stack.region || requestedRegion || '';
  const signer = (options.signer ?? ((signingRegion) => createSigV4Signer({ region: signingRegion })))(
    region,
  );
  return {
    kind: 'deployed',
    baseUrl: stack.apiUrl,
    configFile,
    stackName: stack.stackName,
    region,
    admin: new AdminClient({
      adminUrl: `${stack.apiUrl}${ADMIN_PATH_PREFIX}`,
      signer,
      description: `stack ${stack.stackName} (${stack.apiUrl})`,
    }),
  };
}

/**
 * A route as the admin API's `{route}` path parameter: a path (`/order/status/`) becomes its queue
 * name (`order_status`), which needs no encoding; a queue name stays as it is.
 */
export function routeParameter(route: string): string {
  return encodeURIComponent(route.startsWith('/') ? pathToQueueName(route) : route);
}

/** A string option's value; undefined when the option is absent, empty or not a string. */
export function stringValue(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
