/**
 * Metrics from real runs (docs/architecture.md, "Metrics"): the real ingress over HTTP and the real
 * handler runtime against the emulators, writing EMF lines through Powertools (`emfMetrics`); the
 * lines are parsed back and their counts compared with what was sent.
 */
import { randomUUID } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedRoute } from '../../../shared/config/types.js';
import { parseEnvelope } from '../../../shared/envelope.js';
import { defineHandler } from '../../../shared/handler/define-handler.js';
import { PermanentError } from '../../../shared/handler/errors.js';
import { processBatch } from '../../../shared/handler/runtime.js';
import { silentLog } from '../../../shared/logger.js';
import { INGRESS_METRICS, RUNTIME_METRICS } from '../../../shared/metric-names.js';
import { testEnvelopeKeys } from '../../helpers/envelope-keys.js';
import {
  connectEmulators,
  type Emulators,
  type IngressUnderTest,
  requireQueues,
  startIngress,
} from '../../helpers/ingress-stack.js';
import { capturedEmf, type EmfLine, emfSamples, emfTotal } from '../../helpers/metrics.js';
import { makeRoute } from '../../helpers/routes.js';
import { githubHeaders } from '../../helpers/signers.js';
import { deleteSucceeded, receiveRecords } from '../../helpers/sqs-records.js';

const SECRET = 'metrics-secret';

const ingressRoute: ResolvedRoute = makeRoute({
  path: '/metrics-ingress/',
  verify: { scheme: 'github', secret: { name: 'GITHUB_WEBHOOK_SECRET' } },
  handler: 'functions/handlers/metrics.ts',
  maxBodyBytes: 1024,
  filters: { payload: { kind: 'keep*' } },
  metrics: { eventTypes: ['push'] },
});

const runtimeRoute: ResolvedRoute = makeRoute({
  path: '/metrics-runtime/',
  verify: { scheme: 'github', secret: { name: 'GITHUB_WEBHOOK_SECRET' } },
  handler: 'functions/handlers/metrics.ts',
  retry: { maxAttempts: 3, initialDelaySeconds: 0, multiplier: 1, maxDelaySeconds: 0 },
});

let emulators: Emulators;
let ingress: IngressUnderTest;
const ingressEmf = capturedEmf('hookline-metrics-test');

beforeAll(async () => {
  emulators = await connectEmulators();
  ingress = await startIngress(emulators, [ingressRoute, runtimeRoute], {
    secrets: { GITHUB_WEBHOOK_SECRET: SECRET },
    override: () => ({ metrics: ingressEmf.metrics }),
  });
});

afterAll(async () => {
  await ingress?.close();
  emulators?.close();
});

async function send(
  route: ResolvedRoute,
  payload: unknown,
  options: { event?: string; delivery?: string; secret?: string; raw?: string; method?: string } = {},
) {
  const body = options.raw ?? JSON.stringify(payload);
  const headers = await githubHeaders(
    options.secret ?? SECRET,
    body,
    options.delivery ?? randomUUID(),
    options.event ?? 'push',
  );
  return ingress.post(route.path, body, headers, options.method);
}

const onIngress = (where: Record<string, string> = {}) => ({ Route: ingressRoute.path, ...where });

describe('ingress metrics, from EMF lines', () => {
  it('counts what was sent: accepted, duplicates, filtered and every rejection by reason', async () => {
    const statuses: number[] = [];
    const record = async (reply: Promise<{ status: number }>) => statuses.push((await reply).status);
    // 3 accepted: two push (listed), one issues (counted as EventType other).
    const first = randomUUID();
    await record(send(ingressRoute, { kind: 'keep', n: 1 }, { delivery: first }));
    await record(send(ingressRoute, { kind: 'keep', n: 2 }));
    await record(send(ingressRoute, { kind: 'keep', n: 3 }, { event: 'issues' }));
    // 2 duplicates of the first.
    await record(send(ingressRoute, { kind: 'keep', n: 1 }, { delivery: first }));
    await record(send(ingressRoute, { kind: 'keep', n: 1 }, { delivery: first }));
    // 2 bad signatures, 1 oversized body, 1 invalid JSON, 1 wrong method, 1 filtered.
    await record(send(ingressRoute, { kind: 'keep' }, { secret: 'wrong' }));
    await record(send(ingressRoute, { kind: 'keep' }, { secret: 'wrong' }));
    await record(send(ingressRoute, { kind: 'keep', pad: 'x'.repeat(2000) }));
    await record(send(ingressRoute, undefined, { raw: '{not json' }));
    await record(send(ingressRoute, { kind: 'keep' }, { method: 'PUT' }));
    await record(send(ingressRoute, { kind: 'drop' }));
    // No route: nothing is emitted (a path is not a bounded dimension).
    await record(ingress.post('/no-such-route/', '{}'));

    expect(statuses).toEqual([202, 202, 202, 200, 200, 401, 401, 413, 400, 405, 202, 404]);
    const lines = ingressEmf.lines;
    expect(emfTotal(lines, INGRESS_METRICS.received, onIngress())).toBe(11);
    expect(emfTotal(lines, INGRESS_METRICS.accepted, onIngress())).toBe(3);
    expect(emfSamples(lines, INGRESS_METRICS.acceptLatency, onIngress())).toHaveLength(3);
    expect(emfTotal(lines, INGRESS_METRICS.duplicate, onIngress())).toBe(2);
    expect(emfTotal(lines, INGRESS_METRICS.filtered, onIngress())).toBe(1);
    expect(emfTotal(lines, INGRESS_METRICS.rejected, onIngress())).toBe(5);
    expect(emfTotal(lines, INGRESS_METRICS.rejected, onIngress({ Reason: 'invalid_signature' }))).toBe(2);
    expect(emfTotal(lines, INGRESS_METRICS.rejected, onIngress({ Reason: 'body_too_large' }))).toBe(1);
    expect(emfTotal(lines, INGRESS_METRICS.rejected, onIngress({ Reason: 'invalid_json' }))).toBe(1);
    expect(emfTotal(lines, INGRESS_METRICS.rejected, onIngress({ Reason: 'method_not_allowed' }))).toBe(1);
    expect(emfTotal(lines, INGRESS_METRICS.ingressError)).toBe(0);
    expect(emfTotal(lines, INGRESS_METRICS.handshakeAnswered)).toBe(0);
    // EventType: only the route's listed types, the rest as `other`.
    expect(emfTotal(lines, INGRESS_METRICS.accepted, onIngress({ EventType: 'push' }))).toBe(2);
    expect(emfTotal(lines, INGRESS_METRICS.accepted, onIngress({ EventType: 'other' }))).toBe(1);
    expect(lines.every((line) => line.Route !== '/no-such-route/')).toBe(true);
  });

  it('writes CloudWatch EMF: the namespace, and Route (with EventType or Reason) as the only dimensions', () => {
    const lines: EmfLine[] = ingressEmf.lines;
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const [directive] = line._aws.CloudWatchMetrics;
      expect(directive?.Namespace).toBe('hookline-metrics-test');
      expect(directive?.Dimensions).toContainEqual(['Route']);
      for (const set of directive?.Dimensions ?? []) {
        expect([['Route'], ['Route', 'EventType'], ['Route', 'Reason']]).toContainEqual(set);
      }
      expect(line.service).toBe('hookline-test');
    }
    const rejection = lines.find((line) => line.Reason === 'invalid_signature');
    expect(rejection?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['Route'], ['Route', 'Reason']]);
    expect(rejection?._aws.CloudWatchMetrics[0]?.Metrics).toEqual([{ Name: 'Rejected', Unit: 'Count' }]);
  });
});

describe('handler runtime metrics, from EMF lines', () => {
  it('counts deliveries, a failure then success, a permanent failure and a skipped duplicate', async () => {
    const queues = requireQueues(ingress.queues, runtimeRoute.path);
    const runtimeEmf = capturedEmf('hookline-metrics-test');
    const failedOnce = new Set<string>();
    const definition = defineHandler(async (event) => {
      const { kind } = event.payload as { kind: string };
      if (kind === 'fatal') throw new PermanentError('cannot handle this');
      if (kind === 'flaky' && !failedOnce.has(event.id)) {
        failedOnce.add(event.id);
        throw new Error('try again');
      }
    }).definition;
    const deps = {
      route: runtimeRoute,
      store: ingress.store,
      sqs: emulators.sqs.client,
      queueUrl: queues.queueUrl,
      dlqUrl: queues.dlqUrl,
      envelopeKeys: testEnvelopeKeys,
      log: silentLog,
      metrics: runtimeEmf.metrics,
    };
    const ids: string[] = [];
    for (const kind of ['ok', 'flaky', 'fatal'])
      ids.push(String((await send(runtimeRoute, { kind })).json.id));

    let delivered: SQSRecord | undefined;
    for (let round = 0; round < 10 && emfTotal(runtimeEmf.lines, RUNTIME_METRICS.delivered) < 2; round += 1) {
      const records = await receiveRecords(emulators.sqs.client, queues, { waitSeconds: 1 });
      if (records.length === 0) continue;
      const response = await processBatch(records, definition, deps);
      await deleteSucceeded(emulators.sqs.client, queues.queueUrl, records, response);
      delivered ??= records.find((candidate) => parseEnvelope(candidate.body).id === ids[0]);
    }
    // A copy of a delivered event's message: skipped without running the handler.
    if (delivered === undefined) throw new Error('the first event was never received');
    await emulators.sqs.client.send(
      new SendMessageCommand({ QueueUrl: queues.queueUrl, MessageBody: delivered.body }),
    );
    const copies = await receiveRecords(emulators.sqs.client, queues, { waitSeconds: 2 });
    const response = await processBatch(copies, definition, deps);
    await deleteSucceeded(emulators.sqs.client, queues.queueUrl, copies, response);

    const lines = runtimeEmf.lines;
    const where = { Route: runtimeRoute.path };
    expect(emfTotal(lines, RUNTIME_METRICS.delivered, where)).toBe(2);
    expect(emfTotal(lines, RUNTIME_METRICS.attemptFailed, where)).toBe(2);
    expect(emfTotal(lines, RUNTIME_METRICS.retried, where)).toBe(1);
    expect(emfTotal(lines, RUNTIME_METRICS.permanentFailure, where)).toBe(1);
    expect(emfTotal(lines, RUNTIME_METRICS.deadLettered, where)).toBe(1);
    expect(emfTotal(lines, RUNTIME_METRICS.duplicateSkipped, where)).toBe(1);
    expect(emfSamples(lines, RUNTIME_METRICS.handlerDuration, where)).toHaveLength(4);
    expect(emfSamples(lines, RUNTIME_METRICS.endToEndLatency, where)).toHaveLength(2);
    expect(emfSamples(lines, RUNTIME_METRICS.queueWait, where)).toHaveLength(3);
    for (const line of lines) expect(line._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([['Route']]);
  });
});
