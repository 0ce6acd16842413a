/**
 * `hookline events tail [--route R] [--status S]`: new events and their status changes as they
 * happen, until SIGINT/SIGTERM (exit 0), from the local stack or a deployed one, through the admin
 * API's event listing and event reads (`../tail/event-tail.ts` says how it polls). One line per
 * change; with `--json`, one JSON object per line (NDJSON, `EventChange`).
 */
import { MAX_LIST_LIMIT } from '../../event-store/query-checks.js';
import { EVENT_STATUSES } from '../../event-store/transitions.js';
import { eventPath } from '../../http/paths.js';
import { isLocalStateLive, localStateFile, readLocalState } from '../../local-state/state-file.js';
import { AdminApiError } from '../admin-client.js';
import type { EventListReply, EventReply, EventStatus } from '../admin-types.js';
import { CliUsageError } from '../command.js';
import { connect, type GatewayTarget, NoLocalStackError, stringValue } from '../connect.js';
import type { CommandOutput } from '../output.js';
import { changeJson, type EventChange, formatChange, type TailedEvent } from '../tail/event-changes.js';
import { EventTail, followEvents, type TailSource } from '../tail/event-tail.js';

/** The routes a tail without `--route` follows: those `events list` lists (`routeNames` in events.ts). */
export type RouteNames = (target: GatewayTarget) => Promise<{ names: string[]; fromConfig: boolean }>;

/** `events` options that `tail` does not take. */
const OTHER_OPTIONS = ['since', 'until', 'limit', 'cursor', 'body', 'fixture'] as const;

/** After a stop, how long a request still in flight may keep the process alive. */
const EXIT_GRACE_MS = 1000;

const PREFIX = 'hookline events tail:';

/** Runs `hookline events tail`; resolves with its exit code once stopped by a signal. */
export async function tailEvents(
  values: Record<string, unknown>,
  args: readonly string[],
  out: CommandOutput,
  routeNames: RouteNames,
): Promise<number> {
  if (args.length > 0) throw new CliUsageError(`unexpected argument "${args[0]}"`);
  for (const name of OTHER_OPTIONS) {
    if (values[name] !== undefined && values[name] !== false) {
      throw new CliUsageError(`--${name} is not an option of events tail`);
    }
  }
  const status = statusFilter(values.status);
  const target = await connect(values);
  const route = stringValue(values.route);
  const { names, fromConfig } =
    route === undefined ? await routeNames(target) : { names: [route], fromConfig: false };

  const stop = new AbortController();
  const onSignal = () => stop.abort();
  // A closed pipe (`| head`) ends the tail like Ctrl-C.
  const onStdoutError = () => stop.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.stdout.on('error', onStdoutError);
  try {
    out.notice(
      `${PREFIX} following ${names.join(', ')}${status === undefined ? '' : ` (only changes to ${status})`} on the ${target.admin.description}; Ctrl-C to stop`,
    );
    const print = (changes: readonly EventChange[]) => {
      for (const change of changes) {
        if (status !== undefined && change.status !== status) continue;
        out.line(out.json ? changeJson(change) : formatChange(change, out.style));
      }
    };
    await followEvents({
      tail: new EventTail({ routes: names, source: adminSource(target, out, fromConfig) }),
      signal: stop.signal,
      print,
      warn: (text) => out.notice(`${PREFIX} ${text}`),
      ...(target.kind === 'local' && {
        gone: () =>
          localStackRuns(target.configFile) ? undefined : new NoLocalStackError(target.configFile),
      }),
    });
    // A request abandoned by the stop (a slow gateway) must not hold the exit for its whole timeout.
    setTimeout(() => process.exit(0), EXIT_GRACE_MS).unref();
    return 0;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.stdout.removeListener('error', onStdoutError);
  }
}

function statusFilter(value: unknown): EventStatus | undefined {
  const text = stringValue(value);
  if (text === undefined) return undefined;
  const status = EVENT_STATUSES.find((known) => known === text);
  if (status === undefined) {
    throw new CliUsageError(`--status must be one of ${EVENT_STATUSES.join(', ')} (got "${text}")`);
  }
  return status;
}

/**
 * The admin API as the tail reads it. A route of the local config that the gateway does not have
 * (a deployed stack behind its config) is skipped with a notice, as `events list` does.
 */
function adminSource(target: GatewayTarget, out: CommandOutput, fromConfig: boolean): TailSource {
  const skipped = new Set<string>();
  return {
    async list(route, sinceSeconds) {
      if (skipped.has(route)) return [];
      try {
        return await listSince(target, route, sinceSeconds);
      } catch (error: unknown) {
        if (fromConfig && error instanceof AdminApiError && error.code === 'route_not_found') {
          skipped.add(route);
          out.notice(`${PREFIX} route ${route} of ${target.configFile} is not in the gateway; skipped`);
          return [];
        }
        throw error;
      }
    },
    async get(id) {
      try {
        return (await target.admin.get<EventReply>(eventPath(id))).event;
      } catch (error: unknown) {
        // Expired (retention) or removed since it was listed.
        if (error instanceof AdminApiError && error.code === 'event_not_found') return undefined;
        throw error;
      }
    },
  };
}

/** Every page of `route`'s events received in the last `sinceSeconds` s of the gateway's clock. */
async function listSince(target: GatewayTarget, route: string, sinceSeconds: number): Promise<TailedEvent[]> {
  const events: TailedEvent[] = [];
  let cursor: string | undefined;
  do {
    const page: EventListReply = await target.admin.get<EventListReply>('/_hookline/events', {
      route,
      since: `${sinceSeconds}s`,
      limit: MAX_LIST_LIMIT,
      cursor,
    });
    events.push(...page.events);
    cursor = page.nextCursor === cursor ? undefined : page.nextCursor;
  } while (cursor !== undefined);
  return events;
}

/** Whether the local stack of `configFile` still runs (its state file is there, its process alive). */
function localStackRuns(configFile: string): boolean {
  try {
    const state = readLocalState(localStateFile(configFile));
    return state !== undefined && isLocalStateLive(state);
  } catch {
    // A state file being rewritten: no sign that the stack stopped.
    return true;
  }
}
