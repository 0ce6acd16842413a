/**
 * Runs the real `hookline` (`node shared/cli/hookline.mjs`) as a user does: piped, or on a
 * terminal through util-linux `script` (a pseudo-terminal for stdout and stderr both), with
 * standard input when given, without the caller's HOOKLINE_, AWS_ and NO_COLOR variables.
 */
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const CLI = join(ROOT, 'shared/cli/hookline.mjs');

export interface HooklineRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface HooklineOptions {
  readonly cwd?: string;
  /** Added to the environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Written to standard input, then closed. */
  readonly input?: string;
  /** Run on a pseudo-terminal: what the terminal showed is `stdout` (stderr merged, `\r\n` lines). */
  readonly tty?: boolean;
}

/** True where `script` (util-linux) can give the CLI a terminal. */
export const HAS_SCRIPT = spawnSync('script', ['--version']).status === 0;

function environment(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('HOOKLINE_') && !name.startsWith('AWS_') && name !== 'NO_COLOR',
    ),
  );
  return { ...inherited, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extra };
}

/** POSIX shell quoting of one word. */
function quote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Runs `hookline <args>`; resolves when it exits (60 s at most). */
export function hookline(args: readonly string[], options: HooklineOptions = {}): Promise<HooklineRun> {
  const [command, commandArgs] = options.tty
    ? ['script', ['-qec', [process.execPath, CLI, ...args].map(quote).join(' '), '/dev/null']]
    : [process.execPath, [CLI, ...args]];
  const child = spawn(command, commandArgs, {
    cwd: options.cwd ?? ROOT,
    env: environment(options.env),
    timeout: 60_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdin.end(options.input ?? '');
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** ANSI colour codes (`ESC [ n m`). */
export const COLOR_CODE = new RegExp(`${String.fromCharCode(27)}\\[\\d+m`);

/** A `hookline <args>` that keeps running (a tail, a console): its output so far, then its exit. */
export class RunningHookline {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = '';
  stderr = '';
  private readonly exited: Promise<number | null>;

  constructor(args: readonly string[], options: Pick<HooklineOptions, 'cwd' | 'env'> = {}) {
    this.child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: environment(options.env),
    });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.stdout += chunk.toString('utf8');
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString('utf8');
    });
    this.exited = once(this.child, 'exit').then(([code]) => code as number | null);
  }

  /** Complete stdout lines. */
  lines(): string[] {
    return this.stdout.split('\n').slice(0, -1);
  }

  /** Waits until `done` holds of the output (polled), or fails after `timeoutMs` with what it printed. */
  async until(done: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (this.child.exitCode !== null) {
        throw new Error(
          `hookline exited (${this.child.exitCode}) before ${what}:\n${this.stdout}${this.stderr}`,
        );
      }
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}:\n${this.stdout}${this.stderr}`);
      await new Promise((wake) => setTimeout(wake, 50));
    }
  }

  /** Resolves with the exit code (30 s at most, then SIGKILL). */
  exit(): Promise<number | null> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    return this.exited.finally(() => clearTimeout(timer));
  }

  /** Sends `signal` and resolves with the exit code. */
  stop(signal: NodeJS.Signals): Promise<number | null> {
    this.child.kill(signal);
    return this.exit();
  }
}
