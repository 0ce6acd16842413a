/**
 * `hookline worker [--route R]...`: consumes every enabled route (or the given ones) continuously
 * until SIGINT/SIGTERM (LeanMQ `run_service`), then stops polling, finishes in-flight batches and
 * exits 0. A second signal exits at once (1).
 */
import { loadConfig } from '../../config/load.js';
import { resolveEndpoints } from '../../worker/endpoints.js';
import { findRoute, startWorker } from '../../worker/worker.js';
import { CliUsageError, type CommandModule, configFileFrom } from '../command.js';
import type { HelpFor } from '../help.js';
import { createLocalLogger } from '../local-logger.js';
import { progressLine } from '../progress.js';
import {
  endpointHelp,
  endpointOptions,
  endpointsFrom,
  integerOption,
  stderrMetrics,
} from './worker-options.js';

/** This command's flags, besides `--config` and `--json`. */
export const options = {
  route: { type: 'string', multiple: true },
  wait: { type: 'string' },
  concurrency: { type: 'string' },
  ...endpointOptions,
} as const satisfies CommandModule['options'];

/** This command's help: a line per option. */
export const help: HelpFor<typeof options> = {
  usage: ['hookline worker [--route R]... [--wait S] [--concurrency N] [--table NAME] [--aws]'],
  description:
    'Consumes every enabled route (or the given ones) continuously until SIGINT/SIGTERM, then finishes the ' +
    'batches in flight and exits 0; a second signal exits at once. Logs go to stderr.',
  options: {
    route: { value: 'R', text: 'consume this route only (repeatable; default: every enabled route)' },
    wait: { value: 'S', text: 'long-poll up to S seconds per receive (0-20, default 20)' },
    concurrency: { value: 'N', text: 'batches in flight per route (1-100, default 1)' },
    ...endpointHelp,
  },
  examples: ['hookline worker', 'hookline worker --route /order/status/ --route github --concurrency 4'],
};

const SERVICE_NAME = 'hookline-worker';
const PROGRESS_INTERVAL_MS = 500;

/** Runs the command; resolves with its exit code. */
export const run: CommandModule['run'] = async (values, positionals) => {
  if (positionals.length > 0) throw new CliUsageError(`unexpected argument "${positionals[0]}"`);
  const routes = (Array.isArray(values.route) ? values.route : []).filter(
    (name): name is string => typeof name === 'string',
  );
  const waitSeconds = integerOption(values.wait, '--wait', { min: 0, max: 20, default: 20 });
  const concurrency = integerOption(values.concurrency, '--concurrency', { min: 1, max: 100, default: 1 });

  const configFile = configFileFrom(values);
  const config = await loadConfig(configFile);
  for (const name of routes) findRoute(config, name);
  const endpoints = await resolveEndpoints(endpointsFrom(values, config, configFile));
  // Log lines on stderr, above the progress line on a terminal: stdout carries the command's own output.
  const progress = progressLine(process.stderr, values.json === true);
  const stderr = (text: string) => progress.writeAbove(text);
  const log = createLocalLogger({ serviceName: SERVICE_NAME, destination: { write: stderr } });
  try {
    const worker = await startWorker({
      config,
      configFile,
      endpoints,
      routes,
      waitSeconds,
      concurrency,
      log,
      metrics: stderrMetrics(config, SERVICE_NAME, log, stderr),
      handleSignals: true,
    });
    const forceExit = () => {
      log.error('second signal: exiting without waiting for in-flight batches');
      process.exit(1);
    };
    const armForceExit = () => {
      process.once('SIGINT', forceExit);
      process.once('SIGTERM', forceExit);
    };
    // The worker's own listeners run first and start the graceful stop; the next signal forces.
    process.once('SIGINT', armForceExit);
    process.once('SIGTERM', armForceExit);
    process.stdout.write(
      values.json === true
        ? `${JSON.stringify({ worker: 'started', routes: worker.routes, endpoints: endpoints.description })}\n`
        : `hookline worker: consuming ${worker.routes.join(', ')} (${endpoints.description}); Ctrl-C to stop\n`,
    );
    const showProgress = () =>
      progress.update(`hookline worker: processed ${worker.processed()} message(s); Ctrl-C to stop`);
    const ticker = progress.enabled ? setInterval(showProgress, PROGRESS_INTERVAL_MS) : undefined;
    if (progress.enabled) showProgress();
    await worker.stopped;
    clearInterval(ticker);
    progress.clear();
    process.removeListener('SIGINT', armForceExit);
    process.removeListener('SIGTERM', armForceExit);
    process.stdout.write(
      values.json === true
        ? `${JSON.stringify({ worker: 'stopped', processed: worker.processedByRoute() })}\n`
        : `hookline worker: stopped after processing ${worker.processed()} message(s)\n`,
    );
    return 0;
  } finally {
    endpoints.destroy();
  }
};
