import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bodyKey } from '../../shared/body-store/body-store.js';
import { DirectoryBodyStore, LOCAL_BODY_BUCKET } from '../../shared/body-store/directory-body-store.js';
import { BodyStoreError } from '../../shared/body-store/errors.js';
import { S3BodyStore } from '../../shared/body-store/s3-body-store.js';
import type { BodyReference } from '../../shared/envelope.js';
import { awsTestCredentials, freePort } from '../helpers/emulators.js';
import { type FakeS3, startFakeS3 } from '../helpers/fake-s3.js';

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
});
