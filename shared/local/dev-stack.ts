/**
 * The whole gateway on this machine (DESIGN §6, `hookline dev` / `npm start`): the SQS emulator and
 * DynamoDB Local as child processes, the table and every enabled route's queue and DLQ created
 * from the same definitions the CDK stack deploys, the real ingress over HTTP, and one poller per
 * route running the route's handler module through the same runtime as the Lambda.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ADMIN_PATH_PREFIX, type AdminRouteTarget, createAdminApi } from '../admin/admin-api.js';
import { AWS_CLIENT_DEFAULTS } from '../aws-client-defaults.js';
import { DirectoryBodyStore, localBodyRoot } from '../body-store/directory-body-store.js';
import { DEFAULT_CONFIG_FILE, handlerEntry, loadConfig } from '../config/load.js';
import type { ResolvedConfig, ResolvedRoute } from '../config/types.js';
import { EventStore } from '../event-store/event-store.js';
import { EventHistory } from '../event-store/history.js';
import type { HandlerDefinition } from '../handler/define-handler.js';
import { createIngress } from '../ingress/ingress.js';
import { sqsQueueSender } from '../ingress/sqs-sender.js';
import { type Log, silentLog } from '../logger.js';
import { createReplayer } from '../replay/replay.js';
import { queueSettings } from '../resources.js';
import { EnvSecretResolver } from '../secrets/env-resolver.js';
import { secretEnvName } from '../secrets/resolver.js';
import { createRouteQueues } from './create-queues.js';
import { createEventTable } from './create-table.js';
import {
  assertPortFree,
  DEFAULT_DYNAMODB_PORT,
  DEFAULT_SQS_PORT,
  dynamoDbPortRemedy,
  type EmulatorProcess,
  LocalStackError,
  portError,
  type SqsEmulatorProcess,
  sqsPortRemedy,
  startDynamoDbLocalProcess,
  startSqsEmulatorProcess,
} from './emulator-processes.js';
import { loadHandlerDefinition } from './handler-module.js';
import { type HttpApiHandler, localGateway, serveHttpApi } from './http-adapter.js';
import { createPoller, type Poller } from './poller.js';
import {
  isLocalStateLive,
  LOCAL_AWS,
  type LocalState,
  localStateFile,
  readLocalState,
  removeLocalState,
  writeLocalState,
} from './state-file.js';

export const DEFAULT_HTTP_PORT = 3000;
export const DEFAULT_HTTP_HOST = '127.0.0.1';
export const DEFAULT_ENV_FILE = '.env';
export const EXAMPLE_ENV_FILE = '.env.example';

export interface DevStackOptions {
  /** @default 'hookline.config.ts' */
  readonly configFile?: string;
  /** HTTP port of the ingress. @default 3000 */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 9324 */
  readonly sqsPort?: number;
  /** @default 8000 */
  readonly dynamoDbPort?: number;
  /**
   * Secrets file read after the environment. When it does not exist, `.env.example` in the same
   * folder is used instead (the dev defaults), with a notice. @default '.env'
   */
  readonly envFile?: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Structured lines: event state changes, poller and ingress messages. @default silent */
  readonly log?: Log;
  /** Human-readable startup notices (dev defaults in use, missing secrets). */
  readonly notice?: (level: 'info' | 'warn', text: string) => void;
  /** How to describe the port settings in "port in use" errors. */
  readonly portRemedies?: { readonly http?: string; readonly sqs?: string; readonly dynamoDb?: string };
  /** Aborting during startup stops what was started and rejects with LocalStackError `aborted`. */
  readonly signal?: AbortSignal;
  /** Long-poll wait of the pollers. @default 20 */
  readonly waitSeconds?: number;
  /** Called once with the stack's SDK clients before first use (e.g. to count calls in a bench). */
  readonly instrumentClients?: (clients: {
    readonly sqs: SQSClient;
    readonly dynamodb: DynamoDBClient;
  }) => void;
}

export interface DevRoute {
  readonly route: ResolvedRoute;
  readonly methods: readonly string[];
  /** The webhook URL, e.g. `http://127.0.0.1:3000/order/status/`. */
  readonly url: string;
  readonly queueName: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly dlqUrl: string;
  readonly dlqArn: string;
}

export interface DevStack {
  readonly config: ResolvedConfig;
  readonly configFile: string;
  /** Base URL of the HTTP ingress. */
  readonly url: string;
  /** Base URL of the admin API (`<url>/_hookline`), answering loopback callers only. */
  readonly adminUrl: string;
  /** Where bodies too large to travel inline are kept (`<config folder>/.hookline/bodies`). */
  readonly bodyDir: string;
  readonly routes: readonly DevRoute[];
  /** Every route's webhook URL, in config order. */
  readonly urls: readonly string[];
  readonly tableName: string;
  readonly sqs: { readonly endpoint: string; readonly pid: number };
  readonly dynamoDb: { readonly endpoint: string; readonly pid: number };
  readonly stateFile: string;
  /** Settles with an error when an emulator exits by itself: the stack cannot go on. */
  readonly failure: Promise<Error>;
  /**
   * Stops accepting webhooks, stops the pollers (in-flight batches finish), stops both emulators
   * and waits for them to exit, removes the state file. Idempotent.
   */
  stop(): Promise<void>;
  /** SIGKILLs the emulators now and removes the state file (a forced exit). */
  kill(): void;
}

/** Starts the local stack; on any startup error everything already started is stopped first. */
export async function startDevStack(options: DevStackOptions = {}): Promise<DevStack> {
  const configFile = resolve(options.configFile ?? DEFAULT_CONFIG_FILE);
  const host = options.host ?? DEFAULT_HTTP_HOST;
  const httpPort = options.port ?? DEFAULT_HTTP_PORT;
  const sqsPort = options.sqsPort ?? DEFAULT_SQS_PORT;
  const dynamoDbPort = options.dynamoDbPort ?? DEFAULT_DYNAMODB_PORT;
  const log = options.log ?? silentLog;
  const notice = options.notice ?? (() => {});
  // Aborted by the caller, or by the first failing step so the others stop early.
  const startup = new AbortController();
  const signal = startup.signal;
  const abortStartup = () => startup.abort();
  if (options.signal?.aborted) startup.abort();
  options.signal?.addEventListener('abort', abortStartup, { once: true });
  const remedies = {
    http: options.portRemedies?.http ?? 'choose another HTTP port',
    sqs: options.portRemedies?.sqs ?? sqsPortRemedy(),
    dynamoDb: options.portRemedies?.dynamoDb ?? dynamoDbPortRemedy(),
  };
  const stateFile = localStateFile(configFile, options.env ?? process.env);

  // Run in reverse order by stop(), and when startup fails.
  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error: unknown) {
        log.error('cleanup failed', { error: errorText(error) });
      }
    }
  };

  try {
    const config = await loadConfig(configFile);
    const routes = config.routes.filter((route) => route.enabled);
    checkNotRunning(stateFile);
    await Promise.all([
      assertPortFree(httpPort, host, 'HTTP ingress', remedies.http),
      assertPortFree(sqsPort, '127.0.0.1', 'SQS emulator', remedies.sqs),
      // DynamoDB Local listens on every interface.
      assertPortFree(dynamoDbPort, '0.0.0.0', 'DynamoDB Local', remedies.dynamoDb),
    ]);
    const secrets = secretResolver(options, notice);
    await warnMissingSecrets(routes, secrets, notice);
    aborted(signal);

    // Both emulators and the handler modules at once: DynamoDB Local (Java) is the slow one.
    // Stopped together, last (cleanups run in reverse).
    const emulators: EmulatorProcess[] = [];
    cleanups.push(async () => {
      await Promise.all(emulators.map((emulator) => emulator.stop()));
    });
    let sqsProcess: SqsEmulatorProcess | undefined;
    let javaPid: number | undefined;
    const started = await settleAll(startup, [
      startSqsEmulatorProcess({ port: sqsPort, signal }).then((started) => {
        sqsProcess = started;
        emulators.push(started);
        if (javaPid !== undefined) started.guard(javaPid);
        return started;
      }),
      startDynamoDbLocalProcess({
        port: dynamoDbPort,
        signal,
        onSpawn: (pid) => {
          javaPid = pid;
          sqsProcess?.guard(pid);
        },
      }).then((started) => {
        emulators.push(started);
        return started;
      }),
      loadDefinitions(configFile, routes),
    ] as const);
    const [sqsEmulator, dynamoDbLocal, definitions] = started;

    const sqs = new SQSClient({ ...AWS_CLIENT_DEFAULTS, ...LOCAL_AWS, endpoint: sqsEmulator.endpoint });
    const dynamodb = new DynamoDBClient({
      ...AWS_CLIENT_DEFAULTS,
      ...LOCAL_AWS,
      endpoint: dynamoDbLocal.endpoint,
    });
    options.instrumentClients?.({ sqs, dynamodb });
    cleanups.push(() => {
      sqs.destroy();
      dynamodb.destroy();
    });
    const tableName = `${config.name}-events`;
    const [queues] = await settleAll(startup, [
      Promise.all(routes.map((route) => createRouteQueues(sqs, queueSettings(route, config.name)))),
      createEventTable(dynamodb, tableName),
    ] as const);
    aborted(signal);

    const store = new EventStore({ client: dynamodb, tableName });
    const history = new EventHistory({ client: dynamodb, tableName });
    const bodyStore = new DirectoryBodyStore({ root: localBodyRoot(configFile) });
    const targets = routes.map((route, index): AdminRouteTarget => ({ route, ...at(queues, index) }));
    const queue = sqsQueueSender(sqs);
    const pollers: Poller[] = targets.map((target, index) =>
      createPoller({
        route: target.route,
        definition: at(definitions, index),
        sqs,
        queueUrl: target.queueUrl,
        dlqUrl: target.dlqUrl,
        store,
        bodyStore,
        log,
        // Like the event source mapping: up to maxConcurrency batches of a route in flight at once.
        concurrency: target.route.maxConcurrency,
        ...(options.waitSeconds !== undefined && { waitSeconds: options.waitSeconds }),
      }),
    );
    for (const poller of pollers) poller.start();
    cleanups.push(() => stopPollers(pollers, log));

    // Consumers first, then the HTTP server: on stop, no webhook is accepted once the pollers wind
    // down. The ingress and admin API put the server's own URL in their answers, known only once it
    // listens, so they are attached right after (before any request can be read).
    let serve: HttpApiHandler = async () => ({
      statusCode: 503,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error: { code: 'starting', message: 'the local stack is starting; retry' } }),
    });
    const http = await serveHttpApi((event) => serve(event), { port: httpPort, host }).catch(
      (error: unknown) => {
        throw portError(httpPort, 'HTTP ingress', remedies.http, error);
      },
    );
    cleanups.push(() => http.close());
    serve = localGateway({
      webhooks: createIngress({ targets, store, queue, secrets, bodyStore, publicUrl: http.url, log }),
      admin: createAdminApi({
        targets,
        history,
        replayer: createReplayer({ store, history, targets, queue, bodyStore }),
        sqs,
        bodyStore,
        publicUrl: http.url,
        log,
      }),
    });
    const adminUrl = `${http.url}${ADMIN_PATH_PREFIX}`;
    notice('info', `admin API: ${adminUrl} (this machine only)`);

    const devRoutes = targets.map(
      (target): DevRoute => ({
        ...target,
        methods: target.route.methods,
        url: `${http.url}${target.route.path}`,
        queueName: queueSettings(target.route, config.name).queueName,
      }),
    );
    writeLocalState(stateFile, {
      version: 1,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      configFile,
      httpUrl: http.url,
      adminUrl,
      sqsEndpoint: sqsEmulator.endpoint,
      dynamoEndpoint: dynamoDbLocal.endpoint,
      region: LOCAL_AWS.region,
      tableName,
      queues: Object.fromEntries(
        devRoutes.map((route) => [
          route.route.path,
          { queueName: route.queueName, queueUrl: route.queueUrl, dlqUrl: route.dlqUrl },
        ]),
      ),
      processes: { sqs: sqsEmulator.pid, dynamodb: dynamoDbLocal.pid },
    } satisfies LocalState);
    const removeState = () => removeLocalState(stateFile);
    // Also when this process exits without stop() (an uncaught error).
    process.once('exit', removeState);
    cleanups.push(() => {
      process.removeListener('exit', removeState);
      removeState();
    });

    return running({
      config,
      configFile,
      url: http.url,
      adminUrl,
      bodyDir: bodyStore.root,
      routes: devRoutes,
      tableName,
      stateFile,
      emulators: [sqsEmulator, dynamoDbLocal],
      cleanUp,
      removeState,
    });
  } catch (error: unknown) {
    await cleanUp();
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', abortStartup);
  }
}

function running(parts: {
  config: ResolvedConfig;
  configFile: string;
  url: string;
  adminUrl: string;
  bodyDir: string;
  routes: readonly DevRoute[];
  tableName: string;
  stateFile: string;
  emulators: readonly [EmulatorProcess, EmulatorProcess];
  cleanUp: () => Promise<void>;
  removeState: () => void;
}): DevStack {
  const [sqsEmulator, dynamoDbLocal] = parts.emulators;
  let stopping: Promise<void> | undefined;
  const failure = new Promise<Error>((resolve) => {
    for (const emulator of parts.emulators) {
      void emulator.exited.then((status) => {
        if (stopping !== undefined) return;
        const how = status.signal === null ? `exit code ${status.code}` : `signal ${status.signal}`;
        const output = emulator.output();
        resolve(
          new LocalStackError(
            'emulator_exited',
            `${emulator.name} (pid ${emulator.pid}) exited unexpectedly (${how})${output === '' ? '' : `; its output:\n${output}`}`,
          ),
        );
      });
    }
  });
  return {
    config: parts.config,
    configFile: parts.configFile,
    url: parts.url,
    adminUrl: parts.adminUrl,
    bodyDir: parts.bodyDir,
    routes: parts.routes,
    urls: parts.routes.map((route) => route.url),
    tableName: parts.tableName,
    sqs: { endpoint: sqsEmulator.endpoint, pid: sqsEmulator.pid },
    dynamoDb: { endpoint: dynamoDbLocal.endpoint, pid: dynamoDbLocal.pid },
    stateFile: parts.stateFile,
    failure,
    stop() {
      stopping ??= parts.cleanUp();
      return stopping;
    },
    kill() {
      stopping ??= Promise.resolve();
      for (const emulator of parts.emulators) emulator.kill();
      parts.removeState();
    },
  };
}

/**
 * Refuses to start a second stack for the same config folder while the first one runs; removes
 * the file a stack killed without cleanup left behind, so no command reads stale endpoints.
 */
function checkNotRunning(stateFile: string): void {
  let state: LocalState | undefined;
  try {
    state = readLocalState(stateFile);
  } catch {
    removeLocalState(stateFile); // Unreadable: nothing can use it.
    return;
  }
  if (state === undefined) return;
  if (state.pid !== process.pid && isLocalStateLive(state)) {
    throw new LocalStackError(
      'already_running',
      `a local stack for this config is already running (pid ${state.pid}, ${state.httpUrl}; see ${stateFile}): stop it first`,
    );
  }
  removeLocalState(stateFile);
}

/**
 * Environment first, then the env file; without one, the `.env.example` next to it (the dev
 * defaults shipped with the repo, so a fresh clone works) and a notice saying so.
 */
function secretResolver(
  options: DevStackOptions,
  notice: NonNullable<DevStackOptions['notice']>,
): EnvSecretResolver {
  const envFile = resolve(options.envFile ?? DEFAULT_ENV_FILE);
  const env = options.env ?? process.env;
  if (existsSync(envFile)) return new EnvSecretResolver({ env, envFile });
  const example = join(dirname(envFile), EXAMPLE_ENV_FILE);
  if (existsSync(example)) {
    notice(
      'info',
      `no ${relative(process.cwd(), envFile) || envFile}: using the dev secrets in ${relative(process.cwd(), example) || example} (copy it to .env to change them)`,
    );
    return new EnvSecretResolver({ env, envFile: example });
  }
  return new EnvSecretResolver({ env });
}

async function warnMissingSecrets(
  routes: readonly ResolvedRoute[],
  secrets: EnvSecretResolver,
  notice: NonNullable<DevStackOptions['notice']>,
): Promise<void> {
  for (const route of routes) {
    const reference = 'secret' in route.verify ? route.verify.secret : undefined;
    if (reference === undefined) continue;
    try {
      await secrets.resolve(reference);
    } catch {
      notice(
        'warn',
        `route ${route.path} has no secret: set ${secretEnvName(reference.name)} in the environment or .env (until then its requests are answered 503)`,
      );
    }
  }
}

async function loadDefinitions(
  configFile: string,
  routes: readonly ResolvedRoute[],
): Promise<HandlerDefinition[]> {
  return Promise.all(routes.map((route) => loadHandlerDefinition(handlerEntry(configFile, route.handler))));
}

async function stopPollers(pollers: readonly Poller[], log: Log): Promise<void> {
  const results = await Promise.allSettled(pollers.map((poller) => poller.stop()));
  for (const result of results) {
    if (result.status === 'rejected') log.error('poller stop failed', { error: errorText(result.reason) });
  }
}

/**
 * Promise.all that, on the first failure, aborts `startup` (so the other steps stop early) and
 * waits for every promise to settle before rejecting with that first error: nothing keeps
 * starting in the background while startup is being undone.
 */
async function settleAll<T extends readonly unknown[]>(
  startup: AbortController,
  promises: { readonly [K in keyof T]: Promise<T[K]> },
): Promise<T> {
  let first: { error: unknown } | undefined;
  const results = await Promise.allSettled(
    promises.map((promise) =>
      promise.catch((error: unknown) => {
        first ??= { error };
        startup.abort();
        throw error;
      }),
    ),
  );
  if (first !== undefined) throw first.error;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

function aborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new LocalStackError('aborted', 'startup aborted');
}

function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`internal: no item at ${index}`);
  return item;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
