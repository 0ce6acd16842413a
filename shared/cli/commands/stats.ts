/**
 * `hookline stats [--route R] [--since T] [--until T] [--by event-type]`: per route, events
 * received, processed and failed, the success rate and the processing and end-to-end times over a
 * window (the last 24 hours by default), from `GET /_hookline/stats`: CloudWatch for a deployed
 * stack, the local stack's own metrics locally. `--json` prints the API's report as it is.
 */
import type { LatencyStats, RouteStats, StatsReply } from '../admin-types.js';
import { CliUsageError, type CommandModule } from '../command.js';
import { connect, stringValue, TARGET_HELP, TARGET_OPTIONS } from '../connect.js';
import type { HelpFor } from '../help.js';
import { commandOutput, formatDuration, formatTime } from '../output.js';
import { type Cell, renderTable } from '../table.js';

/** This command's flags, besides `--config` and `--json`. */
export const options = {
  route: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  by: { type: 'string' },
  ...TARGET_OPTIONS,
} as const satisfies CommandModule['options'];

/** This command's help: a line per option. */
export const help: HelpFor<typeof options> = {
  usage: ['hookline stats [--route R] [--since T] [--until T] [--by event-type]'],
  description:
    'Per route: events received, processed and failed, the success rate, and the processing and end-to-end ' +
    'times over a window (the last 24 hours by default).',
  options: {
    route: { value: 'R', text: 'only this route' },
    since: { value: 'T', text: 'the window starts at T (30m, 24h, 7d or ISO 8601; default 24h)' },
    until: { value: 'T', text: 'the window ends at T (default now)' },
    by: { value: 'event-type', text: 'a row per event type under each route' },
    ...TARGET_HELP,
  },
  examples: ['hookline stats', 'hookline stats --route /order/status/ --since 7d --by event-type'],
};

/** `--by` values, as the API's `by`. */
const BY: Readonly<Record<string, string>> = { 'event-type': 'eventType', eventType: 'eventType' };

/** Runs the command; resolves with its exit code. */
export const run: CommandModule['run'] = async (values, positionals) => {
  if (positionals.length > 0) throw new CliUsageError(`unexpected argument "${positionals[0]}"`);
  const byFlag = stringValue(values.by);
  const by = byFlag === undefined ? undefined : BY[byFlag];
  if (byFlag !== undefined && by === undefined) {
    throw new CliUsageError(`--by must be event-type, got "${byFlag}"`);
  }
  const out = commandOutput(values.json === true);
  const target = await connect(values);
  const reply = await target.admin.get<StatsReply>('/_hookline/stats', {
    route: stringValue(values.route),
    since: stringValue(values.since),
    until: stringValue(values.until),
    by,
  });
  if (out.json) {
    out.document(reply);
    return 0;
  }
  out.line(`${formatTime(reply.since)} to ${formatTime(reply.until)}`);
  out.line(
    renderTable(
      [
        'ROUTE',
        { header: 'RECEIVED', align: 'right' },
        { header: 'PROCESSED', align: 'right' },
        { header: 'FAILED', align: 'right' },
        { header: 'SUCCESS', align: 'right' },
        { header: 'PROC AVG', align: 'right' },
        { header: 'PROC P50', align: 'right' },
        { header: 'PROC P99', align: 'right' },
        { header: 'E2E AVG', align: 'right' },
        { header: 'E2E P50', align: 'right' },
        { header: 'E2E P99', align: 'right' },
      ],
      reply.routes.flatMap((route) => [routeRow(route), ...eventTypeRows(route)]),
    ),
  );
  return 0;
};

function routeRow(route: RouteStats): Cell[] {
  return [
    route.route,
    route.received,
    route.processed,
    route.failed,
    formatRate(route.successRate),
    ...latencyCells(route.processingMs),
    ...latencyCells(route.endToEndMs),
  ];
}

/** One indented row per event type under its route: counts only (durations are per route). */
function eventTypeRows(route: RouteStats): Cell[][] {
  return Object.entries(route.byEventType ?? {}).map(([type, counts]) => [
    `  ${type}`,
    counts.received,
    counts.processed,
    counts.failed,
    formatRate(
      counts.processed + counts.failed === 0 ? null : counts.processed / (counts.processed + counts.failed),
    ),
  ]);
}

function latencyCells(latency: LatencyStats): Cell[] {
  return [latency.avg, latency.p50, latency.p99].map((value) => formatDuration(value ?? undefined));
}

/** `0.8333` → `83.3%`; no settled event → `-`. */
export function formatRate(rate: number | null): string | undefined {
  return rate === null ? undefined : `${(rate * 100).toFixed(1)}%`;
}
