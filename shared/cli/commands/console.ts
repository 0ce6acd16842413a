/**
 * `hookline console [--stack NAME] [--port N]`: the browser console (`shared/admin/console/`) on
 * this machine, over the admin API of the local stack or of a deployed one, until SIGINT/SIGTERM.
 * Requests to a deployed stack are signed with the user's AWS credentials by the CLI, as every
 * other command's are: nothing new is exposed in AWS. Like `hookline dev`'s, the page answers this
 * machine only, with a token made at each start.
 */
import { randomBytes } from 'node:crypto';
import { createConsole } from '../../admin/console/console.js';
import { CONSOLE_PATH } from '../../admin/console/paths.js';
import { localGateway, serveHttpApi } from '../../local/http-adapter.js';
import { CliUsageError, type CommandModule, portSetting } from '../command.js';
import { connect, TARGET_HELP, TARGET_OPTIONS } from '../connect.js';
import { adminRelay } from '../console-relay.js';
import type { HelpFor } from '../help.js';
import { commandOutput } from '../output.js';

/** This command's flags, besides `--config` and `--json`. */
export const options = {
  port: { type: 'string' },
  ...TARGET_OPTIONS,
} as const satisfies CommandModule['options'];

/** This command's help: a line per option. */
export const help: HelpFor<typeof options> = {
  usage: ['hookline console [--port N] [--stack NAME [--region R]]'],
  description:
    "Serves the console, a page over the gateway's admin API, on this machine until Ctrl+C, and prints its " +
    'address with a token made for this start. With --stack, over a deployed stack: the CLI signs each request ' +
    'with your AWS credentials, as every command does.',
  options: {
    port: { value: 'N', text: 'the port to serve it on, on 127.0.0.1 (default: a free one)' },
    ...TARGET_HELP,
  },
  examples: ['hookline console --stack hookline', 'hookline console --port 3030'],
};

const NOT_HERE = async () => ({
  statusCode: 404,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ error: { code: 'not_found', message: 'this server serves the console only' } }),
});

/** Runs the command; resolves with its exit code once stopped by a signal. */
export const run: CommandModule['run'] = async (values, positionals) => {
  if (positionals.length > 0) throw new CliUsageError(`unexpected argument "${positionals[0]}"`);
  // 0: a free port.
  const port = portSetting(typeof values.port === 'string' ? values.port : undefined, '--port', 0);
  const out = commandOutput(values.json === true);
  const target = await connect(values);
  const token = randomBytes(24).toString('base64url');
  const server = await serveHttpApi(
    localGateway({
      webhooks: NOT_HERE,
      admin: NOT_HERE,
      console: createConsole({ admin: adminRelay(target.admin), token }),
    }),
    { port },
  );
  const url = `${server.url}${CONSOLE_PATH}?token=${token}`;
  if (out.json) out.line(JSON.stringify({ url, gateway: target.admin.description }));
  else
    out.line(
      `hookline console: ${url} (this machine only) over the ${target.admin.description}; Ctrl+C to stop`,
    );
  await new Promise<void>((stop) => {
    process.once('SIGINT', () => stop());
    process.once('SIGTERM', () => stop());
  });
  await server.close();
  return 0;
};
