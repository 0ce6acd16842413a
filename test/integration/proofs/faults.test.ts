/**
 * The fault-injection proof (`npm run proof:faults`, 10 000 events) at a size `npm test` can afford,
 * against the shared emulators: the same faults and the same checks, fewer events. And that the
 * proof can fail: kills aimed between an effect and its settle write make it see double effects,
 * and its verdict counts a lost event, a double effect and a history the ledger contradicts.
 */
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../../shared/event-store/types.js';
import { attemptRecord, newEventRecord } from '../../helpers/event-records.js';
import { connectEmulators } from '../../helpers/ingress-stack.js';
import { uniqueName } from '../../helpers/shared-emulators.js';
import type { LedgerEntry } from '../../proofs/faults-child.js';
import { FAULT_KINDS } from '../../proofs/faults-injector.js';
import { type FaultsOptions, runFaultsProof } from '../../proofs/faults-proof.js';
import { judge, type VerdictInput } from '../../proofs/faults-verdict.js';

async function withEmulators<T>(run: (endpoints: FaultsOptions['endpoints']) => Promise<T>): Promise<T> {
  const emulators = await connectEmulators();
  try {
    return await run({ sqs: emulators.sqs.endpoint, dynamodb: emulators.dynamo.endpoint });
  } finally {
    emulators.close();
  }
}

describe('fault-injection proof', () => {
  it('loses no accepted webhook and runs no effect twice while SQS, DynamoDB, the handler and the consumers fail', async () => {
    const { report, details } = await withEmulators((endpoints) =>
      runFaultsProof({
        events: 1000,
        endpoints,
        name: uniqueName(),
        settleTimeoutMs: 90_000,
      }),
    );

    expect(details.verdict.lost).toEqual([]);
    expect(details.verdict.doubles).toEqual([]);
    expect(details.verdict.inconsistencies).toEqual([]);
    expect(details.settled).toBe(true);
    expect(report).toMatchObject({ events: 1000, accepted: 1000, lost: 0, doubleEffects: 0 });
    expect(report.delivered + report.deadLettered).toBe(report.accepted);
    // Every kind of fault happened, as often as the proof says.
    for (const service of ['sqs', 'dynamodb'] as const) {
      const { attempts, faults } = details.services[service];
      expect(faults / attempts, service).toBeGreaterThanOrEqual(0.05);
    }
    for (const kind of FAULT_KINDS) expect(details.faultKinds[kind], kind).toBeGreaterThan(0);
    expect(report.faults.handler / details.verdict.invocations).toBeGreaterThan(0.15);
    expect(report.faults.kills).toBeGreaterThanOrEqual(3);
    expect(details.kills.every((kill) => kill.held.awaiting === 0)).toBe(true);
    expect(report.faults.interrupted).toBeGreaterThan(0);
    expect(details.interruptions['after-send']).toBeGreaterThan(0);
    expect(report.faults.duplicates).toBeGreaterThan(50);
    expect(details.concurrentDuplicates).toBeGreaterThan(0);
  }, 180_000);

  it('sees the double effects when each kill lands between an effect and its settle write', async () => {
    const { report, details } = await withEmulators((endpoints) =>
      runFaultsProof({
        events: 60,
        kills: 2,
        killAt: 'after-effect',
        rates: { sqs: 0, dynamodb: 0 },
        handlerFailureRate: 0,
        // Killed batches come back after 6 s rather than 18.
        timeoutSeconds: 1,
        endpoints,
        name: uniqueName(),
        settleTimeoutMs: 60_000,
      }),
    );

    expect(report.faults.kills).toBe(2);
    expect(report.doubleEffects).toBe(2);
    expect(report.lost).toBe(0);
    // Each crash is in its event's history, even when one event's runs were killed twice in turn.
    expect(details.verdict.inconsistencies).toEqual([]);
    expect(details.verdict.doubles.map((double) => double.cause)).toEqual([
      'its consumer was killed between the effect and the settle write',
      'its consumer was killed between the effect and the settle write',
    ]);
    expect(details.verdict.doubles.map((double) => double.n).sort()).toEqual(
      details.kills.map((kill) => kill.held.n).sort(),
    );
  }, 120_000);
});

describe('fault-injection proof verdict', () => {
  const at = Date.parse('2030-01-01T00:00:00.000Z');
  const id = 'evt_01JAAAAAAAAAAAAAAAAAAAAAAA';

  function record(status: EventRecord['status'], attempts: EventRecord['attempts']): EventRecord {
    return { ...newEventRecord(at, { id }), status, updatedAt: new Date(at).toISOString(), attempts };
  }

  function entry(k: 'start' | 'throw' | 'effect', a: number, t = at): LedgerEntry {
    return k === 'effect' ? { k, id, n: 0, a, p: 1, t, late: false } : { k, id, n: 0, a, p: 1, t };
  }

  const delivered = (attempt: number) => attemptRecord(at, attempt, 'delivered');

  function input(overrides: Partial<VerdictInput>): VerdictInput {
    return {
      deliveries: [{ n: 0, eventIds: [id], queued: true, copies: 1, retries: 0, abandoned: 0 }],
      ledger: [entry('start', 1), entry('effect', 1)],
      records: new Map([[id, record('delivered', [delivered(1)])]]),
      deadLetterQueue: new Map(),
      storedEventIds: new Set([id]),
      kills: [],
      settleFailures: [],
      trail: () => [],
      maxAttempts: 4,
      timeoutSeconds: 3,
      ...overrides,
    };
  }

  it('finds nothing wrong with one run, one effect, delivered', () => {
    const verdict = judge(input({}));

    expect(verdict).toMatchObject({ accepted: 1, delivered: 1, lost: [], doubles: [], inconsistencies: [] });
  });

  it('counts an effect that ran twice, whatever the history says', () => {
    const verdict = judge(
      input({
        ledger: [entry('start', 1), entry('effect', 1), entry('start', 2), entry('effect', 2, at + 1)],
      }),
    );

    expect(verdict.doubles).toHaveLength(1);
  });

  it('counts an accepted event left retrying as lost, and one delivered without an effect', () => {
    const retrying = judge(input({ records: new Map([[id, record('retrying', [])]]), ledger: [] }));
    const noEffect = judge(input({ ledger: [entry('start', 1)] }));

    expect(retrying.lost).toMatchObject([{ status: 'retrying' }]);
    expect(noEffect.lost).toMatchObject([{ status: 'delivered without an effect' }]);
  });

  it('flags a history that records an attempt the code never ran, or misses one it ran', () => {
    const unrun = judge(input({ ledger: [entry('start', 2), entry('effect', 2)] }));
    const unrecorded = judge(
      input({ ledger: [entry('start', 1), entry('throw', 1), entry('start', 2), entry('effect', 2)] }),
    );

    expect(unrun.inconsistencies.map((problem) => problem.problem)).toContain(
      'attempt 1 is recorded delivered, but no run of it started',
    );
    expect(unrecorded.inconsistencies.map((problem) => problem.problem)).toContain(
      'run 2 is missing from the history',
    );
  });
});
