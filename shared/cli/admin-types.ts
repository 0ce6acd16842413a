/**
 * The admin API's replies as the CLI reads them (the contract in the admin API module). Only the
 * fields the CLI prints are named; `--json` output passes the whole reply through.
 */
import type { EventState } from '../event-store/event-store.js';
import type { EventRecord, EventStatus } from '../event-store/types.js';

export type { EventState, EventStatus };

/** `GET /_hookline/events/{id}`: the record (body only with `include=body`), its replay chain and links. */
export interface EventView extends EventRecord {
  /** Ancestors, oldest first: the event this one replays, and so on. */
  readonly replayChain?: readonly { id: string; status: EventStatus; receivedAt: string }[];
  readonly links?: {
    readonly self: string;
    readonly replayOf?: string;
    readonly replays?: readonly string[];
  };
  /** Set when the body was asked for but cannot be shown (e.g. its body store object is gone). */
  readonly bodyError?: { readonly code: string; readonly message: string };
}

export interface EventReply {
  readonly event: EventView;
}

export interface EventListReply {
  readonly events: EventState[];
  readonly nextCursor?: string;
}

export interface ReplayReply {
  readonly replay: {
    readonly id: string;
    readonly replayOf: string;
    readonly status: string;
    readonly statusUrl?: string;
  };
}

export interface BulkReplayReport {
  readonly matched: number;
  readonly enqueued: number;
  readonly skipped: number;
  readonly dryRun: boolean;
  readonly replays: readonly { original: string; id: string }[];
  readonly skippedEvents: readonly { id: string; reason: string }[];
  /** Set while events remain: pass it back to continue the run with the next page. */
  readonly nextCursor?: string;
}

export interface BulkReplayReply {
  readonly report: BulkReplayReport;
}

export interface RouteStatus {
  readonly route: string;
  readonly queueName: string;
  readonly queued: number;
  readonly inFlight: number;
  readonly delayed: number;
  readonly dlqDepth: number;
  readonly oldestMessageAgeSeconds?: number;
  readonly dlqOldestMessageAgeSeconds?: number;
  readonly counts?: Partial<Record<EventStatus, number>>;
}

export interface RoutesReply {
  readonly routes: RouteStatus[];
}

export interface DlqMessageInfo {
  readonly messageId: string;
  readonly eventId?: string;
  readonly route?: string;
  readonly sentAt?: string;
  readonly receiveCount?: number;
  readonly status?: EventStatus;
  readonly attempts: number;
  readonly lastError?: { readonly name?: string; readonly message?: string; readonly at: string };
  readonly unreadable?: string;
}

export interface DlqListReply {
  readonly route: string;
  readonly messages: DlqMessageInfo[];
}

export interface RedriveStartReply {
  readonly route: string;
  readonly taskHandle: string;
}

export interface RedriveTask {
  readonly taskHandle?: string;
  readonly status: string;
  readonly moved: number;
  readonly toMove?: number;
  readonly startedAt?: string;
  readonly failureReason?: string;
}

export interface RedriveTasksReply {
  readonly route: string;
  readonly tasks: RedriveTask[];
}
