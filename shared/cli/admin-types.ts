/**
 * The admin API's replies as the CLI reads them: the server's own types (type-only imports, so
 * nothing of the server is loaded) inside the JSON envelope each endpoint answers with.
 */
import type { EventView } from '../admin/event-endpoints.js';
import type { RouteStatus } from '../admin/route-status-endpoint.js';
import type { RouteCircuit } from '../circuit/route-consumers.js';
import type { DlqMessageInfo, RedriveTask } from '../dlq/dlq.js';
import type { EventState } from '../event-store/items.js';
import type { EventStatus } from '../event-store/types.js';
import type { LatencyStats, RouteStats, StatsReport } from '../metrics/stats.js';
import type { BulkReplayReport, ReplayResult } from '../replay/types.js';

export type {
  BulkReplayReport,
  DlqMessageInfo,
  EventState,
  EventStatus,
  EventView,
  LatencyStats,
  RedriveTask,
  RouteCircuit,
  RouteStats,
  RouteStatus,
};

/** `GET /_hookline/stats`: the report as it is (the contract `hookline stats --json` prints). */
export type StatsReply = StatsReport;

/** `GET /_hookline/events/{id}` */
export interface EventReply {
  readonly event: EventView;
}

/** `GET /_hookline/events` */
export interface EventListReply {
  readonly events: EventState[];
  readonly nextCursor?: string;
}

/** `POST /_hookline/replay` with an id. */
export interface ReplayReply {
  readonly replay: ReplayResult & { readonly statusUrl?: string };
}

/** `POST /_hookline/replay` with a route: one page of the run. */
export interface BulkReplayReply {
  readonly report: BulkReplayReport;
}

/** `GET /_hookline/routes` */
export interface RoutesReply {
  readonly routes: RouteStatus[];
}

/** `POST /_hookline/routes/{route}/pause` and `…/resume` */
export interface RouteConsumerReply {
  readonly route: string;
  readonly circuit: RouteCircuit;
}

/** `GET /_hookline/dlq/{route}` */
export interface DlqListReply {
  readonly route: string;
  readonly messages: DlqMessageInfo[];
}

/** `POST /_hookline/dlq/{route}/redrive` */
export interface RedriveStartReply {
  readonly route: string;
  readonly taskHandle: string;
}

/** `GET /_hookline/dlq/{route}/redrive` */
export interface RedriveTasksReply {
  readonly route: string;
  readonly tasks: RedriveTask[];
}
