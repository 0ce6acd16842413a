import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { BodyReference } from '../envelope.js';
import { describeError } from '../errors.js';
import { bodyKey } from '../resources.js';
import type { BodyCopyTarget, BodyPutInput, BodyStore } from './body-store.js';
import { BodyStoreError } from './errors.js';

/** The `bucket` of local body references: there is one directory, named by the store's root. */
export const LOCAL_BODY_BUCKET = 'local';
/** Options of `new DirectoryBodyStore()`. */
export interface DirectoryBodyStoreOptions {
  /** The directory standing in for the bucket; created on the first write. */
  readonly root: string;
}

/**
 * Bodies as files under a root directory (`<root>/<queueName>/<eventId>`), standing in for the S3
 * bucket on one machine. A write goes to a temporary file renamed into place, so a reader never
 * sees half a body. Keys that would resolve outside the root are refused.
 */
export class DirectoryBodyStore implements BodyStore {
  readonly root: string;

  constructor(options: DirectoryBodyStoreOptions) {
    this.root = resolve(options.root);
  }

  async put(input: BodyPutInput): Promise<BodyReference> {
    const key = bodyKey(input.route, input.eventId);
    const file = this.#fileOf(key);
    const temporary = `${file}.${randomUUID()}.tmp`;
    try {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(temporary, input.body, { flag: 'wx' });
      await rename(temporary, file);
    } catch (error: unknown) {
      await rm(temporary, { force: true }).catch(() => {});
      throw new BodyStoreError(
        'body_store_failed',
        `could not write the body of event ${input.eventId} under ${this.root}: ${describeError(error)}`,
        { cause: error },
      );
    }
    return { store: 'local', bucket: LOCAL_BODY_BUCKET, key, size: input.body.byteLength };
  }

  async get(ref: BodyReference): Promise<Uint8Array> {
    if (ref.store !== 'local') {
      throw new BodyStoreError(
        'body_missing',
        `body reference ${ref.store}:${ref.bucket}/${ref.key} is not a local body; this store reads ${this.root} only`,
      );
    }
    const file = this.#fileOf(ref.key);
    try {
      return await readFile(file);
    } catch (error: unknown) {
      if (errorCode(error) === 'ENOENT') {
        throw new BodyStoreError('body_missing', `no body "${ref.key}" under ${this.root}`, { cause: error });
      }
      throw new BodyStoreError(
        'body_store_failed',
        `could not read body "${ref.key}": ${describeError(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  /**
   * Copies the source file to a temporary file next to the target and renames it into place, so
   * a reader never sees half a copy.
   */
  async copy(ref: BodyReference, target: BodyCopyTarget): Promise<BodyReference> {
    if (ref.store !== 'local') {
      throw new BodyStoreError(
        'body_missing',
        `body reference ${ref.store}:${ref.bucket}/${ref.key} is not a local body; this store copies bodies under ${this.root} only`,
      );
    }
    const source = this.#fileOf(ref.key);
    const key = bodyKey(target.route, target.eventId);
    const file = this.#fileOf(key);
    const temporary = `${file}.${randomUUID()}.tmp`;
    let copying = false;
    try {
      await mkdir(dirname(file), { recursive: true });
      copying = true;
      await copyFile(source, temporary, constants.COPYFILE_EXCL);
      copying = false;
      await rename(temporary, file);
    } catch (error: unknown) {
      await rm(temporary, { force: true }).catch(() => {});
      // ENOENT while copying: the source is gone (the target's folder was just made).
      if (copying && errorCode(error) === 'ENOENT') {
        throw new BodyStoreError('body_missing', `no body "${ref.key}" under ${this.root} to copy`, {
          cause: error,
        });
      }
      throw new BodyStoreError(
        'body_store_failed',
        `could not copy body "${ref.key}" to "${key}" for event ${target.eventId}: ${describeError(error)}`,
        { cause: error },
      );
    }
    return { store: 'local', bucket: LOCAL_BODY_BUCKET, key, size: ref.size };
  }

  /** The file of `key`, refusing keys that are not plain relative paths inside the root. */
  #fileOf(key: string): string {
    const segments = key.split('/');
    const file = resolve(this.root, key);
    const inside = relative(this.root, file);
    if (
      segments.some((segment) => segment === '' || segment === '.' || segment === '..') ||
      key.includes('\\') ||
      key.includes('\0') ||
      inside === '' ||
      inside.startsWith('..') ||
      isAbsolute(inside)
    ) {
      throw new BodyStoreError(
        'body_missing',
        `body key ${JSON.stringify(key)} does not name a file inside the body store`,
      );
    }
    return file;
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}
