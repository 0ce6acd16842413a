/**
 * `hookline replay <id>`: re-delivers one stored event under a new id linked to the original.
 * `hookline replay --route R --since T [--until T] [--status S] [--dry-run] [--rate N] [--limit N]
 * [--cursor C]`: re-delivers every matching event, oldest first. The API replays a page at a time
 * (each call fits API Gateway's 30 s limit) and returns a cursor while events remain; this command
 * chains the pages and prints the running counts after each one on stderr, the combined report on
 * stdout. When a page stops on a failed send or body copy, it prints the counts so far, the error
 * and the command that continues the run (`--cursor`, with the run's absolute times), and exits 1.
 */
import { parseTimeBound, TimeBoundError } from '../../admin/time.js';
import {
  DEFAULT_BULK_REPLAY_LIMIT,
  DEFAULT_REPLAY_RATE_PER_SECOND,
  MAX_BULK_REPLAY_LIMIT,
  MAX_REPLAY_RATE_PER_SECOND,
} from '../../replay/limits.js';
import type { AdminClient } from '../admin-client.js';
import type { BulkReplayReply, BulkReplayReport, ReplayReply } from '../admin-types.js';
import { CliUsageError, type CommandModule, type OptionValues } from '../command.js';
import { connect, stringValue, TARGET_HELP, TARGET_OPTIONS } from '../connect.js';
import { EXIT_FAILED, printFailure } from '../failure.js';
import type { HelpFor } from '../help.js';
import { type CommandOutput, commandOutput } from '../output.js';
import { renderTable } from '../table.js';
import { integerOption } from './worker-options.js';

/** This command's flags, besides `--config` and `--json`. */
export const options = {
  route: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  status: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  rate: { type: 'string' },
  limit: { type: 'string' },
  cursor: { type: 'string' },
  ...TARGET_OPTIONS,
} as const satisfies CommandModule['options'];

/** This command's help: a line per option. */
export const help: HelpFor<typeof options> = {
  usage: [
    'hookline replay <id>',
    'hookline replay --route R --since T [--until T] [--status S] [--dry-run] [--rate N] [--limit N] [--cursor C]',
  ],
  description:
    'Re-delivers one stored event under a new id linked to it; or, with --route and --since, every matching ' +
    'event, oldest first, a page at a time. A run stopped by an error prints the command that continues it.',
  options: {
    route: { value: 'R', text: 'bulk: the route whose events to replay' },
    since: { value: 'T', text: 'bulk: events received at or after T (30m, 24h, 7d or ISO 8601); required' },
    until: { value: 'T', text: 'bulk: events received before T' },
    status: { value: 'S', text: 'bulk: only events with this status (e.g. dead_lettered)' },
    'dry-run': { text: 'bulk: count what would be replayed, enqueue nothing' },
    rate: { value: 'N', text: `bulk: at most N replays a second (1-${MAX_REPLAY_RATE_PER_SECOND})` },
    limit: { value: 'N', text: `bulk: at most N events (1-${MAX_BULK_REPLAY_LIMIT})` },
    cursor: { value: 'C', text: 'bulk: continue a stopped run from here (as printed)' },
    ...TARGET_HELP,
  },
  examples: [
    'hookline replay evt_01J0EXAMPLE',
    'hookline replay --route /order/status/ --since 24h --status dead_lettered --dry-run',
  ],
};

/** Runs the command; resolves with its exit code. */
export const run: CommandModule['run'] = async (values, positionals) => {
  const out = commandOutput(values.json === true);
  const [id, ...extra] = positionals;
  if (extra.length > 0) throw new CliUsageError(`unexpected argument "${extra[0]}"`);
  if (id !== undefined) return replayOne(values, out, id);

  const bulk = bulkRun(values);
  const { admin } = await connect(values);
  out.progress.update(
    `hookline replay: ${bulk.dryRun ? 'dry run over' : 'replaying'} ${bulk.route} events since ${bulk.since}` +
      `${bulk.until === undefined ? '' : ` until ${bulk.until}`}${bulk.status === undefined ? '' : ` with status ${bulk.status}`}` +
      `${bulk.ratePerSecond === undefined ? '' : ` at ${bulk.ratePerSecond}/s`}, oldest first` +
      `${bulk.resumeFrom === undefined ? '' : ', continuing a run'}...`,
  );
  let run: { pages: BulkReplayReport[]; cursor: string | undefined };
  try {
    run = await replayPages(admin, out, bulk);
  } finally {
    out.progress.clear();
  }
  const { pages, cursor } = run;
  const failed = pages.at(-1)?.error;
  if (failed !== undefined) return reportStopped(values, out, bulk, pages, failed, cursor);
  const report = combine(pages);
  if (out.json) out.document({ report });
  else printReport(out, report);
  return 0;
};

/** `replay <id>`: one event, which takes none of the bulk flags. */
async function replayOne(values: OptionValues, out: CommandOutput, id: string): Promise<number> {
  const bulkFlag = ['route', 'since', 'until', 'status', 'rate', 'limit', 'cursor'].find(
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

/** A bulk run's filters, its times absolute; `resumeFrom` is the `--cursor` it continues from. */
interface BulkRun extends Omit<RunFlags, 'cursor'> {
  readonly resumeFrom: string | undefined;
}

/** The bulk flags, checked. */
function bulkRun(values: OptionValues): BulkRun {
  const route = stringValue(values.route);
  if (route === undefined)
    throw new CliUsageError('usage: hookline replay <id> | replay --route R --since T [...]');
  const since = stringValue(values.since);
  if (since === undefined)
    throw new CliUsageError('bulk replay needs --since (e.g. --since 24h or an ISO time)');
  const dryRun = values['dry-run'] === true;
  const ratePerSecond =
    values.rate === undefined
      ? undefined
      : integerOption(values.rate, '--rate', {
          min: 1,
          max: MAX_REPLAY_RATE_PER_SECOND,
          default: DEFAULT_REPLAY_RATE_PER_SECOND,
        });
  const limit =
    values.limit === undefined
      ? undefined
      : integerOption(values.limit, '--limit', {
          min: 1,
          max: MAX_BULK_REPLAY_LIMIT,
          default: DEFAULT_BULK_REPLAY_LIMIT,
        });
  const until = stringValue(values.until);
  const status = stringValue(values.status);
  const resumeFrom = stringValue(values.cursor);

  // Relative times are fixed once: every page must present the run's filters unchanged.
  const now = new Date();
  const sinceTime = absoluteTime(since, '--since', now);
  const untilTime = until === undefined ? undefined : absoluteTime(until, '--until', now);
  return { route, since: sinceTime, until: untilTime, status, dryRun, ratePerSecond, limit, resumeFrom };
}

/**
 * Posts page after page until the run is done or a page stops on an error, with the running counts
 * on stderr between pages; `cursor` is where the run stopped, if events may remain.
 */
async function replayPages(
  admin: AdminClient,
  out: CommandOutput,
  bulk: BulkRun,
): Promise<{ pages: BulkReplayReport[]; cursor: string | undefined }> {
  const pages: BulkReplayReport[] = [];
  let cursor = bulk.resumeFrom;
  do {
    const { report: page } = await admin.post<BulkReplayReply>('/_hookline/replay', {
      route: bulk.route,
      since: bulk.since,
      ...(bulk.until !== undefined && { until: bulk.until }),
      ...(bulk.status !== undefined && { status: bulk.status }),
      ...(bulk.dryRun && { dryRun: bulk.dryRun }),
      ...(bulk.ratePerSecond !== undefined && { ratePerSecond: bulk.ratePerSecond }),
      ...(bulk.limit !== undefined && { limit: bulk.limit }),
      ...(cursor !== undefined && { cursor }),
    });
    pages.push(page);
    cursor = page.nextCursor;
    if (page.error !== undefined) break;
    if (cursor !== undefined) out.progress.update(`hookline replay: ${countsText(combine(pages))}...`);
  } while (cursor !== undefined);
  return { pages, cursor };
}

/** A run a page stopped on an error: the counts so far, the error, how to continue; exit code 1. */
function reportStopped(
  values: OptionValues,
  out: CommandOutput,
  bulk: BulkRun,
  pages: readonly BulkReplayReport[],
  failed: NonNullable<BulkReplayReport['error']>,
  cursor: string | undefined,
): number {
  const report = { ...combine(pages), error: failed, ...(cursor !== undefined && { nextCursor: cursor }) };
  const resume =
    cursor === undefined
      ? undefined
      : resumeCommand(values, {
          route: bulk.route,
          since: bulk.since,
          until: bulk.until,
          status: bulk.status,
          dryRun: bulk.dryRun,
          ratePerSecond: bulk.ratePerSecond,
          limit: bulk.limit,
          cursor,
        });
  if (out.json) {
    out.document({ report });
    const next = resume === undefined ? '' : `; to continue the run: ${resume}`;
    printFailure({ code: failed.code, message: `${failed.message}${next}` }, true);
    return EXIT_FAILED;
  }
  out.notice(`hookline replay: stopped: ${countsText(report)}`);
  out.notice(`hookline replay: ${failed.code}: ${failed.message}`);
  if (resume !== undefined) out.notice(`hookline replay: to continue the run: ${resume}`);
  printReport(out, report);
  return EXIT_FAILED;
}

function printReport(out: CommandOutput, report: BulkReplayReport): void {
  out.line(`${report.dryRun ? 'dry run: ' : ''}${countsText(report)}`);
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
}

interface RunFlags {
  readonly route: string;
  readonly since: string;
  readonly until: string | undefined;
  readonly status: string | undefined;
  readonly dryRun: boolean;
  readonly ratePerSecond: number | undefined;
  readonly limit: number | undefined;
  readonly cursor: string;
}

/**
 * The command line that continues a run from `cursor`: the run's filters with its times absolute
 * (a cursor only continues the run it came from), and the same gateway and config.
 */
function resumeCommand(values: OptionValues, run: RunFlags): string {
  const args = ['hookline', 'replay', '--route', run.route, '--since', run.since];
  if (run.until !== undefined) args.push('--until', run.until);
  if (run.status !== undefined) args.push('--status', run.status);
  if (run.dryRun) args.push('--dry-run');
  if (run.ratePerSecond !== undefined) args.push('--rate', String(run.ratePerSecond));
  if (run.limit !== undefined) args.push('--limit', String(run.limit));
  for (const name of ['config', 'stack', 'region'] as const) {
    const value = stringValue(values[name]);
    if (value !== undefined) args.push(`--${name}`, value);
  }
  if (values.json === true) args.push('--json');
  args.push('--cursor', run.cursor);
  return args.map(shellQuote).join(' ');
}

/** `text` as one POSIX shell word. */
function shellQuote(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

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
