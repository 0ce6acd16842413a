/**
 * The event table's data access (docs/architecture.md, "Table layout"): the one object ingress,
 * the handler runtime, replay and admin hold. Each method hands over to the module of its job:
 * items.ts (item layout and record ↔ item mapping), dedupe.ts (dedupe claims), accept-writes.ts
 * (accepting an event), lock.ts (the handler's lock and settle), state-update.ts (status changes
 * and replay links). Every write but the request item's is conditional. Callers never pass
 * DynamoDB expressions.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { deleteRequest, discardUnqueued, putQueued, putRequest, resumeRequest } from './accept-writes.js';
import { type ClaimDedupeKeyInput, claimDedupeKey, type DedupeClaim } from './dedupe.js';
import { type EventState, eventKeys, recordOf } from './items.js';
import { type AcquireLockInput, acquireLock, type LockResult, type SettleInput, settle } from './lock.js';
import { addReplay } from './state-update.js';
import { type EventTable, readPartition } from './table.js';
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

  /** Claims a route's dedupe key for an event unless an unexpired claim holds it: {@link claimDedupeKey}. */
  claimDedupeKey(input: ClaimDedupeKeyInput): Promise<DedupeClaim> {
    return claimDedupeKey(this.table, input);
  }

  /** Writes a new event's request item, the first step of accepting it: {@link putRequest}. */
  putRequest(record: NewEventRecord): Promise<void> {
    return putRequest(this.table, record);
  }

  /** Rewrites the request item of an event left `received`, unless it is queued: {@link resumeRequest}. */
  resumeRequest(record: NewEventRecord): Promise<boolean> {
    return resumeRequest(this.table, record);
  }

  /** Deletes a duplicate delivery's unclaimed request item: {@link deleteRequest}. */
  deleteRequest(id: string): Promise<void> {
    return deleteRequest(this.table, id);
  }

  /** Writes the `queued` state of an event whose message is on its queue: {@link putQueued}. */
  putQueued(record: NewEventRecord): Promise<boolean> {
    return putQueued(this.table, record);
  }

  /**
   * The event (state and request data), read consistently in one Query of its partition;
   * `undefined` when there is none.
   */
  async getEvent(id: string): Promise<EventRecord | undefined> {
    return recordOf(id, await readPartition(this.table, eventKeys.event(id).pk));
  }

  /** Takes the event's idempotency lock for a handler attempt: {@link acquireLock}. */
  acquireLock(input: AcquireLockInput): Promise<LockResult> {
    return acquireLock(this.table, input);
  }

  /** Ends the lock holder's attempt with its final status and attempts: {@link settle}. */
  settle(input: SettleInput): Promise<EventState> {
    return settle(this.table, input);
  }

  /** Appends a replay's id to the original event's `replays`: {@link addReplay}. */
  addReplay(originalId: string, replayId: string): Promise<EventState> {
    return addReplay(this.table, originalId, replayId);
  }

  /** Deletes the request item of an event that never reached its queue: {@link discardUnqueued}. */
  discardUnqueued(id: string): Promise<boolean> {
    return discardUnqueued(this.table, id);
  }
}
