/**
 * Turns a queued envelope into the `HooklineEvent` a handler receives: provider event type,
 * parsed payload, raw bytes (read from the body store when the envelope carries a `bodyRef`).
 */
import type { BodyStore } from '../body-store/body-store.js';
import { isBodyStoreError } from '../body-store/errors.js';
import { isVerifyScheme } from '../config/verify-schema.js';
import { ENV } from '../env-names.js';
import { decodeBody, type Envelope } from '../envelope.js';
import { schemeNamed } from '../verify/registry.js';
import { BodyUnavailableError } from './errors.js';
import type { HooklineEvent } from './types.js';

/**
 * The event's raw bytes: inline ones decoded, a `bodyRef` read from `store`.
 * @throws BodyUnavailableError when there is no store or the body is missing from it; a
 *   `BodyStoreError` `body_store_failed` (an ordinary, retryable failure) when the store fails.
 */
export async function readEventBody(
  envelope: Envelope,
  store: Pick<BodyStore, 'get'> | undefined,
): Promise<Uint8Array> {
  const ref = envelope.bodyRef;
  if (ref === undefined) return decodeBody(envelope);
  if (store === undefined) {
    throw new BodyUnavailableError(
      `event ${envelope.id} has its ${ref.size}-byte body in the ${ref.store} body store, and this handler has no body store (set ${ENV.bodyBucket} in Lambda)`,
    );
  }
  try {
    return await store.get(ref);
  } catch (error: unknown) {
    if (isBodyStoreError(error, 'body_missing')) {
      throw new BodyUnavailableError(`the body of event ${envelope.id} is unavailable: ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}

/** What `buildEvent` turns into a `HooklineEvent`. */
export interface BuildEventInput {
  readonly envelope: Envelope;
  /** 1-based attempt number (attempts in the event's history + 1). */
  readonly attempt: number;
  /** The route's `expectJson`: parse the body as JSON whatever its content type. */
  readonly expectJson: boolean;
  /**
   * The body's bytes (`readEventBody`); required when the envelope carries a `bodyRef`.
   * @default the envelope's inline body
   */
  readonly rawBody?: Uint8Array;
}

/** @throws BodyUnavailableError when the envelope has a `bodyRef` and no `rawBody` was given. */
export function buildEvent(input: BuildEventInput): HooklineEvent<unknown> {
  const { envelope, attempt, expectJson } = input;
  if (envelope.bodyRef !== undefined && input.rawBody === undefined) {
    throw new BodyUnavailableError(
      `event ${envelope.id} has its body in the ${envelope.bodyRef.store} body store and it was not read`,
    );
  }
  const rawBody = input.rawBody ?? decodeBody(envelope);
  const contentType = envelope.contentType ?? envelope.headers['content-type'];
  const payload = parsePayload(rawBody, contentType, expectJson);
  return {
    id: envelope.id,
    route: envelope.route,
    type: eventType(envelope.verification.scheme, envelope.headers, payload),
    receivedAt: envelope.receivedAt,
    headers: envelope.headers,
    payload,
    rawBody,
    attempt,
    ...(envelope.replayOf !== undefined && { replayOf: envelope.replayOf }),
  };
}

/**
 * Form fields for `application/x-www-form-urlencoded`; parsed JSON when the content type says JSON
 * or the route expects JSON; otherwise (or when the JSON does not parse) undefined.
 */
export function parsePayload(
  body: Uint8Array,
  contentType: string | undefined,
  expectJson: boolean,
): unknown {
  const type = contentType?.toLowerCase() ?? '';
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  if (!expectJson && !type.includes('json')) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The provider's event type, as the route's scheme reads it; undefined when it sends none. */
export function eventType(
  scheme: string,
  headers: Readonly<Record<string, string>>,
  payload: unknown,
): string | undefined {
  if (!isVerifyScheme(scheme)) return undefined;
  return schemeNamed(scheme).eventType?.({ headers, payload });
}
