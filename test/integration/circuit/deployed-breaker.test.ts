/**
 * The deployed circuit breaker's rules on a real circuit item (DynamoDB Local): which outcomes open
 * it, that one instance of several wins each change, the probe's two ends, operators' pause and
 * resume, and the failures that close it again rather than leave a route stopped. The event source
 * mapping and Scheduler cannot run here: a recording consumer stands in for them (the rehearsal
 * drives the real calls against the template's IAM).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CircuitRecords } from '../../../shared/circuit/circuit-record.js';
import {
  type AttemptOutcome,
  DeployedCircuitBreaker,
  REREAD_MS,
} from '../../../shared/circuit/deployed-breaker.js';
import { circuitOf, deployedRouteConsumers } from '../../../shared/circuit/route-consumers.js';
import { circuitSchedulePrefix } from '../../../shared/config/circuit-schedules.js';
import { createEventTable } from '../../../shared/local/create-table.js';
import type { MetricValue } from '../../../shared/metrics/metrics.js';
import { keptLog } from '../../helpers/flaky-stack.js';
import { connectDynamoDb, type EmulatorConnection, uniqueName } from '../../helpers/shared-emulators.js';

const TABLE = uniqueName('circuit');
const START = Date.parse('2030-01-01T00:00:00.000Z');
const COOL_DOWN = 30;

let dynamo: EmulatorConnection<DynamoDBClient> | undefined;
let clockMs = START;
let routeCounter = 0;
const now = () => new Date(clockMs);

function client(): DynamoDBClient {
  if (dynamo === undefined) throw new Error('DynamoDB Local is not running');
  return dynamo.client;
}

beforeAll(async () => {
  dynamo = await connectDynamoDb();
  await createEventTable(dynamo.client, TABLE);
});

afterAll(() => {
  dynamo?.close();
});

beforeEach(() => {
  clockMs = START;
});

/** What the event source mapping and Scheduler were asked, in order. */
class RecordingConsumer {
  readonly calls: string[] = [];
  enabled = true;
  batchSize = 10;
  readonly schedules = new Map<string, Date>();
  failOn: 'disable' | 'enable' | 'scheduleProbe' | undefined;

  async disable(): Promise<void> {
    this.calls.push('disable');
    if (this.failOn === 'disable') throw new Error('AccessDeniedException: lambda:UpdateEventSourceMapping');
    this.enabled = false;
  }

  async enable(batchSize: number): Promise<void> {
    this.calls.push(`enable ${batchSize}`);
    if (this.failOn === 'enable') throw new Error('ResourceInUseException: the mapping is updating');
    this.enabled = true;
    this.batchSize = batchSize;
  }

  async scheduleProbe(name: string, at: Date): Promise<void> {
    this.calls.push(`schedule ${name}`);
    if (this.failOn === 'scheduleProbe') throw new Error('ValidationException: bad schedule');
    this.schedules.set(name, at);
  }

  async cancelProbe(name: string): Promise<void> {
    this.calls.push(`cancel ${name}`);
    this.schedules.delete(name);
  }

  /** What Scheduler does at the probe's time: enable the mapping with a batch of one. */
  fireProbe(): void {
    const [name] = this.schedules.keys();
    if (name === undefined) throw new Error('no probe scheduled');
    this.schedules.delete(name);
    this.enabled = true;
    this.batchSize = 1;
  }
}

/** DynamoDB calls counted by command name. */
function countingClient(): { client: Pick<DynamoDBClient, 'send'>; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  return {
    counts,
    client: {
      send: ((command: { constructor: { name: string } }) => {
        counts.set(command.constructor.name, (counts.get(command.constructor.name) ?? 0) + 1);
        return client().send(command as never);
      }) as DynamoDBClient['send'],
    },
  };
}

/** A fresh route (its own circuit item) with `instances` handler instances sharing it. */
function setup(options: { consecutiveFailures?: number; instances?: number } = {}) {
  routeCounter += 1;
  const route = {
    path: `/breaker-${routeCounter}/`,
    batchSize: 10,
    circuitBreaker: { consecutiveFailures: options.consecutiveFailures ?? 3, coolDownSeconds: COOL_DOWN },
  };
  const counting = countingClient();
  const records = new CircuitRecords({ client: counting.client, tableName: TABLE, now });
  const consumer = new RecordingConsumer();
  const log = keptLog();
  const metrics: MetricValue[] = [];
  const breakers = Array.from(
    { length: options.instances ?? 1 },
    () =>
      new DeployedCircuitBreaker({
        route,
        records,
        consumer,
        log,
        metrics: { publish: (values) => metrics.push(...values) },
        now,
      }),
  );
  const [breaker] = breakers as [DeployedCircuitBreaker, ...DeployedCircuitBreaker[]];
  return { route, records, consumer, log, metrics, breaker, breakers, counts: counting.counts };
}

const failures = (n: number): AttemptOutcome[] => Array.from({ length: n }, () => 'failed');

describe('circuit records', () => {
  it('opens from closed once, closes only the circuit it opened, and sets a pause over anything', async () => {
    const records = new CircuitRecords({ client: client(), tableName: TABLE, now });
    const path = '/records/';
    const open = {
      failures: 3,
      coolDownSeconds: 30,
      openedAt: now().toISOString(),
      halfOpensAt: new Date(clockMs + 30_000).toISOString(),
      scheduleName: 'circuit-x-1',
    };
    expect(await records.read(path)).toBeUndefined();
    const outcomes = await Promise.all([records.open(path, open), records.open(path, open)]);
    expect(outcomes.sort()).toEqual([false, true]);
    expect(await records.read(path)).toMatchObject({ state: 'open', ...open });

    expect(await records.close(path, '2029-01-01T00:00:00.000Z')).toBe(false);
    expect(await records.close(path, open.openedAt)).toBe(true);
    const closed = await records.read(path);
    expect(closed?.state).toBe('closed');
    expect(closed).not.toHaveProperty('scheduleName');

    expect(await records.open(path, open)).toBe(true);
    expect(await records.set(path, 'paused')).toMatchObject({ state: 'open', scheduleName: 'circuit-x-1' });
    expect(await records.open(path, open)).toBe(false);
    expect(await records.set(path, 'closed')).toMatchObject({ state: 'paused' });
  });
});

describe('deployed circuit breaker', () => {
  it('opens after consecutiveFailures failed attempts: item open, mapping off, probe scheduled, metric and log', async () => {
    const { route, records, consumer, log, metrics, breaker } = setup();
    await breaker.observe(failures(2));
    expect(consumer.calls).toEqual([]);
    expect(await records.read(route.path)).toBeUndefined();

    await breaker.observe(['failed']);
    const halfOpensAt = new Date(START + COOL_DOWN * 1000);
    const [name] = consumer.schedules.keys();
    expect(consumer.calls).toEqual(['disable', `schedule ${name}`]);
    expect(name?.startsWith(circuitSchedulePrefix(route.path))).toBe(true);
    expect(consumer.schedules.get(name ?? '')).toEqual(halfOpensAt);
    expect(consumer.enabled).toBe(false);
    expect(await records.read(route.path)).toMatchObject({
      state: 'open',
      failures: 3,
      coolDownSeconds: COOL_DOWN,
      openedAt: new Date(START).toISOString(),
      halfOpensAt: halfOpensAt.toISOString(),
      scheduleName: name,
    });
    expect(metrics).toEqual([
      { name: 'CircuitOpened', unit: 'Count', value: 1, dimensions: { route: route.path } },
    ]);
    expect(log.lines).toContainEqual({
      level: 'warn',
      message: 'circuit opened',
      fields: {
        circuit: 'open',
        failures: 3,
        coolDownSeconds: COOL_DOWN,
        halfOpensAt: halfOpensAt.toISOString(),
      },
    });
  });

  it('counts only failures in a row: a delivery resets the count, a PermanentError neither counts nor resets', async () => {
    const { consumer, breaker } = setup();
    await breaker.observe(['failed', 'failed', 'delivered', 'failed', 'failed']);
    expect(consumer.calls).toEqual([]);
    await breaker.observe(['permanent', 'permanent']);
    expect(consumer.calls).toEqual([]);
    await breaker.observe(['failed']);
    expect(consumer.calls[0]).toBe('disable');
  });

  it('lets one of several instances that reach the threshold together open the circuit', async () => {
    const { consumer, metrics, breakers } = setup({ instances: 4 });
    await Promise.all(breakers.map((instance) => instance.observe(failures(3))));
    expect(consumer.calls.filter((call) => call === 'disable')).toHaveLength(1);
    expect(consumer.schedules.size).toBe(1);
    expect(metrics).toHaveLength(1);
  });

  it('ignores batches settled while open, before the probe', async () => {
    const { route, records, consumer, breaker } = setup();
    await breaker.observe(failures(3));
    const before = await records.read(route.path);
    clockMs += 5_000;
    await breaker.observe(['failed', 'failed', 'failed', 'delivered']);
    expect(consumer.calls).toHaveLength(2);
    expect(await records.read(route.path)).toEqual(before);
  });

  it('closes on a delivered probe and restores the batch size', async () => {
    const { route, records, consumer, log, breaker } = setup();
    await breaker.observe(failures(3));
    clockMs += COOL_DOWN * 1000;
    consumer.fireProbe();
    await breaker.observe(['delivered']);
    expect(consumer.calls.at(-1)).toBe(`enable ${route.batchSize}`);
    expect(consumer.batchSize).toBe(route.batchSize);
    expect((await records.read(route.path))?.state).toBe('closed');
    expect(log.lines.map((line) => line.message)).toContain('circuit closed');
  });

  it('opens again on a failed probe with the cool-down doubled, capped at 10×', async () => {
    const { route, records, consumer, metrics, breaker } = setup();
    await breaker.observe(failures(3));
    let coolDown = COOL_DOWN;
    for (const expected of [60, 120, 240, 300, 300]) {
      clockMs += coolDown * 1000;
      consumer.fireProbe();
      await breaker.observe(['failed']);
      const record = await records.read(route.path);
      expect(record).toMatchObject({ state: 'open', coolDownSeconds: expected });
      expect(consumer.enabled).toBe(false);
      expect(consumer.schedules.size).toBe(1);
      coolDown = expected;
    }
    expect((await records.read(route.path))?.failures).toBe(8);
    expect(metrics).toHaveLength(6);
  });

  it('keeps the circuit half-open when the batch size cannot be restored, and closes it on the next delivery', async () => {
    const { route, records, consumer, log, breaker } = setup();
    await breaker.observe(failures(3));
    clockMs += COOL_DOWN * 1000;
    consumer.fireProbe();
    consumer.failOn = 'enable';
    await breaker.observe(['delivered']);
    expect((await records.read(route.path))?.state).toBe('open');
    expect(consumer.batchSize).toBe(1);
    expect(log.lines.at(-1)).toMatchObject({ level: 'error', message: 'circuit breaker failed' });

    consumer.failOn = undefined;
    clockMs += 1_000;
    await breaker.observe(['delivered']);
    expect(consumer.batchSize).toBe(route.batchSize);
    expect((await records.read(route.path))?.state).toBe('closed');
  });

  it('gives the mapping its batch size back when a failed probe cannot disable it again', async () => {
    const { route, records, consumer, breaker } = setup();
    await breaker.observe(failures(3));
    clockMs += COOL_DOWN * 1000;
    consumer.fireProbe();
    consumer.failOn = 'disable';
    await breaker.observe(['failed']);
    expect(consumer.enabled).toBe(true);
    expect(consumer.batchSize).toBe(route.batchSize);
    expect((await records.read(route.path))?.state).toBe('closed');
  });

  it('decides nothing on a probe that ran no attempt', async () => {
    const { route, records, consumer, breaker } = setup();
    await breaker.observe(failures(3));
    clockMs += COOL_DOWN * 1000;
    consumer.fireProbe();
    await breaker.observe([]);
    await breaker.observe(['permanent']);
    expect((await records.read(route.path))?.state).toBe('open');
    expect(consumer.calls).toHaveLength(2);
  });

  it(`reads the item at most once per ${REREAD_MS / 1000} s while deliveries succeed, and writes nothing`, async () => {
    const { breaker, counts } = setup();
    for (let batch = 0; batch < 20; batch += 1) {
      await breaker.observe(['delivered', 'delivered']);
      clockMs += 1_000;
    }
    expect(counts.get('GetItemCommand')).toBe(2);
    expect(counts.get('UpdateItemCommand')).toBeUndefined();
  });

  it('leaves a paused route alone, whatever its handler does', async () => {
    const { route, records, consumer, breaker } = setup();
    await records.set(route.path, 'paused');
    await breaker.observe(failures(10));
    expect(consumer.calls).toEqual([]);
    expect((await records.read(route.path))?.state).toBe('paused');
  });

  it('closes the circuit again when the mapping cannot be disabled', async () => {
    const { route, records, consumer, log, metrics, breaker } = setup();
    consumer.failOn = 'disable';
    await breaker.observe(failures(3));
    expect((await records.read(route.path))?.state).toBe('closed');
    expect(consumer.schedules.size).toBe(0);
    expect(metrics).toEqual([]);
    expect(log.lines.at(-1)).toMatchObject({
      level: 'error',
      message: 'circuit not opened: the event source mapping could not be disabled',
    });
  });

  it('re-enables the mapping and closes the circuit when its probe cannot be scheduled', async () => {
    const { route, records, consumer, log, breaker } = setup();
    consumer.failOn = 'scheduleProbe';
    await breaker.observe(failures(3));
    expect(consumer.enabled).toBe(true);
    expect(consumer.calls.at(-1)).toBe(`enable ${route.batchSize}`);
    expect((await records.read(route.path))?.state).toBe('closed');
    expect(log.lines.at(-1)?.message).toBe('circuit closed again: its probe could not be scheduled');
  });

  it('never throws: a circuit item it cannot read is logged', async () => {
    const log = keptLog();
    const breaker = new DeployedCircuitBreaker({
      route: {
        path: '/missing/',
        batchSize: 10,
        circuitBreaker: { consecutiveFailures: 1, coolDownSeconds: 1 },
      },
      records: new CircuitRecords({ client: client(), tableName: 'no-such-table', now }),
      consumer: new RecordingConsumer(),
      log,
      metrics: { publish: () => {} },
      now,
    });
    await expect(breaker.observe(['failed'])).resolves.toBeUndefined();
    expect(log.lines).toEqual([
      {
        level: 'error',
        message: 'circuit breaker failed',
        fields: { error: expect.stringMatching(/resource not found|non-existent table/i) },
      },
    ]);
  });
});

describe('deployed route consumers', () => {
  it('pauses (cancelling a pending probe) and resumes with the route’s batch size', async () => {
    const { route, records, consumer, breaker, log } = setup();
    const consumers = deployedRouteConsumers({ records, switchOf: () => consumer, now, log });
    const target = { route, queueArn: 'arn:aws:sqs:eu-west-1:123456789012:hookline-breaker' };
    expect(await consumers.circuit(target)).toEqual({
      state: 'closed',
      failures: 0,
      coolDownSeconds: COOL_DOWN,
    });

    await breaker.observe(failures(3));
    expect(await consumers.circuit(target)).toMatchObject({ state: 'open', halfOpensAt: expect.any(String) });
    const [scheduled] = consumer.schedules.keys();

    expect(await consumers.pause(target)).toEqual({ state: 'paused', pausedAt: now().toISOString() });
    expect(consumer.calls.slice(-2)).toEqual([`cancel ${scheduled}`, 'disable']);
    expect(consumer.schedules.size).toBe(0);
    expect(await consumers.circuit(target)).toEqual({ state: 'paused', pausedAt: now().toISOString() });

    expect(await consumers.resume(target)).toEqual({
      state: 'closed',
      failures: 0,
      coolDownSeconds: COOL_DOWN,
    });
    expect(consumer.calls.at(-1)).toBe(`enable ${route.batchSize}`);
    expect((await records.read(route.path))?.state).toBe('closed');
    expect(log.lines.filter((line) => line.message.startsWith('consumer '))).toEqual([
      { level: 'info', message: 'consumer paused', fields: { route: route.path, circuitBefore: 'open' } },
      { level: 'info', message: 'consumer resumed', fields: { route: route.path, circuitBefore: 'paused' } },
    ]);
  });

  it('reports a half-open circuit once its probe time has passed, and no circuit for a route without a breaker never paused', () => {
    const target = { route: { path: '/x/', batchSize: 10 }, queueArn: 'arn' };
    const record = {
      state: 'open' as const,
      failures: 3,
      coolDownSeconds: 30,
      openedAt: new Date(START).toISOString(),
      halfOpensAt: new Date(START + 30_000).toISOString(),
      changedAt: new Date(START).toISOString(),
    };
    expect(circuitOf(record, target, new Date(START + 29_999))?.state).toBe('open');
    expect(circuitOf(record, target, new Date(START + 30_000))).toEqual({
      state: 'half-open',
      failures: 3,
      coolDownSeconds: 30,
      openedAt: record.openedAt,
    });
    expect(circuitOf(undefined, target, new Date(START))).toBeUndefined();
  });
});
