/**
 * `hookline events list [--route R] [--status S] [--since T] [--until T] [--limit N] [--cursor C]`,
 * `hookline events show <id> [--body]` and `hookline events tail [--route R] [--status S]` (in
 * events-tail.ts): the event history, through the admin API.
 */

import { writeFileSync } from 'node:fs';
import { loadConfig } from '../../config/load.js';
import { HooklineError } from '../../errors.js';
import { MAX_LIST_LIMIT } from '../../event-store/query-checks.js';
import { captureFixture } from '../../fixtures/capture.js';
import { eventType, parsePayload } from '../../handler/event.js';
import { eventPath } from '../../http/paths.js';
import { AdminApiError } from '../admin-client.js';
import type { EventListReply, EventReply, EventState, EventView, RoutesReply } from '../admin-types.js';
import { CliUsageError, type CommandModule } from '../command.js';
import { connect, type GatewayTarget, stringValue, TARGET_HELP, TARGET_OPTIONS } from '../connect.js';
import type { HelpFor } from '../help.js';
import { type CommandOutput, commandOutput, formatDuration, formatTime } from '../output.js';
import { createStyle, type Style } from '../style.js';
import { renderTable } from '../table.js';
import { tailEvents } from './events-tail.js';
import { integerOption } from './worker-options.js';

/** This command's flags, besides `--config` and `--json`. */
export const options = {
  route: { type: 'string' },
  status: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  body: { type: 'boolean', default: false },
  fixture: { type: 'string' },
  ...TARGET_OPTIONS,
} as const satisfies CommandModule['options'];

const DEFAULT_LIMIT = 50;

/** This command's help: a line per option, and its subcommands. */
export const help: HelpFor<typeof options> = {
  usage: [
    'hookline events list [--route R] [--status S] [--since T] [--until T] [--limit N] [--cursor C]',
    'hookline events show <id> [--body]',
    'hookline events export <id> --fixture FILE',
    'hookline events tail [--route R] [--status S]',
  ],
  description: 'The event history, through the admin API.',
  options: {
    route: {
      value: 'R',
      text: 'only this route (path or queue name); without it, every route of the config',
    },
    status: {
      value: 'S',
      text: 'only events with this status (queued, delivered, dead_lettered, ...); tail: only changes to it',
    },
    since: { value: 'T', text: 'received at or after T (30m, 24h, 7d or ISO 8601)' },
    until: { value: 'T', text: 'received before T' },
    limit: { value: 'N', text: `at most N events (default ${DEFAULT_LIMIT}, at most ${MAX_LIST_LIMIT})` },
    cursor: { value: 'C', text: 'the next page, as printed after "more:" (needs --route)' },
    body: { text: "show the event's body too" },
    fixture: { value: 'FILE', text: 'the fixture file to write' },
    ...TARGET_HELP,
  },
  examples: [
    'hookline events list --route /order/status/ --since 24h',
    'hookline events show evt_01J0EXAMPLE --body',
  ],
  subcommands: {
    list: {
      usage: [
        'hookline events list [--route R] [--status S] [--since T] [--until T] [--limit N] [--cursor C]',
      ],
      description: 'Stored events, newest first: one route, or every route of the config without --route.',
      options: ['route', 'status', 'since', 'until', 'limit', 'cursor', 'stack', 'region'],
      examples: [
        'hookline events list --route /order/status/ --since 24h',
        'hookline events list --status dead_lettered --json',
      ],
    },
    show: {
      usage: ['hookline events show <id> [--body]'],
      description: 'One event: its fields, attempts and errors, and its replay chain.',
      options: ['body', 'stack', 'region'],
      examples: [
        'hookline events show evt_01J0EXAMPLE',
        'hookline events show evt_01J0EXAMPLE --body --json',
      ],
    },
    export: {
      usage: ['hookline events export <id> --fixture FILE'],
      description:
        "Writes the event's request as a fixture (no signature) for tests and hookline trigger --from.",
      options: ['fixture', 'stack', 'region'],
      examples: ['hookline events export evt_01J0EXAMPLE --fixture test/fixtures/order-shipped.json'],
    },
    tail: {
      usage: ['hookline events tail [--route R] [--status S]'],
      description:
        'Follows events live until Ctrl-C: each new event and each status change, polling the admin API ' +
        'every second. One line per change (time, route, id, previous → new status, the attempt and error ' +
        'of a failure); with --json, one JSON object per line: ' +
        '{"at","route","id","status","previousStatus"?,"attempt"?,"error"?}. A failed attempt that was ' +
        'retried always shows as retrying, even when polling missed that status.',
      options: ['route', 'status', 'stack', 'region'],
      examples: [
        'hookline events tail',
        'hookline events tail --route /order/status/ --status dead_lettered',
        'hookline events tail --stack hookline-prod --json | jq -r .id',
      ],
    },
  },
};

/** Runs the command; resolves with its exit code. */
export const run: CommandModule['run'] = async (values, positionals) => {
  const [action, ...rest] = positionals;
  const out = commandOutput(values.json === true);
  if (action === 'list') {
    if (rest.length > 0) throw new CliUsageError(`unexpected argument "${rest[0]}"`);
    return list(values, out);
  }
  if (action === 'show') {
    const [id, ...extra] = rest;
    if (id === undefined) throw new CliUsageError('usage: hookline events show <id> [--body]');
    if (extra.length > 0) throw new CliUsageError(`unexpected argument "${extra[0]}"`);
    return show(values, id, out);
  }
  if (action === 'tail') return tailEvents(values, rest, out, routeNames);
  if (action === 'export') {
    const [id, ...extra] = rest;
    const file = stringValue(values.fixture);
    if (id === undefined || file === undefined) {
      throw new CliUsageError('usage: hookline events export <id> --fixture FILE');
    }
    if (extra.length > 0) throw new CliUsageError(`unexpected argument "${extra[0]}"`);
    return exportFixture(values, id, file, out);
  }
  throw new CliUsageError(
    action === undefined
      ? 'usage: hookline events list|show|export|tail ...'
      : `unknown events action "${action}" (list, show, export, tail)`,
  );
};

async function list(values: Record<string, unknown>, out: CommandOutput): Promise<number> {
  const limit = integerOption(values.limit, '--limit', {
    min: 1,
    max: MAX_LIST_LIMIT,
    default: DEFAULT_LIMIT,
  });
  const route = stringValue(values.route);
  const cursor = stringValue(values.cursor);
  if (cursor !== undefined && route === undefined) throw new CliUsageError('--cursor needs --route');
  const filters = {
    status: stringValue(values.status),
    since: stringValue(values.since),
    until: stringValue(values.until),
  };
  const target = await connect(values);
  let page: EventListReply;
  if (route !== undefined) {
    page = await target.admin.get<EventListReply>('/_hookline/events', { route, ...filters, limit, cursor });
  } else {
    page = { events: await everyRoute(target, out, { ...filters, limit }) };
  }
  if (out.json) {
    out.document(page);
    return 0;
  }
  out.line(
    renderTable(
      ['ID', 'ROUTE', { header: 'STATUS', paint: out.style.status }, 'RECEIVED', 'ATTEMPTS', 'REPLAY OF'],
      page.events.map((event) => [
        event.id,
        event.route,
        event.status,
        formatTime(event.receivedAt),
        event.attempts?.length ?? 0,
        event.replayOf,
      ]),
    ),
  );
  if (page.nextCursor !== undefined) out.line(`more: --cursor ${page.nextCursor}`);
  return 0;
}

/** Every route's newest events, merged newest first (ids are ULIDs, so they sort by arrival). */
async function everyRoute(
  target: GatewayTarget,
  out: CommandOutput,
  query: { status?: string; since?: string; until?: string; limit: number },
): Promise<EventState[]> {
  const { names, fromConfig } = await routeNames(target);
  const pages = await Promise.all(
    names.map(async (name) => {
      try {
        return await target.admin.get<EventListReply>('/_hookline/events', { route: name, ...query });
      } catch (error: unknown) {
        // A route of the local config the deployed stack does not have (yet): list the others.
        if (fromConfig && error instanceof AdminApiError && error.code === 'route_not_found') {
          out.notice(`hookline events: route ${name} of ${target.configFile} is not in the gateway; skipped`);
          return { events: [] };
        }
        throw error;
      }
    }),
  );
  return pages
    .flatMap((page) => page.events)
    .sort((a, b) =>
      b.receivedAt === a.receivedAt ? b.id.localeCompare(a.id) : b.receivedAt.localeCompare(a.receivedAt),
    )
    .slice(0, query.limit);
}

/**
 * The queue names of the routes to list: those of the config file (also with `--stack`: the config
 * that was deployed), read locally without asking the gateway. Only when the config cannot be
 * loaded (no such file with `--stack`) does it ask `GET /_hookline/routes`, which reads every
 * queue's depth on the way.
 */
async function routeNames(target: GatewayTarget): Promise<{ names: string[]; fromConfig: boolean }> {
  try {
    const config = await loadConfig(target.configFile);
    return { names: config.routes.map((route) => route.queueName), fromConfig: true };
  } catch {
    const { routes } = await target.admin.get<RoutesReply>('/_hookline/routes');
    return { names: routes.map((route) => route.queueName), fromConfig: false };
  }
}

async function show(values: Record<string, unknown>, id: string, out: CommandOutput): Promise<number> {
  const { admin } = await connect(values);
  const reply = await admin.get<EventReply>(eventPath(id), values.body === true ? { include: 'body' } : {});
  if (out.json) {
    out.document(reply);
    return 0;
  }
  for (const line of describeEvent(reply.event, values.body === true, out.style)) out.line(line);
  return 0;
}

/**
 * Writes the event's request as a fixture: its headers without what signed it, its body (as stored:
 * after the route's redactions), its provider and event type.
 */
async function exportFixture(
  values: Record<string, unknown>,
  id: string,
  file: string,
  out: CommandOutput,
): Promise<number> {
  const target = await connect(values);
  const { event } = await target.admin.get<EventReply>(eventPath(id), { include: 'body' });
  if (event.bodyError !== undefined) {
    throw new FixtureExportError(`event ${id} cannot be exported: ${event.bodyError.message}`);
  }
  const route = (await loadConfig(target.configFile)).routes.find(
    (candidate) => candidate.path === event.route,
  );
  const body = event.body ?? Buffer.from(event.bodyBase64 ?? '', 'base64').toString('utf8');
  const type = eventType(
    event.verification.scheme,
    event.headers,
    parsePayload(Buffer.from(body), event.contentType, route?.expectJson ?? true),
  );
  const fixture = await captureFixture(event, route?.verify, type);
  writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
  if (out.json) out.document({ file, fixture });
  else out.line(`wrote ${file} (${fixture.provider}${type === undefined ? '' : ` ${type}`}, from ${id})`);
  return 0;
}

/** The event has no body to export (kept in a store this gateway cannot read). */
export class FixtureExportError extends HooklineError<'cannot_export'> {
  override name = 'FixtureExportError';

  constructor(message: string) {
    super('cannot_export', message);
  }
}

/** The human view of one event: fields, replay links, attempts table, optionally the body. */
export function describeEvent(
  event: EventView,
  withBody: boolean,
  style: Style = createStyle(false),
): string[] {
  return [
    ...fieldLines(event, style),
    ...replayLines(event),
    ...attemptLines(event, style),
    ...(withBody ? bodyLines(event) : []),
  ];
}

/** `name:  value` lines of the fields that are set. */
function fieldLines(event: EventView, style: Style): string[] {
  const verification = event.verification;
  const fields: [string, string | undefined][] = [
    ['id', event.id],
    ['route', `${event.route} (queue ${event.queueName})`],
    ['status', event.status === undefined ? undefined : style.status(event.status)],
    ['received', formatTime(event.receivedAt)],
    ['updated', formatTime(event.updatedAt)],
    [
      'request',
      event.method === undefined
        ? undefined
        : `${event.method} ${event.path}${event.query ? `?${event.query}` : ''}`,
    ],
    ['content type', event.contentType],
    ['source ip', event.sourceIp],
    [
      'verified',
      verification === undefined
        ? undefined
        : `${verification.scheme}${verification.keyId === undefined ? '' : ` (key ${verification.keyId})`} at ${formatTime(verification.verifiedAt)}`,
    ],
    ['dedupe key', event.dedupeKey],
  ];
  return fields
    .filter((field): field is [string, string] => field[1] !== undefined && field[1] !== '')
    .map(([name, value]) => `${`${name}:`.padEnd(14)}${value}`);
}

/** What it replays, its replays, and the chain of originals it descends from. */
function replayLines(event: EventView): string[] {
  const lines: string[] = [];
  if (event.replayOf !== undefined) lines.push(`replay of ${event.replayOf}`);
  const replays = event.replays ?? event.links?.replays ?? [];
  if (replays.length > 0) lines.push(`replays: ${replays.join(', ')}`);
  const chain = event.replayChain ?? [];
  if (chain.length > 0) {
    lines.push(
      `replay chain: ${[...chain.map((link) => `${link.id} (${link.status})`), event.id].join(' -> ')}`,
    );
  }
  return lines;
}

function attemptLines(event: EventView, style: Style): string[] {
  const attempts = event.attempts ?? [];
  const lines = ['', attempts.length === 0 ? 'attempts: none' : 'attempts:'];
  if (attempts.length > 0) {
    lines.push(
      renderTable(
        ['#', 'STARTED', 'DURATION', { header: 'OUTCOME', paint: style.status }, 'ERROR', 'NEXT TRY'],
        attempts.map((attempt) => [
          attempt.attempt,
          formatTime(attempt.startedAt),
          formatDuration(attempt.durationMs),
          attempt.redriven === true ? `${attempt.outcome} (after redrive)` : attempt.outcome,
          errorCell(attempt.errorName, attempt.errorMessage),
          formatTime(attempt.nextVisibleAt),
        ]),
      ),
    );
  }
  return lines;
}

function bodyLines(event: EventView): string[] {
  const lines = ['', 'body:'];
  if (event.body !== undefined) lines.push(event.body);
  else if (event.bodyBase64 !== undefined) lines.push(`(binary, base64) ${event.bodyBase64}`);
  else if (event.bodyError !== undefined) lines.push(`(unavailable: ${event.bodyError.message})`);
  else lines.push('(none)');
  return lines;
}

function errorCell(name: string | undefined, message: string | undefined): string | undefined {
  if (name === undefined && message === undefined) return undefined;
  const text = [name, message].filter((part) => part !== undefined && part !== '').join(': ');
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
