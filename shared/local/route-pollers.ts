/**
 * The local stack's consumers: each enabled route's handler module, run by one poller per route
 * the way the event source mapping runs the route's Lambda.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AdminRouteTarget } from '../admin/admin-api.js';
import type { DirectoryBodyStore } from '../body-store/directory-body-store.js';
import type { RouteConsumers } from '../circuit/route-consumers.js';
import { handlerEntry } from '../config/load.js';
import type { ResolvedRoute } from '../config/types.js';
import { describeError } from '../errors.js';
import type { EventStore } from '../event-store/event-store.js';
import type { HandlerDefinition } from '../handler/define-handler.js';
import type { Log } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { EnvelopeKeys } from '../secrets/envelope-keys.js';
import { loadHandlerDefinition } from '../worker/handler-module.js';
import { createPoller, type Poller } from '../worker/poller.js';
import { pollerConsumers } from './poller-consumers.js';
import type { Startup } from './startup.js';

/** Each route's handler definition, in route order (handler paths are relative to the config file). */
export async function loadDefinitions(
  configFile: string,
  routes: readonly ResolvedRoute[],
): Promise<HandlerDefinition[]> {
  return Promise.all(routes.map((route) => loadHandlerDefinition(handlerEntry(configFile, route.handler))));
}

/**
 * Starts one poller per target (`definitions` in the same order) and registers stopping them:
 * on stop, in-flight batches finish before the clients and emulators go. Returns the routes'
 * consumers: their circuits, paused and resumed by the admin API.
 */
export function startPollers(
  parts: {
    readonly targets: readonly AdminRouteTarget[];
    readonly definitions: readonly HandlerDefinition[];
    readonly sqs: SQSClient;
    readonly store: EventStore;
    readonly envelopeKeys: EnvelopeKeys;
    readonly bodyStore: DirectoryBodyStore;
    readonly log: Log;
    readonly metrics: Metrics;
    /** @default the poller's (20 s) */
    readonly waitSeconds: number | undefined;
  },
  startup: Startup,
): RouteConsumers {
  const { sqs, store, envelopeKeys, bodyStore, log, metrics, waitSeconds } = parts;
  const pollers: Poller[] = parts.targets.map((target, index) =>
    createPoller({
      route: target.route,
      definition: at(parts.definitions, index),
      sqs,
      queueUrl: target.queueUrl,
      dlqUrl: target.dlqUrl,
      store,
      envelopeKeys,
      bodyStore,
      log,
      metrics,
      // Like the event source mapping: up to maxConcurrency batches of a route in flight at once.
      concurrency: target.route.maxConcurrency,
      ...(waitSeconds !== undefined && { waitSeconds }),
    }),
  );
  for (const poller of pollers) poller.start();
  startup.onCleanup(() => stopPollers(pollers, log));
  return pollerConsumers(
    new Map(parts.targets.map((target, index) => [target.route.path, at(pollers, index)])),
  );
}

async function stopPollers(pollers: readonly Poller[], log: Log): Promise<void> {
  const results = await Promise.allSettled(pollers.map((poller) => poller.stop()));
  for (const result of results) {
    if (result.status === 'rejected')
      log.error('poller stop failed', { error: describeError(result.reason) });
  }
}

function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new Error(`internal: no item at ${index}`);
  return item;
}
