import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient } from '../../../shared/cli/admin-client.js';
import { connect } from '../../../shared/cli/connect.js';
import { fetchFailureReason } from '../../../shared/cli/fetch-failure.js';
import { type LocalState, writeLocalState } from '../../../shared/local-state/state-file.js';

describe('AdminClient.url()', () => {
  const admin = new AdminClient({ adminUrl: 'https://api.example.com/prod/_hookline/' });

  it.each([
    ['/_hookline/routes', 'https://api.example.com/prod/_hookline/routes'],
    ['/routes', 'https://api.example.com/prod/_hookline/routes'],
    ['/_hookline/events/evt%2F1', 'https://api.example.com/prod/_hookline/events/evt%2F1'],
  ])('resolves %s under the admin URL', (path, url) => {
    expect(admin.url(path).toString()).toBe(url);
  });

  it('adds the query, leaving out undefined values', () => {
    expect(admin.url('/_hookline/events', { route: '/a/', limit: 5, cursor: undefined }).search).toBe(
      '?route=%2Fa%2F&limit=5',
    );
  });
});

describe('fetchFailureReason()', () => {
  it.each([
    ['a timeout', Object.assign(new Error('aborted'), { name: 'TimeoutError' }), 'timed out'],
    [
      'a system error',
      new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }),
      'ECONNREFUSED',
    ],
    ['a cause without code', new TypeError('fetch failed', { cause: new Error('bad port') }), 'bad port'],
    ['a plain error', new Error('boom'), 'boom'],
    ['a non-error', 'nope', 'nope'],
  ])('names %s', (_, error, reason) => {
    expect(fetchFailureReason(error)).toBe(reason);
  });
});

describe('connect() to a local stack', () => {
  let folder: string | undefined;

  afterEach(() => {
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
    folder = undefined;
  });

  function stateFile(state: Partial<LocalState>): string {
    folder = mkdtempSync(join(tmpdir(), 'hookline-connect-'));
    const file = join(folder, 'local.json');
    writeLocalState(file, {
      version: 1,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      configFile: join(folder, 'hookline.config.ts'),
      httpUrl: 'http://127.0.0.1:3999',
      adminUrl: 'http://127.0.0.1:3999/_hookline',
      sqsEndpoint: 'http://127.0.0.1:9324',
      dynamoEndpoint: 'http://127.0.0.1:8000',
      region: 'us-east-1',
      tableName: 'events',
      queues: {},
      processes: { sqs: process.pid, dynamodb: process.pid },
      ...state,
    });
    return file;
  }

  it('calls the admin API at the adminUrl the stack wrote', async () => {
    const file = stateFile({ adminUrl: 'http://127.0.0.1:4999/_hookline' });

    const target = await connect({}, { env: { HOOKLINE_STATE_FILE: file } });

    expect(target.baseUrl).toBe('http://127.0.0.1:3999');
    expect(target.admin.url('/_hookline/routes').toString()).toBe('http://127.0.0.1:4999/_hookline/routes');
  });

  it('refuses a state file that names no admin API', async () => {
    const file = stateFile({});
    const { adminUrl: _dropped, ...withoutAdmin } = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify(withoutAdmin));

    await expect(connect({}, { env: { HOOKLINE_STATE_FILE: file } })).rejects.toThrow(
      /is not a hookline local state file/,
    );
  });
});
