/**
 * `hookline replay <id>`: re-delivers one stored event under a new id linked to the original.
 * `hookline replay --route R --since T [--until T] [--status S] [--dry-run] [--rate N] [--limit N]`:
 * re-delivers every matching event, oldest first. The API replays a page at a time (each call fits
 * API Gateway's 30 s limit) and returns a cursor while events remain; this command chains the pages
 * and prints the running counts after each one on stderr, the combined report on stdout.
 */
import { parseTimeBound, TimeBoundError } from '../../admin/time.js';
import type { BulkReplayReply, BulkReplayReport, ReplayReply } from '../admin-types.js';
import { CliUsageError, type CommandModule } from '../command.js';
import { connect, stringValue, TARGET_OPTIONS } from '../connect.js';
import { commandOutput } from '../output.js';
import { renderTable } from '../table.js';
import { integerOption } from './worker-options.js';

export const options = {
  route: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  status: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  rate: { type: 'string' },
  limit: { type: 'string' },
  ...TARGET_OPTIONS,
} as const satisfies CommandModule['options'];

export const run: CommandModule['run'] = async (values, positionals) => {
  const out = commandOutput(values.json === true);
  const route = stringValue(values.route);
  const [id, ...extra] = positionals;
  if (extra.length > 0) throw new CliUsageError(`unexpected argument "${extra[0]}"`);

  if (id !== undefined) {
    const bulkFlag = ['route', 'since', 'until', 'status', 'rate', 'limit'].find(
      (name) => values[name] !== undefined,
    );
    if (bulkFlag !== undefined || values['dry-run'] === true) {
      throw new CliUsageError(
        `replay <id> takes no --${bulkFlag ?? 'dry-run'} (that is for bulk replay: --route R --since T)`,
      );
    }
    const { admin } = await connect(values);
    const { replay } = await admin.post<ReplayReply>('/_hookline/replay', { id });
    if (out.json) out.document({ replay });
    else {
      out.line(`replayed ${replay.replayOf} as ${replay.id} (${replay.status})`);
      if (replay.statusUrl !== undefined) out.line(`status: ${replay.statusUrl}`);
    }
    return 0;
  }

  if (route === undefined)
    throw new CliUsageError('usage: hookline replay <id> | replay --route R --since T [...]');
  const since = stringValue(values.since);
  if (since === undefined)
    throw new CliUsageError('bulk replay needs --since (e.g. --since 24h or an ISO time)');
  const dryRun = values['dry-run'] === true;
  const ratePerSecond =
    values.rate === undefined
      ? undefined
      : integerOption(values.rate, '--rate', { min: 1, max: 500, default: 10 });
  const limit =
    values.limit === undefined
      ? undefined
      : integerOption(values.limit, '--limit', { min: 1, default: 10_000 });
  const until = stringValue(values.until);
  const status = stringValue(values.status);

  // Relative times are fixed once: every page must present the run's filters unchanged.
  const now = new Date();
  const sinceTime = absoluteTime(since, '--since', now);
  const untilTime = until === undefined ? undefined : absoluteTime(until, '--until', now);

  const { admin } = await connect(values);
  out.progress(
    `hookline replay: ${dryRun ? 'dry run over' : 'replaying'} ${route} events since ${sinceTime}` +
      `${untilTime === undefined ? '' : ` until ${untilTime}`}${status === undefined ? '' : ` with status ${status}`}` +
      `${ratePerSecond === undefined ? '' : ` at ${ratePerSecond}/s`}, oldest first...`,
  );
  const pages: BulkReplayReport[] = [];
  let cursor: string | undefined;
  do {
    const { report: page } = await admin.post<BulkReplayReply>('/_hookline/replay', {
      route,
      since: sinceTime,
      ...(untilTime !== undefined && { until: untilTime }),
      ...(status !== undefined && { status }),
      ...(dryRun && { dryRun }),
      ...(ratePerSecond !== undefined && { ratePerSecond }),
      ...(limit !== undefined && { limit }),
      ...(cursor !== undefined && { cursor }),
    });
    pages.push(page);
    cursor = page.nextCursor;
    if (cursor !== undefined) out.progress(`hookline replay: ${countsText(combine(pages))}...`);
  } while (cursor !== undefined);
  const report = combine(pages);
  const counts = countsText(report);
  out.progress(`hookline replay: done: ${counts}`);
  if (out.json) {
    out.document({ report });
    return 0;
  }
  out.line(`${report.dryRun ? 'dry run: ' : ''}${counts}`);
  if (report.replays.length > 0) {
    out.line(
      renderTable(
        ['ORIGINAL', 'REPLAY'],
        report.replays.map((replay) => [replay.original, replay.id]),
      ),
    );
  }
  if (report.skippedEvents.length > 0) {
    out.line(
      renderTable(
        ['SKIPPED', 'REASON'],
        report.skippedEvents.map((event) => [event.id, event.reason]),
      ),
    );
  }
  return 0;
};

function countsText(report: BulkReplayReport): string {
  const enqueued = report.dryRun
    ? `would enqueue ${report.matched - report.skipped}`
    : `enqueued ${report.enqueued}`;
  return `matched ${report.matched}, ${enqueued}, skipped ${report.skipped}`;
}

/** The pages of one run as one report. */
function combine(pages: readonly BulkReplayReport[]): BulkReplayReport {
  return {
    matched: pages.reduce((sum, page) => sum + page.matched, 0),
    enqueued: pages.reduce((sum, page) => sum + page.enqueued, 0),
    skipped: pages.reduce((sum, page) => sum + page.skipped, 0),
    dryRun: pages[0]?.dryRun ?? false,
    replays: pages.flatMap((page) => page.replays),
    skippedEvents: pages.flatMap((page) => page.skippedEvents),
  };
}

function absoluteTime(text: string, flag: string, now: Date): string {
  try {
    return parseTimeBound(text, now).toISOString();
  } catch (error: unknown) {
    if (error instanceof TimeBoundError) throw new CliUsageError(`${flag}: ${error.message}`);
    throw error;
  }
}
