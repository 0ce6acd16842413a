/**
 * `hookline send <path> --data JSON [--header name:value]... [--id ID] [--secret-env NAME]`: sends
 * one webhook to a route, signed the way the route verifies (its scheme and secret: see
 * ../webhook-delivery.ts), and prints the event id and where to read its status.
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../config/load.js';
import type { ResolvedRoute } from '../../config/types.js';
import { errorMessage } from '../../errors.js';
import { CliUsageError, type CommandModule } from '../command.js';
import { connect, stringValue, TARGET_HELP, TARGET_OPTIONS } from '../connect.js';
import type { HelpFor } from '../help.js';
import { commandOutput } from '../output.js';
import { matchRoute, printAccepted, sendSigned } from '../webhook-delivery.js';

/** This command's flags, besides `--config` and `--json`. */
export const options = {
  data: { type: 'string' },
  header: { type: 'string', multiple: true },
  id: { type: 'string' },
  method: { type: 'string' },
  'secret-env': { type: 'string' },
  ...TARGET_OPTIONS,
} as const satisfies CommandModule['options'];

/** This command's help: a line per option. */
export const help: HelpFor<typeof options> = {
  usage: [
    'hookline send <path> --data JSON|@FILE|@- [--header name:value]... [--id ID] [--method M] [--secret-env NAME]',
  ],
  description:
    'Sends one webhook to a route, signed the way the route verifies it (its scheme and secret), and prints ' +
    'the event id and its status URL.',
  options: {
    data: { value: 'JSON', text: 'the body: JSON text, @FILE to read it from a file, @- from stdin' },
    header: {
      value: 'name:value',
      text: 'an extra request header (repeatable); signature headers always win',
    },
    id: { value: 'ID', text: 'the delivery id, for schemes that carry one (default: a new one)' },
    method: { value: 'M', text: "the HTTP method (default: the route's first)" },
    'secret-env': { value: 'NAME', text: 'sign with the secret in this environment variable' },
    ...TARGET_HELP,
  },
  examples: [
    `hookline send /order/status/ --data '{"type":"order.shipped","order":"A-1001"}'`,
    'hookline send /order/status/ --data @order.json',
    'jq -c . order.json | hookline send order_status --data @- --json',
  ],
};

/** Runs the command; resolves with its exit code. */
export const run: CommandModule['run'] = async (values, positionals) => {
  const [path, ...extra] = positionals;
  if (path === undefined)
    throw new CliUsageError('usage: hookline send <path> --data JSON [--header name:value]...');
  if (extra.length > 0) throw new CliUsageError(`unexpected argument "${extra[0]}"`);
  const data = stringValue(values.data);
  if (data === undefined)
    throw new CliUsageError('--data is required (JSON text, @FILE to read it from a file, @- from stdin)');
  const extraHeaders = parseHeaders(values.header);
  // Read before connecting: a missing file is the user's to fix, whatever the gateway's state.
  const text = await readData(data);
  const out = commandOutput(values.json === true);

  const target = await connect(values);
  const config = await loadConfig(target.configFile);
  const route = matchRoute(config, path);
  const body = requestBody(text, route);
  const method = (stringValue(values.method) ?? route.methods[0] ?? 'POST').toUpperCase();

  const id = stringValue(values.id);
  const secretEnv = stringValue(values['secret-env']);
  // --header values go first: the signature headers always win, an explicit content type stays.
  const answer = await sendSigned(target, route, {
    method,
    headers: { 'content-type': 'application/json', ...extraHeaders },
    body,
    ...(id !== undefined && { deliveryId: id }),
    ...(secretEnv !== undefined && { secretEnv }),
  });

  printAccepted(out, answer, route.path, target.baseUrl);
  return 0;
};

/** `--data` as given: the text itself, `@FILE` the file's content, `@-` standard input's. */
async function readData(data: string): Promise<string> {
  if (!data.startsWith('@')) return data;
  const file = data.slice(1);
  if (file === '') throw new CliUsageError('--data @ needs a file name (or @- for standard input)');
  if (file === '-') return text(process.stdin);
  try {
    return readFileSync(file, 'utf8');
  } catch (error: unknown) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : errorMessage(error);
    throw new CliUsageError(`--data @${file}: cannot read ${file} (${reason})`);
  }
}

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** The body, checked as JSON when the route expects JSON. */
function requestBody(body: string, route: ResolvedRoute): string {
  if (route.expectJson) {
    try {
      JSON.parse(body);
    } catch (error: unknown) {
      throw new CliUsageError(
        `--data is not valid JSON (${errorMessage(error)}); route ${route.path} expects JSON`,
      );
    }
  }
  return body;
}

/** `name:value` pairs; the name lower-cased as the gateway sees it. */
function parseHeaders(values: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const entry of Array.isArray(values) ? values : []) {
    const text = String(entry);
    const colon = text.indexOf(':');
    const name = colon < 0 ? '' : text.slice(0, colon).trim().toLowerCase();
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name))
      throw new CliUsageError(`--header must be name:value (got "${text}")`);
    headers[name] = text.slice(colon + 1).trim();
  }
  return headers;
}
