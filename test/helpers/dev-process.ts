/**
 * `hookline dev` as a user runs it, for the e2e tests: `node shared/cli/hookline.mjs dev …` as a
 * child process on free ports, its output kept line by line. `killDevProcesses()` (in an
 * `afterEach`) SIGKILLs whatever a failed test left running: the CLIs started here and the pids
 * given to `trackPid` (their emulators, read from the state file).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { freePort } from './emulators.js';

const REPO = resolve(import.meta.dirname, '../..');
const CLI = join(REPO, 'shared/cli/hookline.mjs');
const STOP_TIMEOUT_MS = 15_000;

export type ExitStatus = { code: number | null; signal: NodeJS.Signals | null };

export interface DevProcess {
  readonly child: ChildProcess;
  readonly ports: { readonly http: number; readonly sqs: number; readonly dynamoDb: number };
  /** `http://127.0.0.1:<http port>`. */
  readonly base: string;
  /** Complete stdout lines so far. */
  readonly stdout: string[];
  readonly stderr: () => string;
  readonly exit: Promise<ExitStatus>;
  /** Resolves with the first stdout line matching, or rejects after `timeoutMs` (with the output). */
  waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<string>;
}

const running: DevProcess[] = [];
const pids: number[] = [];

/** Starts `hookline dev <args>` from the repository root, `env` added to this process's own. */
export async function startDevProcess(
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<DevProcess> {
  const ports = { http: await freePort(), sqs: await freePort(), dynamoDb: await freePort() };
  const { HOOKLINE_CONFIG: _config, HOOKLINE_STATE_FILE: _state, ...inherited } = process.env;
  const child = spawn(process.execPath, [CLI, 'dev', ...args], {
    cwd: REPO,
    env: {
      ...inherited,
      PORT: String(ports.http),
      HOOKLINE_SQS_PORT: String(ports.sqs),
      HOOKLINE_DYNAMODB_PORT: String(ports.dynamoDb),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  let stderr = '';
  const waiters = new Set<() => void>();
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    stdout.push(...lines);
    for (const waiter of waiters) waiter();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exit = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
      for (const waiter of waiters) waiter();
    });
  });
  const output = () => `stdout:\n${stdout.join('\n')}\nstderr:\n${stderr}`;
  const dev: DevProcess = {
    child,
    ports,
    base: `http://127.0.0.1:${ports.http}`,
    stdout,
    stderr: () => stderr,
    exit,
    waitForLine(match, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = stdout.find(match);
          if (line !== undefined) return finish(() => resolve(line));
          if (child.exitCode !== null || child.signalCode !== null) {
            return finish(() => reject(new Error(`hookline dev exited early\n${output()}`)));
          }
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`no such line within ${timeoutMs} ms\n${output()}`))),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
  };
  running.push(dev);
  return dev;
}

/** SIGINT, then the exit status (or a failure after 15 s). */
export async function interrupt(dev: DevProcess): Promise<ExitStatus> {
  dev.child.kill('SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no exit within ${STOP_TIMEOUT_MS} ms of SIGINT`)),
      STOP_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([dev.exit, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A process `killDevProcesses()` must not leave behind (an emulator of a started stack). */
export function trackPid(...pid: number[]): void {
  pids.push(...pid);
}

/** SIGKILLs every CLI started here that still runs and every tracked pid (gone ones are skipped). */
export function killDevProcesses(): void {
  for (const dev of running.splice(0)) {
    if (dev.child.exitCode === null && dev.child.signalCode === null) dev.child.kill('SIGKILL');
  }
  for (const pid of pids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone (the expected case).
    }
  }
}
