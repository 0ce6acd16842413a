/** The body store (claim check) for bodies too large to travel inline. */
export {
  type BodyCopyTarget,
  type BodyPutInput,
  type BodyReference,
  type BodyStore,
  bodyKey,
  bodyKeyPrefix,
} from './body-store.js';
export {
  DirectoryBodyStore,
  type DirectoryBodyStoreOptions,
  LOCAL_BODY_BUCKET,
  LOCAL_BODY_DIR,
  localBodyRoot,
} from './directory-body-store.js';
export { type BodyStoreFromEnvOptions, bodyStoreFromEnv } from './env.js';
export { BodyStoreError, type BodyStoreErrorCode, isBodyStoreError } from './errors.js';
export { S3BodyStore, type S3BodyStoreOptions } from './s3-body-store.js';
