/**
 * `hookline route pause <route>`: the route's consumer takes no more events (deployed, its event
 * source mapping is disabled; locally, its poller stops receiving), so they wait in the queue
 * instead of spending their attempts. `hookline route resume <route>`: it takes them again, its
 * circuit closed.
 */
import type { RouteConsumerReply } from '../admin-types.js';
import { CliUsageError, type CommandModule } from '../command.js';
import { connect, routeParameter, stringValue, TARGET_HELP, TARGET_OPTIONS } from '../connect.js';
import type { HelpFor } from '../help.js';
import { commandOutput } from '../output.js';

/** This command's flags, besides `--config` and `--json`. */
export const options = { ...TARGET_OPTIONS } as const satisfies CommandModule['options'];

/** This command's help: a line per option, and its subcommands. */
export const help: HelpFor<typeof options> = {
  usage: ['hookline route pause <route>', 'hookline route resume <route>'],
  description: "Pauses or resumes a route's consumer.",
  options: { ...TARGET_HELP },
  examples: ['hookline route pause /order/status/', 'hookline route resume order_status'],
  subcommands: {
    pause: {
      usage: ['hookline route pause <route>'],
      description:
        "Stops the route's consumer: its events wait in the queue instead of spending their attempts.",
      options: ['stack', 'region'],
      examples: ['hookline route pause /order/status/', 'hookline route pause order_status --stack hookline'],
    },
    resume: {
      usage: ['hookline route resume <route>'],
      description: "Starts the route's consumer again, its circuit closed.",
      options: ['stack', 'region'],
      examples: ['hookline route resume /order/status/'],
    },
  },
};

const ACTIONS = ['pause', 'resume'] as const;
type Action = (typeof ACTIONS)[number];

/** Runs the command; resolves with its exit code. */
export const run: CommandModule['run'] = async (values, positionals) => {
  const [action, route, ...extra] = positionals;
  if (!isAction(action)) {
    throw new CliUsageError(
      action === undefined
        ? 'usage: hookline route pause|resume <route>'
        : `unknown route action "${action}" (${ACTIONS.join(', ')})`,
    );
  }
  if (route === undefined) throw new CliUsageError(`usage: hookline route ${action} <route>`);
  if (extra.length > 0) throw new CliUsageError(`unexpected argument "${extra[0]}"`);
  const out = commandOutput(values.json === true);
  const { admin } = await connect(values);
  const reply = await admin.post<RouteConsumerReply>(
    `/_hookline/routes/${routeParameter(route)}/${action}`,
    {},
  );
  if (out.json) out.document(reply);
  else out.line(action === 'pause' ? pausedLine(reply, stringValue(values.stack)) : resumedLine(reply));
  return 0;
};

function isAction(value: string | undefined): value is Action {
  return ACTIONS.some((action) => action === value);
}

/** What a pause means for the route's events, and the command that ends it. */
function pausedLine(reply: RouteConsumerReply, stack: string | undefined): string {
  const resume = `hookline route resume ${reply.route}${stack === undefined ? '' : ` --stack ${stack}`}`;
  return `paused ${reply.route}: its events wait in the queue until "${resume}"`;
}

function resumedLine(reply: RouteConsumerReply): string {
  return `resumed ${reply.route}: circuit ${reply.circuit.state}, its queued events are delivered again`;
}
