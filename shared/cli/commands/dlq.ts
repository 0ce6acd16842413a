/**
 * `hookline dlq list <route> [--max N]`: what sits in a route's dead-letter queue (read without
 * removing anything). `hookline dlq redrive <route> [--rate N] [--wait]`: moves it back to the
 * route's queue with an SQS message move task; `--wait` follows the task every second until it ends.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AdminClient } from '../admin-client.js';
import type { DlqListReply, RedriveStartReply, RedriveTask, RedriveTasksReply } from '../admin-types.js';
import { CliUsageError, type CommandModule } from '../command.js';
import { connect, routeParameter, TARGET_OPTIONS } from '../connect.js';
import { type CommandOutput, commandOutput, formatTime } from '../output.js';
import { renderTable } from '../table.js';
import { integerOption } from './worker-options.js';

export const options = {
  max: { type: 'string' },
  rate: { type: 'string' },
  wait: { type: 'boolean', default: false },
  ...TARGET_OPTIONS,
} as const satisfies CommandModule['options'];

/** SQS message move task statuses after which nothing changes any more. */
const FINAL_STATUSES = new Set(['COMPLETED', 'FAILED', 'CANCELLED']);
const POLL_INTERVAL_MS = 1_000;

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

  if (action === 'list') {
    const max =
      values.max === undefined
        ? undefined
        : integerOption(values.max, '--max', { min: 1, max: 1000, default: 100 });
    const { admin } = await connect(values);
    const reply = await admin.get<DlqListReply>(path, { max });
    if (out.json) {
      out.document(reply);
      return 0;
    }
    out.line(`${reply.route}: ${reply.messages.length} message(s) in the dead-letter queue`);
    if (reply.messages.length > 0) {
      out.line(
        renderTable(
          ['EVENT', 'STATUS', 'ATTEMPTS', 'RECEIVES', 'SENT', 'LAST ERROR'],
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
        ),
      );
    }
    return 0;
  }

  if (values.max !== undefined) throw new CliUsageError('--max is for dlq list');
  const ratePerSecond =
    values.rate === undefined
      ? undefined
      : integerOption(values.rate, '--rate', { min: 1, max: 500, default: 1 });
  const { admin } = await connect(values);
  const started = await admin.post<RedriveStartReply>(
    `${path}/redrive`,
    ratePerSecond === undefined ? {} : { ratePerSecond },
  );
  if (values.wait !== true) {
    if (out.json) out.document(started);
    else out.line(`redrive of ${started.route} started: task ${started.taskHandle}`);
    return 0;
  }
  out.progress(`hookline dlq: redrive of ${started.route} started (task ${started.taskHandle}); waiting...`);
  const task = await waitForTask(admin, `${path}/redrive`, started.taskHandle, out);
  const ok = task.status === 'COMPLETED';
  if (out.json) out.document({ route: started.route, taskHandle: started.taskHandle, task });
  else {
    out.line(
      `redrive of ${started.route} ${task.status.toLowerCase()}: ${progressText(task)}` +
        `${task.failureReason === undefined ? '' : ` (${task.failureReason})`}`,
    );
  }
  return ok ? 0 : 1;
};

async function waitForTask(
  admin: AdminClient,
  path: string,
  taskHandle: string,
  out: CommandOutput,
): Promise<RedriveTask> {
  let last = '';
  for (;;) {
    const { tasks } = await admin.get<RedriveTasksReply>(path);
    // Tasks come newest first; one started a moment ago may not list its handle yet.
    const task = tasks.find((candidate) => candidate.taskHandle === taskHandle) ?? tasks[0];
    if (task !== undefined) {
      const line = `${task.status}: ${progressText(task)}`;
      if (line !== last) out.progress(`hookline dlq: ${line}`);
      last = line;
      if (FINAL_STATUSES.has(task.status)) return task;
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

function progressText(task: RedriveTask): string {
  return `moved ${task.moved}${task.toMove === undefined ? '' : ` of ${task.toMove}`} message(s)`;
}
