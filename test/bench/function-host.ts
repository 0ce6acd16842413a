/**
 * A bundled Lambda function in its own Node process (function-host-child.ts), invoked one event at a
 * time like a Lambda execution environment: the CPU and wall time of each invocation are the
 * function's alone (not the bench's, the proxy's or the emulators'), and its log lines are captured.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { LambdaContextFields } from './lambda-env.js';
import { traceHeader } from './lambda-env.js';

export type HostRequest =
  | {
      readonly type: 'invoke';
      readonly id: number;
      readonly event: unknown;
      readonly context: LambdaContextFields;
      readonly traceHeader: string;
    }
  | { readonly type: 'exit' };

export type HostReply =
  | { readonly type: 'ready' }
  | ({
      readonly type: 'invoked';
      readonly id: number;
      readonly cpuMs: number;
      readonly wallMs: number;
      readonly output: string;
      readonly rssMb: number;
    } & ({ readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: string }));

/** One invocation, measured. Times `startedMs`/`endedMs` are this process's `performance.now()`. */
export interface Invocation {
  readonly result: unknown;
  /** CPU time of the function's process during the invocation (user + system, all threads). */
  readonly cpuMs: number;
  /** From the handler's call to its settling, in the function's process. */
  readonly wallMs: number;
  readonly startedMs: number;
  readonly endedMs: number;
  /** What the function wrote to stdout and stderr during the invocation. */
  readonly output: string;
  readonly rssMb: number;
}

export interface FunctionHostOptions {
  /** For messages: what runs here. */
  readonly name: string;
  /** The bundle (ESM, exporting `handler`). */
  readonly bundleFile: string;
  /** The whole environment of the process (nothing is inherited). */
  readonly env: Readonly<Record<string, string>>;
  readonly functionName: string;
  readonly memoryMb: number;
  readonly timeoutMs: number;
}

const CHILD = fileURLToPath(new URL('./function-host-child.ts', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const OUTPUT_TAIL = 3000;

export class FunctionHost {
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (reply: Extract<HostReply, { type: 'invoked' }>) => void; reject: (error: Error) => void }
  >();
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly options: FunctionHostOptions,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('message', (reply: HostReply) => {
      if (reply.type !== 'invoked') return;
      this.pending.get(reply.id)?.resolve(reply);
      this.pending.delete(reply.id);
    });
    child.on('exit', (code) => {
      for (const { reject } of this.pending.values()) {
        reject(new Error(`${options.name} exited (${String(code)}): ${this.output}`));
      }
      this.pending.clear();
    });
  }

  static async start(options: FunctionHostOptions): Promise<FunctionHost> {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const child = spawn(
      process.execPath,
      // --no-warnings: the SDK's Node 20 notice would land in the first invocation's log lines.
      ['--no-warnings', '--import', tsx, CHILD, pathToFileURL(options.bundleFile).href],
      { env: { ...options.env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
    );
    const host = new FunctionHost(child, options);
    const ready = new Promise<void>((resolve) => {
      child.on('message', (reply: HostReply) => {
        if (reply.type === 'ready') resolve();
      });
    });
    const exited = once(child, 'exit').then(([code]) => {
      throw new Error(`${options.name} exited (${String(code)}) before it was ready: ${host.output}`);
    });
    const timeout = new Promise<never>((_, reject) => {
      setTimeout(
        () => reject(new Error(`${options.name} not ready after ${READY_TIMEOUT_MS} ms`)),
        READY_TIMEOUT_MS,
      ).unref();
    });
    try {
      await Promise.race([ready, exited, timeout]);
    } catch (error: unknown) {
      child.kill('SIGKILL');
      throw error;
    }
    exited.catch(() => {});
    return host;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Runs one invocation; rejects when the handler threw (with its stack) or the process died. */
  async invoke(event: unknown, context: LambdaContextFields): Promise<Invocation> {
    const id = this.nextId++;
    const answered = new Promise<Extract<HostReply, { type: 'invoked' }>>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
    });
    const startedMs = performance.now();
    this.child.send({ type: 'invoke', id, event, context, traceHeader: traceHeader() } satisfies HostRequest);
    const reply = await answered;
    const endedMs = performance.now();
    if (!reply.ok) throw new Error(`${this.options.name} failed: ${reply.error}\n${reply.output}`);
    const { cpuMs, wallMs, output, rssMb } = reply;
    return { result: reply.result, cpuMs, wallMs, startedMs, endedMs, output, rssMb };
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.send({ type: 'exit' } satisfies HostRequest);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
