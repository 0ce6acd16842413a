/** Errors the admin API answers with: `{ "error": { "code", "message" } }` and an HTTP status. */
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { SQSServiceException } from '@aws-sdk/client-sqs';
import { BodyStoreError } from '../body-store/errors.js';
import { RedriveRunningError, RedriveUnavailableError } from '../dlq/dlq.js';
import { EventNotFoundError, InvalidCursorError, TableLayoutError } from '../event-store/errors.js';
import { HistoryUnavailableError } from '../event-store/state-reads.js';
import { HttpError } from '../http/errors.js';
import {
  ReplayBodyUnavailableError,
  ReplayConflictError,
  ReplayEnqueueError,
  RouteNotConfiguredError,
} from '../replay/errors.js';

/** The `code` of every error the admin API answers (as an `HttpError`); messages below 500 say what to change. */
export type AdminErrorCode =
  | 'invalid_request'
  | 'admin_local_only'
  | 'not_found'
  | 'event_not_found'
  | 'route_not_found'
  | 'method_not_allowed'
  | 'event_in_flight'
  | 'body_unavailable'
  | 'redrive_running'
  | 'stats_unavailable'
  | 'pause_unsupported'
  | 'table_layout_mismatch'
  | UnavailableCode
  | 'internal_error';

/** The 503 code for a dependency that failed in a way the caller may retry. */
export type UnavailableCode =
  | 'store_unavailable'
  | 'queue_unavailable'
  | 'body_store_unavailable'
  | 'metrics_unavailable'
  | 'consumer_unavailable';

/** 400 `invalid_request` naming the offending field. */
export function invalidField(field: string, problem: string): HttpError<AdminErrorCode> {
  return new HttpError<AdminErrorCode>(400, 'invalid_request', `${field}: ${problem}`);
}

const UNAVAILABLE_MESSAGES: Record<UnavailableCode, string> = {
  store_unavailable: 'the event table is unavailable; retry later',
  queue_unavailable: 'the queue service is unavailable; retry later',
  body_store_unavailable: 'the body store is unavailable; retry later',
  metrics_unavailable: 'the metrics service (CloudWatch) is unavailable; retry later',
  consumer_unavailable: "the route's consumer could not be read or changed; retry later",
};

/** 503 with a retry-later message (the cause is logged, not answered). */
function unavailable(code: UnavailableCode, cause?: unknown): HttpError<AdminErrorCode> {
  return new HttpError<AdminErrorCode>(503, code, UNAVAILABLE_MESSAGES[code], {
    ...(cause !== undefined && { cause }),
  });
}

/**
 * What a failure of the route consumers' port becomes: an AWS call that failed (the circuit item,
 * the event source mapping, the probe's schedule) is 503 `consumer_unavailable` whichever service
 * it was; anything else is left to `toAdminHttpError`.
 */
export function consumerFailure(error: unknown): unknown {
  return isAwsCallError(error) ? unavailable('consumer_unavailable', error) : error;
}

/**
 * The answer for anything an admin request threw: the domain errors callers can act on keep their
 * meaning (404, 409, 400), AWS failures (and body store failures) become 503 (`fallback` when the
 * service is not evident, e.g. a network error), and only what nobody expected is a 500. A
 * RangeError is a query the history or the replayer refused (an empty time range, say): 400 with
 * its message, which names the offending value.
 */
export function toAdminHttpError(error: unknown, fallback: UnavailableCode): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof EventNotFoundError)
    return new HttpError<AdminErrorCode>(404, 'event_not_found', error.message);
  if (error instanceof InvalidCursorError) return invalidField('cursor', error.message);
  if (error instanceof ReplayConflictError)
    return new HttpError<AdminErrorCode>(409, 'event_in_flight', error.message);
  if (error instanceof ReplayBodyUnavailableError)
    return new HttpError<AdminErrorCode>(409, 'body_unavailable', error.message);
  if (error instanceof RouteNotConfiguredError)
    return new HttpError<AdminErrorCode>(404, 'route_not_found', error.message);
  if (error instanceof ReplayEnqueueError) return unavailable('queue_unavailable');
  if (error instanceof RedriveRunningError)
    return new HttpError<AdminErrorCode>(409, 'redrive_running', error.message);
  if (error instanceof BodyStoreError) return unavailable('body_store_unavailable');
  if (error instanceof HistoryUnavailableError) return unavailable('store_unavailable');
  // Both versions named, not the table: every request is refused until the stack is fixed.
  if (error instanceof TableLayoutError) {
    return new HttpError<AdminErrorCode>(
      503,
      'table_layout_mismatch',
      `the event table uses layout v${error.found}; this Hookline needs layout v${error.expected}: ` +
        'deploy it to a new table, or run the release that wrote it',
    );
  }
  if (error instanceof SQSServiceException || error instanceof RedriveUnavailableError)
    return unavailable('queue_unavailable');
  if (error instanceof DynamoDBServiceException) return unavailable('store_unavailable');
  if (isAwsCallError(error)) return unavailable(fallback);
  if (error instanceof RangeError)
    return new HttpError<AdminErrorCode>(400, 'invalid_request', error.message);
  return new HttpError<AdminErrorCode>(500, 'internal_error', 'internal error');
}

/**
 * True for errors the AWS SDK raised (service errors and network failures both carry `$metadata`):
 * an outage the caller may retry, never a bug worth a 500.
 */
function isAwsCallError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const metadata = (error as { $metadata?: unknown }).$metadata;
  return typeof metadata === 'object' && metadata !== null;
}
