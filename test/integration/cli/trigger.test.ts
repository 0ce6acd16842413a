/**
 * `hookline trigger` and fixtures against the whole local stack: providers' samples signed as they
 * sign them and delivered to the handler with their event type, a handshake sample answered, and a
 * fixture exported from a delivered event sent again (a new event, delivered) and run through the
 * handler with `hookline/testing`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLES } from '../../../shared/cli/samples/index.js';
import type { DevStack } from '../../../shared/local/dev-stack.js';
import { invokeHandler, loadFixture } from '../../../shared/testing/index.js';
import { type CliRun, runCli, runCliJson, waitForEventStatus } from '../../helpers/local-cli.js';
import {
  repositorySource,
  startProjectStack,
  writeEnvFile,
  writeTempProject,
} from '../../helpers/temp-project.js';

const SECRETS = {
  TRIGGER_GITHUB_SECRET: 'trigger-github-secret',
  TRIGGER_STRIPE_SECRET: 'whsec_trigger_stripe_0123456789',
  TRIGGER_SLACK_SECRET: 'trigger-slack-signing-secret',
  TRIGGER_TWILIO_SECRET: 'trigger-twilio-auth-token',
};

interface HandlerCall {
  readonly id: string;
  readonly type?: string;
  readonly sha256: string;
}

let folder: string;
let configFile: string;
let stack: DevStack;

beforeAll(async () => {
  folder = writeTempProject({
    prefix: 'hookline-trigger-',
    config: `{
  name: 'trigger${process.pid}',
  routes: [
    { path: '/t/github/', verify: { scheme: 'github', secret: { name: 'TRIGGER_GITHUB_SECRET' } }, handler: 'handlers/record.ts' },
    { path: '/t/stripe/', verify: { scheme: 'stripe', secret: { name: 'TRIGGER_STRIPE_SECRET' } }, handler: 'handlers/record.ts' },
    { path: '/t/slack/', verify: { scheme: 'slack', secret: { name: 'TRIGGER_SLACK_SECRET' } }, handler: 'handlers/record.ts' },
    { path: '/t/twilio/', verify: { scheme: 'twilio', secret: { name: 'TRIGGER_TWILIO_SECRET' } }, handler: 'handlers/record.ts', expectJson: false },
  ],
}`,
    handlers: (projectFolder) => ({
      'record.ts': `import { createHash } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineHandler } from ${repositorySource('shared/handler/index.ts')};
export const handler = defineHandler(async (event) => {
  const sha256 = createHash('sha256').update(event.rawBody).digest('hex');
  appendFileSync(join(${JSON.stringify(projectFolder)}, 'calls.log'), JSON.stringify({ id: event.id, type: event.type, sha256 }) + '\\n');
});
`,
    }),
  });
  configFile = join(folder, 'hookline.config.ts');
  writeEnvFile(folder, SECRETS);
  stack = await startProjectStack(folder, configFile);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
});

const cli = (args: readonly string[]): Promise<CliRun> => runCli(args, { folder, configFile });
const cliJson = <T>(args: readonly string[]): Promise<T> => runCliJson<T>(args, { folder, configFile });

function calls(): HandlerCall[] {
  const file = join(folder, 'calls.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as HandlerCall);
}

async function delivered(id: string): Promise<HandlerCall> {
  await waitForEventStatus(stack.url, id, 'delivered');
  const call = calls().find((candidate) => candidate.id === id);
  if (call === undefined) throw new Error(`the handler never ran ${id}`);
  return call;
}

describe('hookline trigger (local stack)', () => {
  it('lists every sample', async () => {
    const { samples } = await cliJson<{ samples: { name: string; scheme: string }[] }>(['trigger', '--list']);
    const names = samples.map((sample) => sample.name);

    // Which samples exist, and that they verify, is test/unit/cli/samples.test.ts's: here, that the CLI lists them all.
    expect(names).toEqual(SAMPLES.map((sample) => sample.name));
    const text = await cli(['trigger', '--list']);
    expect(text.stdout).toMatch(/^github\.push\s+\S/m);
  });

  it('delivers github.push to the route, signed as GitHub signs it', async () => {
    const run = await cli(['trigger', 'github.push', '--route', '/t/github/']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const id = run.stdout.match(/queued (evt_\w+)/)?.[1] ?? '';
    expect((await delivered(id)).type).toBe('push');
  });

  it("finds the route by the sample's scheme when it is the only one", async () => {
    const reply = await cliJson<{ id: string }>(['trigger', 'stripe.invoice.paid']);

    expect((await delivered(reply.id)).type).toBe('invoice.paid');
  });

  it('signs a form-encoded Twilio callback over the public URL', async () => {
    const reply = await cliJson<{ id: string }>(['trigger', 'twilio.message.status']);

    await delivered(reply.id);
  });

  it('shows the answer to a handshake sample, which the ingress answers and never stores', async () => {
    const run = await cliJson<{ handshake: boolean; httpStatus: number; body: string }>([
      'trigger',
      'slack.url_verification',
    ]);

    expect(run).toMatchObject({ handshake: true, httpStatus: 200 });
    expect(JSON.parse(run.body)).toHaveProperty('challenge');
  });

  it.each([
    [['trigger', 'github.nope'], /no sample "github\.nope"/],
    [
      ['trigger', 'github.push', '--route', '/t/stripe/'],
      /route \/t\/stripe\/ verifies stripe, and sample github\.push is signed as github/,
    ],
    [['trigger', 'shopify.orders/create'], /no route verifies shopify/],
    [['trigger'], /usage: hookline trigger/],
  ])('refuses %j with a usage error', async (args, message) => {
    const run = await cli(args);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

describe('fixtures from real traffic', () => {
  it('exports a delivered event without its signature, sends it again as a new event, runs a handler on it', async () => {
    const sent = await cliJson<{ id: string }>(['trigger', 'github.pull_request', '--route', '/t/github/']);
    const original = await delivered(sent.id);
    const file = join(folder, 'pull-request.fixture.json');

    const exported = await cli(['events', 'export', sent.id, '--fixture', file]);

    expect(exported.code, exported.stderr).toBe(0);
    const fixture = loadFixture(file);
    expect(fixture).toMatchObject({
      fixture: 1,
      provider: 'github',
      eventType: 'pull_request',
      method: 'POST',
    });
    expect(fixture.headers['x-github-event']).toBe('pull_request');
    for (const dropped of ['x-hub-signature-256', 'x-github-delivery', 'host', 'content-length']) {
      expect(fixture.headers).not.toHaveProperty(dropped);
    }
    expect(
      createHash('sha256')
        .update(fixture.body ?? '')
        .digest('hex'),
    ).toBe(original.sha256);

    const again = await cliJson<{ id: string; duplicate?: boolean }>([
      'trigger',
      '--from',
      file,
      '--route',
      '/t/github/',
    ]);
    expect(again.duplicate).toBeUndefined();
    expect(again.id).not.toBe(sent.id);
    const resent = await delivered(again.id);
    expect(resent).toMatchObject({ type: 'pull_request', sha256: original.sha256 });

    const { handler } = (await import(join(folder, 'handlers/record.ts'))) as {
      handler: Parameters<typeof invokeHandler>[0];
    };
    const result = await invokeHandler(handler, fixture, { id: 'evt_unit_test' });
    expect(result).toEqual({ kind: 'delivered' });
    expect(calls().find((call) => call.id === 'evt_unit_test')).toEqual({
      id: 'evt_unit_test',
      type: 'pull_request',
      sha256: original.sha256,
    });
  });

  it('refuses a file that is not a fixture, naming what is wrong', async () => {
    const file = join(folder, 'broken.fixture.json');
    writeFileSync(file, JSON.stringify({ fixture: 1, provider: 'github', method: 'post', headers: {} }));

    const run = await cli(['trigger', '--from', file, '--route', '/t/github/']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is not a Hookline fixture');
    expect(run.stderr).toContain('method');
    expect(run.stderr).toContain('query');
  });
});
