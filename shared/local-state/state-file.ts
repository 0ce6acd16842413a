/**
 * `.hookline/local.json`: what a running `hookline dev` stack exposes to other commands on the same
 * machine (`hookline process`, `hookline worker`, the admin commands, tests): the HTTP and admin API
 * URLs, emulator endpoints, the table name, each route's queue URLs and the pids of the processes
 * that make up the stack. Written once the stack is ready, removed when it stops. It lives in a `.hookline/` folder next to the config file, so two
 * configs in two folders can each run a stack.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DEFAULT_CONFIG_FILE } from '../config/load.js';
import { errorMessage, HooklineError } from '../errors.js';

/** The folder, next to the config file, that holds the state file. */
const LOCAL_STATE_DIR = '.hookline';
/** The state file's name in `LOCAL_STATE_DIR`. */
const LOCAL_STATE_FILE = 'local.json';
/** The folder in `LOCAL_STATE_DIR` where the local stack and local workers keep large bodies. */
const LOCAL_BODY_DIR = 'bodies';
/** The folder, beside the state file, where the local stack keeps its table between runs. */
const LOCAL_DATA_DIR = 'data';

/** `<config folder>/.hookline/bodies`: where the local stack and local workers keep bodies. */
export function localBodyRoot(configFile: string): string {
  return join(dirname(resolve(configFile)), LOCAL_STATE_DIR, LOCAL_BODY_DIR);
}

/**
 * Region and static placeholder credentials for SDK clients talking to the local emulators
 * (DynamoDB Local rejects access key ids with anything but letters and digits).
 */
export const LOCAL_AWS = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'hooklinelocal', secretAccessKey: 'hooklinelocal' },
} as const;

/** A route's queues in the local SQS emulator. */
export interface LocalQueueState {
  readonly queueName: string;
  readonly queueUrl: string;
  readonly dlqUrl: string;
}

/** What a running local stack writes to its state file. */
export interface LocalState {
  readonly version: 1;
  /** The `hookline dev` process. */
  readonly pid: number;
  readonly startedAt: string;
  /** Absolute path of the config the stack runs. */
  readonly configFile: string;
  /** Base URL of the HTTP ingress, e.g. `http://127.0.0.1:3000`. */
  readonly httpUrl: string;
  /** URL of the admin API, e.g. `http://127.0.0.1:3000/_hookline` (loopback callers only): what the CLI calls. */
  readonly adminUrl: string;
  readonly sqsEndpoint: string;
  readonly dynamoEndpoint: string;
  readonly region: string;
  readonly tableName: string;
  /** Keyed by route path as written in the config, e.g. `/order/status/`. */
  readonly queues: Readonly<Record<string, LocalQueueState>>;
  /** Child processes: the SQS emulator (Node) and DynamoDB Local (Java). */
  readonly processes: { readonly sqs: number; readonly dynamodb: number };
}

/** The state file exists but is not one (not JSON, or not the shape `LocalState` describes). */
export class LocalStateError extends HooklineError<'local_state_invalid'> {
  override name = 'LocalStateError';

  constructor(message: string) {
    super('local_state_invalid', message);
  }
}

/** Overrides the state file's path (e.g. two stacks of one config, or a test next to a running stack). */
const LOCAL_STATE_FILE_ENV = 'HOOKLINE_STATE_FILE';

/**
 * Where the stack for `configFile` keeps its state: HOOKLINE_STATE_FILE when set, else
 * `<config folder>/.hookline/local.json`.
 */
export function localStateFile(
  configFile: string = DEFAULT_CONFIG_FILE,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const override = env[LOCAL_STATE_FILE_ENV];
  if (override !== undefined && override !== '') return resolve(override);
  return join(dirname(resolve(configFile)), LOCAL_STATE_DIR, LOCAL_STATE_FILE);
}

/**
 * Where the stack for `configFile` keeps its data between runs (DynamoDB Local's database): the
 * `data` folder beside its state file, so `<config folder>/.hookline/data` unless
 * HOOKLINE_STATE_FILE moves the state file (then beside it: two stacks of one config, each with its
 * own state file in its own folder, keep apart).
 */
export function localDataDir(
  configFile: string = DEFAULT_CONFIG_FILE,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  return join(dirname(localStateFile(configFile, env)), LOCAL_DATA_DIR);
}

/** The state file's content, or undefined when there is none. Throws LocalStateError when unreadable. */
export function readLocalState(file: string): LocalState | undefined {
  if (!existsSync(file)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error: unknown) {
    throw new LocalStateError(`${file} is not valid JSON (${errorMessage(error)})`);
  }
  if (!isLocalState(value)) {
    throw new LocalStateError(
      `${file} is not a hookline local state file (delete it and restart hookline dev)`,
    );
  }
  return value;
}

/** Whether the `hookline dev` process that wrote the state still runs (a hard kill leaves the file). */
export function isLocalStateLive(state: Pick<LocalState, 'pid'>): boolean {
  return isProcessAlive(state.pid);
}

/** Writes the file atomically (temporary file, then rename), creating `.hookline/` as needed. */
export function writeLocalState(file: string, state: LocalState): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temporary, file);
}

/** Removes the file if present, and its `.hookline/` folder when that is left empty. */
export function removeLocalState(file: string): void {
  rmSync(file, { force: true });
  if (basename(dirname(file)) !== LOCAL_STATE_DIR) return;
  try {
    rmdirSync(dirname(file));
  } catch {
    // Not empty, or already gone.
  }
}

/** Whether a process with this pid exists (`kill(pid, 0)`). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isLocalState(value: unknown): value is LocalState {
  if (typeof value !== 'object' || value === null) return false;
  const state = value as Record<string, unknown>;
  const queues = state.queues;
  return (
    state.version === 1 &&
    typeof state.pid === 'number' &&
    typeof state.sqsEndpoint === 'string' &&
    typeof state.dynamoEndpoint === 'string' &&
    typeof state.tableName === 'string' &&
    typeof state.adminUrl === 'string' &&
    typeof queues === 'object' &&
    queues !== null &&
    Object.values(queues).every(
      (queue: unknown) =>
        typeof queue === 'object' &&
        queue !== null &&
        typeof (queue as Record<string, unknown>).queueUrl === 'string' &&
        typeof (queue as Record<string, unknown>).dlqUrl === 'string',
    )
  );
}
