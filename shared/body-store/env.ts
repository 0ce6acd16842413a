/** The deployed body store, as the stack configures it through the environment. */
import { S3Client } from '@aws-sdk/client-s3';
import { AWS_CLIENT_DEFAULTS } from '../aws-client-defaults.js';
import { ENV } from '../env-names.js';
import { S3BodyStore } from './s3-body-store.js';

/** Options of `bodyStoreFromEnv()`. */
export interface BodyStoreFromEnvOptions {
  /**
   * Makes the S3 client, called only when a bucket is configured (pass one to own the client and
   * `destroy()` it later).
   * @default () => new S3Client(AWS_CLIENT_DEFAULTS) (the SDK's standard region, credentials and endpoint)
   */
  readonly client?: () => Pick<S3Client, 'send'>;
}

/**
 * The `S3BodyStore` of the bucket named by `HOOKLINE_BODY_BUCKET` (`ENV.bodyBucket`), or undefined
 * when the variable is unset or empty: then no store is configured, and each caller decides what
 * that means (the ingress refuses large bodies with 413, handlers dead-letter events whose body is
 * in the store, the admin API shows them without their body).
 */
export function bodyStoreFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
  options: BodyStoreFromEnvOptions = {},
): S3BodyStore | undefined {
  const bucket = env[ENV.bodyBucket];
  if (bucket === undefined || bucket === '') return undefined;
  return new S3BodyStore({ client: options.client?.() ?? new S3Client(AWS_CLIENT_DEFAULTS), bucket });
}
