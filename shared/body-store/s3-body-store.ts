import {
  CopyObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { BodyReference } from '../envelope.js';
import { describeError } from '../errors.js';
import { bodyKey } from '../resources.js';
import type { BodyCopyTarget, BodyPutInput, BodyStore } from './body-store.js';
import { BodyStoreError } from './errors.js';

/** Options of `new S3BodyStore()`. */
export interface S3BodyStoreOptions {
  /** Any S3 client (only `send` is used); the caller owns it and destroys it. */
  readonly client: Pick<S3Client, 'send'>;
  /** The bucket new bodies are written to; reads use the bucket named in the reference. */
  readonly bucket: string;
}

/**
 * Bodies as S3 objects. Encryption is the bucket's default (the stack sets SSE-S3), so the
 * writer needs no KMS grant and the object carries no per-request encryption header.
 */
export class S3BodyStore implements BodyStore {
  readonly bucket: string;
  readonly #client: Pick<S3Client, 'send'>;

  constructor(options: S3BodyStoreOptions) {
    if (options.bucket === '') throw new RangeError('S3BodyStore needs a bucket name');
    this.bucket = options.bucket;
    this.#client = options.client;
  }

  async put(input: BodyPutInput): Promise<BodyReference> {
    const key = bodyKey(input.route, input.eventId);
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: input.body,
          ContentLength: input.body.byteLength,
          ...(input.contentType !== undefined && { ContentType: input.contentType }),
        }),
      );
    } catch (error: unknown) {
      throw new BodyStoreError(
        'body_store_failed',
        `could not write the body of event ${input.eventId} to s3://${this.bucket}/${key}: ${describeError(error)}`,
        { cause: error },
      );
    }
    return { store: 's3', bucket: this.bucket, key, size: input.body.byteLength };
  }

  async get(ref: BodyReference): Promise<Uint8Array> {
    const location = `s3://${ref.bucket}/${ref.key}`;
    if (ref.store !== 's3') {
      throw new BodyStoreError(
        'body_missing',
        `body reference ${ref.store}:${ref.bucket}/${ref.key} is not an S3 object; this store reads S3 only`,
      );
    }
    try {
      const { Body } = await this.#client.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key }));
      if (Body === undefined) throw new Error('GetObject returned no body');
      return await Body.transformToByteArray();
    } catch (error: unknown) {
      // Without s3:ListBucket, S3 answers a missing key with 403 AccessDenied, not NoSuchKey: that
      // stays a (retryable) store failure, since a denied read may also be a permissions mistake.
      if (isNoSuchKey(error)) {
        throw new BodyStoreError('body_missing', `no body at ${location} (deleted or expired)`, {
          cause: error,
        });
      }
      throw new BodyStoreError(
        'body_store_failed',
        `could not read the body at ${location}: ${describeError(error)}`,
        {
          cause: error,
        },
      );
    }
  }

  /**
   * A server-side CopyObject from the bucket the reference names to `this.bucket`: the bytes never
   * pass through this process, and the copy keeps the source's content type (metadata is copied).
   */
  async copy(ref: BodyReference, target: BodyCopyTarget): Promise<BodyReference> {
    const source = `s3://${ref.bucket}/${ref.key}`;
    if (ref.store !== 's3') {
      throw new BodyStoreError(
        'body_missing',
        `body reference ${ref.store}:${ref.bucket}/${ref.key} is not an S3 object; this store copies S3 objects only`,
      );
    }
    const key = bodyKey(target.route, target.eventId);
    try {
      await this.#client.send(
        new CopyObjectCommand({ Bucket: this.bucket, Key: key, CopySource: copySource(ref.bucket, ref.key) }),
      );
    } catch (error: unknown) {
      // A missing source is 404 NoSuchKey (with s3:ListBucket on the source bucket; 403 without it).
      if (isNoSuchKey(error)) {
        throw new BodyStoreError('body_missing', `no body at ${source} to copy (deleted or expired)`, {
          cause: error,
        });
      }
      throw new BodyStoreError(
        'body_store_failed',
        `could not copy the body at ${source} to s3://${this.bucket}/${key} for event ${target.eventId}: ${describeError(error)}`,
        { cause: error },
      );
    }
    return { store: 's3', bucket: this.bucket, key, size: ref.size };
  }
}

/**
 * The `x-amz-copy-source` value of an object, `<bucket>/<key>` URL-encoded the way S3 decodes it:
 * every byte outside RFC 3986's unreserved set percent-encoded (UTF-8), the key's `/` kept. The
 * SDK sends `CopySource` as given, so an unencoded space, `+`, `%` or non-ASCII letter would name
 * another key or be refused.
 */
function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(encodeSegment).join('/')}`;
}

/** `encodeURIComponent`, plus the five reserved characters it leaves alone (`!'()*`). */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function isNoSuchKey(error: unknown): boolean {
  // CopyObject does not model NoSuchKey: the SDK raises a generic service error named by the code.
  return error instanceof NoSuchKey || (error instanceof Error && error.name === 'NoSuchKey');
}
