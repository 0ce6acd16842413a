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
import { connect, stringValue, TARGET_OPTIONS } from '../connect.js';
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

/** Runs the command; resolves with its exit code. */
export const run: CommandModule['run'] = async (values, positionals) => {
  const [path, ...extra] = positionals;
  if (path === undefined)
    throw new CliUsageError('usage: hookline send <path> --data JSON [--header name:value]...');
  if (extra.length > 0) throw new CliUsageError(`unexpected argument "${extra[0]}"`);
  const data = stringValue(values.data);
  if (data === undefined)
    throw new CliUsageError('--data is required (JSON text, or @file to read it from a file)');
  const extraHeaders = parseHeaders(values.header);
  const out = commandOutput(values.json === true);

  const target = await connect(values);
  const config = await loadConfig(target.configFile);
  const route = matchRoute(config, path);
  const body = requestBody(data, route);
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

/** `--data` as text (`@file` read from the file), checked as JSON when the route expects JSON. */
function requestBody(data: string, route: ResolvedRoute): string {
  const body = data.startsWith('@') ? readFileSync(data.slice(1), 'utf8') : data;
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
