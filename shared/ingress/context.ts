/**
 * What the ingress steps find out about a request, piece by piece: each step's type names the pieces
 * it reads and the piece it adds (see ./pipeline.ts and the steps in ./steps/).
 */
import type { BodyStore } from '../body-store/body-store.js';
import type { ResolvedRoute } from '../config/types.js';
import type { NewEventRecord } from '../event-store/types.js';
import type { VerificationSuccess } from '../verify/types.js';
import type { FilterInput } from './filters.js';
import type { IncomingRequest } from './http.js';

/** A route of this ingress with its filters and source IP check compiled once per container. */
export interface CompiledTarget {
  readonly route: ResolvedRoute;
  readonly queueUrl: string;
  readonly passesFilters: (input: FilterInput) => boolean;
  readonly sourceIpAllowed: (ip: string | undefined) => boolean;
}

/** Added by `receive`. */
export interface Received {
  readonly request: IncomingRequest;
  /** The origin senders reach this ingress at: the base of `statusUrl` in answers. */
  readonly origin: string;
}

/** Added by `matchRoute`. */
export interface Routed {
  readonly target: CompiledTarget;
}

/** Added by `checkSize`. */
export interface BodyPlan {
  /** Where the body goes before the request data is written; undefined when it travels inline. */
  readonly bodyStore: Pick<BodyStore, 'put'> | undefined;
}

/** Added by `verify`. */
export interface Verified {
  /** When the request was verified: the event's `receivedAt`. */
  readonly receivedAt: Date;
  readonly verdict: VerificationSuccess;
}

/** Added by `parse`. */
export interface Parsed {
  /** Parsed JSON or form fields, for filters and dedupe keys (undefined when not parsed). */
  readonly payload: unknown;
}

/** Added by `identify`, from the request as received (before `redact`). */
export interface Identified {
  /** The key this delivery is remembered by; undefined when the route opts out of dedupe. */
  readonly dedupeKey: string | undefined;
}

/** Added by `dedupe`. */
export interface Claimed {
  /** The event's id: a new one, or that of the half-accepted event this request resumes. */
  readonly eventId: string;
  /**
   * The `pk` of the event's request item: its dedupe key's (the claim holds the request data), or
   * its own (`REQUEST#<id>`: no dedupe key, or a key repeated after its window).
   */
  readonly requestKey: string;
  /** The request data already written with the claim (an inline body), complete. */
  readonly recorded: NewEventRecord | undefined;
  /** True when the claim is held by an earlier attempt that was never queued: this one finishes it. */
  readonly resuming: boolean;
}

/** Added by `record`. */
export interface Recorded {
  /** The request data as written: what the envelope is made from. */
  readonly record: NewEventRecord;
  /** Where it is written (`Claimed.requestKey`): the state and the envelope name it. */
  readonly requestKey: string;
}
