/**
 * `hookline status [--counts]`: per route, the depths of its queue (messages queued, in flight,
 * delayed) and DLQ, its oldest message's age and its consumer's circuit, from
 * `GET /_hookline/routes`; `--counts` adds a column per event status with the route's events
 * received in the last 24 hours.
 */
import { EVENT_STATUSES } from '../../event-store/transitions.js';
import type { RoutesReply } from '../admin-types.js';
import { CliUsageError, type CommandModule } from '../command.js';
import { connect, TARGET_HELP, TARGET_OPTIONS } from '../connect.js';
import type { HelpFor } from '../help.js';
import { commandOutput, formatAge } from '../output.js';
import { renderTable } from '../table.js';

/** This command's flags, besides `--config` and `--json`. */
export const options = {
  counts: { type: 'boolean', default: false },
  ...TARGET_OPTIONS,
} as const satisfies CommandModule['options'];

/** This command's help: a line per option. */
export const help: HelpFor<typeof options> = {
  usage: ['hookline status [--counts]'],
  description:
    "Per route: its queue's depths (queued, in flight, delayed), its DLQ depth, its oldest message's age and " +
    "its consumer's circuit (closed, open, half-open, paused).",
  options: {
    counts: { text: "add a column per event status: the route's events received in the last 24 hours" },
    ...TARGET_HELP,
  },
  examples: ['hookline status', 'hookline status --counts --stack hookline --json'],
};

/** Runs the command; resolves with its exit code. */
export const run: CommandModule['run'] = async (values, positionals) => {
  if (positionals.length > 0) throw new CliUsageError(`unexpected argument "${positionals[0]}"`);
  const out = commandOutput(values.json === true);
  const target = await connect(values);
  const reply = await target.admin.get<RoutesReply>(
    '/_hookline/routes',
    values.counts === true ? { counts: 1 } : {},
  );
  if (out.json) {
    out.document(reply);
    return 0;
  }
  const withCounts = values.counts === true;
  out.line(
    renderTable(
      [
        'ROUTE',
        'QUEUE',
        { header: 'QUEUED', align: 'right' },
        { header: 'IN FLIGHT', align: 'right' },
        { header: 'DELAYED', align: 'right' },
        { header: 'DLQ', align: 'right' },
        { header: 'OLDEST', align: 'right' },
        { header: 'CIRCUIT', paint: out.style.status },
        ...(withCounts
          ? EVENT_STATUSES.map((status) => ({ header: status.toUpperCase(), align: 'right' as const }))
          : []),
      ],
      reply.routes.map((route) => [
        route.route,
        route.queueName,
        route.queued,
        route.inFlight,
        route.delayed,
        route.dlqDepth,
        formatAge(route.oldestMessageAgeSeconds),
        route.circuit?.state,
        ...(withCounts ? EVENT_STATUSES.map((status) => route.counts?.[status] ?? 0) : []),
      ]),
    ),
  );
  return 0;
};
