import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DirectoryBodyStore, LOCAL_BODY_BUCKET } from '../../../shared/body-store/directory-body-store.js';
import { bodyStoreFromEnv } from '../../../shared/body-store/env.js';
import { BodyStoreError } from '../../../shared/body-store/errors.js';
import { S3BodyStore } from '../../../shared/body-store/s3-body-store.js';
import { ENV } from '../../../shared/env-names.js';
import type { BodyReference } from '../../../shared/envelope.js';
import { bodyKey } from '../../../shared/resources.js';
import { awsTestCredentials, freePort } from '../../helpers/emulators.js';
import { type FakeS3, startFakeS3 } from '../../helpers/fake-s3.js';

const THREE_MB = 3 * 1024 * 1024;

async function failure(promise: Promise<unknown>): Promise<BodyStoreError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof BodyStoreError)) throw new Error(`expected a BodyStoreError, got ${String(error)}`);
  return error;
}

describe('bodyKey()', () => {
  it('prefixes the event id with the route queue name', () => {
    expect(bodyKey('/order/status/', 'evt_01J')).toBe('order_status/evt_01J');
  });

  it.each(['../x', 'a/b', '', 'evt 1'])('refuses the event id %j', (id) => {
    expect(() => bodyKey('/order/status/', id)).toThrow(RangeError);
  });
});

describe('bodyStoreFromEnv()', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each([
    ['unset', {}],
    ['empty', { [ENV.bodyBucket]: '' }],
  ])('returns undefined, making no client, when %s is the bucket variable', (_, env) => {
    // Arrange
    const makeClient = vi.fn(() => ({ send: vi.fn() }));
    // Act
    const store = bodyStoreFromEnv(env, { client: makeClient });
    // Assert
    expect(store).toBeUndefined();
    expect(makeClient).not.toHaveBeenCalled();
  });

  it('returns an S3BodyStore writing to the named bucket through the given client', async () => {
    // Arrange
    const send = vi.fn(async () => ({}));
    // Act
    const store = bodyStoreFromEnv({ [ENV.bodyBucket]: 'hookline-bodies' }, { client: () => ({ send }) });
    const ref = await store?.put({ route: '/order/status/', eventId: 'evt_env', body: new Uint8Array(3) });
    // Assert
    expect(store).toBeInstanceOf(S3BodyStore);
    expect(store?.bucket).toBe('hookline-bodies');
    expect(ref).toEqual({ store: 's3', bucket: 'hookline-bodies', key: 'order_status/evt_env', size: 3 });
    expect(send).toHaveBeenCalledOnce();
  });

  it('reads process.env by default', () => {
    vi.stubEnv(ENV.bodyBucket, 'from-process-env');
    expect(bodyStoreFromEnv()?.bucket).toBe('from-process-env');
    vi.stubEnv(ENV.bodyBucket, '');
    expect(bodyStoreFromEnv()).toBeUndefined();
  });
});

describe('DirectoryBodyStore', () => {
  let base: string;
  let root: string;
  let store: DirectoryBodyStore;

  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'hookline-bodies-'));
    root = join(base, 'bodies');
    store = new DirectoryBodyStore({ root });
    return () => rm(base, { recursive: true, force: true });
  });

  it('writes a 3 MB binary body to <root>/<queueName>/<eventId> and reads the same bytes back', async () => {
    const body = randomBytes(THREE_MB);

    const ref = await store.put({ route: '/large/files/', eventId: 'evt_big', body });

    expect(ref).toEqual({
      store: 'local',
      bucket: LOCAL_BODY_BUCKET,
      key: 'large_files/evt_big',
      size: THREE_MB,
    });
    expect((await readFile(join(root, 'large_files', 'evt_big'))).equals(body)).toBe(true);
    expect(Buffer.from(await store.get(ref)).equals(body)).toBe(true);
  });

  it('leaves no temporary file behind and replaces an earlier body of the same event', async () => {
    await store.put({ route: '/large/', eventId: 'evt_1', body: Buffer.from('first') });

    const ref = await store.put({ route: '/large/', eventId: 'evt_1', body: Buffer.from('second') });

    expect(await readdir(join(root, 'large'))).toEqual(['evt_1']);
    expect(Buffer.from(await store.get(ref)).toString()).toBe('second');
  });

  it('reports a body that is not there as body_missing', async () => {
    const error = await failure(
      store.get({ store: 'local', bucket: 'local', key: 'large/evt_gone', size: 1 }),
    );

    expect(error.code).toBe('body_missing');
    expect(error.message).toContain('large/evt_gone');
  });

  it.each(['../outside', 'large/../../outside', '/etc/hostname', 'large//evt', 'large/./evt', '.'])(
    'refuses the key %j, which does not name a file inside the root',
    async (key) => {
      await writeFile(join(base, 'outside'), 'secret');

      const error = await failure(store.get({ store: 'local', bucket: 'local', key, size: 6 }));

      expect(error.code).toBe('body_missing');
      expect(error.message).toMatch(/does not name a file inside the body store/);
    },
  );

  it('refuses a reference to an S3 object', async () => {
    const error = await failure(store.get({ store: 's3', bucket: 'bodies', key: 'large/evt_1', size: 1 }));

    expect(error.code).toBe('body_missing');
    expect(error.message).toMatch(/not a local body/);
  });

  it('reports a write it cannot make as body_store_failed', async () => {
    const blocked = join(base, 'not-a-directory');
    await writeFile(blocked, '');
    const broken = new DirectoryBodyStore({ root: blocked });

    const error = await failure(broken.put({ route: '/large/', eventId: 'evt_1', body: Buffer.from('x') }));

    expect(error.code).toBe('body_store_failed');
    expect(error.message).toContain('evt_1');
  });

  it('reports a read it cannot make (not a missing file) as body_store_failed', async () => {
    await store.put({ route: '/large/', eventId: 'evt_1', body: Buffer.from('x') });

    const error = await failure(store.get({ store: 'local', bucket: 'local', key: 'large', size: 1 }));

    expect(error.code).toBe('body_store_failed');
  });

  describe('copy()', () => {
    it('copies a 3 MB body to the target event’s own file, which outlives the source', async () => {
      const body = randomBytes(THREE_MB);
      const source = await store.put({ route: '/large/files/', eventId: 'evt_original', body });

      const copy = await store.copy(source, { route: '/large/files/', eventId: 'evt_replay' });

      expect(copy).toEqual({
        store: 'local',
        bucket: LOCAL_BODY_BUCKET,
        key: 'large_files/evt_replay',
        size: THREE_MB,
      });
      expect((await readdir(join(root, 'large_files'))).sort()).toEqual(['evt_original', 'evt_replay']);
      await rm(join(root, 'large_files', 'evt_original'));
      expect(Buffer.from(await store.get(copy)).equals(body)).toBe(true);
    });

    it('creates the target route’s folder and replaces an earlier body of the target event', async () => {
      const source = await store.put({ route: '/a/', eventId: 'evt_1', body: Buffer.from('new') });
      await store.put({ route: '/b/', eventId: 'evt_2', body: Buffer.from('old') });
      const into = await store.copy(source, { route: '/c/', eventId: 'evt_3' });

      const over = await store.copy(source, { route: '/b/', eventId: 'evt_2' });

      expect(Buffer.from(await store.get(into)).toString()).toBe('new');
      expect(Buffer.from(await store.get(over)).toString()).toBe('new');
      expect(await readdir(join(root, 'b'))).toEqual(['evt_2']);
    });

    it('reports a source that is not there as body_missing and writes nothing', async () => {
      const error = await failure(
        store.copy(
          { store: 'local', bucket: 'local', key: 'large/evt_gone', size: 1 },
          { route: '/large/', eventId: 'evt_replay' },
        ),
      );

      expect(error.code).toBe('body_missing');
      expect(error.message).toContain('large/evt_gone');
      expect(await readdir(join(root, 'large'))).toEqual([]);
    });

    it('refuses an S3 source and a source key outside the root as body_missing', async () => {
      const s3Source = await failure(
        store.copy(
          { store: 's3', bucket: 'bodies', key: 'large/evt_1', size: 1 },
          { route: '/large/', eventId: 'evt_2' },
        ),
      );
      const outside = await failure(
        store.copy(
          { store: 'local', bucket: 'local', key: '../outside', size: 1 },
          { route: '/large/', eventId: 'evt_2' },
        ),
      );

      expect(s3Source.code).toBe('body_missing');
      expect(s3Source.message).toMatch(/not a local body/);
      expect(outside.code).toBe('body_missing');
    });

    it('throws a RangeError for a target id that cannot name a body', async () => {
      const source = await store.put({ route: '/large/', eventId: 'evt_1', body: Buffer.from('x') });

      await expect(store.copy(source, { route: '/large/', eventId: '../evt' })).rejects.toBeInstanceOf(
        RangeError,
      );
    });

    it('reports a copy it cannot write as body_store_failed and leaves no temporary file', async () => {
      const source = await store.put({ route: '/large/', eventId: 'evt_1', body: Buffer.from('x') });
      // The target route's folder cannot be made: a file has its name.
      await writeFile(join(root, 'blocked'), '');

      const error = await failure(store.copy(source, { route: '/blocked/', eventId: 'evt_2' }));

      expect(error.code).toBe('body_store_failed');
      expect(error.message).toContain('evt_2');
      expect((await readdir(root)).sort()).toEqual(['blocked', 'large']);
      expect(await readdir(join(root, 'large'))).toEqual(['evt_1']);
    });
  });
});

describe('S3BodyStore (real SDK against an S3-speaking HTTP server)', () => {
  let s3: FakeS3;
  let client: S3Client;
  let store: S3BodyStore;

  beforeAll(async () => {
    s3 = await startFakeS3();
    client = new S3Client({
      ...awsTestCredentials,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      maxAttempts: 1,
    });
    store = new S3BodyStore({ client, bucket: 'hookline-bodies' });
  });

  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
  });

  it('puts a 3 MB body as one object under <queueName>/<eventId> with its content type, and gets it back', async () => {
    const body = randomBytes(THREE_MB);

    const ref = await store.put({
      route: '/order/status/',
      eventId: 'evt_s3',
      body,
      contentType: 'application/octet-stream',
    });

    expect(ref).toEqual({
      store: 's3',
      bucket: 'hookline-bodies',
      key: 'order_status/evt_s3',
      size: THREE_MB,
    });
    const put = s3.requests.filter((request) => request.method === 'PUT');
    expect(put.map((request) => request.path)).toEqual(['/hookline-bodies/order_status/evt_s3']);
    expect(put[0]?.headers['x-amz-checksum-crc32']).toBeDefined();
    expect(s3.objects.get('hookline-bodies/order_status/evt_s3')?.contentType).toBe(
      'application/octet-stream',
    );
    expect(Buffer.from(await store.get(ref)).equals(body)).toBe(true);
  });

  it('reads from the bucket the reference names', async () => {
    s3.objects.set('older-bucket/order_status/evt_old', { body: Buffer.from('kept') });

    const bytes = await store.get({
      store: 's3',
      bucket: 'older-bucket',
      key: 'order_status/evt_old',
      size: 4,
    });

    expect(Buffer.from(bytes).toString()).toBe('kept');
  });

  it('maps 404 NoSuchKey to body_missing', async () => {
    const ref: BodyReference = {
      store: 's3',
      bucket: 'hookline-bodies',
      key: 'order_status/evt_none',
      size: 1,
    };

    const error = await failure(store.get(ref));

    expect(error.code).toBe('body_missing');
    expect(error.message).toContain('s3://hookline-bodies/order_status/evt_none');
  });

  it.each([
    [500, 'InternalError'],
    [503, 'SlowDown'],
    [403, 'AccessDenied'],
  ])('maps a %i %s answer to body_store_failed, on read and on write', async (status, code) => {
    s3.failNext(2, status, code);

    const read = await failure(
      store.get({ store: 's3', bucket: 'hookline-bodies', key: 'order_status/evt_s3', size: 1 }),
    );
    const write = await failure(
      store.put({ route: '/order/status/', eventId: 'evt_w', body: Buffer.from('x') }),
    );

    expect(read.code).toBe('body_store_failed');
    expect(read.message).toContain(code);
    expect(write.code).toBe('body_store_failed');
    expect(write.message).toContain('evt_w');
  });

  it('maps an unreachable endpoint to body_store_failed', async () => {
    const down = new S3Client({
      ...awsTestCredentials,
      endpoint: `http://127.0.0.1:${await freePort()}`,
      forcePathStyle: true,
      maxAttempts: 1,
    });
    const unreachable = new S3BodyStore({ client: down, bucket: 'hookline-bodies' });

    const error = await failure(
      unreachable.put({ route: '/order/status/', eventId: 'evt_1', body: Buffer.from('x') }),
    );

    expect(error.code).toBe('body_store_failed');
    down.destroy();
  });

  it('refuses a local reference', async () => {
    const error = await failure(
      store.get({ store: 'local', bucket: 'local', key: 'order_status/evt_1', size: 1 }),
    );

    expect(error.code).toBe('body_missing');
  });

  describe('copy()', () => {
    const copies = () =>
      s3.requests.filter((request) => request.method === 'PUT' && 'x-amz-copy-source' in request.headers);

    it('copies a 3 MB body within S3 to the target event’s key, keeping its content type, without sending the bytes', async () => {
      const body = randomBytes(THREE_MB);
      const source = await store.put({
        route: '/order/status/',
        eventId: 'evt_original',
        body,
        contentType: 'application/octet-stream',
      });
      const before = copies().length;

      const copy = await store.copy(source, { route: '/order/status/', eventId: 'evt_replay' });

      expect(copy).toEqual({
        store: 's3',
        bucket: 'hookline-bodies',
        key: 'order_status/evt_replay',
        size: THREE_MB,
      });
      const [request] = copies().slice(before);
      expect(request?.path).toBe('/hookline-bodies/order_status/evt_replay');
      expect(request?.headers['x-amz-copy-source']).toBe('hookline-bodies/order_status/evt_original');
      expect(Number(request?.headers['content-length'] ?? 0)).toBe(0);
      expect(s3.objects.get('hookline-bodies/order_status/evt_replay')?.contentType).toBe(
        'application/octet-stream',
      );
      s3.objects.delete('hookline-bodies/order_status/evt_original');
      expect(Buffer.from(await store.get(copy)).equals(body)).toBe(true);
    });

    it('URL-encodes the copy source, and copies from the bucket the reference names into its own', async () => {
      const key = "order_status/with space+plus%ü(1)!'*";
      s3.objects.set(`older-bucket/${key}`, { body: Buffer.from('kept') });
      const before = copies().length;

      const copy = await store.copy(
        { store: 's3', bucket: 'older-bucket', key, size: 4 },
        { route: '/order/status/', eventId: 'evt_encoded' },
      );

      expect(copies().slice(before)[0]?.headers['x-amz-copy-source']).toBe(
        'older-bucket/order_status/with%20space%2Bplus%25%C3%BC%281%29%21%27%2A',
      );
      expect(copy).toMatchObject({ bucket: 'hookline-bodies', key: 'order_status/evt_encoded' });
      expect(Buffer.from(await store.get(copy)).toString()).toBe('kept');
    });

    it('maps a missing source (404 NoSuchKey) to body_missing and writes nothing', async () => {
      const error = await failure(
        store.copy(
          { store: 's3', bucket: 'hookline-bodies', key: 'order_status/evt_gone', size: 1 },
          { route: '/order/status/', eventId: 'evt_never' },
        ),
      );

      expect(error.code).toBe('body_missing');
      expect(error.message).toContain('s3://hookline-bodies/order_status/evt_gone');
      expect(s3.objects.has('hookline-bodies/order_status/evt_never')).toBe(false);
    });

    it.each([
      [500, 'InternalError'],
      [503, 'SlowDown'],
      [403, 'AccessDenied'],
    ])('maps a %i %s answer to body_store_failed', async (status, code) => {
      s3.objects.set('hookline-bodies/order_status/evt_src', { body: Buffer.from('x') });
      s3.failNext(1, status, code);

      const error = await failure(
        store.copy(
          { store: 's3', bucket: 'hookline-bodies', key: 'order_status/evt_src', size: 1 },
          { route: '/order/status/', eventId: 'evt_failed' },
        ),
      );

      expect(error.code).toBe('body_store_failed');
      expect(error.message).toContain(code);
      expect(error.message).toContain('evt_failed');
      expect(s3.objects.has('hookline-bodies/order_status/evt_failed')).toBe(false);
    });

    it('refuses a local reference as body_missing without calling S3', async () => {
      const before = s3.requests.length;

      const error = await failure(
        store.copy(
          { store: 'local', bucket: 'local', key: 'order_status/evt_1', size: 1 },
          { route: '/order/status/', eventId: 'evt_2' },
        ),
      );

      expect(error.code).toBe('body_missing');
      expect(s3.requests.length).toBe(before);
    });
  });
});
