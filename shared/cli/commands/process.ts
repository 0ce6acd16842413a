/**
 * `hookline process --route R [--count N] [--wait S]`: processes up to N messages of a route once
 * (LeanMQ `process_messages`) with the same handler runtime as the Lambda, prints how many.
 */
import { loadConfig } from '../../config/load.js';
import { resolveEndpoints } from '../../worker/endpoints.js';
import { findRoute, processMessages } from '../../worker/worker.js';
import { CliUsageError, type CommandModule, configFileFrom } from '../command.js';
import type { HelpFor } from '../help.js';
import { createLocalLogger } from '../local-logger.js';
import {
  endpointHelp,
  endpointOptions,
  endpointsFrom,
  integerOption,
  stderrMetrics,
} from './worker-options.js';

/** This command's flags, besides `--config` and `--json`. */
export const options = {
  route: { type: 'string' },
  count: { type: 'string' },
  wait: { type: 'string' },
  ...endpointOptions,
} as const satisfies CommandModule['options'];

/** This command's help: a line per option. */
export const help: HelpFor<typeof options> = {
  usage: ['hookline process --route R [--count N] [--wait S] [--table NAME] [--aws]'],
  description:
    "Processes up to N messages of a route's queue once, with the same handler runtime as the Lambda, " +
    'and prints how many.',
  options: {
    route: { value: 'R', text: 'the route whose queue to read (required)' },
    count: { value: 'N', text: 'at most N messages (default 10)' },
    wait: { value: 'S', text: 'long-poll up to S seconds for messages (0-20, default 1)' },
    ...endpointHelp,
  },
  examples: [
    'hookline process --route /order/status/',
    'hookline process --route order_status --count 100 --json',
  ],
};

const SERVICE_NAME = 'hookline-process';

/** Runs the command; resolves with its exit code. */
export const run: CommandModule['run'] = async (values, positionals) => {
  if (positionals.length > 0) throw new CliUsageError(`unexpected argument "${positionals[0]}"`);
  const routeName = values.route;
  if (typeof routeName !== 'string' || routeName === '') throw new CliUsageError('--route is required');
  const count = integerOption(values.count, '--count', { min: 1, default: 10 });
  const waitSeconds = integerOption(values.wait, '--wait', { min: 0, max: 20, default: 1 });

  const configFile = configFileFrom(values);
  const config = await loadConfig(configFile);
  findRoute(config, routeName); // an unknown route fails before any AWS call
  const endpoints = await resolveEndpoints(endpointsFrom(values, config, configFile));
  // Log lines on stderr: stdout carries the command's own output.
  const log = createLocalLogger({ serviceName: SERVICE_NAME, destination: process.stderr });
  try {
    const result = await processMessages({
      config,
      configFile,
      endpoints,
      route: routeName,
      count,
      waitSeconds,
      log,
      metrics: stderrMetrics(config, SERVICE_NAME, log),
    });
    process.stdout.write(
      values.json === true ? `${JSON.stringify(result)}\n` : `processed ${result.processed}\n`,
    );
    return 0;
  } finally {
    endpoints.destroy();
  }
};
