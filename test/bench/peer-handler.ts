/**
 * Hookline's handler runtime next to what a team would otherwise run: Powertools for AWS Lambda's
 * batch processor with its idempotency utility on DynamoDB (fixtures/powertools-handler.ts). The
 * messages are real ones, accepted by Hookline's deployed ingress onto the route's queue; both
 * functions, bundled as deployed (Hookline's for the route: its scheme and tracing as `define`s) and
 * each in its own process with source maps at run time (as the handler is deployed), get the same
 * batches of them (alternating) against the same emulators. Per record: CPU, DynamoDB calls and write
 * units; per batch: p50 and p99.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadConfig } from '../../shared/config/load.js';
import { standardWebhooksHeaders } from '../helpers/signers.js';
import { AwsCallCounter, type ObservedCall } from './aws-call-counter.js';
import { startBenchEmulators } from './bench-emulators.js';
import { realisticBody } from './bodies.js';
import { bundle } from './bundles.js';
import { CallLog } from './call-log.js';
import {
  bundleHandler,
  bundleIngress,
  deployRoute,
  HANDLER_SOURCE_MAPS_AT_RUNTIME,
  type RouteDeployment,
  type RunningFunction,
  sourceMapsEnvironment,
  startFunction,
  startHandler,
  startIngress,
} from './deployed-functions.js';
import { apiGatewayEvent } from './lambda-env.js';
import type { BenchSection } from './run.js';
import { batchesOf, receiveRecords } from './sqs-batches.js';
import { fixed, formatTable, summarize, verdict } from './stats.js';

const CONFIG_FILE = fileURLToPath(new URL('./fixtures/hookline.config.ts', import.meta.url));
const HOOKLINE_HANDLER = fileURLToPath(new URL('./fixtures/bench-handler.ts', import.meta.url));
const POWERTOOLS_HANDLER = fileURLToPath(new URL('./fixtures/powertools-handler.ts', import.meta.url));
const WARMUP_BATCHES = 3;
const BATCHES = 30;
const BODY_BYTES = 1024;
const WRU_RATIO_TARGET = 1.0;
const CPU_RATIO_TARGET = 1.2;

interface Contender {
  readonly label: string;
  readonly fn: RunningFunction;
}

interface BatchSample {
  readonly records: number;
  readonly cpuMs: number;
  readonly wallMs: number;
  readonly calls: readonly ObservedCall[];
}

interface PerRecord {
  readonly cpuMs: number;
  readonly writeUnits: number;
  readonly readUnits: number;
  readonly dynamoDbCalls: number;
  readonly byOperation: ReadonlyMap<string, number>;
  readonly batchMs: ReturnType<typeof summarize>;
}

export const handlerPeerSection: BenchSection = {
  title: 'handler runtime vs Powertools batch + idempotency: CPU, DynamoDB calls and write units per record',
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
      const idempotencyTable = await createIdempotencyTable(emulators.dynamodb, `${config.name}-idempotency`);
      const [ingressBundle, hooklineBundle, powertoolsBundle] = await Promise.all([
        bundleIngress(route),
        bundleHandler(route, 'bench-handler', HOOKLINE_HANDLER),
        bundle('powertools-handler', POWERTOOLS_HANDLER),
      ]);
      const counter = new AwsCallCounter();
      const log = new CallLog(deployment.proxy, counter);
      cleanups.push(() => log.close());

      const records = (WARMUP_BATCHES + BATCHES) * route.batchSize;
      const ingress = await startIngress(deployment, ingressBundle.file);
      cleanups.push(() => ingress.host.close());
      await acceptEvents(deployment, ingress, secret, records);
      const batches = batchesOf(
        await receiveRecords(emulators.sqs, deployment.queues, records),
        route.batchSize,
      );
      log.take(0, performance.now());

      const hookline = await startHandler(deployment, hooklineBundle.file);
      cleanups.push(() => hookline.host.close());
      const powertools = await startFunction({
        name: 'PowertoolsHandler',
        bundleFile: powertoolsBundle.file,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          // Run as Hookline's handler runs, so the two differ in their code only.
          ...sourceMapsEnvironment(HANDLER_SOURCE_MAPS_AT_RUNTIME),
          IDEMPOTENCY_TABLE_NAME: idempotencyTable,
        },
        proxy: deployment.proxy,
        memoryMb: route.memoryMb,
        timeoutMs: route.timeoutSeconds * 1000,
      });
      cleanups.push(() => powertools.host.close());
      const contenders: readonly Contender[] = [
        { label: 'Hookline handler runtime', fn: hookline },
        { label: 'Powertools batch + idempotency', fn: powertools },
      ];

      const samples = new Map<Contender, BatchSample[]>(contenders.map((contender) => [contender, []]));
      for (const [i, batch] of batches.entries()) {
        for (const contender of contenders) {
          const sample = await runBatch(contender, batch, log);
          if (i >= WARMUP_BATCHES) samples.get(contender)?.push(sample);
        }
      }

      print(
        `${BATCHES} batches of ${route.batchSize} (after ${WARMUP_BATCHES} warm-up batches): messages Hookline's deployed ` +
          `ingress put on the route's queue (${BODY_BYTES} B Standard-Webhooks bodies), received with every attribute ` +
          'and handed to both functions as Lambda would; both bundled as deployed, each in its own Node process with ' +
          `${route.memoryMb} MB Lambda settings, alternating batch by batch. The handlers' own work is the same: read ` +
          'the payload. Powertools: BatchProcessor + processPartialResponse, makeIdempotent on messageId with ' +
          'DynamoDBPersistenceLayer (its documented pairing). CPU = the function process over the invocation',
      );
      const results = new Map<Contender, PerRecord>();
      const rows: string[][] = [
        [
          '<runtime',
          'CPU/record',
          'DynamoDB calls/record',
          'WRU/record',
          'RRU/record',
          'batch p50',
          'batch p99',
          '<calls per record',
        ],
      ];
      for (const contender of contenders) {
        const result = perRecord(samples.get(contender) ?? []);
        results.set(contender, result);
        rows.push([
          contender.label,
          `${fixed(result.cpuMs, 2)} ms`,
          fixed(result.dynamoDbCalls, 2),
          fixed(result.writeUnits, 2),
          fixed(result.readUnits, 2),
          `${fixed(result.batchMs.median, 1)} ms`,
          `${fixed(result.batchMs.p99, 1)} ms`,
          [...result.byOperation].map(([operation, count]) => `${operation} ${fixed(count, 2)}`).join(', '),
        ]);
      }
      for (const line of formatTable(rows)) print(line);
      print(
        "What Hookline keeps that Powertools does not, for those write units: the event history (each record's " +
          'state and attempts, listed by route, status and id, with the request kept for replay), retry backoff ' +
          'per event (visibility changes with exponential delays, a retrying state), DLQ states (dead-lettered ' +
          'with a reason, redrive and replay), a lock that lets one attempt run at a time across consumers and ' +
          'the envelope signature check before user code runs. Powertools keeps an idempotency record per ' +
          'message id (in progress, then completed, until its expiry).',
      );

      const ours = results.get(contenders[0] as Contender);
      const theirs = results.get(contenders[1] as Contender);
      if (ours === undefined || theirs === undefined) throw new Error('no samples');
      const wruRatio = ours.writeUnits / theirs.writeUnits;
      const cpuRatio = ours.cpuMs / theirs.cpuMs;
      figures.vsPowertools = { wruRatio, cpuRatio };
      print('');
      print(
        `THE FIGURES  write units per record, Hookline / Powertools: ${fixed(wruRatio, 2)}× ` +
          `(${fixed(ours.writeUnits, 2)} / ${fixed(theirs.writeUnits, 2)})   target ≤ ${WRU_RATIO_TARGET}×   ` +
          `${verdict(wruRatio, WRU_RATIO_TARGET)}`,
      );
      print(
        `             CPU per record, Hookline / Powertools: ${fixed(cpuRatio, 2)}× ` +
          `(${fixed(ours.cpuMs, 2)} ms / ${fixed(theirs.cpuMs, 2)} ms)   target ≤ ${CPU_RATIO_TARGET}×   ` +
          `${verdict(cpuRatio, CPU_RATIO_TARGET)}`,
      );
    } finally {
      for (const cleanup of cleanups.reverse()) await cleanup();
    }
  },
};

/** Has the deployed ingress accept `count` events onto the route's queue. */
async function acceptEvents(
  deployment: RouteDeployment,
  ingress: RunningFunction,
  secret: string,
  count: number,
): Promise<void> {
  for (let n = 0; n < count; n++) {
    const id = `pw${String(n).padStart(6, '0')}`;
    const body = realisticBody(id, BODY_BYTES);
    const event = apiGatewayEvent(
      deployment.route.path,
      body,
      standardWebhooksHeaders(secret, body, `msg_${id}`),
    );
    const { result } = await ingress.host.invoke(event, ingress.context());
    const status = (result as { statusCode?: number } | undefined)?.statusCode;
    if (status !== 202) throw new Error(`the ingress answered ${String(status)} to event ${id}`);
  }
}

async function runBatch(contender: Contender, batch: SQSEvent, log: CallLog): Promise<BatchSample> {
  const invocation = await contender.fn.host.invoke(batch, contender.fn.context());
  const failures = (invocation.result as SQSBatchResponse | undefined)?.batchItemFailures ?? [];
  if (failures.length > 0) {
    throw new Error(
      `${contender.label} failed ${failures.length} of ${batch.Records.length} records: ${invocation.output}`,
    );
  }
  return {
    records: batch.Records.length,
    cpuMs: invocation.cpuMs,
    wallMs: invocation.wallMs,
    calls: log.take(invocation.startedMs, invocation.endedMs),
  };
}

function perRecord(samples: readonly BatchSample[]): PerRecord {
  const records = samples.reduce((sum, sample) => sum + sample.records, 0);
  const calls = samples.flatMap((sample) => sample.calls);
  const dynamoDb = calls.filter((call) => call.service === 'DynamoDB');
  const byOperation = new Map<string, number>();
  for (const call of calls) {
    const name = `${call.service === 'DynamoDB' ? '' : `${call.service} `}${call.operation}${call.error === undefined ? '' : ' (failed)'}`;
    byOperation.set(name, (byOperation.get(name) ?? 0) + 1 / records);
  }
  const units = (kind: 'write' | 'read') =>
    dynamoDb.reduce((sum, call) => sum + (call.capacity?.kind === kind ? call.capacity.units : 0), 0) /
    records;
  return {
    cpuMs: samples.reduce((sum, sample) => sum + sample.cpuMs, 0) / records,
    writeUnits: units('write'),
    readUnits: units('read'),
    dynamoDbCalls: dynamoDb.length / records,
    byOperation,
    batchMs: summarize(samples.map((sample) => sample.wallMs)),
  };
}

async function createIdempotencyTable(client: DynamoDBClient, tableName: string): Promise<string> {
  // Powertools' documented table: partition key `id`, on demand.
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
