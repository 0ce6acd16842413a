/**
 * AWS service limits Hookline designs around, in one place: the config schema bounds route settings
 * with them, the CDK constructs check synthesized resources against them, and the runtime stays
 * within them. Values are AWS's documented quotas (fixed ones, not adjustable account quotas,
 * except where noted).
 */

/** Lambda: longest function timeout (15 minutes). */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;
/** Lambda: smallest and largest memory size (MB). */
export const LAMBDA_MIN_MEMORY_MB = 128;
export const LAMBDA_MAX_MEMORY_MB = 10_240;
/** Lambda: largest synchronous invocation payload (6 MB, counted as 6 MiB). */
export const LAMBDA_MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** Lambda: a function's environment variables, keys and values together. */
export const LAMBDA_MAX_ENVIRONMENT_BYTES = 4096;

/** SQS: longest visibility timeout (12 hours); a retry's delay is set as one. */
export const SQS_MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
/** SQS: a redrive policy's `maxReceiveCount` range. */
export const SQS_MIN_RECEIVE_COUNT = 1;
export const SQS_MAX_RECEIVE_COUNT = 1000;
/** SQS: queue names are 1-80 letters, digits, `-` and `_`. */
export const SQS_MAX_QUEUE_NAME_LENGTH = 80;
export const SQS_QUEUE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
/** SQS: longest message retention period (14 days). */
export const SQS_MAX_RETENTION_SECONDS = 14 * 24 * 3600;
/** SQS: messages per ReceiveMessage / DeleteMessageBatch call, and the longest long poll. */
export const SQS_MAX_MESSAGES_PER_RECEIVE = 10;
export const SQS_MAX_WAIT_SECONDS = 20;

/** Lambda event source mapping for SQS: batch size up to 10 without a batching window, 10 000 with one. */
export const SQS_ESM_MIN_BATCH_SIZE = 1;
export const SQS_ESM_MAX_BATCH_SIZE_WITHOUT_WINDOW = 10;
export const SQS_ESM_MAX_BATCH_SIZE = 10_000;
/** Lambda event source mapping for SQS: longest batching window. */
export const SQS_ESM_MAX_BATCHING_WINDOW_SECONDS = 300;
/** Lambda event source mapping for SQS: `maximumConcurrency` range. */
export const SQS_ESM_MIN_MAX_CONCURRENCY = 2;
export const SQS_ESM_MAX_MAX_CONCURRENCY = 1000;

/** API Gateway HTTP APIs: largest request payload (10 MB). */
export const HTTP_API_MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** API Gateway: the default account throttling quota (requests per second and burst), per region. */
export const API_GATEWAY_MAX_RATE_LIMIT = 10_000;
export const API_GATEWAY_MAX_BURST_LIMIT = 5_000;

/** S3: lifecycle rules per bucket. */
export const S3_MAX_LIFECYCLE_RULES = 1000;

/** Secrets Manager: secret names are 1-512 letters, digits and `/_+=.@-`. */
export const SECRETS_MANAGER_MAX_NAME_LENGTH = 512;
export const SECRETS_MANAGER_NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
