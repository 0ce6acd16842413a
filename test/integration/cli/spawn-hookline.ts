/**
 * Runs the real `hookline` (`node shared/cli/hookline.mjs`) as a user does: piped, or on a
 * terminal through util-linux `script` (a pseudo-terminal for stdout and stderr both), with
 * standard input when given, without the caller's HOOKLINE_, AWS_ and NO_COLOR variables.
 */
import { spawn, spawnSync } from 'node:child_process';
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
