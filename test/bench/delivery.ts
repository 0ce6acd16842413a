/**
 * Delivery through the whole local stack (`startDevStack`, what `npm start` runs): Standard-Webhooks
 * events sent over real HTTP by concurrent senders and handled by the route's pollers, with the
 * stack's SDK clients instrumented (aws-call-counter.ts). From that run: DynamoDB write units per
 * event; where every write landed (key-writes.ts), extrapolated to one route at 10 000 events/s; the
 * items it left in the table, for storage at their retention (storage.ts). Then the route's deployed
 * functions, one invocation at a time (deployed-probe.ts), for what Lambda bills per invocation and
 * what they log. Together, the cost per million events, on demand and provisioned (cost-model.ts).
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AWS_CLIENT_DEFAULTS } from '../../shared/aws-client-defaults.js';
import { LOG_DEFAULTS } from '../../shared/config/defaults.js';
import { startDevStack } from '../../shared/local/dev-stack.js';
import { LOCAL_AWS } from '../../shared/local-state/state-file.js';
import { freePort } from '../helpers/emulators.js';
import { AwsCallCounter } from './aws-call-counter.js';
import { type CapacityMode, costLines, type EventUse, totalCost } from './cost-model.js';
import { type CpuTarget, startCpuWindow } from './cpu.js';
import {
  dollars,
  printCosts,
  printCpu,
  printHotKeys,
  printLatency,
  printLogs,
  printOperations,
  printStorage,
  printWritePurposes,
  sum,
  writeUnits,
} from './delivery-report.js';
import {
  type BodyShape,
  benchEvents,
  CallObserver,
  type DeliveryContext,
  type DeliveryRun,
  deliver,
  gzipRatio,
} from './delivery-run.js';
import { INGRESS_MEMORY_MB } from './deployed-functions.js';
import { type ProbeResult, probeDeployedFunctions } from './deployed-probe.js';
import { KeyWriteTracker, keyRates } from './key-writes.js';
import { PRICES, priceSource } from './prices.js';
import type { BenchSection } from './run.js';
import { fixed, verdict } from './stats.js';
import { gbMonths, storageByKind } from './storage.js';
import { readStoredItems } from './stored-items.js';
import { describeTable } from './table-schema.js';

const CONFIG_FILE = fileURLToPath(new URL('./fixtures/hookline.config.ts', import.meta.url));
const SECRET_ENV = 'HOOKLINE_BENCH_WEBHOOK_SECRET';

const EVENTS = 1_000;
const SENDERS = 16;
const WARMUP_EVENTS = 200;
const MEASURED_BODY: BodyShape = { kind: 'realistic', bytes: 1024 };
/** Diagnostics: the same counts for other bodies (each with its own id prefix: the ingress dedupes on the id). */
const DIAGNOSTIC_EVENTS = 200;
const DIAGNOSTICS: readonly { readonly prefix: string; readonly body: BodyShape }[] = [
  { prefix: 'big', body: { kind: 'realistic', bytes: 5 * 1024 } },
  { prefix: 'rnd', body: { kind: 'incompressible', bytes: 1024 } },
];
/** Long-poll wait of the stack's pollers: the Lambda event source mapping's 20 s. */
const POLLER_WAIT_SECONDS = 20;
/** Full batches of the deployed functions measured one at a time, after a warm-up batch. */
const PROBE_BATCHES = 8;

/** One route's traffic the hot-key model extrapolates to. */
const ROUTE_EVENTS_PER_SECOND = 10_000;
const PROVISIONED_UTILIZATION = 0.7;
const WRITE_UNITS_TARGET = 4;
const HOT_KEY_TARGET = 1000;
const ON_DEMAND_TARGET = 4.5;
const PROVISIONED_TARGET = 3.2;

export const deliverySection: BenchSection = {
  title: 'delivery through the local stack: write units, hot keys, storage, logs and cost per event',
  async run(print, figures) {
    const counter = new AwsCallCounter();
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const started = performance.now();
    const stack = await startDevStack({
      // In memory: a kept table would carry one run's items into the next run's counts.
      persist: false,
      configFile: CONFIG_FILE,
      port: await freePort(),
      sqsPort: await freePort(),
      dynamoDbPort: await freePort(),
      env: { ...process.env, [SECRET_ENV]: secret },
      waitSeconds: POLLER_WAIT_SECONDS,
      instrumentClients: ({ sqs, dynamodb }) => {
        counter.instrument(sqs);
        counter.instrument(dynamodb);
      },
    });
    // The bench's own calls (layout, reading items back, the probe's setup): not counted.
    const dynamodb = new DynamoDBClient({
      ...AWS_CLIENT_DEFAULTS,
      ...LOCAL_AWS,
      endpoint: stack.dynamoDb.endpoint,
    });
    const sqs = new SQSClient({ ...AWS_CLIENT_DEFAULTS, ...LOCAL_AWS, endpoint: stack.sqs.endpoint });
    try {
      const route = stack.routes[0];
      if (route === undefined) throw new Error('the bench config has no route');
      const schema = await describeTable(dynamodb, stack.tableName);
      const observer = new CallObserver(counter, schema);
      const tracker = new KeyWriteTracker(schema);
      counter.onCall((call) => tracker.observe(call));
      print(
        `local stack up in ${fixed((performance.now() - started) / 1000, 1)} s: ${route.url} → queue ${route.queueName} ` +
          `(batch size ${route.route.batchSize}, window ${route.route.maxBatchingWindowSeconds} s, handler ${route.route.memoryMb} MB); ` +
          `table ${schema.tableName}: key ${[schema.partitionKey, schema.sortKey].filter(Boolean).join(' + ')}, ` +
          `indexes ${schema.indexes.map((index) => `${index.name} (${index.partitionKey}${index.sortKey === undefined ? '' : ` + ${index.sortKey}`}, ${index.projection})`).join(', ') || 'none'}, ` +
          `TTL ${schema.ttlAttribute ?? 'off'}`,
      );
      const context: DeliveryContext = {
        stack,
        url: route.url,
        secret,
        counter,
        observer,
        senders: SENDERS,
        onStart: () => tracker.reset(),
      };

      // Warms the JIT, DynamoDB Local's JVM and the connection pools.
      await deliver(context, benchEvents('warm', WARMUP_EVENTS, MEASURED_BODY), MEASURED_BODY.bytes);
      const events = benchEvents('evt', EVENTS, MEASURED_BODY);
      const cpuTargets: readonly CpuTarget[] = [
        { label: 'this Node process', pid: 'self' },
        { label: 'SQS emulator', pid: stack.sqs.pid },
        { label: 'DynamoDB Local', pid: stack.dynamoDb.pid },
      ];
      const endCpu = startCpuWindow(cpuTargets);
      const run = await deliver(context, events, MEASURED_BODY.bytes);
      const cpu = endCpu();
      const rates = keyRates(tracker.keyWrites(), run.n, ROUTE_EVENTS_PER_SECOND, route.route.shards);
      const stored = await readStoredItems(dynamodb, stack.tableName, tracker.writtenItems());
      const storage = storageByKind(stored, schema);

      const diagnostics: { body: BodyShape; bodies: string[]; run: DeliveryRun }[] = [];
      for (const { prefix, body } of DIAGNOSTICS) {
        const diagnosticEvents = benchEvents(prefix, DIAGNOSTIC_EVENTS, body);
        diagnostics.push({
          body,
          bodies: diagnosticEvents.map((event) => event.body),
          run: await deliver(context, diagnosticEvents, body.bytes),
        });
      }
      const probe = await probeDeployedFunctions({
        emulators: {
          dynamoDbEndpoint: stack.dynamoDb.endpoint,
          sqsEndpoint: stack.sqs.endpoint,
          dynamodb,
          sqs,
        },
        stackName: stack.config.name,
        route: route.route,
        tableName: stack.tableName,
        routeSecret: secret,
        bodyBytes: MEASURED_BODY.bytes,
        batches: PROBE_BATCHES,
        logs: stack.config.logs ?? LOG_DEFAULTS,
      });

      print(
        `${EVENTS} Standard-Webhooks-signed events of ${MEASURED_BODY.bytes} B from ${SENDERS} concurrent senders (fetch, ` +
          `keep-alive) after ${WARMUP_EVENTS} warm-up events; realistic order-webhook JSON (test/bench/bodies.ts), gzip ` +
          `${fixed(gzipRatio(events.map((event) => event.body)), 2)}×`,
      );
      printLatency(print, run);
      printCpu(print, cpu, run.n);

      print('');
      print(`AWS calls while the ${run.n} measured events were accepted and delivered (ingress + poller):`);
      printOperations(print, run);
      print('');
      printWritePurposes(print, run);
      for (const diagnostic of diagnostics) {
        print(
          `diagnostic, ${diagnostic.run.n} events of ${diagnostic.body.bytes} B ${diagnostic.body.kind} (gzip ` +
            `${fixed(gzipRatio(diagnostic.bodies), 2)}×): ${fixed(writeUnits(diagnostic.run) / diagnostic.run.n, 2)} WRU/event`,
        );
      }
      const wruPerEvent = writeUnits(run) / run.n;
      figures.wruPerEvent = wruPerEvent;

      print('');
      print(
        `hot keys: the partition key of every write of the run (the table's, and each index's key the item carries ` +
          `after the write, where DynamoDB reported index capacity), scaled to one route at ${ROUTE_EVENTS_PER_SECOND} events/s; ` +
          `a route's ${route.route.shards} shard keys (\`#<shard>\`) each take an even share of their family's writes, the ` +
          'shard being drawn at random per event; DynamoDB serves at most 1 000 write units per second per partition key',
      );
      printHotKeys(print, rates, run.n, ROUTE_EVENTS_PER_SECOND);
      const busiest = rates[0];
      const hotKey = busiest?.writesPerSecond ?? 0;
      figures.hotKeyWritesPerSecondAt10k = hotKey;

      print('');
      print(
        `storage: the ${stored.length} items the ${run.n} events left in the table, and their index entries`,
      );
      printStorage(print, storage, run.n, {
        retentionDays: route.route.retentionDays,
        dedupeWindowSeconds: route.route.dedupe.windowSeconds,
      });
      const storageGbMonths = gbMonths(storage.reduce((total, kind) => total + kind.byteSeconds, 0)) / run.n;

      print('');
      print(
        `the deployed functions, one invocation at a time (bundled as deployed, own process, through a recording proxy ` +
          `to the same emulators): ${probe.ingress.invocations} requests, ${probe.handler.invocations} batches`,
      );
      const use = eventUse(run, probe, storageGbMonths, route.route.memoryMb);
      printLogs(print, probe.ingress, probe.handler, use.logBytes);

      print('');
      print(priceSource());
      print(
        `assumed: Lambda duration = the mean invocation of the deployed function in its own process against the ` +
          `emulators (ingress ${fixed(probe.ingress.meanMs, 1)} ms at ${INGRESS_MEMORY_MB} MB; handler ` +
          `${fixed(probe.handler.meanMs / probe.handler.recordsPerInvocation, 2)} ms per record at ${route.route.memoryMb} MB, ` +
          `in batches of ${fixed(1 / use.handler.invocationsPerEvent, 2)} as the run's pollers made them); calls, units ` +
          "and SQS requests as the run counted them; the event source mapping's idle polling and data transfer not included",
      );
      const onDemand = costLines(use, PRICES, { kind: 'onDemand' });
      const provisionedMode: CapacityMode = { kind: 'provisioned', utilization: PROVISIONED_UTILIZATION };
      const provisioned = costLines(use, PRICES, provisionedMode);
      printCosts(print, onDemand, provisioned);
      // What no layout or logging can save: the requests this architecture makes per event, and the
      // write units of the target; nothing stored, nothing logged, nothing read.
      const floorUse: EventUse = {
        ...use,
        writeUnits: WRITE_UNITS_TARGET,
        readUnits: 0,
        storageGbMonths: 0,
        logBytes: 0,
      };
      print(
        `floor: API Gateway, Lambda and SQS as measured and ${WRITE_UNITS_TARGET} write units, with nothing stored, logged ` +
          `or read: ${dollars(totalCost(costLines(floorUse, PRICES, { kind: 'onDemand' })))} on demand, ` +
          `${dollars(totalCost(costLines(floorUse, PRICES, provisionedMode)))} provisioned`,
      );
      const onDemandCost = totalCost(onDemand);
      const provisionedCost = totalCost(provisioned);
      figures.costPerMillion = { onDemand: onDemandCost, provisioned: provisionedCost };

      print('');
      print(
        `THE FIGURES  DynamoDB write units per delivered event: ${fixed(wruPerEvent, 2)}   target ≤ ${WRITE_UNITS_TARGET}   ` +
          `${verdict(wruPerEvent, WRITE_UNITS_TARGET)}`,
      );
      print(
        `             busiest partition key at ${ROUTE_EVENTS_PER_SECOND} events/s: ${fixed(hotKey, 0)} writes/s ` +
          `(${busiest === undefined ? '—' : `${busiest.where === 'table' ? 'table' : `index ${busiest.where}`}, ${busiest.key}`})   ` +
          `target ≤ ${HOT_KEY_TARGET}/s   ${verdict(hotKey, HOT_KEY_TARGET)}`,
      );
      print(
        `             cost per million events, DynamoDB on demand: ${dollars(onDemandCost)}   target ≤ ${dollars(ON_DEMAND_TARGET)}   ` +
          `${verdict(onDemandCost, ON_DEMAND_TARGET)}`,
      );
      print(
        `             cost per million events, DynamoDB provisioned at ${PROVISIONED_UTILIZATION * 100} %: ${dollars(provisionedCost)}   ` +
          `target ≤ ${dollars(PROVISIONED_TARGET)}   ${verdict(provisionedCost, PROVISIONED_TARGET)}`,
      );
      if (busiest !== undefined && hotKey > HOT_KEY_TARGET) {
        print(
          `MISS hot key: ${busiest.where === 'table' ? 'the table' : `index ${busiest.where}`} key ${busiest.key} is written ` +
            `${fixed(busiest.writes / run.n / busiest.spread, 2)} times per event of the route, so the ` +
            `route throttles near ${fixed((HOT_KEY_TARGET * run.n * busiest.spread) / busiest.writes, 0)} events/s`,
        );
      }
    } finally {
      dynamodb.destroy();
      sqs.destroy();
      await stack.stop();
    }
  },
};

/** What one delivered event uses: the run's counts, the table's storage, the probe's durations and logs. */
function eventUse(
  run: DeliveryRun,
  probe: ProbeResult,
  storageGbMonths: number,
  handlerMemoryMb: number,
): EventUse {
  const perEvent = (value: number) => value / run.n;
  const batchSize = run.batches.messages / Math.max(1, run.batches.count);
  const handlerMsPerRecord = probe.handler.meanMs / probe.handler.recordsPerInvocation;
  const handlerLogPerRecord = probe.handler.logBytes / probe.handler.recordsPerInvocation;
  return {
    bodyBytes: run.bodyBytes,
    ingress: { invocationsPerEvent: 1, memoryMb: INGRESS_MEMORY_MB, msPerInvocation: probe.ingress.meanMs },
    handler: {
      invocationsPerEvent: 1 / batchSize,
      memoryMb: handlerMemoryMb,
      msPerInvocation: handlerMsPerRecord * batchSize,
    },
    sqsRequests: perEvent(
      sum(run.operations, (count) => (count.service === 'SQS' ? count.billedRequests : 0)),
    ),
    writeUnits: perEvent(writeUnits(run)),
    readUnits: perEvent(sum(run.operations, (count) => count.readUnits)),
    storageGbMonths,
    logBytes:
      probe.ingress.logBytes +
      probe.ingress.platformBytes +
      handlerLogPerRecord +
      probe.handler.platformBytes / batchSize,
    secretsManagerCalls: perEvent(
      sum(run.operations, (count) => (count.service === 'SecretsManager' ? count.billedRequests : 0)),
    ),
  };
}
