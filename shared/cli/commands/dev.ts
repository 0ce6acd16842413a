/**
 * `hookline dev` (what `npm start` runs): the whole gateway on this machine until SIGINT/SIGTERM.
 *
 * Prints each route's URL and the console's once ready, then one JSON line per settled attempt on
 * stdout (more at DEBUG). The state is kept in .hookline/ across restarts; `--reset` starts empty. The
 * first Ctrl+C (or SIGTERM) stops cleanly and exits 0: HTTP closed, pollers finish their in-flight
 * batches, both emulators stopped and waited for, state file removed. A second one forces the exit
 * (emulators SIGKILLed, exit code 130). Startup errors print one clear message and exit 1, with
 * whatever had started stopped.
 *
 * Ports: `--port` or PORT (HTTP, default 3000), HOOKLINE_SQS_PORT (9324), HOOKLINE_DYNAMODB_PORT (8000).
 */
import { relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { describeError } from '../../errors.js';
import { DEFAULT_HTTP_PORT, type DevStack, startDevStack } from '../../local/dev-stack.js';
import {
  DEFAULT_DYNAMODB_PORT,
  DEFAULT_SQS_PORT,
  DYNAMODB_PORT_ENV,
  LocalStackError,
  SQS_PORT_ENV,
} from '../../local/emulator-processes.js';
import type { Log } from '../../logger.js';
import { emfMetrics } from '../../metrics/emf.js';
import { configMetricsNamespace } from '../../metrics/namespace.js';
import {
  CliUsageError,
  type CommandModule,
  configFileFrom,
  type OptionValues,
  portSetting,
} from '../command.js';
import type { HelpFor } from '../help.js';
import { createLocalLogger } from '../local-logger.js';

/** This command's flags, besides `--config` and `--json`. */
export const options = {
  port: { type: 'string' },
  reset: { type: 'boolean', default: false },
} as const satisfies CommandModule['options'];

/** This command's help: a line per option. */
export const help: HelpFor<typeof options> = {
  usage: ['hookline dev [--port N] [--reset]'],
  description:
    'Runs the whole gateway on this machine (HTTP ingress, SQS and DynamoDB emulators, the handlers) until ' +
    "Ctrl+C; prints each route's URL and the console's, then a JSON line per settled attempt. Events, queued " +
    'messages and DLQ contents are kept in .hookline/ across restarts. A second Ctrl+C forces the exit.',
  options: {
    port: {
      value: 'N',
      text: 'the HTTP port (else PORT, else 3000); HOOKLINE_SQS_PORT and HOOKLINE_DYNAMODB_PORT set the others',
    },
    reset: { text: 'delete the kept table and bodies (.hookline/data, .hookline/bodies) and start empty' },
  },
  examples: [
    'hookline dev',
    'hookline dev --reset',
    'hookline dev --port 3100 --config examples/hookline.config.ts',
  ],
};

const SERVICE_NAME = 'hookline-dev';
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** After a clean stop, exit even if a handler module left a socket or timer open. */
const EXIT_GRACE_MS = 2_000;

/** Runs the command; resolves with its exit code. */
export const run: CommandModule['run'] = async (values, positionals) => {
  const settings = devSettings(values, positionals);
  const log = createLocalLogger({ serviceName: SERVICE_NAME, destination: process.stdout });
  const { say, warn } = notices(settings.json, log);

  // Signals are handled from the start: a Ctrl+C during startup must still stop the emulators.
  let stack: DevStack | undefined;
  const signals = trapSignals(() => stack);

  let code = 0;
  try {
    try {
      stack = await startDevStack({
        configFile: settings.configFile,
        port: settings.port,
        sqsPort: settings.sqsPort,
        dynamoDbPort: settings.dynamoDbPort,
        reset: settings.reset,
        log,
        // The EMF lines the Lambda functions write, on stdout beside the log lines.
        metrics: (config) =>
          emfMetrics({ namespace: configMetricsNamespace(config), service: SERVICE_NAME, log }),
        notice: (level, text) => (level === 'warn' ? warn(text) : say(text)),
        portRemedies: {
          http: settings.portFlag === undefined ? 'set PORT or pass --port' : 'pass another --port',
        },
        signal: signals.startup,
      });
    } catch (error: unknown) {
      if (error instanceof LocalStackError && error.code === 'aborted') {
        say('stopped during startup');
        return 0;
      }
      process.stderr.write(`hookline dev: could not start: ${failureText(error)}\n`);
      code = 1;
      return code;
    }
    // Since this process started (performance's time origin), as a user perceives it.
    const startupMs = Math.round(performance.now());
    announce(stack, startupMs, settings.json, log);

    const outcome = await Promise.race([
      signals.stopRequested.then((signal) => ({ signal })),
      stack.failure.then((error) => ({ error })),
    ]);
    if ('error' in outcome) {
      process.stderr.write(`hookline dev: ${failureText(outcome.error)}\n`);
      code = 1;
    }
    say(`stopping${'signal' in outcome ? ` (${outcome.signal}; again to force)` : ''}`);
    await stack.stop();
    say('stopped');
    return code;
  } finally {
    signals.release();
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  }
};

interface DevSettings {
  readonly configFile: string;
  readonly port: number;
  /** `--port` as given: the remedy for a busy port names whichever the user set. */
  readonly portFlag: string | undefined;
  readonly sqsPort: number;
  readonly dynamoDbPort: number;
  readonly json: boolean;
  /** `--reset`: the kept table and bodies deleted before starting. */
  readonly reset: boolean;
}

/** The command line and port variables, checked; usage errors name the flag or variable. */
function devSettings(values: OptionValues, positionals: readonly string[]): DevSettings {
  if (positionals.length > 0) throw new CliUsageError(`unexpected argument "${positionals[0]}"`);
  const configFile = configFileFrom(values);
  const portFlag = typeof values.port === 'string' ? values.port : undefined;
  const port = portSetting(
    portFlag ?? process.env.PORT,
    portFlag === undefined ? 'PORT' : '--port',
    DEFAULT_HTTP_PORT,
  );
  const sqsPort = portSetting(process.env[SQS_PORT_ENV], SQS_PORT_ENV, DEFAULT_SQS_PORT);
  const dynamoDbPort = portSetting(process.env[DYNAMODB_PORT_ENV], DYNAMODB_PORT_ENV, DEFAULT_DYNAMODB_PORT);
  return {
    configFile,
    port,
    portFlag,
    sqsPort,
    dynamoDbPort,
    json: values.json === true,
    reset: values.reset === true,
  };
}

/** Progress lines and warnings: log lines with `--json`, else `hookline dev:` text on stdout / stderr. */
function notices(json: boolean, log: Log): { say: (text: string) => void; warn: (text: string) => void } {
  return {
    say: (text) => {
      if (json) log.info(text);
      else process.stdout.write(`hookline dev: ${text}\n`);
    },
    warn: (text) => {
      if (json) log.warn(text);
      else process.stderr.write(`hookline dev: warning: ${text}\n`);
    },
  };
}

interface SignalTrap {
  /** Aborted by the first signal, so a startup still under way stops. */
  readonly startup: AbortSignal;
  /** Resolves with the first signal. */
  readonly stopRequested: Promise<NodeJS.Signals>;
  /** Removes the listeners. */
  release(): void;
}

/** The first signal asks for a clean stop; a second one kills the stack's emulators and exits 130. */
function trapSignals(currentStack: () => DevStack | undefined): SignalTrap {
  const startup = new AbortController();
  let signalCount = 0;
  let requestStop: (signal: NodeJS.Signals) => void = () => {};
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    requestStop = resolve;
  });
  const onSignal = (signal: NodeJS.Signals) => {
    signalCount += 1;
    if (signalCount === 1) {
      startup.abort();
      requestStop(signal);
      return;
    }
    process.stderr.write('hookline dev: forced exit (emulators killed)\n');
    // Children still starting are SIGKILLed by their process `exit` hooks.
    currentStack()?.kill();
    process.exit(130);
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return {
    startup: startup.signal,
    stopRequested,
    release: () => {
      for (const signal of SIGNALS) process.removeListener(signal, onSignal);
    },
  };
}

function announce(stack: DevStack, startupMs: number, json: boolean, log: Log) {
  const stateFile = relative(process.cwd(), stack.stateFile) || stack.stateFile;
  if (json) {
    log.info('dev stack ready', {
      url: stack.url,
      routes: stack.routes.map((route) => ({
        path: route.route.path,
        methods: route.methods,
        url: route.url,
        queue: route.queueName,
      })),
      sqs: stack.sqs,
      dynamoDb: stack.dynamoDb,
      tableName: stack.tableName,
      stateFile,
      startupMs,
    });
    return;
  }
  const lines = [
    `hookline dev: SQS emulator ${stack.sqs.endpoint} (pid ${stack.sqs.pid}), DynamoDB Local ${stack.dynamoDb.endpoint} (pid ${stack.dynamoDb.pid}), table ${stack.tableName}`,
    ...(stack.routes.length === 0 ? ['  (no enabled routes)'] : []),
    ...stack.routes.map((route) => `  ${route.methods.join(',')} ${route.url}  ->  queue ${route.queueName}`),
    `hookline dev: ready in ${(startupMs / 1000).toFixed(1)} s (state in ${stateFile}); Ctrl+C to stop`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Our errors (and Node's system errors) have a `code` and a readable message; anything else gets its class name too. */
function failureText(error: unknown): string {
  return error instanceof Error && 'code' in error && typeof error.code === 'string'
    ? error.message
    : describeError(error);
}
