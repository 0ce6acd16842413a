/**
 * `hookline dlq list <route> [--max N]`: what sits in a route's dead-letter queue (read without
 * removing anything). `hookline dlq redrive <route> [--rate N] [--wait [--timeout S]]`: moves it
 * back to the route's queue with an SQS message move task; `--wait` follows the task every second
 * until it ends, or exits 1 after `--timeout` seconds.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_DLQ_LIST_MAX, MAX_DLQ_LIST, MAX_REDRIVE_RATE_PER_SECOND } from '../../dlq/dlq.js';
import { HooklineError } from '../../errors.js';
import type { AdminClient } from '../admin-client.js';
import type { DlqListReply, RedriveStartReply, RedriveTask, RedriveTasksReply } from '../admin-types.js';
import { CliUsageError, type CommandModule, type OptionValues } from '../command.js';
import { connect, routeParameter, TARGET_HELP, TARGET_OPTIONS } from '../connect.js';
import type { HelpFor } from '../help.js';
import { type CommandOutput, commandOutput, formatTime } from '../output.js';
import type { Style } from '../style.js';
import { renderTable } from '../table.js';
import { integerOption } from './worker-options.js';

/** This command's flags, besides `--config` and `--json`. */
export const options = {
  max: { type: 'string' },
  rate: { type: 'string' },
  wait: { type: 'boolean', default: false },
  timeout: { type: 'string' },
  ...TARGET_OPTIONS,
} as const satisfies CommandModule['options'];

/** How long `--wait` follows a redrive by default, in seconds. */
const DEFAULT_WAIT_TIMEOUT_SECONDS = 600;

/** This command's help: a line per option, and its subcommands. */
export const help: HelpFor<typeof options> = {
  usage: [
    'hookline dlq list <route> [--max N]',
    'hookline dlq redrive <route> [--rate N] [--wait [--timeout S]]',
  ],
  description: "A route's dead-letter queue: list what sits in it, or move it back to the route's queue.",
  options: {
    max: {
      value: 'N',
      text: `list: at most N messages (default ${DEFAULT_DLQ_LIST_MAX}, at most ${MAX_DLQ_LIST})`,
    },
    rate: { value: 'N', text: `redrive: at most N messages a second (1-${MAX_REDRIVE_RATE_PER_SECOND})` },
    wait: { text: 'redrive: follow the move until it ends; exit 1 unless it completes' },
    timeout: {
      value: 'S',
      text: `redrive --wait: give up waiting after S seconds (default ${DEFAULT_WAIT_TIMEOUT_SECONDS})`,
    },
    ...TARGET_HELP,
  },
  examples: ['hookline dlq list /order/status/', 'hookline dlq redrive order_status --wait'],
  subcommands: {
    list: {
      usage: ['hookline dlq list <route> [--max N]'],
      description: "The messages in a route's dead-letter queue, read without removing anything.",
      options: ['max', 'stack', 'region'],
      examples: ['hookline dlq list /order/status/', 'hookline dlq list order_status --max 100 --json'],
    },
    redrive: {
      usage: ['hookline dlq redrive <route> [--rate N] [--wait [--timeout S]]'],
      description:
        "Moves the dead-letter queue's messages back to the route's queue (an SQS message move task); " +
        'with --wait, follows it until it ends.',
      options: ['rate', 'wait', 'timeout', 'stack', 'region'],
      examples: [
        'hookline dlq redrive /order/status/',
        'hookline dlq redrive order_status --rate 10 --wait --timeout 300',
      ],
    },
  },
};

/** SQS message move task statuses after which nothing changes any more. */
const FINAL_STATUSES = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
const POLL_INTERVAL_MS = 1_000;
/**
 * How much earlier than this machine's clock at the request SQS may date the new task and still
 * have it taken for ours: the clocks differ a little, and SQS's timestamps have second precision.
 */
const CLOCK_SKEW_MS = 5_000;

/** `--wait` ran out of time: the redrive goes on, the command exits 1. */
export class RedriveWaitTimeoutError extends HooklineError<'redrive_wait_timeout'> {
  override name = 'RedriveWaitTimeoutError';

  constructor(route: string, taskHandle: string, timeoutSeconds: number, last: RedriveTask | undefined) {
    super(
      'redrive_wait_timeout',
      `redrive of ${route} (task ${taskHandle}) not finished after ${timeoutSeconds}s` +
        `${last === undefined ? ', and not listed yet' : ` (last seen ${last.status.toLowerCase()}: ${progressText(last)})`}` +
        '; it goes on without waiting: follow it with hookline dlq redrive --wait again later or check the DLQ depth with hookline status',
    );
  }
}

/** Runs the command; resolves with its exit code. */
export const run: CommandModule['run'] = async (values, positionals) => {
  const [action, route, ...extra] = positionals;
  if (action !== 'list' && action !== 'redrive') {
    throw new CliUsageError(
      action === undefined
        ? 'usage: hookline dlq list|redrive <route>'
        : `unknown dlq action "${action}" (list, redrive)`,
    );
  }
  if (route === undefined) throw new CliUsageError(`usage: hookline dlq ${action} <route>`);
  if (extra.length > 0) throw new CliUsageError(`unexpected argument "${extra[0]}"`);
  const out = commandOutput(values.json === true);
  const path = `/_hookline/dlq/${routeParameter(route)}`;
  return action === 'list' ? list(values, out, path) : redrive(values, out, path);
};

/** `dlq list`: the messages as a table (or the reply with `--json`). */
async function list(values: OptionValues, out: CommandOutput, path: string): Promise<number> {
  const max =
    values.max === undefined
      ? undefined
      : integerOption(values.max, '--max', { min: 1, max: MAX_DLQ_LIST, default: DEFAULT_DLQ_LIST_MAX });
  const { admin } = await connect(values);
  const reply = await admin.get<DlqListReply>(path, { max });
  if (out.json) {
    out.document(reply);
    return 0;
  }
  out.line(`${reply.route}: ${reply.messages.length} message(s) in the dead-letter queue`);
  if (reply.messages.length > 0) out.line(messagesTable(reply, out.style));
  return 0;
}

function messagesTable(reply: DlqListReply, style: Style): string {
  return renderTable(
    ['EVENT', { header: 'STATUS', paint: style.status }, 'ATTEMPTS', 'RECEIVES', 'SENT', 'LAST ERROR'],
    reply.messages.map((message) => [
      message.eventId ?? `(message ${message.messageId})`,
      message.status ?? (message.unreadable === undefined ? undefined : 'unreadable'),
      message.attempts,
      message.receiveCount,
      formatTime(message.sentAt),
      message.unreadable ??
        (message.lastError === undefined
          ? undefined
          : [message.lastError.name, message.lastError.message].filter(Boolean).join(': ')),
    ]),
  );
}

/** `dlq redrive`: starts the move task; with `--wait`, follows it and exits 1 unless it completes. */
async function redrive(values: OptionValues, out: CommandOutput, path: string): Promise<number> {
  if (values.max !== undefined) throw new CliUsageError('--max is for dlq list');
  if (values.timeout !== undefined && values.wait !== true)
    throw new CliUsageError('--timeout is for --wait');
  const ratePerSecond =
    values.rate === undefined
      ? undefined
      : integerOption(values.rate, '--rate', { min: 1, max: MAX_REDRIVE_RATE_PER_SECOND, default: 1 });
  const timeoutSeconds = integerOption(values.timeout, '--timeout', {
    min: 1,
    default: DEFAULT_WAIT_TIMEOUT_SECONDS,
  });
  const { admin } = await connect(values);
  const requestedAt = Date.now();
  const started = await admin.post<RedriveStartReply>(
    `${path}/redrive`,
    ratePerSecond === undefined ? {} : { ratePerSecond },
  );
  if (values.wait !== true) {
    if (out.json) out.document(started);
    else out.line(`redrive of ${started.route} started: task ${started.taskHandle}`);
    return 0;
  }
  out.progress.update(
    `hookline dlq: redrive of ${started.route} started (task ${started.taskHandle}); waiting...`,
  );
  let task: RedriveTask;
  try {
    task = await waitForTask(admin, `${path}/redrive`, out, {
      route: started.route,
      taskHandle: started.taskHandle,
      requestedAt,
      timeoutSeconds,
    });
  } finally {
    out.progress.clear();
  }
  const ok = task.status === 'COMPLETED';
  if (out.json) out.document({ route: started.route, taskHandle: started.taskHandle, task });
  else {
    out.line(
      `redrive of ${started.route} ${task.status.toLowerCase()}: ${progressText(task)}` +
        `${task.failureReason === undefined ? '' : ` (${task.failureReason})`}`,
    );
  }
  return ok ? 0 : 1;
}

/**
 * Polls the DLQ's redrive tasks until ours ends. Ours is the task with our handle (listed while it
 * runs) or, since SQS drops the handle once a task ends, the newest task started at or after the
 * request (less `CLOCK_SKEW_MS`): an earlier task that already ended is never taken for it.
 * @throws RedriveWaitTimeoutError when it has not ended after `timeoutSeconds`
 */
async function waitForTask(
  admin: AdminClient,
  path: string,
  out: CommandOutput,
  redrive: { route: string; taskHandle: string; requestedAt: number; timeoutSeconds: number },
): Promise<RedriveTask> {
  const deadline = redrive.requestedAt + redrive.timeoutSeconds * 1_000;
  let last: RedriveTask | undefined;
  for (;;) {
    const { tasks } = await admin.get<RedriveTasksReply>(path);
    const task =
      tasks.find((candidate) => candidate.taskHandle === redrive.taskHandle) ??
      tasks.find((candidate) => isStartedSince(candidate, redrive.requestedAt - CLOCK_SKEW_MS));
    if (task !== undefined) {
      last = task;
      const waited = Math.round((Date.now() - redrive.requestedAt) / 1_000);
      out.progress.update(
        `hookline dlq: redrive of ${redrive.route} ${task.status.toLowerCase()}: ${progressText(task)} (${waited}s)`,
      );
      if (FINAL_STATUSES.has(task.status)) return task;
    }
    const left = deadline - Date.now();
    if (left <= 0)
      throw new RedriveWaitTimeoutError(redrive.route, redrive.taskHandle, redrive.timeoutSeconds, last);
    await sleep(Math.min(POLL_INTERVAL_MS, left));
  }
}

/** True when SQS says the task started at or after `sinceMs`; false when it gives no start time. */
function isStartedSince(task: RedriveTask, sinceMs: number): boolean {
  const startedMs = task.startedAt === undefined ? Number.NaN : Date.parse(task.startedAt);
  return Number.isFinite(startedMs) && startedMs >= sinceMs;
}

function progressText(task: RedriveTask): string {
  return `moved ${task.moved}${task.toMove === undefined ? '' : ` of ${task.toMove}`} message(s)`;
}
