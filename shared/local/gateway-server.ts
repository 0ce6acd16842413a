/**
 * The local stack's HTTP side: one server for every route's webhooks and the admin API, as API
 * Gateway would serve them.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type AdminRouteTarget, createAdminApi } from '../admin/admin-api.js';
import { createConsole } from '../admin/console/console.js';
import type { DirectoryBodyStore } from '../body-store/directory-body-store.js';
import type { RouteConsumers } from '../circuit/route-consumers.js';
import type { EventStore } from '../event-store/event-store.js';
import type { EventHistory } from '../event-store/history.js';
import { createIngress } from '../ingress/ingress.js';
import { sqsQueueSender } from '../ingress/sqs-sender.js';
import type { Log } from '../logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { StatsSource } from '../metrics/stats.js';
import { createReplayer } from '../replay/replay.js';
import type { EnvelopeKeys } from '../secrets/envelope-keys.js';
import type { SecretResolver } from '../secrets/resolver.js';
import { portError } from './emulator-processes.js';
import { type HttpApiHandler, localGateway, serveHttpApi } from './http-adapter.js';
import type { Startup } from './startup.js';

/**
 * Listens on `port` and registers closing the server. The ingress and admin API put the server's
 * own URL in their answers, known only once it listens, so they are given to `route` right after
 * (before any request can be read); until then requests get 503 `starting`.
 */
export async function listen(
  address: { readonly port: number; readonly host: string; readonly remedy: string },
  startup: Startup,
): Promise<{ readonly url: string; route(handler: HttpApiHandler): void }> {
  let serve: HttpApiHandler = async () => ({
    statusCode: 503,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ error: { code: 'starting', message: 'the local stack is starting; retry' } }),
  });
  const { port, host, remedy } = address;
  const http = await serveHttpApi((event) => serve(event), { port, host }).catch((error: unknown) => {
    throw portError(port, 'HTTP ingress', remedy, error);
  });
  startup.onCleanup(() => http.close());
  return {
    url: http.url,
    route(handler) {
      serve = handler;
    },
  };
}

/**
 * One ingress for every route and the admin API (and, when asked, the console) behind one handler,
 * the admin API and the console for this machine only.
 */
export function localGatewayHandler(parts: {
  readonly targets: readonly AdminRouteTarget[];
  readonly sqs: SQSClient;
  readonly store: EventStore;
  readonly history: EventHistory;
  readonly bodyStore: DirectoryBodyStore;
  readonly secrets: SecretResolver;
  readonly envelopeKeys: EnvelopeKeys;
  readonly publicUrl: string;
  readonly log: Log;
  readonly metrics: Metrics;
  /** What `GET /_hookline/stats` answers from: the stack's metrics collector. */
  readonly stats: StatsSource;
  /** The routes' consumers (the pollers): each route's `circuit` in `GET /_hookline/routes`, pause and resume. */
  readonly consumers?: RouteConsumers;
  /**
   * Serves the browser console at `/_hookline/console`, opened with `?token=<token>` (a random
   * secret of at least 16 characters). @default - no console
   */
  readonly console?: { readonly token: string };
}): HttpApiHandler {
  const { targets, sqs, store, history, bodyStore, secrets, envelopeKeys, publicUrl, log, metrics, stats } =
    parts;
  const queue = sqsQueueSender(sqs);
  const admin = createAdminApi({
    targets,
    history,
    replayer: createReplayer({ store, history, targets, queue, envelopeKeys, bodyStore, metrics }),
    sqs,
    bodyStore,
    publicUrl,
    log,
    metrics,
    stats,
    ...(parts.consumers !== undefined && { consumers: parts.consumers }),
  });
  return localGateway({
    webhooks: createIngress({
      targets,
      store,
      queue,
      secrets,
      envelopeKeys,
      bodyStore,
      publicUrl,
      log,
      metrics,
    }),
    admin,
    ...(parts.console !== undefined && { console: createConsole({ admin, token: parts.console.token }) }),
  });
}
