/**
 * The event table's data access (docs/architecture.md, "Table layout"): the one object ingress,
 * the handler runtime, replay and admin hold. Each method hands over to the module of its job:
 * items.ts (item layout and record ↔ item mapping), dedupe.ts (dedupe claims, which hold the
 * request data), accept-writes.ts (accepting an event), lock.ts (the handler's lock and settle),
 * state-update.ts (status changes and replay links), layout.ts (the table's layout version, checked
 * before the first operation). Every write but an unkeyed request item's is conditional. Callers
 * never pass DynamoDB expressions.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { deleteRequest, discardUnqueued, putQueued, putRequest, rewriteRequest } from './accept-writes.js';
import { type ClaimRequestInput, claimRequest, type RequestClaim } from './dedupe.js';
import { type EventState, eventKeys, recordOf, requestKeyOf, toEventState } from './items.js';
import { layoutChecked } from './layout.js';
import { type AcquireLockInput, acquireLock, type LockResult, type SettleInput, settle } from './lock.js';
import { addReplay } from './state-update.js';
import { type EventTable, getItem } from './table.js';
import type { EventRecord, NewEventRecord } from './types.js';

interface EventStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

export class EventStore {
  readonly tableName: string;
  /** The client, table and clock every operation uses, for operations built alongside from the modules. */
  readonly table: EventTable;

  constructor(options: EventStoreOptions) {
    this.tableName = options.tableName;
    this.table = {
      client: options.client,
      tableName: options.tableName,
      now: options.now ?? (() => new Date()),
    };
  }

  /**
   * Resolves once the table is known to use this Hookline's layout (one GetItem per process and
   * table, shared by every store over it); every operation below waits for it first.
   * @throws TableLayoutError for a table of another layout
   */
  checkLayout(): Promise<void> {
    return layoutChecked(this.table);
  }

  /**
   * Claims a route's dedupe key for a new event and writes its request data, in one conditional
   * put, unless an unexpired claim holds the key: {@link claimRequest}.
   */
  async claimRequest(input: ClaimRequestInput): Promise<RequestClaim> {
    await this.checkLayout();
    return claimRequest(this.table, input);
  }

  /** Writes the request item of a new event without a dedupe key; returns its `requestKey`: {@link putRequest}. */
  async putRequest(record: NewEventRecord): Promise<string> {
    await this.checkLayout();
    return putRequest(this.table, record);
  }

  /**
   * Rewrites an event's request data in its request item (resuming an event left `received`, or
   * adding a large body's reference): {@link rewriteRequest}.
   */
  async rewriteRequest(
    record: NewEventRecord,
    requestKey: string,
    options: { readonly unlessQueued: boolean },
  ): Promise<boolean> {
    await this.checkLayout();
    return rewriteRequest(this.table, record, requestKey, options);
  }

  /** Deletes a request item a delivery wrote for nothing: {@link deleteRequest}. */
  async deleteRequest(requestKey: string, id: string): Promise<void> {
    await this.checkLayout();
    return deleteRequest(this.table, requestKey, id);
  }

  /** Writes the `queued` state of an event whose message is on its queue: {@link putQueued}. */
  async putQueued(record: NewEventRecord, requestKey: string): Promise<boolean> {
    await this.checkLayout();
    return putQueued(this.table, record, requestKey);
  }

  /**
   * The event (state and request data), read consistently: a GetItem of its state (keyed by its
   * id), then one of the request item it names; `undefined` when there is none.
   */
  async getEvent(id: string): Promise<EventRecord | undefined> {
    return (await this.getEventAndRequestKey(id))?.record;
  }

  /**
   * `getEvent`, with the `requestKey` its state item names: what the ingress put in the event's
   * envelope (the local stack re-sends the envelopes of in-flight events when it starts again).
   */
  async getEventAndRequestKey(
    id: string,
  ): Promise<{ readonly record: EventRecord; readonly requestKey: string | undefined } | undefined> {
    await this.checkLayout();
    const key = eventKeys.state(id);
    if (key === undefined) return undefined;
    const state = await getItem(this.table, key);
    if (state === undefined) return undefined;
    const requestKey = requestKeyOf(state);
    const request =
      requestKey === undefined ? undefined : await getItem(this.table, eventKeys.requestAt(requestKey));
    return { record: recordOf(id, state, request), requestKey };
  }

  /** The event's state alone (no request data), read consistently in one GetItem; `undefined` when there is none. */
  async getState(id: string): Promise<EventState | undefined> {
    await this.checkLayout();
    const key = eventKeys.state(id);
    if (key === undefined) return undefined;
    const state = await getItem(this.table, key);
    return state === undefined ? undefined : toEventState(state);
  }

  /** Takes the event's idempotency lock for a handler attempt: {@link acquireLock}. */
  async acquireLock(input: AcquireLockInput): Promise<LockResult> {
    await this.checkLayout();
    return acquireLock(this.table, input);
  }

  /** Ends the lock holder's attempt with its final status and attempts: {@link settle}. */
  async settle(input: SettleInput): Promise<EventState> {
    await this.checkLayout();
    return settle(this.table, input);
  }

  /** Appends a replay's id to the original event's `replays`: {@link addReplay}. */
  async addReplay(originalId: string, replayId: string): Promise<EventState> {
    await this.checkLayout();
    return addReplay(this.table, originalId, replayId);
  }

  /** Deletes the request item of a replay that never reached its queue: {@link discardUnqueued}. */
  async discardUnqueued(id: string): Promise<boolean> {
    await this.checkLayout();
    return discardUnqueued(this.table, id);
  }
}
