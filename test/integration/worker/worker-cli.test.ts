/**
 * `hookline process` and `hookline worker` end to end, as child processes
 * (`node shared/cli/hookline.mjs ...`) against the real emulators, with a config and a handler
 * module (made with `defineHandler`) written to a temporary folder. Endpoints reach the CLI the two
 * supported ways: a local stack state file (`.hookline/local.json`) and the AWS SDK's standard
 * environment (AWS_ENDPOINT_URL_SQS / AWS_ENDPOINT_URL_DYNAMODB, HOOKLINE_TABLE_NAME).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../shared/config/load.js';
import type { ResolvedConfig, ResolvedRoute } from '../../../shared/config/types.js';
import { createRouteQueues, type RouteQueues } from '../../../shared/local/create-queues.js';
import { createEventTable } from '../../../shared/local/create-table.js';
import { LOCAL_AWS, localStateFile, writeLocalState } from '../../../shared/local-state/state-file.js';
import { queueSettings } from '../../../shared/resources.js';
import { awsTestCredentials } from '../../helpers/emulators.js';
import { TEST_ENVELOPE_KEY } from '../../helpers/envelope-keys.js';
import {
  connectEmulators,
  type Emulators,
  type IngressUnderTest,
  startIngress,
} from '../../helpers/ingress-stack.js';
import { uniqueName } from '../../helpers/shared-emulators.js';
import { repositorySource, writeTempProject } from '../../helpers/temp-project.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'shared/cli/hookline.mjs');
const ROUTE_PATH = '/cli/orders/';

let emulators: Emulators;
const folders: string[] = [];
const children: ChildProcess[] = [];
const ingresses: IngressUnderTest[] = [];

/** A DynamoDB client with the credentials the CLI uses for a local stack (`LOCAL_AWS`). */
let localStackDynamo: DynamoDBClient;

beforeAll(async () => {
  emulators = await connectEmulators();
  localStackDynamo = new DynamoDBClient({ ...LOCAL_AWS, endpoint: emulators.dynamo.endpoint });
});

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
  await Promise.all(ingresses.splice(0).map((ingress) => ingress.close()));
});

afterAll(() => {
  localStackDynamo?.destroy();
  emulators?.close();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

interface Project {
  readonly folder: string;
  readonly configFile: string;
  readonly config: ResolvedConfig;
  readonly route: ResolvedRoute;
  readonly tableName: string;
  readonly queues: RouteQueues;
  readonly ingress: IngressUnderTest;
  /** Event ids the handler module has run for, in order (it appends each to a file). */
  calls(): string[];
  send(count: number): Promise<string[]>;
  statuses(ids: readonly string[]): Promise<(string | undefined)[]>;
}

/**
 * A temporary project: `hookline.config.ts` with one unsigned route and a handler module that
 * appends each event id to `calls.log`; its table and queues created on the emulators the way
 * the stack names them (`<config name>-...`), and the real ingress in front.
 */
async function project(options: { stateFile: boolean }): Promise<Project> {
  const name = uniqueName('worker-cli');
  const folder = writeTempProject({
    prefix: 'hookline-cli-',
    config: `{
  name: '${name}',
  routes: [
    {
      path: '${ROUTE_PATH}',
      verify: { scheme: 'none' },
      dedupe: { source: 'bodyHash' },
      handler: 'handlers/orders.ts',
      batchSize: 5,
      retry: { maxAttempts: 3, initialDelaySeconds: 60 },
    },
  ],
}`,
    handlers: (projectFolder) => ({
      'orders.ts': `import { appendFileSync } from 'node:fs';
import { defineHandler } from ${repositorySource('shared/handler/index.ts')};
export const handler = defineHandler(async (event) => {
  appendFileSync(${JSON.stringify(join(projectFolder, 'calls.log'))}, event.id + '\\n');
});
`,
    }),
  });
  folders.push(folder);
  const callsFile = join(folder, 'calls.log');
  const configFile = join(folder, 'hookline.config.ts');
  const config = await loadConfig(configFile);
  const [route] = config.routes;
  if (route === undefined) throw new Error('config has no route');
  // DynamoDB Local keeps one database per access key and region: use the credentials the CLI will.
  const view: Emulators = options.stateFile
    ? { ...emulators, dynamo: { ...emulators.dynamo, client: localStackDynamo } }
    : emulators;
  const tableName = `${name}-events`;
  await createEventTable(view.dynamo.client, tableName);
  const queues = await createRouteQueues(emulators.sqs.client, queueSettings(route, config.name));
  const ingress = await startIngress(view, [route], {
    provisioned: { tableName, queues: new Map([[route.path, queues]]) },
  });
  ingresses.push(ingress);
  if (options.stateFile) {
    writeLocalState(localStateFile(configFile), {
      version: 1,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      configFile,
      httpUrl: ingress.url,
      adminUrl: `${ingress.url}/_hookline`,
      sqsEndpoint: emulators.sqs.endpoint,
      dynamoEndpoint: emulators.dynamo.endpoint,
      region: awsTestCredentials.region,
      tableName,
      queues: {
        [route.path]: { queueName: route.queueName, queueUrl: queues.queueUrl, dlqUrl: queues.dlqUrl },
      },
      processes: { sqs: process.pid, dynamodb: process.pid },
    });
  }
  let sent = 0;
  return {
    folder,
    configFile,
    config,
    route,
    tableName,
    queues,
    ingress,
    calls: () =>
      existsSync(callsFile)
        ? readFileSync(callsFile, 'utf8')
            .split('\n')
            .filter((line) => line !== '')
        : [],
    async send(count) {
      const ids: string[] = [];
      for (let index = 0; index < count; index += 1) {
        sent += 1;
        const reply = await ingress.post(ROUTE_PATH, JSON.stringify({ order: sent }), {
          'content-type': 'application/json',
        });
        expect(reply.status).toBe(202);
        ids.push(String(reply.json.id));
      }
      return ids;
    },
    async statuses(ids) {
      return Promise.all(ids.map(async (id) => (await ingress.store.getEvent(id))?.status));
    },
  };
}

/**
 * Environment for the CLI: no inherited AWS or Hookline settings unless given, and the envelope key
 * the tests' ingress signs with.
 */
function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('AWS_') && !key.startsWith('HOOKLINE_')) env[key] = value;
  }
  return { ...env, HOOKLINE_ENVELOPE_KEY: TEST_ENVELOPE_KEY, ...extra };
}

/** The SDK's standard configuration pointing at the emulators. */
function awsEnv(tableName: string): Record<string, string> {
  return {
    AWS_REGION: awsTestCredentials.region,
    AWS_ACCESS_KEY_ID: awsTestCredentials.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: awsTestCredentials.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_SQS: emulators.sqs.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamo.endpoint,
    HOOKLINE_TABLE_NAME: tableName,
  };
}

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function hookline(args: readonly string[], env: NodeJS.ProcessEnv = cliEnv()): Promise<CliResult> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: ROOT, env, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 50));
  }
}

describe('hookline process', () => {
  it('processes the queued messages through the handler module and prints how many', async () => {
    // Arrange
    const p = await project({ stateFile: true });
    const ids = await p.send(3);

    // Act
    const result = await hookline(['process', '--route', ROUTE_PATH, '--config', p.configFile]);

    // Assert
    expect(result.stdout).toBe('processed 3\n');
    expect(result.code).toBe(0);
    expect(p.calls().sort()).toEqual([...ids].sort());
    expect(await p.statuses(ids)).toEqual(['delivered', 'delivered', 'delivered']);
  });

  it('stops at --count and reports JSON with --json', async () => {
    // Arrange
    const p = await project({ stateFile: true });
    await p.send(3);

    // Act
    const first = await hookline([
      'process',
      '--route',
      'cli/orders',
      '--count',
      '2',
      '--json',
      '--config',
      p.configFile,
    ]);
    const second = await hookline([
      'process',
      '--route',
      ROUTE_PATH,
      '--wait',
      '0',
      '--config',
      p.configFile,
    ]);

    // Assert
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ route: ROUTE_PATH, processed: 2, failed: 0 });
    expect(second.stdout).toBe('processed 1\n');
    expect(p.calls()).toHaveLength(3);
  });

  it('uses the AWS SDK environment (AWS_ENDPOINT_URL_*) when no local stack runs', async () => {
    // Arrange
    const p = await project({ stateFile: false });
    const ids = await p.send(2);

    // Act
    const result = await hookline(
      ['process', '--route', ROUTE_PATH, '--config', p.configFile],
      cliEnv(awsEnv(p.tableName)),
    );

    // Assert
    expect(result.stdout).toBe('processed 2\n');
    expect(result.code).toBe(0);
    expect(await p.statuses(ids)).toEqual(['delivered', 'delivered']);
  });

  it('exits 1 naming HOOKLINE_ENVELOPE_KEY_ARN when AWS is used without an envelope key', async () => {
    const p = await project({ stateFile: false });
    const ids = await p.send(1);

    const result = await hookline(
      ['process', '--route', ROUTE_PATH, '--config', p.configFile],
      cliEnv({ ...awsEnv(p.tableName), HOOKLINE_ENVELOPE_KEY: '' }),
    );

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no envelope key: set HOOKLINE_ENVELOPE_KEY_ARN');
    expect(await p.statuses(ids)).toEqual(['queued']);
  });

  it('prints processed 0 when the queue stays empty for --wait', async () => {
    // Arrange
    const p = await project({ stateFile: true });

    // Act
    const result = await hookline([
      'process',
      '--route',
      ROUTE_PATH,
      '--wait',
      '1',
      '--config',
      p.configFile,
    ]);

    // Assert
    expect(result.stdout).toBe('processed 0\n');
    expect(result.code).toBe(0);
  });

  it('fails with exit 1 and names the known routes for an unknown route', async () => {
    // Arrange
    const p = await project({ stateFile: true });

    // Act
    const result = await hookline(['process', '--route', '/nope/', '--config', p.configFile]);

    // Assert
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`unknown route "/nope/" (routes: ${ROUTE_PATH})`);
  });

  it('rejects a bad --count as a usage error (exit 2)', async () => {
    // Arrange
    const p = await project({ stateFile: true });

    // Act
    const result = await hookline([
      'process',
      '--route',
      ROUTE_PATH,
      '--count',
      'many',
      '--config',
      p.configFile,
    ]);

    // Assert
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--count must be a whole number');
  });
});

describe('hookline worker', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('consumes continuously and exits 0 on %s', async (signal) => {
    // Arrange
    const p = await project({ stateFile: true });
    const child = spawn(process.execPath, [CLI, 'worker', '--wait', '1', '--config', p.configFile], {
      cwd: ROOT,
      env: cliEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const exited = once(child, 'exit');
    await until(() => stdout.includes('consuming'));

    // Act: events arrive while the worker runs, then the signal.
    const ids = await p.send(3);
    await until(async () => (await p.statuses(ids)).every((status) => status === 'delivered'));
    child.kill(signal);
    const [code] = await exited;

    // Assert
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(`consuming ${ROUTE_PATH}`);
    expect(stdout).toContain('stopped after processing 3 message(s)');
    expect(p.calls().sort()).toEqual([...ids].sort());
  });
});
