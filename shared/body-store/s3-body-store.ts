import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { BodyReference } from '../envelope.js';
import { type BodyPutInput, type BodyStore, bodyKey } from './body-store.js';
import { BodyStoreError, describeCause } from './errors.js';

export interface S3BodyStoreOptions {
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
        `could not write the body of event ${input.eventId} to s3://${this.bucket}/${key}: ${describeCause(error)}`,
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
      if (error instanceof NoSuchKey || (error instanceof Error && error.name === 'NoSuchKey')) {
        throw new BodyStoreError('body_missing', `no body at ${location} (deleted or expired)`, {
          cause: error,
        });
      }
      throw new BodyStoreError(
        'body_store_failed',
        `could not read the body at ${location}: ${describeCause(error)}`,
        {
          cause: error,
        },
      );
    }
  }
}
