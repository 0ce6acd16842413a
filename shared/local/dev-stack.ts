/**
 * The whole gateway on this machine (`hookline dev` / `npm start`; docs/architecture.md, "Local
 * stack"): the SQS emulator and DynamoDB Local as child processes, the table and every enabled
 * route's queue and DLQ created from the same definitions the CDK stack deploys, the real ingress
 * over HTTP, and one poller per route running the route's handler module through the same runtime
 * as the Lambda. `startDevStack` reads as the startup order; each step registers its own undoing
 * with the `Startup`, which stop() runs backwards.
 *
 * The table survives a restart: DynamoDB Local keeps it in the data directory (`.hookline/data/`,
 * data-dir.ts), and on start the queues, which the SQS emulator keeps in memory only, are rebuilt
 * from it (restore-queues.ts). `reset` starts from nothing.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AdminRouteTarget } from '../admin/admin-api.js';
import { CONSOLE_PATH } from '../admin/console/paths.js';
import { AWS_CLIENT_DEFAULTS } from '../aws-client-defaults.js';
import { DirectoryBodyStore } from '../body-store/directory-body-store.js';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../config/load.js';
import type { ResolvedConfig, ResolvedRoute } from '../config/types.js';
import { TableLayoutError } from '../event-store/errors.js';
import { EventStore } from '../event-store/event-store.js';
import { EventHistory, shardsOfRoutes } from '../event-store/history.js';
import { ADMIN_PATH_PREFIX } from '../http/paths.js';
import {
  LOCAL_AWS,
  type LocalState,
  localBodyRoot,
  localDataDir,
  localStateFile,
} from '../local-state/state-file.js';
import { type Log, silentLog } from '../logger.js';
import { metricsCollector, teeMetrics } from '../metrics/collector.js';
import { type Metrics, silentMetrics } from '../metrics/metrics.js';
import { queueSettings } from '../resources.js';
import type { EnvSecretResolver } from '../secrets/env-resolver.js';
import { localEnvelopeKeys } from '../secrets/envelope-keys.js';
import { createRouteQueues } from './create-queues.js';
import { createEventTable } from './create-table.js';
import { claimDataDir, type DataDir } from './data-dir.js';
import { devSecretResolver, warnMissingSecrets } from './dev-secrets.js';
import {
  assertPortFree,
  DEFAULT_DYNAMODB_PORT,
  DEFAULT_SQS_PORT,
  dynamoDbPortRemedy,
  type EmulatorProcess,
  LocalStackError,
  sqsPortRemedy,
} from './emulator-processes.js';
import { listen, localGatewayHandler } from './gateway-server.js';
import { type RouteRestored, restoreQueues } from './restore-queues.js';
import { loadDefinitions, startPollers } from './route-pollers.js';
import { checkNotRunning, publishLocalState } from './stack-state.js';
import { startEmulators } from './start-emulators.js';
import { type Notice, Startup } from './startup.js';

export const DEFAULT_HTTP_PORT = 3000;
const DEFAULT_HTTP_HOST = '127.0.0.1';

/** The stack's SDK clients, both pointed at the emulators. */
interface LocalClients {
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
}

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
  /**
   * The metrics of the ingress, the pollers, replays and redrives, made once the config is read
   * (its namespace): `hookline dev` passes EMF lines (`emfMetrics`), what the Lambda functions
   * write. Whatever it is, the stack also keeps the values for `GET /_hookline/stats`.
   * @default silentMetrics
   */
  readonly metrics?: (config: ResolvedConfig) => Metrics;
  /** Human-readable startup notices (dev defaults in use, missing secrets). */
  readonly notice?: Notice;
  /** How to describe the port settings in "port in use" errors. */
  readonly portRemedies?: { readonly http?: string; readonly sqs?: string; readonly dynamoDb?: string };
  /** Aborting during startup stops what was started and rejects with LocalStackError `aborted`. */
  readonly signal?: AbortSignal;
  /** Long-poll wait of the pollers. @default 20 */
  readonly waitSeconds?: number;
  /** Called once with the stack's SDK clients before first use (e.g. to count calls in a bench). */
  readonly instrumentClients?: (clients: LocalClients) => void;
  /**
   * Keep the table between runs in the data directory (`.hookline/data/` beside the state file)
   * and rebuild the queues from it on start. `false`: in memory, gone when the stack stops.
   * @default true
   */
  readonly persist?: boolean;
  /**
   * Delete what earlier runs kept (the data directory's database, the body store's files) before
   * starting, once no other stack uses them: `hookline dev --reset`. @default false
   */
  readonly reset?: boolean;
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
  /**
   * The browser console's URL with this start's token (`<url>/_hookline/console?token=…`): whoever
   * opens it gets a session. Printed, never written to the state file.
   */
  readonly consoleUrl: string;
  /** Where bodies too large to travel inline are kept (`<config folder>/.hookline/bodies`). */
  readonly bodyDir: string;
  readonly routes: readonly DevRoute[];
  /** Every route's webhook URL, in config order. */
  readonly urls: readonly string[];
  readonly tableName: string;
  readonly sqs: { readonly endpoint: string; readonly pid: number };
  readonly dynamoDb: { readonly endpoint: string; readonly pid: number };
  readonly stateFile: string;
  /** Where the table is kept between runs (`<config folder>/.hookline/data`); undefined in memory. */
  readonly dataDir: string | undefined;
  /** What each route got back in its queue and DLQ from the kept table, in route order. */
  readonly restored: readonly RouteRestored[];
  /** Settles with an error when an emulator exits by itself: the stack cannot go on. */
  readonly failure: Promise<Error>;
  /**
   * Stops accepting webhooks, stops the pollers (in-flight batches finish), stops both emulators
   * and waits for them to exit, removes the state file. Idempotent.
   */
  stop(): Promise<void>;
  /** SIGKILLs the emulators now, removes the state file and lets go of the data directory (a forced exit). */
  kill(): void;
}

/**
 * Starts the local stack, in the order of docs/architecture.md, "Local stack"; on any startup
 * error everything already started is stopped first.
 */
export async function startDevStack(options: DevStackOptions = {}): Promise<DevStack> {
  const settings = devStackSettings(options);
  const startup = new Startup(settings.log, options.signal);
  try {
    // Ours alone from here (a second stack on the same data is refused), emptied on reset.
    const dataDir = claimData(settings, startup);
    const { config, routes, secrets } = await loadConfigAndEnv(settings);
    startup.throwIfAborted();
    // Both emulators and the handler modules at once: DynamoDB Local (Java) is the slow one.
    const [sqsEmulator, dynamoDbLocal, definitions] = await startup.settleAll([
      ...startEmulators(
        { sqs: settings.sqs.port, dynamoDb: settings.dynamoDb.port },
        startup,
        dataDir?.dynamoDbPath,
      ),
      loadDefinitions(settings.configFile, routes),
    ] as const);
    const clients = connectClients(sqsEmulator, dynamoDbLocal, options.instrumentClients, startup);
    const tableName = `${config.name}-events`;
    const targets = await withResetHint(dataDir, () =>
      provisionResources(clients, config.name, routes, tableName, startup),
    );
    startup.throwIfAborted();
    const { log, waitSeconds } = settings;
    const stores = openStores(clients.dynamodb, tableName, settings.configFile, routes);
    // The table was just created with its layout item, or kept from an earlier run and checked.
    await withResetHint(dataDir, () => stores.store.checkLayout());
    const envelopeKeys = localEnvelopeKeys(secrets);
    // A kept table's in-flight and dead-lettered events: their messages back where they were.
    const restored =
      dataDir === undefined
        ? []
        : await restoreQueues({ ...stores, sqs: clients.sqs, envelopeKeys, log }, targets);
    announceRestored(restored, settings.notice);
    startup.throwIfAborted();
    // What `hookline stats` reads: the same values the stack prints (or drops), kept in memory.
    const collector = metricsCollector();
    const metrics = teeMetrics(settings.metrics(config), collector);
    const shared = {
      targets,
      sqs: clients.sqs,
      ...stores,
      envelopeKeys,
      log,
      metrics,
    };
    // Consumers first, then the HTTP server: on stop, no webhook is accepted once the pollers wind down.
    const consumers = startPollers({ ...shared, definitions, waitSeconds }, startup);
    const http = await listen(settings.http, startup);
    // A new token each start, as Jupyter does: the console's URL is the key to it.
    const consoleToken = randomBytes(24).toString('base64url');
    http.route(
      localGatewayHandler({
        ...shared,
        secrets,
        publicUrl: http.url,
        stats: collector,
        consumers,
        console: { token: consoleToken },
      }),
    );
    const emulators = [sqsEmulator, dynamoDbLocal] as const;
    const stack = describeStack({
      config,
      settings,
      url: http.url,
      stores,
      targets,
      tableName,
      emulators,
      dataDir: dataDir?.path,
      restored,
      consoleToken,
    });
    settings.notice('info', `admin API: ${stack.adminUrl} (this machine only)`);
    settings.notice('info', `console: ${stack.consoleUrl} (this machine only)`);
    const removeState = publishLocalState(stack.stateFile, localState(stack), startup);
    return running(stack, emulators, {
      cleanUp: () => startup.cleanUp(),
      removeState,
      releaseData: () => dataDir?.release(),
    });
  } catch (error: unknown) {
    await startup.cleanUp();
    throw error;
  } finally {
    startup.end();
  }
}

/** A port to listen on, and what its "port in use" error tells the user to do. */
interface Listener {
  readonly port: number;
  readonly remedy: string;
}

/** The options with their defaults applied. */
interface DevStackSettings {
  readonly configFile: string;
  readonly http: Listener & { readonly host: string };
  readonly sqs: Listener;
  readonly dynamoDb: Listener;
  readonly stateFile: string;
  /** Undefined when the stack keeps nothing between runs. */
  readonly dataDir: string | undefined;
  readonly reset: boolean;
  readonly envFile: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly log: Log;
  readonly metrics: (config: ResolvedConfig) => Metrics;
  readonly notice: Notice;
  readonly waitSeconds: number | undefined;
}

function devStackSettings(options: DevStackOptions): DevStackSettings {
  const configFile = resolve(options.configFile ?? DEFAULT_CONFIG_FILE);
  const env = options.env ?? process.env;
  return {
    configFile,
    http: {
      port: options.port ?? DEFAULT_HTTP_PORT,
      host: options.host ?? DEFAULT_HTTP_HOST,
      remedy: options.portRemedies?.http ?? 'choose another HTTP port',
    },
    sqs: {
      port: options.sqsPort ?? DEFAULT_SQS_PORT,
      remedy: options.portRemedies?.sqs ?? sqsPortRemedy(),
    },
    dynamoDb: {
      port: options.dynamoDbPort ?? DEFAULT_DYNAMODB_PORT,
      remedy: options.portRemedies?.dynamoDb ?? dynamoDbPortRemedy(),
    },
    stateFile: localStateFile(configFile, env),
    dataDir: options.persist === false ? undefined : localDataDir(configFile, env),
    reset: options.reset === true,
    envFile: options.envFile,
    env,
    log: options.log ?? silentLog,
    metrics: options.metrics ?? (() => silentMetrics),
    notice: options.notice ?? (() => {}),
    waitSeconds: options.waitSeconds,
  };
}

/**
 * The config's enabled routes and a resolver for their secrets, once nothing stands in the way:
 * no stack already running for this config, every port free.
 */
async function loadConfigAndEnv(
  settings: DevStackSettings,
): Promise<{ config: ResolvedConfig; routes: ResolvedRoute[]; secrets: EnvSecretResolver }> {
  const config = await loadConfig(settings.configFile);
  const routes = config.routes.filter((route) => route.enabled);
  checkNotRunning(settings.stateFile);
  const { http, sqs, dynamoDb } = settings;
  await Promise.all([
    assertPortFree(http.port, http.host, 'HTTP ingress', http.remedy),
    assertPortFree(sqs.port, '127.0.0.1', 'SQS emulator', sqs.remedy),
    // DynamoDB Local listens on every interface.
    assertPortFree(dynamoDb.port, '0.0.0.0', 'DynamoDB Local', dynamoDb.remedy),
  ]);
  const secrets = devSecretResolver(settings.envFile, settings.env, settings.notice);
  await warnMissingSecrets(routes, secrets, settings.notice);
  return { config, routes, secrets };
}

/**
 * The data directory, claimed for this stack (released last on stop) and emptied on `reset`, with
 * the body store; undefined in memory, where `reset` only empties the body store.
 */
function claimData(settings: DevStackSettings, startup: Startup): DataDir | undefined {
  const bodyRoot = localBodyRoot(settings.configFile);
  if (settings.dataDir === undefined) {
    if (settings.reset) rmSync(bodyRoot, { recursive: true, force: true });
    return undefined;
  }
  const dataDir = claimDataDir(settings.dataDir, {
    configFile: settings.configFile,
    reset: settings.reset,
    alsoReset: [bodyRoot],
  });
  startup.onCleanup(() => dataDir.release());
  if (settings.reset) settings.notice('info', `reset: started with an empty table (${dataDir.path})`);
  return dataDir;
}

/**
 * `step`, with a kept table of another layout refused by a LocalStackError that says how to start
 * over (the deployed refusal's advice, a new table, is what `--reset` does locally).
 */
async function withResetHint<T>(dataDir: DataDir | undefined, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error: unknown) {
    if (dataDir === undefined || !(error instanceof TableLayoutError)) throw error;
    throw new LocalStackError(
      'table_layout_mismatch',
      `the event table ${error.tableName} kept in ${dataDir.path} uses layout v${error.found}; this ` +
        `Hookline needs layout v${error.expected}: run \`hookline dev --reset\` to start again with an ` +
        'empty table (the kept events are deleted)',
      { cause: error },
    );
  }
}

/** One notice per route that got messages back. */
function announceRestored(restored: readonly RouteRestored[], notice: Notice): void {
  for (const { route, queued, deadLettered } of restored) {
    if (queued + deadLettered === 0) continue;
    notice(
      'info',
      `restored ${route}: ${queued} in-flight event(s) back on its queue, ${deadLettered} dead-lettered back in its DLQ`,
    );
  }
}

/** SDK clients of both emulators, destroyed on stop once the pollers no longer use them. */
function connectClients(
  sqsEmulator: EmulatorProcess,
  dynamoDbLocal: EmulatorProcess,
  instrument: DevStackOptions['instrumentClients'],
  startup: Startup,
): LocalClients {
  const sqs = new SQSClient({ ...AWS_CLIENT_DEFAULTS, ...LOCAL_AWS, endpoint: sqsEmulator.endpoint });
  const dynamodb = new DynamoDBClient({
    ...AWS_CLIENT_DEFAULTS,
    ...LOCAL_AWS,
    endpoint: dynamoDbLocal.endpoint,
  });
  instrument?.({ sqs, dynamodb });
  startup.onCleanup(() => {
    sqs.destroy();
    dynamodb.destroy();
  });
  return { sqs, dynamodb };
}

/** Every enabled route's queue and DLQ, and the event table, as the CDK stack defines them. */
async function provisionResources(
  clients: LocalClients,
  configName: string,
  routes: readonly ResolvedRoute[],
  tableName: string,
  startup: Startup,
): Promise<AdminRouteTarget[]> {
  const [targets] = await startup.settleAll([
    Promise.all(
      routes.map(
        async (route): Promise<AdminRouteTarget> => ({
          route,
          ...(await createRouteQueues(clients.sqs, queueSettings(route, configName))),
        }),
      ),
    ),
    createEventTable(clients.dynamodb, tableName),
  ] as const);
  return targets;
}

interface LocalStores {
  readonly store: EventStore;
  readonly history: EventHistory;
  readonly bodyStore: DirectoryBodyStore;
}

function openStores(
  dynamodb: DynamoDBClient,
  tableName: string,
  configFile: string,
  routes: readonly ResolvedRoute[],
): LocalStores {
  const store = new EventStore({ client: dynamodb, tableName });
  return {
    store,
    history: new EventHistory({ client: dynamodb, tableName, store, shardsOf: shardsOfRoutes(routes) }),
    bodyStore: new DirectoryBodyStore({ root: localBodyRoot(configFile) }),
  };
}

/** What a started stack is, without its controls. */
type DevStackInfo = Omit<DevStack, 'failure' | 'stop' | 'kill'>;

function describeStack(parts: {
  readonly config: ResolvedConfig;
  readonly settings: DevStackSettings;
  readonly url: string;
  readonly stores: LocalStores;
  readonly targets: readonly AdminRouteTarget[];
  readonly tableName: string;
  readonly emulators: readonly [EmulatorProcess, EmulatorProcess];
  readonly dataDir: string | undefined;
  readonly restored: readonly RouteRestored[];
  readonly consoleToken: string;
}): DevStackInfo {
  const { config, url } = parts;
  const [sqsEmulator, dynamoDbLocal] = parts.emulators;
  const routes = parts.targets.map(
    (target): DevRoute => ({
      ...target,
      methods: target.route.methods,
      url: `${url}${target.route.path}`,
      queueName: queueSettings(target.route, config.name).queueName,
    }),
  );
  return {
    config,
    configFile: parts.settings.configFile,
    url,
    adminUrl: `${url}${ADMIN_PATH_PREFIX}`,
    consoleUrl: `${url}${CONSOLE_PATH}?token=${parts.consoleToken}`,
    bodyDir: parts.stores.bodyStore.root,
    routes,
    urls: routes.map((route) => route.url),
    tableName: parts.tableName,
    sqs: { endpoint: sqsEmulator.endpoint, pid: sqsEmulator.pid },
    dynamoDb: { endpoint: dynamoDbLocal.endpoint, pid: dynamoDbLocal.pid },
    stateFile: parts.settings.stateFile,
    dataDir: parts.dataDir,
    restored: parts.restored,
  };
}

function localState(stack: DevStackInfo): LocalState {
  return {
    version: 1,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    configFile: stack.configFile,
    httpUrl: stack.url,
    adminUrl: stack.adminUrl,
    sqsEndpoint: stack.sqs.endpoint,
    dynamoEndpoint: stack.dynamoDb.endpoint,
    region: LOCAL_AWS.region,
    tableName: stack.tableName,
    queues: Object.fromEntries(
      stack.routes.map((route) => [
        route.route.path,
        { queueName: route.queueName, queueUrl: route.queueUrl, dlqUrl: route.dlqUrl },
      ]),
    ),
    processes: { sqs: stack.sqs.pid, dynamodb: stack.dynamoDb.pid },
  };
}

function running(
  stack: DevStackInfo,
  emulators: readonly EmulatorProcess[],
  undo: {
    readonly cleanUp: () => Promise<void>;
    readonly removeState: () => void;
    readonly releaseData: () => void;
  },
): DevStack {
  let stopping: Promise<void> | undefined;
  return {
    ...stack,
    failure: emulatorFailure(emulators, () => stopping !== undefined),
    stop() {
      stopping ??= undo.cleanUp();
      return stopping;
    },
    kill() {
      stopping ??= Promise.resolve();
      for (const emulator of emulators) emulator.kill();
      undo.removeState();
      undo.releaseData();
    },
  };
}

/** Settles with an error when an emulator exits by itself, not because the stack is stopping. */
function emulatorFailure(emulators: readonly EmulatorProcess[], stopping: () => boolean): Promise<Error> {
  return new Promise<Error>((resolve) => {
    for (const emulator of emulators) {
      void emulator.exited.then((status) => {
        if (stopping()) return;
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
}
