/**
 * The consumers of the fault-injection proof: `hookline worker` child processes (the real CLI, with
 * the proof's preload, faults-preload.ts), started against the emulators through the AWS SDK's
 * standard environment, killed with SIGKILL at a moment the proof chooses and replaced by a fresh
 * one, as a crashed Lambda container is. Their structured logs are drained and the warnings and
 * errors counted; a settle write that failed is remembered by event id.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Invocation, killHandshake } from './faults-child.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = join(ROOT, 'shared/cli/hookline.mjs');
const PRELOAD = new URL('./faults-preload.ts', import.meta.url).href;

/** How long a consumer may take to print that it is consuming (tsx and the SDK load first). */
const READY_TIMEOUT_MS = 60_000;
/** How long an armed consumer may take to reach the point the kill is aimed at. */
const HOLD_WAIT_MS = 15_000;
const HOLD_POLL_MS = 5;
/** How long a stopping consumer may take to finish its in-flight batches. */
const STOP_TIMEOUT_MS = 30_000;

export interface ConsumerPoolOptions {
  readonly configFile: string;
  /** The consumers' whole environment (endpoints, table, envelope key, the proof's settings). */
  readonly env: NodeJS.ProcessEnv;
  /** The run's folder (faults-child.ts). */
  readonly dir: string;
  /** Consumer processes running at once. */
  readonly processes: number;
  /** Receive loops per process (`hookline worker --concurrency`). */
  readonly loops: number;
  /** Picks the consumer to kill. */
  readonly random: () => number;
}

/** One SIGKILL: whom, when, and the invocation it froze at. */
export interface Kill {
  readonly pid: number;
  /** Epoch milliseconds. */
  readonly at: number;
  readonly held: Invocation & { readonly awaiting: number };
}

/** A settle write that failed, as its consumer logged it. */
export interface SettleFailure {
  readonly id: string;
  readonly errorName: string;
}

/** One step of an event through the consumers, from their logs. */
export interface TrailStep {
  readonly pid: number;
  /** Epoch milliseconds. */
  readonly at: number;
  /** What the runtime did: a status it recorded, or why it left or dropped the message. */
  readonly what: string;
  /** SQS's `ApproximateReceiveCount` of the message, when logged. */
  readonly receiveCount?: number;
}

/** The runtime's log lines that tell what became of a message, and how to name the step. */
const TRAIL_MESSAGES: Readonly<Record<string, string>> = {
  'message seen again while its attempt holds the lock; deferred': 'deferred: its own attempt holds the lock',
  'no time left in the invocation; left for redelivery': 'left for redelivery: no time left',
  'event locked by another consumer; copy dropped': 'copy dropped: locked by another consumer',
  'event already settled; copy dropped': 'copy dropped: already settled',
  'settle failed; left for redelivery': 'settle failed',
};

interface Consumer {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<unknown>;
  killed: boolean;
}

export class ConsumerPool {
  private readonly options: ConsumerPoolOptions;
  private readonly consumers = new Set<Consumer>();
  private readonly logCounts = new Map<string, number>();
  private readonly settleFailureList: SettleFailure[] = [];
  private readonly trails = new Map<string, TrailStep[]>();
  private unexpectedExits = 0;
  private started = 0;
  private stopping = false;
  private readonly killOnExit = () => {
    for (const consumer of this.consumers) consumer.child.kill('SIGKILL');
  };

  private constructor(options: ConsumerPoolOptions) {
    this.options = options;
    process.once('exit', this.killOnExit);
  }

  /** Starts `processes` consumers and resolves once each says it is consuming. */
  static async start(options: ConsumerPoolOptions): Promise<ConsumerPool> {
    const pool = new ConsumerPool(options);
    try {
      await Promise.all(Array.from({ length: options.processes }, () => pool.spawnConsumer()));
    } catch (error: unknown) {
      await pool.stop();
      throw error;
    }
    return pool;
  }

  /**
   * Arms a running consumer, waits until it freezes at the point the kill is aimed at, SIGKILLs it
   * and starts a replacement. Undefined when no consumer got there in time (nothing to process).
   */
  async kill(): Promise<Kill | undefined> {
    const running = [...this.consumers].filter((consumer) => !consumer.killed);
    const consumer = running[Math.floor(this.options.random() * running.length)];
    if (consumer === undefined) return undefined;
    const { dir } = this.options;
    killHandshake.arm(dir, consumer.pid);
    const held = await this.untilHeld(consumer.pid);
    if (held === undefined) return undefined;
    consumer.killed = true;
    consumer.child.kill('SIGKILL');
    const at = Date.now();
    await consumer.exited;
    killHandshake.clear(dir, consumer.pid);
    if (!this.stopping) void this.spawnConsumer().catch(() => {});
    return { pid: consumer.pid, at, held };
  }

  /** SIGTERM to every consumer (in-flight batches finish), SIGKILL to any still running after 30 s. */
  async stop(): Promise<void> {
    this.stopping = true;
    const consumers = [...this.consumers];
    for (const consumer of consumers) consumer.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const consumer of consumers) consumer.child.kill('SIGKILL');
    }, STOP_TIMEOUT_MS);
    await Promise.all(consumers.map((consumer) => consumer.exited));
    clearTimeout(timer);
    process.removeListener('exit', this.killOnExit);
  }

  /** Consumer processes started, replacements included. */
  processesStarted(): number {
    return this.started;
  }

  /** Consumers that exited without being killed or stopped (crashes). */
  crashes(): number {
    return this.unexpectedExits;
  }

  /** Warning and error lines the consumers logged, by level and message. */
  logs(): ReadonlyMap<string, number> {
    return this.logCounts;
  }

  settleFailures(): readonly SettleFailure[] {
    return this.settleFailureList;
  }

  /** What the consumers did with an event's messages, in the order they logged it. */
  trail(id: string): readonly TrailStep[] {
    return this.trails.get(id) ?? [];
  }

  private async untilHeld(pid: number): Promise<Kill['held'] | undefined> {
    const { dir } = this.options;
    const deadline = Date.now() + HOLD_WAIT_MS;
    while (Date.now() < deadline) {
      const held = killHandshake.held(dir, pid);
      if (held !== undefined) return held;
      await new Promise((wake) => setTimeout(wake, HOLD_POLL_MS));
    }
    killHandshake.disarm(dir, pid);
    // It may have read the arm just before it was removed.
    await new Promise((wake) => setTimeout(wake, 100));
    return killHandshake.held(dir, pid);
  }

  private async spawnConsumer(): Promise<void> {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const args = [
      ...['--import', tsx, '--import', PRELOAD, CLI, 'worker'],
      ...['--config', this.options.configFile, '--aws', '--wait', '1'],
      ...['--concurrency', String(this.options.loops)],
    ];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: this.options.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    if (child.pid === undefined) throw new Error('a consumer process could not be started');
    const consumer: Consumer = { child, pid: child.pid, exited: once(child, 'exit'), killed: false };
    this.consumers.add(consumer);
    this.started += 1;
    void consumer.exited.then(() => {
      this.consumers.delete(consumer);
      if (!consumer.killed && !this.stopping) {
        this.unexpectedExits += 1;
        void this.spawnConsumer().catch(() => {});
      }
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on(
      'data',
      lineReader((line) => this.readLog(consumer.pid, line)),
    );
    await this.untilConsuming(consumer);
  }

  private async untilConsuming(consumer: Consumer): Promise<void> {
    const { child } = consumer;
    let stdout = '';
    child.stdout?.setEncoding('utf8');
    const ready = new Promise<void>((resolve) => {
      child.stdout?.on('data', (chunk: string) => {
        if (stdout.length < 4096) stdout += chunk;
        if (stdout.includes('consuming')) resolve();
      });
    });
    let timer: NodeJS.Timeout | undefined;
    const failed = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('a consumer did not start in time')), READY_TIMEOUT_MS);
      void consumer.exited.then(() => reject(new Error(`a consumer exited while starting: ${stdout}`)));
    });
    try {
      await Promise.race([ready, failed]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Counts a WARN or ERROR line, remembers the event of a failed settle write, and adds the lines
   * about an event's message to its trail.
   */
  private readLog(pid: number, line: string): void {
    const counted = line.includes('"level":"WARN"') || line.includes('"level":"ERROR"');
    if (!counted && !line.includes('"eventId":"evt_')) return;
    let entry: LogEntry;
    try {
      entry = JSON.parse(line) as LogEntry;
    } catch {
      return;
    }
    const message = String(entry.message);
    if (counted) {
      const key = `${String(entry.level)} ${message}`;
      this.logCounts.set(key, (this.logCounts.get(key) ?? 0) + 1);
    }
    if (typeof entry.eventId !== 'string') return;
    if (message.startsWith('settle failed')) {
      this.settleFailureList.push({ id: entry.eventId, errorName: String(entry.errorName) });
    }
    const what =
      message === 'event state'
        ? `${String(entry.status)} (attempt ${String(entry.attempt)})`
        : TRAIL_MESSAGES[message];
    if (what === undefined) return;
    const step: TrailStep = {
      pid,
      at: Date.parse(String(entry.timestamp)),
      what,
      ...(typeof entry.receiveCount === 'number' && { receiveCount: entry.receiveCount }),
    };
    const trail = this.trails.get(entry.eventId);
    if (trail === undefined) this.trails.set(entry.eventId, [step]);
    else trail.push(step);
  }
}

/** The fields of the runtime's structured log lines the pool reads. */
interface LogEntry {
  readonly level?: unknown;
  readonly message?: unknown;
  readonly timestamp?: unknown;
  readonly eventId?: unknown;
  readonly status?: unknown;
  readonly attempt?: unknown;
  readonly receiveCount?: unknown;
  readonly errorName?: unknown;
}

/** Calls `onLine` with each complete line of a text stream. */
function lineReader(onLine: (line: string) => void): (chunk: string) => void {
  let rest = '';
  return (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
}
