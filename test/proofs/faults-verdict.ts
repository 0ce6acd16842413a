/**
 * What the fault-injection proof concludes, from what it saw, not from what Hookline says of
 * itself alone: the provider's answers (which deliveries were accepted, under which event id), the
 * ledger of the user's code (every execution of its effect), each event's record in the event
 * store (status and attempts) and the dead-letter queue's content.
 *
 * - lost: an accepted delivery whose event is neither `delivered` nor `dead_lettered`, or is
 *   `delivered` with no effect in the ledger;
 * - double effect: a delivery whose effect ran more than once (under one event id or several);
 * - inconsistent: an event whose history disagrees with the ledger: an attempt recorded that never
 *   ran (other than a lapsed lock), a run missing from the history, two runs given one attempt
 *   number (one of them is then missing), attempt numbers with gaps, a
 *   `delivered` event whose last attempt is not its one delivered attempt, a `dead_lettered` event
 *   that ended otherwise than failing or has no copy in the DLQ or had its effect run, a delivery
 *   answered with two event ids.
 */
import type { EventRecord } from '../../shared/event-store/types.js';
import type { LedgerEntry } from './faults-child.js';
import type { Kill, SettleFailure, TrailStep } from './faults-consumers.js';
import type { DeliveryOutcome } from './faults-provider.js';

/** The error name the fixture handler throws (test/fixtures/faults/handler.ts). */
const INJECTED_FAILURE = 'InjectedHandlerFailure';
/** The history entry of an attempt whose lock lapsed without a settle (shared/handler/attempt-lock.ts). */
const LAPSED = 'LockExpiredError';
/** Examples kept per kind of problem. */
const EXAMPLES = 10;

export interface VerdictInput {
  readonly deliveries: readonly DeliveryOutcome[];
  readonly ledger: readonly LedgerEntry[];
  /** Each accepted event's record, read after everything settled. */
  readonly records: ReadonlyMap<string, EventRecord | undefined>;
  /** Event ids of the messages in the route's DLQ, with how many copies. */
  readonly deadLetterQueue: ReadonlyMap<string, number>;
  /** Every event id with a state item in the table. */
  readonly storedEventIds: ReadonlySet<string>;
  readonly kills: readonly Kill[];
  readonly settleFailures: readonly SettleFailure[];
  /** What the consumers logged about an event's messages. */
  readonly trail: (id: string) => readonly TrailStep[];
  /** The route's `retry.maxAttempts`, also its queue's `maxReceiveCount`. */
  readonly maxAttempts: number;
  /** The route's `timeoutSeconds`: how long after its batch started a lock lapses. */
  readonly timeoutSeconds: number;
}

export interface LostEvent {
  readonly n: number;
  readonly id: string;
  readonly status: string;
  readonly inDeadLetterQueue: boolean;
  /** What left it so, as far as the evidence tells. */
  readonly cause: string;
  /** Its messages' steps through the consumers. */
  readonly trail: string;
}

export interface DoubleEffect {
  readonly n: number;
  readonly ids: readonly string[];
  readonly effects: number;
  /** What let the effect run again, as far as the evidence tells. */
  readonly cause: string;
}

export interface Inconsistency {
  readonly n: number;
  readonly id: string;
  readonly problem: string;
}

export interface Verdict {
  readonly accepted: number;
  readonly delivered: number;
  readonly deadLettered: number;
  /** Deliveries the provider gave up on (never answered 2xx). */
  readonly abandoned: number;
  readonly lost: readonly LostEvent[];
  readonly doubles: readonly DoubleEffect[];
  readonly inconsistencies: readonly Inconsistency[];
  /** Event states in the table for no accepted delivery. */
  readonly phantoms: number;
  readonly invocations: number;
  /** Invocations that threw (the injected failures). */
  readonly throws: number;
  readonly effects: number;
  /** Effects run after their invocation's deadline, when the lock had already lapsed. */
  readonly lateEffects: number;
  /** Attempts recorded as lapsed locks, and those of them the user's code never ran for. */
  readonly lapsed: { readonly total: number; readonly withoutRun: number };
  /**
   * Per kill, the locks it left behind: attempts recorded lapsed whose lock was taken within the
   * lock's lifetime before the kill (the killed batch's records, and any other lock lapsing then).
   */
  readonly locksLeftByKills: readonly number[];
}

interface Run {
  /** Invocations the user's code saw with this attempt number (one, unless a number was reused). */
  starts: number;
  threw: boolean;
  effects: number;
}

export function judge(input: VerdictInput): Verdict {
  const entriesByEvent = groupBy(input.ledger, (entry) => entry.id);
  const effectsByDelivery = groupBy(
    input.ledger.filter((entry) => entry.k === 'effect'),
    (entry) => String(entry.n),
  );
  const lost: LostEvent[] = [];
  const inconsistencies: Inconsistency[] = [];
  const acceptedIds = new Set<string>();
  let delivered = 0;
  let deadLettered = 0;
  let lapsedTotal = 0;
  let lapsedWithoutRun = 0;
  for (const delivery of input.deliveries) {
    const [id, ...others] = delivery.eventIds;
    if (id === undefined) continue;
    acceptedIds.add(id);
    const note = (problem: string) => inconsistencies.push({ n: delivery.n, id, problem });
    if (others.length > 0) note(`answered with ${delivery.eventIds.length} event ids`);
    const record = input.records.get(id);
    const effects = effectsByDelivery.get(String(delivery.n))?.length ?? 0;
    const inDeadLetterQueue = input.deadLetterQueue.has(id);
    const loss = (status: string): LostEvent => ({
      n: delivery.n,
      id,
      status,
      inDeadLetterQueue,
      cause: lossCause(id, status, inDeadLetterQueue, input),
      trail: trailText(input.trail(id)),
    });
    if (record?.status === 'delivered') {
      delivered += 1;
      if (effects === 0) lost.push(loss('delivered without an effect'));
    } else if (record?.status === 'dead_lettered') {
      deadLettered += 1;
      if (!inDeadLetterQueue) note('dead_lettered, but no copy of it is in the DLQ');
      if (effects > 0) note('dead_lettered, but its effect ran');
    } else {
      lost.push(loss(record?.status ?? 'no state'));
    }
    if (record === undefined) continue;
    const runs = runsOf(entriesByEvent.get(id) ?? []);
    for (const problem of historyProblems(record, runs)) note(problem);
    for (const attempt of record.attempts) {
      if (attempt.errorName !== LAPSED) continue;
      lapsedTotal += 1;
      if ((runs.get(attempt.attempt)?.starts ?? 0) === 0) lapsedWithoutRun += 1;
    }
  }
  const doubles = [...effectsByDelivery]
    .filter(([, effects]) => effects.length > 1)
    .map(([n, effects]) => double(Number(n), effects, input));
  return {
    accepted: acceptedIds.size,
    delivered,
    deadLettered,
    abandoned: input.deliveries.filter((delivery) => delivery.eventIds.length === 0).length,
    lost,
    doubles,
    inconsistencies,
    phantoms: [...input.storedEventIds].filter((id) => !acceptedIds.has(id)).length,
    invocations: input.ledger.filter((entry) => entry.k === 'start').length,
    throws: input.ledger.filter((entry) => entry.k === 'throw').length,
    effects: input.ledger.filter((entry) => entry.k === 'effect').length,
    lateEffects: input.ledger.filter((entry) => entry.k === 'effect' && entry.late).length,
    lapsed: { total: lapsedTotal, withoutRun: lapsedWithoutRun },
    locksLeftByKills: input.kills.map((kill) => locksLeftBy(kill, input)),
  };
}

function locksLeftBy(kill: Kill, input: VerdictInput): number {
  const since = kill.at - input.timeoutSeconds * 1000;
  let locks = 0;
  for (const record of input.records.values()) {
    for (const attempt of record?.attempts ?? []) {
      const takenAt = Date.parse(attempt.startedAt);
      if (attempt.errorName === LAPSED && takenAt > since && takenAt <= kill.at) locks += 1;
    }
  }
  return locks;
}

/** Examples of each kind of problem, for the printed figures. */
export function examples<T>(items: readonly T[]): readonly T[] {
  return items.slice(0, EXAMPLES);
}

/** The user's code's runs of one event, by the attempt number the runtime gave them. */
function runsOf(entries: readonly LedgerEntry[]): Map<number, Run> {
  const runs = new Map<number, Run>();
  for (const entry of entries) {
    let run = runs.get(entry.a);
    if (run === undefined) {
      run = { starts: 0, threw: false, effects: 0 };
      runs.set(entry.a, run);
    }
    if (entry.k === 'start') run.starts += 1;
    if (entry.k === 'throw') run.threw = true;
    if (entry.k === 'effect') run.effects += 1;
  }
  return runs;
}

/** Where an event's history disagrees with what its runs in the ledger did. */
function historyProblems(record: EventRecord, runs: ReadonlyMap<number, Run>): string[] {
  const problems: string[] = [];
  const { attempts } = record;
  if (attempts.some((attempt, index) => attempt.attempt !== index + 1)) {
    problems.push(`attempt numbers ${attempts.map((attempt) => attempt.attempt).join(',')} are not 1..n`);
  }
  for (const attempt of attempts) {
    if (attempt.errorName === LAPSED) continue;
    const run = runs.get(attempt.attempt);
    if (run === undefined || run.starts === 0) {
      problems.push(`attempt ${attempt.attempt} is recorded ${attempt.outcome}, but no run of it started`);
    } else if (attempt.outcome === 'delivered' && run.effects === 0) {
      problems.push(`attempt ${attempt.attempt} is recorded delivered, but its run had no effect`);
    } else if (attempt.outcome === 'failed' && (!run.threw || attempt.errorName !== INJECTED_FAILURE)) {
      problems.push(
        `attempt ${attempt.attempt} is recorded failed (${attempt.errorName}), but its run did not throw`,
      );
    } else if (attempt.outcome !== 'delivered' && attempt.outcome !== 'failed') {
      problems.push(`attempt ${attempt.attempt} is recorded ${attempt.outcome}`);
    }
  }
  for (const [number, run] of runs) {
    if (run.starts > 0 && !attempts.some((attempt) => attempt.attempt === number)) {
      problems.push(`run ${number} is missing from the history`);
    }
    if (run.starts > 1) problems.push(`${run.starts} runs were given attempt number ${number}`);
  }
  const outcomes = attempts.map((attempt) => attempt.outcome);
  if (record.status === 'delivered') {
    if (
      outcomes.filter((outcome) => outcome === 'delivered').length !== 1 ||
      outcomes.at(-1) !== 'delivered'
    ) {
      problems.push(`delivered, but its attempts ended ${outcomes.join(',')}`);
    }
  } else if (record.status === 'dead_lettered' && outcomes.at(-1) !== 'failed') {
    problems.push(`dead_lettered, but its attempts ended ${outcomes.join(',')}`);
  }
  return problems;
}

/** A delivery whose effect ran more than once, and why its first effect did not count as done. */
function double(n: number, effects: readonly LedgerEntry[], input: VerdictInput): DoubleEffect {
  const ids = [...new Set(effects.map((effect) => effect.id))];
  const ordered = [...effects].sort((a, b) => a.t - b.t);
  return { n, ids, effects: effects.length, cause: causeOf(ordered, ids, input) };
}

function causeOf(effects: readonly LedgerEntry[], ids: readonly string[], input: VerdictInput): string {
  const [first] = effects;
  if (first === undefined) return 'no effect';
  if (ids.length > 1) return 'de-duplication failed: one delivery became several events';
  const recorded = input.records.get(first.id)?.attempts.find((attempt) => attempt.attempt === first.a);
  const frozenRightAfter = input.kills.some(
    (kill) => kill.pid === first.p && kill.held.id === first.id && kill.held.a === first.a,
  );
  const killedLater = input.kills.some((kill) => kill.pid === first.p && kill.at >= first.t);
  if (frozenRightAfter || (killedLater && recorded?.outcome !== 'delivered')) {
    return 'its consumer was killed between the effect and the settle write';
  }
  // A settle refused for a lost lock (LockLostError) was most often its own write answered late.
  const settleFailed = input.settleFailures.some(
    (failure) => failure.id === first.id && failure.errorName !== 'LockLostError',
  );
  if (settleFailed) {
    return 'the settle write failed after the SDK retries, so the lock lapsed and the event ran again';
  }
  if (effects.some((effect) => effect.k === 'effect' && effect.late)) {
    return 'a run went on past its deadline, after its lock had lapsed';
  }
  if (recorded?.outcome === 'delivered') return 'ran again after being recorded delivered';
  return `unexplained (attempt ${first.a} is recorded ${recorded?.errorName ?? recorded?.outcome ?? 'nowhere'})`;
}

/**
 * Why an accepted event ended neither delivered nor dead-lettered. When its message is in the DLQ,
 * SQS moved it there after `maxReceiveCount` receives, and its last receive never reached a settle.
 */
function lossCause(id: string, status: string, inDeadLetterQueue: boolean, input: VerdictInput): string {
  if (status === 'delivered without an effect') return 'recorded delivered, but the ledger has no effect';
  if (!inDeadLetterQueue) return 'its message is neither on the queue nor in the DLQ';
  const trail = input.trail(id);
  const last = trail.at(-1);
  const moved = 'SQS then moved it to the DLQ, unrecorded';
  if (last === undefined) return `no consumer logged any step of it; ${moved}`;
  const receive = (last.receiveCount ?? 0) >= input.maxAttempts ? 'its last allowed receive' : 'a receive';
  if (last.what.startsWith('deferred'))
    return `${receive} found its own attempt's lock and was deferred; ${moved}`;
  const killed = input.kills.find((kill) => kill.pid === last.pid && kill.at >= last.at);
  if (killed !== undefined && last.what.startsWith('processing')) {
    return `its consumer was killed during ${receive}; ${moved}`;
  }
  if (last.what.startsWith('settle failed')) return `the settle write of its last attempt failed; ${moved}`;
  if (last.what.startsWith('received, but the reply was lost')) {
    return `the reply of its last allowed receive was lost: SQS counted the receive, the consumer never saw it; ${moved}`;
  }
  return `its last allowed receive never reached the runtime (a lost receive reply, or a killed batch); ${moved}`;
}

function trailText(trail: readonly TrailStep[]): string {
  const step = (s: TrailStep) =>
    `${s.what}${s.receiveCount === undefined ? '' : `, receive ${s.receiveCount}`} (pid ${s.pid})`;
  return trail.map(step).join(' → ');
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group === undefined) groups.set(key(item), [item]);
    else group.push(item);
  }
  return groups;
}
