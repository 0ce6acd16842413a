/**
 * The `hookline` commands: name, overview line, and the module that runs it, loaded only when
 * called so `hookline send` does not pay for the local stack's imports.
 */
import type { CommandEntry } from './command.js';

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'init',
    summary: 'write a new CDK app deploying a gateway with this package (config, handler, app.ts)',
    load: () => import('./commands/init.js'),
  },
  {
    name: 'dev',
    summary: 'run the whole gateway locally (what npm start runs)',
    load: () => import('./commands/dev.js'),
  },
  {
    name: 'send',
    summary: 'send one webhook, signed as the route expects; prints its id',
    load: () => import('./commands/send.js'),
  },
  {
    name: 'trigger',
    summary: "send a provider's sample webhook (or a fixture), signed as it signs",
    load: () => import('./commands/trigger.js'),
  },
  {
    name: 'console',
    summary: "serve the console, a page over the gateway's admin API, on this machine (local or --stack)",
    load: () => import('./commands/console.js'),
  },
  {
    name: 'events',
    summary: 'list stored events, follow them live (tail), show one, export one as a fixture',
    load: () => import('./commands/events.js'),
  },
  {
    name: 'replay',
    summary: 're-deliver one event, or every event matching a route and time range',
    load: () => import('./commands/replay.js'),
  },
  {
    name: 'dlq',
    summary: "list a route's dead-letter queue, or redrive it to the route's queue",
    load: () => import('./commands/dlq.js'),
  },
  {
    name: 'route',
    summary: "pause or resume a route's consumer",
    load: () => import('./commands/route.js'),
  },
  {
    name: 'status',
    summary: 'per route: queue and DLQ depths, oldest message age, circuit',
    load: () => import('./commands/status.js'),
  },
  {
    name: 'stats',
    summary: 'per route: received, processed, failed, success rate and times over a window',
    load: () => import('./commands/stats.js'),
  },
  {
    name: 'process',
    summary: "process up to N messages of a route's queue once",
    load: () => import('./commands/process.js'),
  },
  {
    name: 'worker',
    summary: 'consume the routes continuously until SIGINT/SIGTERM',
    load: () => import('./commands/worker.js'),
  },
  {
    name: 'completion',
    summary: 'print a shell completion script (bash, zsh, fish)',
    // Given the list it is in, rather than importing it: no import cycle.
    load: async () => (await import('./commands/completion.js')).completionModule(COMMANDS),
  },
];

/** The command called `name`, if there is one. */
export function findCommand(name: string): CommandEntry | undefined {
  return COMMANDS.find((entry) => entry.name === name);
}

/** `hookline --help`: every command, the conventions, the exit codes. */
export function overview(): string {
  const width = Math.max(...COMMANDS.map((entry) => entry.name.length));
  return [
    'usage: hookline <command> [options]',
    '       hookline help <command> [<subcommand>]   (or: hookline <command> [<subcommand>] --help)',
    '       hookline --version',
    '',
    'commands:',
    ...COMMANDS.map((entry) => `  ${entry.name.padEnd(width)}  ${entry.summary}`),
    '',
    'times (T): ISO 8601 or relative: 30m, 24h, 7d. routes: path (/order/status/) or queue name.',
    '',
    'common options: --config FILE (or HOOKLINE_CONFIG), --json, -h/--help',
    "gateway: the config's local stack (npm start) by default; a deployed one with",
    '  --stack NAME [--region R] (AWS credentials from the standard chain)',
    'output: colour on a terminal only, never with NO_COLOR set; with --json, one JSON document',
    '  on stdout and any error as {"error":{"code","message"}} on stderr',
    '',
    'exit codes:',
    '  0  success',
    '  1  the operation failed (not found, refused, unreachable, timed out, ...)',
    '  2  usage error: bad arguments or options, whether the CLI or the admin API (HTTP 400) finds them',
  ].join('\n');
}
