/**
 * A route's deployed functions, one invocation at a time, for the cost model's per-invocation
 * figures: how long an ingress invocation and a handler batch take when each has its process to
 * itself (Lambda bills each invocation's duration, with no other request sharing its CPU), and what
 * each logs (Powertools Logger lines and EMF metric lines, captured from stdout and stderr, plus the
 * START/END/REPORT lines Lambda adds).
 */
import { fileURLToPath } from 'node:url';
import type { ResolvedLogs, ResolvedRoute } from '../../shared/config/types.js';
import { standardWebhooksHeaders } from '../helpers/signers.js';
import { realisticBody } from './bodies.js';
import {
  bundleHandler,
  bundleIngress,
  deployRoute,
  type EmulatorAccess,
  type RunningFunction,
  startHandler,
  startIngress,
} from './deployed-functions.js';
import type { Invocation } from './function-host.js';
import { apiGatewayEvent } from './lambda-env.js';
import { logVolume, platformLines } from './log-volume.js';
import { batchesOf, receiveRecords } from './sqs-batches.js';

const HANDLER = fileURLToPath(new URL('./fixtures/bench-handler.ts', import.meta.url));

/** One function's invocations in the probe. */
export interface ProbedFunction {
  readonly memoryMb: number;
  readonly invocations: number;
  /** Mean wall time of an invocation. */
  readonly meanMs: number;
  readonly medianMs: number;
  /** Mean log events and bytes an invocation writes, Lambda's own lines apart. */
  readonly logLines: number;
  readonly logBytes: number;
  readonly platformBytes: number;
  /** What one invocation wrote, for a reader to see. */
  readonly sampleOutput: string;
}

export interface ProbeResult {
  readonly ingress: ProbedFunction;
  readonly handler: ProbedFunction & { readonly recordsPerInvocation: number };
}

export async function probeDeployedFunctions(options: {
  readonly emulators: EmulatorAccess;
  readonly stackName: string;
  readonly route: ResolvedRoute;
  readonly tableName: string;
  readonly routeSecret: string;
  readonly bodyBytes: number;
  /** Full batches measured after one warm-up batch (the ingress: as many events). */
  readonly batches: number;
  /** The deployed functions' logging: Lambda's own lines are counted only with `invocationReports`. */
  readonly logs: ResolvedLogs;
}): Promise<ProbeResult> {
  const { route } = options;
  const deployment = await deployRoute({
    emulators: options.emulators,
    stackName: options.stackName,
    route,
    tableName: options.tableName,
    queuePrefix: `${options.stackName}-probe`,
    routeSecret: options.routeSecret,
  });
  const running: RunningFunction[] = [];
  try {
    const [ingressBundle, handlerBundle] = await Promise.all([
      bundleIngress(route),
      bundleHandler(route, 'bench-handler', HANDLER),
    ]);
    const ingress = await startIngress(deployment, ingressBundle.file);
    running.push(ingress);
    const warmup = route.batchSize;
    const events = (options.batches + 1) * route.batchSize;
    const accepted: Invocation[] = [];
    for (let n = 0; n < events; n++) {
      const id = `probe${String(n).padStart(6, '0')}`;
      const body = realisticBody(id, options.bodyBytes);
      const event = apiGatewayEvent(
        route.path,
        body,
        standardWebhooksHeaders(options.routeSecret, body, `msg_${id}`),
      );
      const invocation = await ingress.host.invoke(event, ingress.context());
      const status = (invocation.result as { statusCode?: number } | undefined)?.statusCode;
      if (status !== 202) throw new Error(`the ingress answered ${String(status)} to event ${id}`);
      if (n >= warmup) accepted.push(invocation);
    }
    const records = await receiveRecords(options.emulators.sqs, deployment.queues, events);
    const handler = await startHandler(deployment, handlerBundle.file);
    running.push(handler);
    const handled: Invocation[] = [];
    for (const [i, batch] of batchesOf(records, route.batchSize).entries()) {
      const invocation = await handler.host.invoke(batch, handler.context());
      if (i > 0) handled.push(invocation);
    }
    return {
      ingress: probed(accepted, ingress.memoryMb, options.logs),
      handler: { ...probed(handled, handler.memoryMb, options.logs), recordsPerInvocation: route.batchSize },
    };
  } finally {
    for (const fn of running) await fn.host.close();
    await deployment.close();
  }
}

function probed(invocations: readonly Invocation[], memoryMb: number, logging: ResolvedLogs): ProbedFunction {
  const n = invocations.length;
  const walls = invocations.map((invocation) => invocation.wallMs).sort((a, b) => a - b);
  const logs = invocations.map((invocation) => logVolume(invocation.output));
  const platform = invocations.map((invocation) =>
    !logging.invocationReports
      ? 0
      : logVolume(
          platformLines({
            requestId: '00000000-0000-4000-8000-000000000000',
            durationMs: invocation.wallMs,
            memoryMb,
            maxMemoryUsedMb: invocation.rssMb,
          }),
        ).bytes,
  );
  const mean = (values: readonly number[]) =>
    values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
  return {
    memoryMb,
    invocations: n,
    meanMs: mean(walls),
    medianMs: walls[Math.floor(n / 2)] ?? 0,
    logLines: mean(logs.map((log) => log.lines)),
    logBytes: mean(logs.map((log) => log.bytes)),
    platformBytes: mean(platform),
    sampleOutput: invocations[0]?.output ?? '',
  };
}
