/**
 * The handler API contract: what a handler module's function receives. Handler modules export
 * `handler = defineHandler(fn, options)`; the same definition runs under Lambda (SQS event source
 * mapping), the local stack's pollers and `hookline worker`.
 */
import type { Context } from 'aws-lambda';
import type { Log } from '../logger.js';

export interface HooklineEvent<TPayload = unknown> {
  /** Hookline's event id (stable across SQS redelivery and DLQ redrive). */
  readonly id: string;
  /** The route path, e.g. `/order/status/`. */
  readonly route: string;
  /**
   * Provider event type when known: GitHub `x-github-event`, Stripe `type`, Standard Webhooks
   * payload `type`, Slack `event.type`; otherwise undefined.
   */
  readonly type: string | undefined;
  readonly receivedAt: string;
  /** Request headers, lower-case (credentials such as `authorization` are never kept). */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON, form fields, or undefined. Validated by `options.schema` when given. */
  readonly payload: TPayload;
  /** The exact bytes received. */
  readonly rawBody: Uint8Array;
  /** 1 for the first attempt; counts every attempt in the event's history. */
  readonly attempt: number;
  /** Set on replays: the id of the original event. */
  readonly replayOf?: string;
}

export interface HandlerContext {
  /** Structured logger with the event id and route attached. */
  readonly log: Log;
  /** Milliseconds left before the invocation (or the local equivalent) times out. */
  remainingTimeMs(): number;
  /** The Lambda context when running in Lambda. */
  readonly lambdaContext?: Context;
}

export type HandlerFunction<TPayload = unknown> = (
  event: HooklineEvent<TPayload>,
  context: HandlerContext,
) => unknown | Promise<unknown>;

/**
 * A Standard Schema (https://standardschema.dev) validator, as implemented by zod, valibot and
 * arktype; only the part Hookline calls is declared here.
 */
export interface PayloadSchema<TPayload> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    validate(value: unknown): StandardResult<TPayload> | Promise<StandardResult<TPayload>>;
  };
}

export type StandardResult<T> =
  | { readonly value: T; readonly issues?: undefined }
  | {
      readonly issues: ReadonlyArray<{
        readonly message: string;
        readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }>;
      }>;
    };

export interface HandlerOptions<TPayload> {
  /** Validates the payload; a payload that fails is a permanent error (straight to the DLQ). */
  readonly schema?: PayloadSchema<TPayload>;
  /**
   * How many records of one batch run at the same time; 1 runs them one after another, in order.
   * Copies of one event in a batch never run concurrently either way.
   * @default 10
   */
  readonly recordConcurrency?: number;
}

/** What `handler(...)` returns to mark an event as deliberately not handled (recorded `ignored`). */
export const IGNORED: unique symbol = Symbol.for('hookline.ignored');
export type Ignored = typeof IGNORED;

/**
 * What `defineHandler` captured: the handler function and its options. The Lambda handler, the
 * local pollers and `hookline worker` all run this same object through `processBatch`.
 */
export interface HandlerDefinition<TPayload = unknown> {
  // Method syntax on purpose: a definition for any payload type is accepted where a
  // `HandlerDefinition` (unknown payload) is expected, e.g. by the local pollers.
  fn(event: HooklineEvent<TPayload>, context: HandlerContext): unknown;
  readonly options: HandlerOptions<TPayload>;
}
