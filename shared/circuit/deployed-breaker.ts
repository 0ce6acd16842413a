/**
 * A route's circuit breaker on Lambda (docs/architecture.md, "Circuit breaker"): the same rules as the
 * local pollers' (`shared/worker/circuit-breaker.ts`), with the state shared by every handler
 * instance in the route's circuit item and the consumer switched by its event source mapping.
 *
 * - closed: each instance counts failed attempts in a row (a `PermanentError` neither counts nor
 *   resets). At `consecutiveFailures` it opens the circuit (a conditional write: one instance wins),
 *   disables the mapping and schedules the probe at the end of the cool-down. Nothing is written
 *   while attempts succeed; the item is read at most every `REREAD_MS` per instance then.
 * - open: the mapping is off; batches already received settle and decide nothing.
 * - half-open (open past `halfOpensAt`): Scheduler has enabled the mapping with a batch of one. The
 *   probe's delivery closes the circuit and restores the route's batch size; its failure opens it
 *   again with the cool-down doubled (at most 10×).
 * - paused: an operator's `hookline route pause`; the breaker leaves it alone.
 *
 * A mapping that cannot be disabled, or a probe that cannot be scheduled, closes the circuit again:
 * a route is never left paused with nothing to resume it.
 */

import { circuitScheduleName } from '../config/circuit-schedules.js';
import { errorMessage } from '../errors.js';
import type { HandlerResult } from '../handler/run-handler.js';
import type { Log } from '../logger.js';
import { CIRCUIT_METRICS } from '../metric-names.js';
import { count, type Metrics } from '../metrics/metrics.js';
import type { CircuitRecord, CircuitRecords } from './circuit-record.js';
import { nextCoolDown } from './cool-down.js';
import type { EventSourceSwitch } from './event-source-switch.js';

/** How a handler attempt ended: the runtime's `HandlerResult` kind. */
export type AttemptOutcome = HandlerResult['kind'];

/** What the breaker knows of the route. */
export interface BreakerRoute {
  readonly path: string;
  readonly batchSize: number;
  readonly circuitBreaker: { readonly consecutiveFailures: number; readonly coolDownSeconds: number };
}

export interface DeployedBreakerDependencies {
  readonly route: BreakerRoute;
  readonly records: Pick<CircuitRecords, 'read' | 'open' | 'close'>;
  readonly consumer: Pick<EventSourceSwitch, 'disable' | 'enable' | 'scheduleProbe'>;
  readonly log: Log;
  readonly metrics: Metrics;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** While the circuit is closed and attempts succeed, an instance reads the item this often at most. */
export const REREAD_MS = 10_000;

export class DeployedCircuitBreaker {
  private readonly now: () => Date;
  private failures = 0;
  private lastRead: { readonly record: CircuitRecord | undefined; readonly atMs: number } | undefined;

  constructor(private readonly deps: DeployedBreakerDependencies) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Takes the outcomes of one batch's attempts, in order. Never throws. */
  async observe(outcomes: readonly AttemptOutcome[]): Promise<void> {
    let failed = false;
    let succeeded = false;
    for (const outcome of outcomes) {
      if (outcome === 'failed') {
        this.failures += 1;
        failed = true;
      } else if (outcome !== 'permanent') {
        this.failures = 0;
        succeeded = true;
      }
    }
    if (!failed && !succeeded) return;
    if (!failed && this.knownClosed()) return;
    try {
      await this.decide(failed);
    } catch (error: unknown) {
      this.lastRead = undefined;
      this.deps.log.error('circuit breaker failed', { error: errorMessage(error) });
    }
  }

  private knownClosed(): boolean {
    const read = this.lastRead;
    return (
      read !== undefined &&
      (read.record === undefined || read.record.state === 'closed') &&
      this.now().getTime() - read.atMs < REREAD_MS
    );
  }

  private async decide(failed: boolean): Promise<void> {
    const { route, records } = this.deps;
    const record = await records.read(route.path);
    this.lastRead = { record, atMs: this.now().getTime() };
    const state = record?.state ?? 'closed';
    if (state === 'paused') {
      this.failures = 0;
    } else if (state === 'open') {
      this.failures = 0;
      if (record === undefined || !this.halfOpen(record)) return; // batches received before the switch-off
      if (failed)
        await this.open(nextCoolDown(record.coolDownSeconds ?? 1, this.configuredCoolDown()), record);
      else await this.close(record);
    } else if (this.failures >= route.circuitBreaker.consecutiveFailures) {
      await this.open(this.configuredCoolDown());
    }
  }

  private halfOpen(record: CircuitRecord): boolean {
    return record.halfOpensAt !== undefined && this.now().getTime() >= Date.parse(record.halfOpensAt);
  }

  private configuredCoolDown(): number {
    return this.deps.route.circuitBreaker.coolDownSeconds;
  }

  /** Opens the circuit (from closed, or from the half-open `from`) if this instance wins the write. */
  private async open(coolDownSeconds: number, from?: CircuitRecord): Promise<void> {
    const { route, records, consumer, log } = this.deps;
    const openedAt = this.now();
    const halfOpensAt = new Date(openedAt.getTime() + coolDownSeconds * 1000);
    const failures = from === undefined ? this.failures : (from.failures ?? 0) + 1;
    const circuit = {
      failures,
      coolDownSeconds,
      openedAt: openedAt.toISOString(),
      halfOpensAt: halfOpensAt.toISOString(),
      scheduleName: circuitScheduleName(route.path, openedAt),
    };
    this.failures = 0;
    if (!(await records.open(route.path, circuit, from))) return;
    this.lastRead = undefined;
    try {
      await consumer.disable();
    } catch (error: unknown) {
      log.error('circuit not opened: the event source mapping could not be disabled', {
        error: errorMessage(error),
      });
      // After a failed probe the mapping runs batches of one: give it its batch size back.
      if (from !== undefined) await consumer.enable(route.batchSize);
      await records.close(route.path, circuit.openedAt);
      return;
    }
    try {
      await consumer.scheduleProbe(circuit.scheduleName, halfOpensAt);
    } catch (error: unknown) {
      await consumer.enable(route.batchSize);
      await records.close(route.path, circuit.openedAt);
      log.error('circuit closed again: its probe could not be scheduled', { error: errorMessage(error) });
      return;
    }
    this.deps.metrics.publish([count(CIRCUIT_METRICS.opened, { route: route.path })]);
    log.warn('circuit opened', {
      circuit: 'open',
      failures,
      coolDownSeconds,
      halfOpensAt: circuit.halfOpensAt,
    });
  }

  /**
   * The probe was delivered: restores the batch size, then closes the circuit if this instance wins.
   * In that order, so a failed update leaves the circuit half-open and the next delivery tries again
   * (several instances may restore it: the same update twice).
   */
  private async close(record: CircuitRecord): Promise<void> {
    const { route, records, consumer, log } = this.deps;
    if (record.openedAt === undefined) return;
    await consumer.enable(route.batchSize);
    if (!(await records.close(route.path, record.openedAt))) return;
    this.lastRead = undefined;
    log.info('circuit closed', { circuit: 'closed', openedAt: record.openedAt });
  }
}
