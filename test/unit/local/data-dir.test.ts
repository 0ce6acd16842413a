/**
 * The local stack's data directory (`claimDataDir`): one user at a time, a dead owner's file taken
 * over, `reset` emptying it only once it is ours.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimDataDir, type DataDir } from '../../../shared/local/data-dir.js';
import { LocalStackError } from '../../../shared/local/emulator-processes.js';
import { localDataDir, localStateFile } from '../../../shared/local-state/state-file.js';

let folder: string;
const claimed: DataDir[] = [];

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'hookline-data-dir-'));
});

afterEach(() => {
  for (const dir of claimed.splice(0)) dir.release();
  rmSync(folder, { recursive: true, force: true });
});

function claim(path: string, options: { reset?: boolean; alsoReset?: string[] } = {}): DataDir {
  const dir = claimDataDir(path, { configFile: join(folder, 'hookline.config.ts'), ...options });
  claimed.push(dir);
  return dir;
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ['-e', '0']);
  if (pid === undefined) throw new Error('no pid');
  return pid;
}

describe('localDataDir()', () => {
  it('is the data folder beside the state file', () => {
    const configFile = join(folder, 'hookline.config.ts');

    expect(localDataDir(configFile, {})).toBe(join(folder, '.hookline', 'data'));
    expect(localDataDir(configFile, { HOOKLINE_STATE_FILE: join(folder, 'other', 'state.json') })).toBe(
      join(folder, 'other', 'data'),
    );
    expect(localStateFile(configFile, {})).toBe(join(folder, '.hookline', 'local.json'));
  });
});

describe('claimDataDir()', () => {
  it('creates the directory and DynamoDB Local’s folder, and records this process as its owner', () => {
    const dir = claim(join(folder, 'data'));

    expect(existsSync(dir.dynamoDbPath)).toBe(true);
    const owner = JSON.parse(readFileSync(join(dir.path, 'owner.json'), 'utf8')) as { pid: number };
    expect(owner.pid).toBe(process.pid);
  });

  it('refuses a second claim in this process while the first holds it', () => {
    claim(join(folder, 'data'));

    expect(() => claim(join(folder, 'data'))).toThrow(/in use by another local stack in this process/);
  });

  it('refuses a directory a live process owns, naming it', () => {
    const path = join(folder, 'data');
    mkdirSync(path, { recursive: true });
    // The parent of this test process is alive and is not this process.
    writeFileSync(join(path, 'owner.json'), JSON.stringify({ pid: process.ppid }));

    let error: unknown;
    try {
      claim(path);
    } catch (caught: unknown) {
      error = caught;
    }

    expect(error).toBeInstanceOf(LocalStackError);
    expect((error as LocalStackError).code).toBe('already_running');
    expect((error as Error).message).toContain(`in use by process ${process.ppid}`);
    expect((error as Error).message).toContain('stop it first');
  });

  it('takes over the file of an owner that died (SIGKILL), keeping the data', () => {
    const path = join(folder, 'data');
    mkdirSync(join(path, 'dynamodb'), { recursive: true });
    writeFileSync(join(path, 'dynamodb', 'shared-local-instance.db'), 'kept');
    writeFileSync(join(path, 'owner.json'), JSON.stringify({ pid: deadPid() }));

    const dir = claim(path);

    expect(readFileSync(join(dir.dynamoDbPath, 'shared-local-instance.db'), 'utf8')).toBe('kept');
  });

  it('can be claimed again once released', () => {
    claim(join(folder, 'data')).release();

    expect(() => claim(join(folder, 'data'))).not.toThrow();
  });

  it('with reset, deletes the kept database and the other paths given, once it is ours', () => {
    const path = join(folder, 'data');
    const bodies = join(folder, 'bodies');
    mkdirSync(join(path, 'dynamodb'), { recursive: true });
    mkdirSync(bodies, { recursive: true });
    writeFileSync(join(path, 'dynamodb', 'shared-local-instance.db'), 'kept');
    writeFileSync(join(bodies, 'big'), 'body');

    const dir = claim(path, { reset: true, alsoReset: [bodies] });

    expect(existsSync(dir.dynamoDbPath)).toBe(true);
    expect(existsSync(join(dir.dynamoDbPath, 'shared-local-instance.db'))).toBe(false);
    expect(existsSync(bodies)).toBe(false);
  });

  it('with reset, deletes nothing when another process holds the directory', () => {
    const path = join(folder, 'data');
    mkdirSync(join(path, 'dynamodb'), { recursive: true });
    writeFileSync(join(path, 'dynamodb', 'shared-local-instance.db'), 'kept');
    writeFileSync(join(path, 'owner.json'), JSON.stringify({ pid: process.ppid }));

    expect(() => claim(path, { reset: true })).toThrow(/in use/);
    expect(readFileSync(join(path, 'dynamodb', 'shared-local-instance.db'), 'utf8')).toBe('kept');
  });
});
