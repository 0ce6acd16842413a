/**
 * `hookline trigger <provider>.<event> [--route R]`: sends a realistic sample of a provider's
 * webhook to a route, signed exactly as that provider signs it (like `stripe trigger`).
 * `hookline trigger --list` lists the samples; `hookline trigger --from FILE --route R` sends a
 * fixture captured from real traffic (`hookline events export`) again, signed for the route.
 */
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../config/load.js';
import type { ResolvedConfig, ResolvedRoute } from '../../config/types.js';
import { type Fixture, fixtureBody } from '../../fixtures/fixture.js';
import { loadFixture } from '../../testing/index.js';
import { CliUsageError, type CommandModule } from '../command.js';
import { connect, stringValue, TARGET_HELP, TARGET_OPTIONS } from '../connect.js';
import type { HelpFor } from '../help.js';
import { type CommandOutput, commandOutput } from '../output.js';
import { findSample, SAMPLES } from '../samples/index.js';
import type { WebhookSample } from '../samples/sample.js';
import { matchRoute, printAccepted, sendSigned, type WebhookAnswer } from '../webhook-delivery.js';

/** This command's flags, besides `--config` and `--json`. */
export const options = {
  route: { type: 'string' },
  list: { type: 'boolean', default: false },
  from: { type: 'string' },
  'secret-env': { type: 'string' },
  ...TARGET_OPTIONS,
} as const satisfies CommandModule['options'];

/** This command's help: a line per option. */
export const help: HelpFor<typeof options> = {
  usage: [
    'hookline trigger <provider>.<event> [--route R] [--secret-env NAME]',
    'hookline trigger --list',
    'hookline trigger --from FILE [--route R] [--secret-env NAME]',
  ],
  description:
    "Sends a realistic sample of a provider's webhook to a route, signed exactly as that provider signs it; " +
    'or a fixture captured with hookline events export, signed afresh for the route.',
  options: {
    route: { value: 'R', text: 'the route to send to (default: the one route that verifies the scheme)' },
    list: { text: 'list the samples' },
    from: { value: 'FILE', text: 'send this fixture instead of a sample' },
    'secret-env': { value: 'NAME', text: 'sign with the secret in this environment variable' },
    ...TARGET_HELP,
  },
  examples: [
    'hookline trigger --list',
    'hookline trigger github.push',
    'hookline trigger --from fixtures/paid.json --route /payments/',
  ],
};

const USAGE = 'usage: hookline trigger <provider>.<event> [--route R] | --list | --from FILE [--route R]';

/** Runs the command; resolves with its exit code. */
export const run: CommandModule['run'] = async (values, positionals) => {
  const out = commandOutput(values.json === true);
  const [name, ...extra] = positionals;
  if (extra.length > 0) throw new CliUsageError(`unexpected argument "${extra[0]}"`);
  const from = stringValue(values.from);
  if (values.list === true) {
    if (name !== undefined || from !== undefined) throw new CliUsageError(USAGE);
    return list(out);
  }
  if ((name === undefined) === (from === undefined)) throw new CliUsageError(USAGE);
  const target = await connect(values);
  const config = await loadConfig(target.configFile);
  const routeName = stringValue(values.route);
  const secretEnv = stringValue(values['secret-env']);
  const secret = secretEnv === undefined ? {} : { secretEnv };

  if (from !== undefined) {
    const fixture = loadFixture(from);
    const route = routeFor(config, fixture.provider, routeName, `fixture ${from}`);
    const answer = await sendSigned(target, route, { ...fixtureRequest(fixture), ...secret });
    printAccepted(out, answer, route.path, target.baseUrl);
    return 0;
  }
  const sample = findSample(name ?? '');
  if (sample === undefined) {
    throw new CliUsageError(`no sample "${name}": hookline trigger --list shows them`);
  }
  const route = routeFor(config, sample.scheme, routeName, `sample ${sample.name}`);
  const context = { now: new Date(), id: randomUUID() };
  const answer = await sendSigned(target, route, {
    method: 'POST',
    headers: sample.headers(context),
    body: sample.body(context),
    deliveryId: context.id,
    ...secret,
  });
  if (sample.handshake === true) printHandshake(out, sample, answer, route.path);
  else printAccepted(out, answer, route.path, target.baseUrl);
  return 0;
};

function list(out: CommandOutput): number {
  if (out.json) {
    out.document({
      samples: SAMPLES.map(({ name, scheme, eventType, handshake, description }) => ({
        name,
        scheme,
        ...(eventType !== undefined && { eventType }),
        handshake: handshake === true,
        description,
      })),
    });
    return 0;
  }
  const width = Math.max(...SAMPLES.map((sample) => sample.name.length));
  for (const sample of SAMPLES) out.line(`${sample.name.padEnd(width)}  ${sample.description}`);
  return 0;
}

/**
 * The route `--route` names, which must verify `scheme`; without it, the one enabled route that
 * verifies `scheme`.
 */
function routeFor(
  config: ResolvedConfig,
  scheme: string,
  routeName: string | undefined,
  what: string,
): ResolvedRoute {
  if (routeName !== undefined) {
    const route = matchRoute(config, routeName);
    if (route.verify.scheme !== scheme) {
      throw new CliUsageError(
        `route ${route.path} verifies ${route.verify.scheme}, and ${what} is signed as ${scheme}: name a ${scheme} route`,
      );
    }
    return route;
  }
  const candidates = config.routes.filter((route) => route.enabled && route.verify.scheme === scheme);
  if (candidates.length === 1 && candidates[0] !== undefined) return candidates[0];
  throw new CliUsageError(
    candidates.length === 0
      ? `no route verifies ${scheme}: add one to the config, or name one with --route`
      : `several routes verify ${scheme} (${candidates.map((route) => route.path).join(', ')}): name one with --route`,
  );
}

/** What a fixture sends: its request as captured, signed afresh by `sendSigned`. */
function fixtureRequest(fixture: Fixture) {
  return {
    method: fixture.method,
    query: fixture.query,
    headers: {
      ...(fixture.contentType !== undefined && { 'content-type': fixture.contentType }),
      ...fixture.headers,
    },
    body: fixtureBody(fixture).toString('utf8'),
  };
}

/** A handshake's answer is the provider's business: shown as it came. */
function printHandshake(
  out: CommandOutput,
  sample: WebhookSample,
  answer: WebhookAnswer,
  path: string,
): void {
  if (out.json) {
    out.document({
      sample: sample.name,
      route: path,
      handshake: true,
      httpStatus: answer.status,
      body: answer.text,
    });
    return;
  }
  out.line(`handshake ${sample.name} answered ${answer.status} (${path})`);
  if (answer.text !== '') out.line(answer.text);
}
