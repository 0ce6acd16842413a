/**
 * Consuming route queues outside Lambda (LeanMQ's `process_messages` / `run_service`): the same
 * pollers as the local stack, hence the same handler runtime as the Lambda path.
 *
 * - `processMessages`: one route, up to `count` messages, once; returns how many were processed.
 * - `startWorker`: a poller per route until `stop()` (or SIGINT/SIGTERM with `handleSignals`);
 *   `isAlive()` is the health check.
 */

import { handlerEntry } from '../config/load.js';
import type { ResolvedConfig, ResolvedRoute } from '../config/types.js';
import { HooklineError } from '../errors.js';
import { EventStore } from '../event-store/event-store.js';
import type { HandlerDefinition } from '../handler/types.js';
import { type Log, silentLog } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { WorkerEndpoints } from './endpoints.js';
import { loadHandlerDefinition } from './handler-module.js';
import { createPoller, type Poller } from './poller.js';

/** `--route` names no route of the config. */
export class UnknownRouteError extends HooklineError<'unknown_route'> {
  override name = 'UnknownRouteError';

  constructor(name: string, config: ResolvedConfig) {
    const known = config.routes.map((route) => route.path).join(', ');
    super('unknown_route', `unknown route "${name}" (routes: ${known === '' ? 'none' : known})`);
  }
}

/**
 * The route `name` designates: its path (`/order/status/`, slashes optional) or its queue name
 * (`order_status`). Throws UnknownRouteError.
 */
export function findRoute(config: ResolvedConfig, name: string): ResolvedRoute {
  const bare = (path: string) => path.replace(/^\/+|\/+$/g, '');
  const found =
    config.routes.find((route) => route.path === name) ??
    config.routes.find((route) => bare(route.path) === bare(name) || route.queueName === name);
  if (found === undefined) throw new UnknownRouteError(name, config);
  return found;
}

export interface WorkerBaseOptions {
  readonly config: ResolvedConfig;
  /** The config file (handler paths are relative to its folder). */
  readonly configFile: string;
  readonly endpoints: WorkerEndpoints;
  /** @default silentLog */
  readonly log?: Log;
  /**
   * Where the handler runtime's metrics go: the CLI passes EMF lines (`emfMetrics`), the lines the
   * Lambda functions write. @default silentMetrics
   */
  readonly metrics?: Metrics;
  /** Loads a route's handler; @default loadHandlerDefinition(handlerEntry(configFile, route.handler)) */
  readonly loadDefinition?: (route: ResolvedRoute) => Promise<HandlerDefinition>;
}

export interface ProcessMessagesOptions extends WorkerBaseOptions {
  /** Route path or queue name. */
  readonly route: string;
  /** Most messages to process. @default 10 */
  readonly count?: number;
  /** Seconds to wait for a first message (0–20). @default 1 */
  readonly waitSeconds?: number;
}

export interface ProcessMessagesResult {
  readonly route: string;
  readonly processed: number;
  /** Of those, reported as failed (left on the queue for a retry). */
  readonly failed: number;
}

/** LeanMQ `process_messages`: processes up to `count` messages of one route once. */
export async function processMessages(options: ProcessMessagesOptions): Promise<ProcessMessagesResult> {
  const route = findRoute(options.config, options.route);
  const poller = await routePoller(route, options, {});
  const processed = await poller.runOnce({
    maxMessages: options.count ?? 10,
    waitSeconds: options.waitSeconds ?? 1,
  });
  return { route: route.path, processed, failed: poller.stats().failed };
}

export interface WorkerOptions extends WorkerBaseOptions {
  /** Route paths or queue names; @default every enabled route */
  readonly routes?: readonly string[];
  /** Long-poll wait per receive (0–20). @default 20 */
  readonly waitSeconds?: number;
  /** Receive loops per route. @default 1 */
  readonly concurrency?: number;
  /** Stop on SIGINT/SIGTERM (and remove the listeners on stop). @default false */
  readonly handleSignals?: boolean;
}

export interface Worker {
  /** Route paths being consumed. */
  readonly routes: readonly string[];
  /** Resolves once the worker has stopped (after `stop()` or a handled signal). */
  readonly stopped: Promise<void>;
  /** Stops every poller, finishing in-flight batches. Idempotent. */
  stop(): Promise<void>;
  /** True while every route's poller runs and has looped recently. */
  isAlive(): boolean;
  /** Messages processed since start, all routes. */
  processed(): number;
  /** Messages processed per route path. */
  processedByRoute(): Readonly<Record<string, number>>;
}

/** LeanMQ `run_service`: a poller per route, consuming until stopped. */
export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const log = options.log ?? silentLog;
  const routes = routesToConsume(options);
  if (routes.length === 0) throw new Error('no enabled route to consume in the config');
  const pollers = await routePollers(routes, options);
  const { stopped, stop, isStopping, onSignal } = stopControl(pollers, options, log);

  if (options.handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  for (const poller of pollers.values()) poller.start();
  log.info('worker started', { routes: [...pollers.keys()], endpoints: options.endpoints.description });

  return {
    routes: [...pollers.keys()],
    stopped,
    stop,
    isAlive: () => !isStopping() && [...pollers.values()].every((poller) => poller.isAlive()),
    processed: () => totalProcessed(pollers),
    processedByRoute: () =>
      Object.fromEntries([...pollers].map(([path, poller]) => [path, poller.stats().processed])),
  };
}

/** `options.routes` resolved (each route once, in order), or every enabled route when none is named. */
function routesToConsume(options: WorkerOptions): ResolvedRoute[] {
  if (options.routes === undefined || options.routes.length === 0) {
    return options.config.routes.filter((route) => route.enabled);
  }
  const named = options.routes.map((name) => findRoute(options.config, name));
  return [...new Map(named.map((route) => [route.path, route])).values()];
}

/** A poller per route, keyed by route path, built one after the other. */
async function routePollers(
  routes: readonly ResolvedRoute[],
  options: WorkerOptions,
): Promise<Map<string, Poller>> {
  const pollers = new Map<string, Poller>();
  for (const route of routes) {
    pollers.set(
      route.path,
      await routePoller(route, options, {
        ...(options.waitSeconds !== undefined && { waitSeconds: options.waitSeconds }),
        ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
      }),
    );
  }
  return pollers;
}

interface StopControl {
  readonly stopped: Promise<void>;
  /** Stops every poller once (later calls get the same promise), then resolves `stopped`. */
  readonly stop: () => Promise<void>;
  readonly isStopping: () => boolean;
  /** The SIGINT/SIGTERM listener `stop` removes when `handleSignals` is set. */
  readonly onSignal: (signal: NodeJS.Signals) => void;
}

function stopControl(pollers: ReadonlyMap<string, Poller>, options: WorkerOptions, log: Log): StopControl {
  let resolveStopped: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    resolveStopped = resolve;
  });
  let stopping: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    log.info('worker stopping', { signal });
    void stop();
  };
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (options.handleSignals) {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
      }
      await Promise.all([...pollers.values()].map((poller) => poller.stop()));
      log.info('worker stopped', { processed: totalProcessed(pollers) });
      resolveStopped();
    })();
    return stopping;
  };
  return { stopped, stop, isStopping: () => stopping !== undefined, onSignal };
}

function totalProcessed(pollers: ReadonlyMap<string, Poller>): number {
  return [...pollers.values()].reduce((sum, poller) => sum + poller.stats().processed, 0);
}

async function routePoller(
  route: ResolvedRoute,
  options: WorkerBaseOptions,
  tuning: { waitSeconds?: number; concurrency?: number },
): Promise<Poller> {
  const { endpoints } = options;
  const load =
    options.loadDefinition ??
    ((r: ResolvedRoute) => loadHandlerDefinition(handlerEntry(options.configFile, r.handler)));
  const store = new EventStore({ client: endpoints.dynamodb, tableName: endpoints.tableName });
  // A table of another layout is refused before anything is consumed (once per process and table).
  const [definition, queues] = await Promise.all([
    load(route),
    endpoints.queuesFor(route),
    store.checkLayout(),
  ]);
  return createPoller({
    route,
    definition,
    sqs: endpoints.sqs,
    queueUrl: queues.queueUrl,
    dlqUrl: queues.dlqUrl,
    store,
    envelopeKeys: endpoints.envelopeKeys,
    ...(endpoints.bodyStore !== undefined && { bodyStore: endpoints.bodyStore }),
    log: options.log ?? silentLog,
    ...(options.metrics !== undefined && { metrics: options.metrics }),
    ...tuning,
  });
}
