/**
 * `hookline send <path> --data JSON [--header name:value]... [--id ID] [--secret-env NAME]`: sends
 * one webhook to a route, signed the way the route verifies (its scheme and secret), and prints
 * the event id and where to read its status.
 *
 * The secret: `--secret-env NAME` (the variable holding it), else locally the environment, `.env`
 * or `.env.example` (as `hookline dev` reads them), deployed the route's Secrets Manager secret.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadConfig } from '../../config/load.js';
import type { ResolvedConfig, ResolvedRoute } from '../../config/types.js';
import { errorMessage, HooklineError } from '../../errors.js';
import { eventPath } from '../../http/paths.js';
import { EnvSecretResolver } from '../../secrets/env-resolver.js';
import { parseSecretValues, type SecretResolver, SecretUnavailableError } from '../../secrets/resolver.js';
import { SecretsManagerResolver } from '../../secrets/secrets-manager-resolver.js';
import { CliUsageError, type CommandModule } from '../command.js';
import { connect, type GatewayTarget, stringValue, TARGET_OPTIONS } from '../connect.js';
import { fetchFailureReason } from '../fetch-failure.js';
import { type CommandOutput, commandOutput } from '../output.js';
import { needsSecret, signWebhook } from '../sign-webhook.js';

/** This command's flags, besides `--config` and `--json`. */
export const options = {
  data: { type: 'string' },
  header: { type: 'string', multiple: true },
  id: { type: 'string' },
  method: { type: 'string' },
  'secret-env': { type: 'string' },
  ...TARGET_OPTIONS,
} as const satisfies CommandModule['options'];

/** The gateway refused the webhook: exit 1 with its answer. */
export class WebhookRejectedError extends HooklineError<string> {
  override name = 'WebhookRejectedError';
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(code, message);
    this.status = status;
  }
}

/** Runs the command; resolves with its exit code. */
export const run: CommandModule['run'] = async (values, positionals) => {
  const [path, ...extra] = positionals;
  if (path === undefined)
    throw new CliUsageError('usage: hookline send <path> --data JSON [--header name:value]...');
  if (extra.length > 0) throw new CliUsageError(`unexpected argument "${extra[0]}"`);
  const data = stringValue(values.data);
  if (data === undefined)
    throw new CliUsageError('--data is required (JSON text, or @file to read it from a file)');
  const extraHeaders = parseHeaders(values.header);
  const out = commandOutput(values.json === true);

  const target = await connect(values);
  const config = await loadConfig(target.configFile);
  const route = matchRoute(config, path);
  const body = requestBody(data, route);
  const method = (stringValue(values.method) ?? route.methods[0] ?? 'POST').toUpperCase();

  const secret = needsSecret(route.verify)
    ? await secretFor(route, target, stringValue(values['secret-env']))
    : undefined;
  const url = `${target.baseUrl}${route.path}`;
  // --header values go first: the signature headers always win, an explicit content type stays.
  const signed = await signWebhook(route.verify, {
    body,
    url,
    method,
    now: new Date(),
    headers: { 'content-type': 'application/json', ...extraHeaders },
    ...(secret !== undefined && { secret }),
    ...(stringValue(values.id) !== undefined && { deliveryId: stringValue(values.id) }),
  });
  const { response, reply } = await deliver(url, method, { ...signed.headers }, signed.body ?? body);

  printAccepted(out, reply, response.status, route.path, target.baseUrl);
  return 0;
};

/** The event id, status and status URL of an accepted webhook (the whole reply with `--json`). */
function printAccepted(
  out: CommandOutput,
  reply: Record<string, unknown>,
  httpStatus: number,
  routePath: string,
  baseUrl: string,
): void {
  const id = typeof reply.id === 'string' ? reply.id : undefined;
  const statusUrl =
    typeof reply.statusUrl === 'string'
      ? reply.statusUrl
      : id === undefined
        ? undefined
        : `${baseUrl}${eventPath(id)}`;
  const status =
    reply.duplicate === true ? 'duplicate' : typeof reply.status === 'string' ? reply.status : 'accepted';
  if (out.json) {
    out.document({
      ...reply,
      route: routePath,
      httpStatus,
      ...(statusUrl !== undefined && { statusUrl }),
    });
    return;
  }
  out.line(id === undefined ? `${status} (${routePath})` : `${status} ${id} (${routePath})`);
  if (statusUrl !== undefined) out.line(`status: ${statusUrl}`);
}

/** `--data` as text (`@file` read from the file), checked as JSON when the route expects JSON. */
function requestBody(data: string, route: ResolvedRoute): string {
  const body = data.startsWith('@') ? readFileSync(data.slice(1), 'utf8') : data;
  if (route.expectJson) {
    try {
      JSON.parse(body);
    } catch (error: unknown) {
      throw new CliUsageError(
        `--data is not valid JSON (${errorMessage(error)}); route ${route.path} expects JSON`,
      );
    }
  }
  return body;
}

/**
 * Sends the webhook; resolves with the gateway's 2xx answer and its JSON object (`{}` if none).
 * @throws WebhookRejectedError when the gateway cannot be reached (status 0) or answers otherwise
 */
async function deliver(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ response: Response; reply: Record<string, unknown> }> {
  const response = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(30_000) }).catch(
    (error: unknown) => {
      throw new WebhookRejectedError(
        0,
        'unreachable',
        `could not reach ${url} (${fetchFailureReason(error)})`,
      );
    },
  );
  const text = await response.text();
  const reply = parseObject(text);
  if (!response.ok) {
    const error =
      typeof reply.error === 'object' && reply.error !== null ? (reply.error as Record<string, unknown>) : {};
    const code = typeof error.code === 'string' ? error.code : `http_${response.status}`;
    const message =
      typeof error.message === 'string' ? error.message : text.slice(0, 200) || response.statusText;
    throw new WebhookRejectedError(
      response.status,
      code,
      `${method} ${url} answered ${response.status} ${code}: ${message}`,
    );
  }
  return { response, reply };
}

/** `name:value` pairs; the name lower-cased as the gateway sees it. */
function parseHeaders(values: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const entry of Array.isArray(values) ? values : []) {
    const text = String(entry);
    const colon = text.indexOf(':');
    const name = colon < 0 ? '' : text.slice(0, colon).trim().toLowerCase();
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name))
      throw new CliUsageError(`--header must be name:value (got "${text}")`);
    headers[name] = text.slice(colon + 1).trim();
  }
  return headers;
}

/** The route by path (with or without the trailing slash) or queue name. */
function matchRoute(config: ResolvedConfig, name: string): ResolvedRoute {
  const bare = (path: string) => path.replace(/^\/+|\/+$/g, '');
  const route = config.routes.find(
    (candidate) => bare(candidate.path) === bare(name) || candidate.queueName === name,
  );
  if (route === undefined) {
    throw new CliUsageError(
      `no route ${name} in the config (routes: ${config.routes.map((r) => r.path).join(', ') || 'none'})`,
    );
  }
  return route;
}

async function secretFor(
  route: ResolvedRoute,
  target: GatewayTarget,
  secretEnv: string | undefined,
): Promise<string> {
  const reference = 'secret' in route.verify ? route.verify.secret : undefined;
  if (secretEnv !== undefined) {
    const [value] = parseSecretValues(process.env[secretEnv] ?? '');
    if (value === undefined) throw new CliUsageError(`--secret-env ${secretEnv}: the variable is not set`);
    return value;
  }
  if (reference === undefined) throw new CliUsageError(`route ${route.path} has no secret to sign with`);
  let resolver: SecretResolver;
  let client: SecretsManagerClient | undefined;
  if (target.kind === 'local') {
    resolver = localSecrets();
  } else {
    client = new SecretsManagerClient(
      target.region === undefined || target.region === '' ? {} : { region: target.region },
    );
    resolver = new SecretsManagerResolver({ client, secretId: reference.name });
  }
  try {
    const [newest] = await resolver.resolve(reference);
    if (newest === undefined) throw new CliUsageError(`secret ${reference.name} has no value`);
    return newest;
  } catch (error: unknown) {
    throw target.kind === 'deployed' ? deployedSecretError(error, reference.name, route, target) : error;
  } finally {
    client?.destroy();
  }
}

/** Says why Secrets Manager gave no value (the resolver only names the secret) and what to do. */
function deployedSecretError(
  error: unknown,
  secretName: string,
  route: ResolvedRoute,
  target: GatewayTarget,
): unknown {
  const cause = error instanceof SecretUnavailableError ? error.cause : undefined;
  if (!(cause instanceof Error)) return error;
  const where = `Secrets Manager${target.region ? ` (${target.region})` : ''}`;
  if (cause instanceof ResourceNotFoundException) {
    return new SecretUnavailableError(
      `secret ${secretName} of route ${route.path} does not exist in ${where}: create it with the route's signing secret, or pass --secret-env NAME`,
      { cause },
    );
  }
  return new SecretUnavailableError(
    `could not read secret ${secretName} of route ${route.path} from ${where}: ${cause.message}`,
    { cause },
  );
}

/** Like `hookline dev`: the environment, then `.env`, else the shipped `.env.example`. */
function localSecrets(): EnvSecretResolver {
  const envFile = resolve('.env');
  if (existsSync(envFile)) return new EnvSecretResolver({ envFile });
  const example = resolve('.env.example');
  return existsSync(example) ? new EnvSecretResolver({ envFile: example }) : new EnvSecretResolver();
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
