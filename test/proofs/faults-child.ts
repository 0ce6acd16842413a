/**
 * What runs inside a consumer process of the fault-injection proof (faults-proof.ts), shared by its
 * preload (faults-preload.ts) and its handler module (test/fixtures/faults/handler.ts), and what the
 * proof reads back from it:
 *
 * - the settings, from the environment the proof starts the process with;
 * - the ledger: one append-only file per process, a JSON line per step of each invocation of the
 *   user's code (`start`, `throw`, `effect`, `hold`, `unheld`). The `effect` line *is* the user's
 *   effect: every execution of it is a line, and nothing is ever de-duplicated;
 * - the attempt log: a line per HTTP attempt to SQS or DynamoDB, failed or not (faults-injector.ts),
 *   and the events of messages whose ReceiveMessage reply was lost;
 * - the kill hand-shake: the proof arms a process (`arm-<pid>`); the user's code, at the next point
 *   the kill is aimed at, freezes the whole process (`held-<pid>`, then a blocking wait) and the
 *   proof SIGKILLs it there;
 * - the effects still waiting for their settle write: added by the user's code right after its
 *   effect, removed by the preload once that event's settle call has answered. A kill aimed before
 *   the effects happens only while this set is empty.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AttemptTally, parseAttemptLine, type Service } from './faults-injector.js';

/** Where a kill lands: before the user's effect of the held invocation, or right after it. */
export type KillPoint = 'before-effect' | 'after-effect';

export const CHILD_ENV = {
  /** The run's folder: ledgers, attempt logs, kill hand-shake files. */
  dir: 'HOOKLINE_FAULTS_DIR',
  seed: 'HOOKLINE_FAULTS_SEED',
  sqsRate: 'HOOKLINE_FAULTS_SQS_RATE',
  dynamoDbRate: 'HOOKLINE_FAULTS_DYNAMODB_RATE',
  handlerFailureRate: 'HOOKLINE_FAULTS_HANDLER_FAILURE_RATE',
  killAt: 'HOOKLINE_FAULTS_KILL_AT',
} as const;

export interface ChildSettings {
  readonly dir: string;
  readonly seed: number;
  /** Share of HTTP attempts failed, per service. */
  readonly rates: Readonly<Record<Service, number>>;
  /** Share of invocations of the user's code that throw before their effect. */
  readonly handlerFailureRate: number;
  readonly killAt: KillPoint;
}

/** The environment that gives a consumer process `settings`. */
export function childEnv(settings: ChildSettings): Record<string, string> {
  return {
    [CHILD_ENV.dir]: settings.dir,
    [CHILD_ENV.seed]: String(settings.seed),
    [CHILD_ENV.sqsRate]: String(settings.rates.sqs),
    [CHILD_ENV.dynamoDbRate]: String(settings.rates.dynamodb),
    [CHILD_ENV.handlerFailureRate]: String(settings.handlerFailureRate),
    [CHILD_ENV.killAt]: settings.killAt,
  };
}

/** The settings `childEnv` wrote; throws naming the first variable missing or malformed. */
export function childSettings(env: NodeJS.ProcessEnv = process.env): ChildSettings {
  const text = (name: string): string => {
    const value = env[name];
    if (value === undefined || value === '') throw new Error(`${name} is not set`);
    return value;
  };
  const number = (name: string): number => {
    const value = Number(text(name));
    if (!Number.isFinite(value)) throw new Error(`${name} is not a number`);
    return value;
  };
  const killAt = text(CHILD_ENV.killAt);
  if (killAt !== 'before-effect' && killAt !== 'after-effect') {
    throw new Error(`${CHILD_ENV.killAt} must be before-effect or after-effect`);
  }
  return {
    dir: text(CHILD_ENV.dir),
    seed: number(CHILD_ENV.seed),
    rates: { sqs: number(CHILD_ENV.sqsRate), dynamodb: number(CHILD_ENV.dynamoDbRate) },
    handlerFailureRate: number(CHILD_ENV.handlerFailureRate),
    killAt,
  };
}

const ledgerFile = (dir: string, pid: number) => join(dir, `ledger-${pid}.jsonl`);
export const attemptLogFile = (dir: string, pid: number) => join(dir, `attempts-${pid}.log`);
export const lostReceiveFile = (dir: string, pid: number) => join(dir, `lost-receives-${pid}.log`);
const armFile = (dir: string, pid: number) => join(dir, `arm-${pid}`);
const heldFile = (dir: string, pid: number) => join(dir, `held-${pid}`);

/** Which invocation a ledger line is about. */
export interface Invocation {
  /** Hookline's event id. */
  readonly id: string;
  /** The provider's delivery number (from the payload), -1 when absent. */
  readonly n: number;
  /** The attempt number the runtime gave the invocation. */
  readonly a: number;
}

export type LedgerEntry = Invocation & {
  /** The process that wrote it. */
  readonly p: number;
  /** Epoch milliseconds. */
  readonly t: number;
} & (
    | { readonly k: 'start' | 'throw' | 'unheld' }
    /** `late`: the invocation's deadline had passed, so its lock had lapsed. */
    | { readonly k: 'effect'; readonly late: boolean }
    /** `awaiting`: effects of this process still waiting for their settle write when it froze. */
    | { readonly k: 'hold'; readonly awaiting: number }
  );

type NewEntry =
  | (Invocation & { readonly k: 'start' | 'throw' | 'unheld' })
  | (Invocation & { readonly k: 'effect'; readonly late: boolean })
  | (Invocation & { readonly k: 'hold'; readonly awaiting: number });

/** Appends one line to this process's ledger (synchronously: it survives a SIGKILL right after). */
export function appendLedger(dir: string, entry: NewEntry): void {
  appendFileSync(
    ledgerFile(dir, process.pid),
    `${JSON.stringify({ ...entry, p: process.pid, t: Date.now() })}\n`,
  );
}

/** Every ledger line of the run, and how many lines could not be read (a torn last line). */
export function readLedgers(dir: string): { entries: LedgerEntry[]; unreadable: number } {
  const entries: LedgerEntry[] = [];
  let unreadable = 0;
  for (const file of readdirSync(dir).filter((name) => /^ledger-\d+\.jsonl$/.test(name))) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      if (line === '') continue;
      try {
        entries.push(JSON.parse(line) as LedgerEntry);
      } catch {
        unreadable += 1;
      }
    }
  }
  return { entries, unreadable };
}

/** Every consumer process's HTTP attempts, as counted by its injector. */
export function readAttemptLogs(dir: string): AttemptTally {
  const tally = new AttemptTally();
  for (const file of readdirSync(dir).filter((name) => /^attempts-\d+\.log$/.test(name))) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      const attempt = parseAttemptLine(line);
      if (attempt !== undefined) tally.add(attempt);
    }
  }
  return tally;
}

/** A message SQS handed out whose ReceiveMessage reply never reached its consumer. */
export interface LostReceive {
  /** The consumer process that asked. */
  readonly pid: number;
  /** Epoch milliseconds. */
  readonly at: number;
  readonly id: string;
}

/** Logs the event of each message in a ReceiveMessage reply that was kept from its caller. */
export function logLostReceive(dir: string, reply: string): void {
  let messages: unknown;
  try {
    messages = (JSON.parse(reply) as { Messages?: unknown }).Messages;
  } catch {
    return;
  }
  if (!Array.isArray(messages)) return;
  const lines = messages.map((message: { Body?: unknown }) => {
    let id = '(unreadable)';
    try {
      const envelope = JSON.parse(String(message.Body)) as { id?: unknown };
      if (typeof envelope.id === 'string') id = envelope.id;
    } catch {
      // Not an envelope: logged as unreadable.
    }
    return `${Date.now()} ${id}\n`;
  });
  if (lines.length > 0) appendFileSync(lostReceiveFile(dir, process.pid), lines.join(''));
}

/** Every lost receive of the run, by event id. */
export function readLostReceives(dir: string): Map<string, LostReceive[]> {
  const lost = new Map<string, LostReceive[]>();
  for (const file of readdirSync(dir)) {
    const pid = Number(/^lost-receives-(\d+)\.log$/.exec(file)?.[1]);
    if (!Number.isInteger(pid)) continue;
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      const [at, id] = line.split(' ');
      if (at === undefined || id === undefined) continue;
      const receive = { pid, at: Number(at), id };
      const list = lost.get(id);
      if (list === undefined) lost.set(id, [receive]);
      else list.push(receive);
    }
  }
  return lost;
}

/** Longest a held process waits for its SIGKILL before it carries on (the proof gave up on it). */
const HOLD_TIMEOUT_MS = 30_000;

/** True when the proof has armed this process for a kill. */
export function killArmed(dir: string): boolean {
  return existsSync(armFile(dir, process.pid));
}

/**
 * Freezes this whole process where it stands (no other invocation, settle write or receive moves
 * on) and tells the proof, which SIGKILLs it. Carries on only if no kill came in time.
 */
export function holdForKill(dir: string, invocation: Invocation): void {
  rmSync(armFile(dir, process.pid), { force: true });
  const hold: NewEntry = { k: 'hold', ...invocation, awaiting: effectsAwaitingSettle().size };
  appendLedger(dir, hold);
  writeFileSync(heldFile(dir, process.pid), JSON.stringify(hold));
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, HOLD_TIMEOUT_MS);
  appendLedger(dir, { k: 'unheld', ...invocation });
}

/** The proof's side of the hand-shake: arm `pid`, see whether it holds, and clean up. */
export const killHandshake = {
  arm(dir: string, pid: number): void {
    writeFileSync(armFile(dir, pid), '');
  },
  disarm(dir: string, pid: number): void {
    rmSync(armFile(dir, pid), { force: true });
  },
  /** The hold line of a process that froze for its kill, or undefined while it has not. */
  held(dir: string, pid: number): (Invocation & { readonly awaiting: number }) | undefined {
    try {
      return JSON.parse(readFileSync(heldFile(dir, pid), 'utf8')) as Invocation & { awaiting: number };
    } catch {
      return undefined;
    }
  },
  clear(dir: string, pid: number): void {
    rmSync(heldFile(dir, pid), { force: true });
    rmSync(armFile(dir, pid), { force: true });
  },
};

const AWAITING_SETTLE = Symbol.for('hookline.proofs.faults.effectsAwaitingSettle');

/**
 * Event ids whose effect this process has run and whose settle call has not answered yet. Kept on
 * `globalThis`, so the preload and the handler module share it however each was loaded.
 */
export function effectsAwaitingSettle(): Set<string> {
  const holder = globalThis as unknown as Record<symbol, Set<string> | undefined>;
  let set = holder[AWAITING_SETTLE];
  if (set === undefined) {
    set = new Set();
    holder[AWAITING_SETTLE] = set;
  }
  return set;
}
