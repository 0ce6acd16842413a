/**
 * `hookline status [--counts]`: per route, messages queued, in flight, delayed, in the DLQ and the
 * oldest message's age (LeanMQ's queue info); `--counts` adds event counts by status (last 24 h).
 */
import type { EventStatus, RoutesReply } from '../admin-types.js';
import { CliUsageError, type CommandModule } from '../command.js';
import { connect, TARGET_OPTIONS } from '../connect.js';
import { commandOutput, formatAge } from '../output.js';
import { renderTable } from '../table.js';

export const options = {
  counts: { type: 'boolean', default: false },
  ...TARGET_OPTIONS,
} as const satisfies CommandModule['options'];

const COUNTED: readonly EventStatus[] = ['queued', 'processing', 'retrying', 'delivered', 'dead_lettered'];

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
        ...(withCounts
          ? COUNTED.map((status) => ({ header: status.toUpperCase(), align: 'right' as const }))
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
        ...(withCounts ? COUNTED.map((status) => route.counts?.[status] ?? 0) : []),
      ]),
    ),
  );
  return 0;
};
