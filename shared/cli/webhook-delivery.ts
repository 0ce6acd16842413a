/**
 * Sends a webhook to a route of the gateway signed the way the route verifies it (its scheme and
 * its secret), as `hookline send` and `hookline trigger` do, and reads the gateway's answer.
 *
 * The secret: `--secret-env NAME` (the variable holding it), else locally the environment, `.env`
 * or `.env.example` (as `hookline dev` reads them), deployed the route's Secrets Manager secret.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ResolvedConfig, ResolvedRoute } from '../config/types.js';
import { HooklineError } from '../errors.js';
import { eventPath } from '../http/paths.js';
import { EnvSecretResolver } from '../secrets/env-resolver.js';
import { parseSecretValues, type SecretResolver, SecretUnavailableError } from '../secrets/resolver.js';
import { SecretsManagerResolver } from '../secrets/secrets-manager-resolver.js';
import { CliUsageError } from './command.js';
import type { GatewayTarget } from './connect.js';
import { fetchFailureReason } from './fetch-failure.js';
import type { CommandOutput } from './output.js';
import { needsSecret, signWebhook } from './sign-webhook.js';

/** The gateway refused the webhook: exit 1 with its answer. */
export class WebhookRejectedError extends HooklineError<string> {
  override name = 'WebhookRejectedError';
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(code, message);
    this.status = status;
  }
}

/** A request to send to a route, before it is signed. */
export interface UnsignedWebhook {
  readonly method: string;
  /** The raw query string, without `?`. */
  readonly query?: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The delivery id for schemes that carry one. @default a new one */
  readonly deliveryId?: string;
  /** `--secret-env`: the variable holding the secret to sign with. */
  readonly secretEnv?: string;
}

/** The gateway's 2xx answer to a webhook. */
export interface WebhookAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
  /** The answer as a JSON object (`{}` when it is not one). */
  readonly reply: Record<string, unknown>;
}

/** Signs `webhook` for `route` with its secret and sends it. @throws WebhookRejectedError on a non-2xx */
export async function sendSigned(
  target: GatewayTarget,
  route: ResolvedRoute,
  webhook: UnsignedWebhook,
): Promise<WebhookAnswer> {
  const secret = needsSecret(route.verify) ? await secretFor(route, target, webhook.secretEnv) : undefined;
  const url = `${target.baseUrl}${route.path}${webhook.query ? `?${webhook.query}` : ''}`;
  const signed = await signWebhook(route.verify, {
    body: webhook.body,
    url,
    method: webhook.method,
    now: new Date(),
    headers: webhook.headers,
    ...(secret !== undefined && { secret }),
    ...(webhook.deliveryId !== undefined && { deliveryId: webhook.deliveryId }),
  });
  return deliver(url, webhook.method, { ...webhook.headers, ...signed.headers }, signed.body ?? webhook.body);
}

/** The event id, status and status URL of an accepted webhook (the whole reply with `--json`). */
export function printAccepted(
  out: CommandOutput,
  { reply, status: httpStatus }: Pick<WebhookAnswer, 'reply' | 'status'>,
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

/**
 * Sends the webhook; resolves with the gateway's 2xx answer and its JSON object (`{}` if none).
 * @throws WebhookRejectedError when the gateway cannot be reached (status 0) or answers otherwise
 */
async function deliver(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string,
): Promise<WebhookAnswer> {
  const sent = method === 'GET' || method === 'HEAD' ? {} : { body };
  const response = await fetch(url, { method, headers, ...sent, signal: AbortSignal.timeout(30_000) }).catch(
    (error: unknown) => {
      throw new WebhookRejectedError(
        0,
        'gateway_unreachable',
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
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text, reply };
}

/** The route by path (with or without the trailing slash) or queue name. */
export function matchRoute(config: ResolvedConfig, name: string): ResolvedRoute {
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
