/** `hookline` run as a user runs it, a child process against a local stack of a test project. */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';

const CLI = join(resolve(import.meta.dirname, '../..'), 'shared/cli/hookline.mjs');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `hookline <args> --config <configFile>` in `folder`, without the caller's HOOKLINE_ and AWS_ variables. */
export function runCli(
  args: readonly string[],
  options: { folder: string; configFile: string },
): Promise<CliRun> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('HOOKLINE_') && !name.startsWith('AWS_')),
  );
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CLI, ...args, '--config', options.configFile],
      {
        cwd: options.folder,
        env: { ...inherited, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
      },
    );
  });
}

/** Runs a `--json` command that must succeed and parses its one JSON document. */
export async function runCliJson<T>(
  args: readonly string[],
  options: { folder: string; configFile: string },
): Promise<T> {
  const run = await runCli([...args, '--json'], options);
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
}

/** Polls the local stack's admin API until event `id` has `status` (60 s at most). */
export async function waitForEventStatus(stackUrl: string, id: string, status: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await fetch(`${stackUrl}/_hookline/events/${id}`);
    const reply = (await response.json()) as { event?: { status: string } };
    if (reply.event?.status === status) return;
    if (Date.now() > deadline) throw new Error(`${id} never became ${status} (last: ${reply.event?.status})`);
    await new Promise((wake) => setTimeout(wake, 200));
  }
}
