/**
 * `hookline <command>`: the entry point of the CLI. Each command lives in its own module under `commands/` and is
 * loaded only when called, so `hookline send` does not pay for the local stack's imports.
 */
import { errorMessage } from '../errors.js';
import { CliUsageError, type CommandModule, runCommand } from './command.js';

const COMMANDS: Readonly<Record<string, () => Promise<CommandModule>>> = {
  dev: () => import('./commands/dev.js'),
  send: () => import('./commands/send.js'),
  trigger: () => import('./commands/trigger.js'),
  events: () => import('./commands/events.js'),
  replay: () => import('./commands/replay.js'),
  dlq: () => import('./commands/dlq.js'),
  route: () => import('./commands/route.js'),
  status: () => import('./commands/status.js'),
  stats: () => import('./commands/stats.js'),
  process: () => import('./commands/process.js'),
  worker: () => import('./commands/worker.js'),
};

const USAGE = `usage: hookline <command> [options]

commands:
  dev                                   run the whole gateway locally (what npm start runs)
  send <path> --data JSON [--header name:value]... [--id ID] [--secret-env NAME]
                                        send one webhook, signed as the route expects; prints its id
  trigger <provider>.<event> [--route R]
                                        send a provider's sample webhook, signed as it signs
  trigger --list                        the samples (github.push, stripe.invoice.paid, ...)
  trigger --from FILE [--route R]       send a fixture again, signed for the route
  events list [--route R] [--status S] [--since T] [--until T] [--limit N] [--cursor C]
                                        stored events, newest first (every route without --route)
  events show <id> [--body]             one event: status, attempts, replay chain
  events export <id> --fixture FILE     write the event's request as a fixture (no signature)
  replay <id>                           re-deliver one event under a new id linked to it
  replay --route R --since T [--until T] [--status S] [--dry-run] [--rate N] [--limit N] [--cursor C]
                                        re-deliver every matching event, oldest first
  dlq list <route> [--max N]            messages in a route's dead-letter queue
  dlq redrive <route> [--rate N] [--wait [--timeout S]]
                                        move them back to the route's queue
  route pause <route>                   stop the route's consumer: its events wait in the queue
  route resume <route>                  start it again, its circuit closed
  status [--counts]                     per route: queued, in flight, delayed, DLQ depth, oldest age,
                                        circuit (closed, open, half-open, paused)
  stats [--route R] [--since T] [--until T] [--by event-type]
                                        per route: received, processed, failed, success rate,
                                        processing and end-to-end times (since 24h by default)
  process --route R [--count N] [--wait S]
                                        process up to N messages of a route once, print how many
  worker [--route R]...                 consume continuously until SIGINT/SIGTERM

times (T): ISO 8601 or relative: 30m, 24h, 7d. routes: path (/order/status/) or queue name.

common options: --config FILE (or HOOKLINE_CONFIG), --json
gateway: the config's local stack (npm start) by default; a deployed one with
  --stack NAME [--region R] (AWS credentials from the standard chain)`;

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return name === undefined ? 1 : 0;
  }
  const load = COMMANDS[name];
  if (load === undefined) {
    process.stderr.write(`hookline: unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  return runCommand(await load(), args);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = errorMessage(error);
    process.stderr.write(`hookline: ${message}\n`);
    process.exitCode = error instanceof CliUsageError ? 2 : 1;
  },
);
