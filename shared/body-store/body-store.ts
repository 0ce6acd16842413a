/**
 * The body store: where the ingress puts a body larger than `INLINE_BODY_LIMIT_BYTES` (claim
 * check), so the envelope and the event record carry a `BodyReference` instead of the bytes. S3
 * when deployed (`S3BodyStore`), a directory when running on one machine (`DirectoryBodyStore`).
 */
import type { BodyReference } from '../envelope.js';

/** What the ingress stores: one event's raw body. */
export interface BodyPutInput {
  /** The route path, e.g. `/order/status/`; its queue name is the key prefix. */
  readonly route: string;
  readonly eventId: string;
  /** The exact bytes received. */
  readonly body: Uint8Array;
  readonly contentType?: string;
}

/** Where `BodyStore.copy` puts a body: the event the copy belongs to. */
export interface BodyCopyTarget {
  /** The route path of the new event; its queue name is the key prefix. */
  readonly route: string;
  /** The new event's id: the copy is stored under `bodyKey(route, eventId)`. */
  readonly eventId: string;
}

/**
 * Where bodies too large to travel inline are kept, keyed `<queueName>/<eventId>`: the ingress
 * `put`s them, handlers and the admin API `get` them by the envelope's `BodyReference`, replays
 * `copy` them. Implementations: `S3BodyStore` (deployed) and `DirectoryBodyStore` (one machine).
 */
export interface BodyStore {
  /**
   * Stores the body under `bodyKey(route, eventId)`, replacing any earlier body of the same event.
   * @throws BodyStoreError `body_store_failed`
   */
  put(input: BodyPutInput): Promise<BodyReference>;
  /**
   * The stored bytes.
   * @throws BodyStoreError `body_missing` (retrying cannot help) or `body_store_failed` (it may)
   */
  get(ref: BodyReference): Promise<Uint8Array>;
  /**
   * Copies the body `ref` names to `bodyKey(target.route, target.eventId)` in this store, so the
   * copy expires on its own schedule (a replay's body lives as long as the replay), replacing any
   * earlier body there. The bytes are not read into this process.
   * @returns the copy's reference (same size, this store's bucket)
   * @throws BodyStoreError `body_missing` when the source is gone (or a reference this store cannot
   *   read), `body_store_failed` when the copy could not be made (a retry may succeed); RangeError
   *   for an event id that cannot name a body
   */
  copy(ref: BodyReference, target: BodyCopyTarget): Promise<BodyReference>;
}
