/**
 * The local stack's data directory (`.hookline/data/` beside the state file, see
 * `localDataDir`): DynamoDB Local's database (`dynamodb/`), kept between runs, and an owner file
 * (`owner.json`) that makes one process at a time its user.
 *
 * The state file already refuses a second `hookline dev` for the same config, but only once the
 * first one is ready, and not one started with another HOOKLINE_STATE_FILE in the same folder. The
 * owner file is taken first thing, atomically (`O_EXCL`), so two stacks never open one database,
 * not even when started at the same moment. A file left by a process that died (SIGKILL, power
 * loss) is taken over once its pid no longer runs.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isProcessAlive } from '../local-state/state-file.js';
import { LocalStackError } from './emulator-processes.js';

/** DynamoDB Local's `-dbPath` folder in the data directory. */
const DYNAMODB_DIR = 'dynamodb';
/** The owner file in the data directory. */
const OWNER_FILE = 'owner.json';

/** Data directories this process holds, so a second stack in the same process is refused too. */
const HELD = new Set<string>();

export interface DataDir {
  /** The data directory, absolute. */
  readonly path: string;
  /** DynamoDB Local's `-dbPath`: exists once claimed. */
  readonly dynamoDbPath: string;
  /** Removes the owner file (idempotent); the data stays. */
  release(): void;
}

interface Owner {
  readonly pid: number;
  readonly startedAt: string;
  readonly configFile: string;
}

/**
 * Makes this process the data directory's only user, creating it as needed. With `reset`, deletes
 * what it holds first (and every path in `alsoReset`, e.g. the body store), once it is ours: a
 * reset never pulls the data from under a running stack.
 * @throws LocalStackError `already_running` when another live process holds it
 */
export function claimDataDir(
  path: string,
  options: { readonly configFile: string; readonly reset?: boolean; readonly alsoReset?: readonly string[] },
): DataDir {
  const dir = resolve(path);
  const ownerFile = join(dir, OWNER_FILE);
  if (HELD.has(dir)) throw inUse(dir, process.pid);
  mkdirSync(dir, { recursive: true });
  const owner: Owner = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    configFile: options.configFile,
  };
  // Two tries: the second after removing the file of an owner that no longer runs.
  for (let tries = 1; ; tries += 1) {
    try {
      writeFileSync(ownerFile, `${JSON.stringify(owner, null, 2)}\n`, { flag: 'wx' });
      break;
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = readOwner(ownerFile);
      const live = holder !== undefined && holder !== process.pid && isProcessAlive(holder);
      // A second EEXIST: another stack took the stale file over at the same moment.
      if (live || tries > 1) throw inUse(dir, holder);
      rmSync(ownerFile, { force: true });
    }
  }
  HELD.add(dir);
  const dynamoDbPath = join(dir, DYNAMODB_DIR);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    HELD.delete(dir);
    rmSync(ownerFile, { force: true });
  };
  // A process that exits without stopping its stack (uncaught error, process.exit) lets go too.
  process.once('exit', release);
  try {
    if (options.reset === true) {
      rmSync(dynamoDbPath, { recursive: true, force: true });
      for (const other of options.alsoReset ?? []) rmSync(other, { recursive: true, force: true });
    }
    mkdirSync(dynamoDbPath, { recursive: true });
  } catch (error: unknown) {
    release();
    throw error;
  }
  return { path: dir, dynamoDbPath, release };
}

/** The owner's pid, or undefined when the file is unreadable (a write cut short: nobody's). */
function readOwner(file: string): number | undefined {
  try {
    const { pid } = JSON.parse(readFileSync(file, 'utf8')) as Partial<Owner>;
    return typeof pid === 'number' && Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function inUse(dir: string, pid: number | undefined): LocalStackError {
  const who =
    pid === process.pid
      ? 'another local stack in this process'
      : pid === undefined
        ? 'another process'
        : `process ${pid}`;
  return new LocalStackError(
    'already_running',
    `a local stack for this config is already running: its data directory ${dir} is in use by ${who}; stop it first`,
  );
}
