/**
 * Hookline's ingress next to the ingress a team would write by hand (fixtures/naive-ingress.ts:
 * verify one HMAC, one conditional PutItem, one SendMessage), both bundled like the stack bundles a
 * function (Hookline's for the route: its scheme and tracing as `define`s) and each run in its own
 * process as the ingress is deployed (no source maps at run time), invoked alternately with the same Standard-Webhooks
 * requests against the same emulators. Per accepted request: the function's CPU time, and the AWS
 * calls it made before answering 202, with how many of them it waited for one after another.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig } from '../../shared/config/load.js';
import { standardWebhooksHeaders } from '../helpers/signers.js';
import { AwsCallCounter, type ObservedCall } from './aws-call-counter.js';
import { startBenchEmulators } from './bench-emulators.js';
import { realisticBody } from './bodies.js';
import { bundle } from './bundles.js';
import { CallLog } from './call-log.js';
import {
  bundleIngress,
  deployRoute,
  INGRESS_MEMORY_MB,
  INGRESS_SOURCE_MAPS_AT_RUNTIME,
  INGRESS_TIMEOUT_MS,
  type RunningFunction,
  sourceMapsEnvironment,
  startFunction,
  startIngress,
} from './deployed-functions.js';
import { apiGatewayEvent } from './lambda-env.js';
import type { BenchSection } from './run.js';
import { callSteps, sequentialCalls } from './sequential-calls.js';
import { fixed, formatTable, median, summarize, verdict } from './stats.js';

const CONFIG_FILE = fileURLToPath(new URL('./fixtures/hookline.config.ts', import.meta.url));
const NAIVE_ENTRY = fileURLToPath(new URL('./fixtures/naive-ingress.ts', import.meta.url));
const WARMUP_REQUESTS = 30;
const REQUESTS = 200;
const BODY_BYTES = 1024;
const CPU_RATIO_TARGET = 1.5;
const EXTRA_SEQUENTIAL_TARGET = 1;

interface Contender {
  readonly label: string;
  readonly fn: RunningFunction;
  /** Prefix of its webhook ids: each ingress sees each id once. */
  readonly prefix: string;
}

interface Sample {
  readonly cpuMs: number;
  readonly wallMs: number;
  readonly calls: readonly ObservedCall[];
}

export const ingressPeerSection: BenchSection = {
  title: 'ingress vs a naive ingress: CPU and AWS calls per accepted request',
  async run(print, figures) {
    const config = await loadConfig(CONFIG_FILE);
    const route = config.routes[0];
    if (route === undefined) throw new Error('the bench config has no route');
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const emulators = await startBenchEmulators();
    const cleanups: (() => Promise<void> | void)[] = [() => emulators.stop()];
    try {
      const deployment = await deployRoute({
        emulators,
        stackName: config.name,
        route,
        tableName: `${config.name}-events`,
        queuePrefix: config.name,
        routeSecret: secret,
      });
      cleanups.push(() => deployment.close());
      const naiveTable = await createNaiveTable(emulators.dynamodb, `${config.name}-naive-dedupe`);
      const naiveQueue = await createQueue(emulators.sqs, `${config.name}-naive`);
      const [hooklineBundle, naiveBundle] = await Promise.all([
        bundleIngress(route),
        bundle('naive-ingress', NAIVE_ENTRY),
      ]);
      const counter = new AwsCallCounter();
      const log = new CallLog(deployment.proxy, counter);
      cleanups.push(() => log.close());
      const hookline = await startIngress(deployment, hooklineBundle.file);
      cleanups.push(() => hookline.host.close());
      const naive = await startFunction({
        name: 'NaiveIngress',
        bundleFile: naiveBundle.file,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          // Run as Hookline's ingress runs, so the two differ in their code only.
          ...sourceMapsEnvironment(INGRESS_SOURCE_MAPS_AT_RUNTIME),
          TABLE_NAME: naiveTable,
          QUEUE_URL: deployment.proxy.queueUrl(naiveQueue),
          SECRET_ARN: deployment.secretArn,
        },
        proxy: deployment.proxy,
        memoryMb: INGRESS_MEMORY_MB,
        timeoutMs: INGRESS_TIMEOUT_MS,
      });
      cleanups.push(() => naive.host.close());
      const contenders: readonly Contender[] = [
        { label: 'Hookline ingress', fn: hookline, prefix: 'hk' },
        { label: 'naive ingress', fn: naive, prefix: 'nv' },
      ];

      const send = async (contender: Contender, n: number): Promise<Sample> => {
        const id = `${contender.prefix}${String(n).padStart(6, '0')}`;
        const body = realisticBody(id, BODY_BYTES);
        const event = apiGatewayEvent(route.path, body, standardWebhooksHeaders(secret, body, `msg_${id}`));
        const invocation = await contender.fn.host.invoke(event, contender.fn.context());
        const status = (invocation.result as { statusCode?: number } | undefined)?.statusCode;
        if (status !== 202) throw new Error(`${contender.label} answered ${String(status)} to request ${id}`);
        return {
          cpuMs: invocation.cpuMs,
          wallMs: invocation.wallMs,
          calls: log.take(invocation.startedMs, invocation.endedMs),
        };
      };
      for (let n = 0; n < WARMUP_REQUESTS; n++) for (const contender of contenders) await send(contender, n);
      const samples = new Map<Contender, Sample[]>(contenders.map((contender) => [contender, []]));
      for (let n = WARMUP_REQUESTS; n < WARMUP_REQUESTS + REQUESTS; n++) {
        for (const contender of contenders) samples.get(contender)?.push(await send(contender, n));
      }

      print(
        `${REQUESTS} Standard-Webhooks requests of ${BODY_BYTES} B to each (alternating, one at a time, after ` +
          `${WARMUP_REQUESTS} warm-up requests each), both bundled as deployed (Hookline's for the route's scheme) and ` +
          `run in their own Node process with ${INGRESS_MEMORY_MB} MB Lambda settings and, as the ingress is ` +
          'deployed, no source maps at run time; AWS calls through a recording proxy to DynamoDB Local and ' +
          'the SQS emulator. CPU = the function process (user + system) over the invocation; sequential = calls ' +
          'on the path to the 202 that each waited for the previous one to end',
      );
      const rows: string[][] = [
        [
          '<ingress',
          'CPU mean',
          'CPU p50',
          'wall p50',
          'wall p99',
          'AWS calls',
          'sequential',
          'WRU',
          '<calls of a typical request, step by step',
        ],
      ];
      const stats = new Map<Contender, { cpuMean: number; sequential: number }>();
      for (const contender of contenders) {
        const list = samples.get(contender) ?? [];
        const cpu = summarize(list.map((sample) => sample.cpuMs));
        const wall = summarize(list.map((sample) => sample.wallMs));
        const sequential = median(list.map((sample) => sequentialCalls(sample.calls)));
        const calls = list.reduce((sum, sample) => sum + sample.calls.length, 0) / list.length;
        const units =
          list.reduce(
            (sum, sample) => sum + sample.calls.reduce((total, call) => total + writeUnits(call), 0),
            0,
          ) / list.length;
        stats.set(contender, { cpuMean: cpu.mean, sequential });
        rows.push([
          contender.label,
          `${fixed(cpu.mean, 2)} ms`,
          `${fixed(cpu.median, 2)} ms`,
          `${fixed(wall.median, 1)} ms`,
          `${fixed(wall.p99, 1)} ms`,
          fixed(calls, 2),
          fixed(sequential, 1),
          fixed(units, 2),
          describeSteps(typical(list)),
        ]);
      }
      for (const line of formatTable(rows)) print(line);

      const ours = stats.get(contenders[0] as Contender);
      const theirs = stats.get(contenders[1] as Contender);
      if (ours === undefined || theirs === undefined) throw new Error('no samples');
      const cpuRatio = ours.cpuMean / theirs.cpuMean;
      const extraSequential = ours.sequential - theirs.sequential;
      figures.vsNaiveIngress = { cpuRatio, extraSequentialCalls: extraSequential };
      print(
        'What Hookline does that the naive one does not, on the same path: keeps the request (headers and body, ' +
          'for history, replay and the DLQ), records the event in its history, signs the envelope and writes EMF ' +
          'metrics (its line per accepted event is DEBUG, off by default).',
      );
      print('');
      print(
        `THE FIGURES  CPU per accepted request, Hookline / naive: ${fixed(cpuRatio, 2)}× ` +
          `(${fixed(ours.cpuMean, 2)} ms / ${fixed(theirs.cpuMean, 2)} ms mean)   target ≤ ${CPU_RATIO_TARGET}×   ` +
          `${verdict(cpuRatio, CPU_RATIO_TARGET)}`,
      );
      print(
        `             sequential AWS calls to the 202: ${fixed(ours.sequential, 0)} vs ${fixed(theirs.sequential, 0)} ` +
          `(${extraSequential >= 0 ? '+' : ''}${fixed(extraSequential, 0)})   target ≤ +${EXTRA_SEQUENTIAL_TARGET}   ` +
          `${verdict(extraSequential, EXTRA_SEQUENTIAL_TARGET)}`,
      );
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup();
    }
  },
};

function writeUnits(call: ObservedCall): number {
  return call.capacity?.kind === 'write' ? call.capacity.units : 0;
}

/** The first sample whose calls took the median number of sequential steps. */
function typical(samples: readonly Sample[]): Sample | undefined {
  const steps = samples.map((sample) => sequentialCalls(sample.calls));
  const middle = Math.round(median(steps));
  return samples.find((_, i) => steps[i] === middle) ?? samples[0];
}

/** `1 PutItem · 2 PutItem + SendMessage · 3 PutItem`: the calls grouped by step. */
function describeSteps(sample: Sample | undefined): string {
  if (sample === undefined || sample.calls.length === 0) return '—';
  const steps = callSteps(sample.calls);
  const byStep = new Map<number, string[]>();
  sample.calls.forEach((call, i) => {
    const step = steps[i] ?? 0;
    byStep.set(step, [...(byStep.get(step) ?? []), call.operation]);
  });
  return [...byStep]
    .sort((a, b) => a[0] - b[0])
    .map(([step, operations]) => `${step} ${operations.join(' + ')}`)
    .join(' · ');
}

async function createNaiveTable(client: DynamoDBClient, tableName: string): Promise<string> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  return tableName;
}

async function createQueue(client: SQSClient, name: string): Promise<string> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name }));
  if (QueueUrl === undefined) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
  return QueueUrl;
}
