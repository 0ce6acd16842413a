/** Runs the user's handler on one event: body, payload (validated when a schema is set), context. */
import type { Context } from 'aws-lambda';
import type { BodyStore } from '../body-store/body-store.js';
import type { ResolvedRoute } from '../config/types.js';
import type { Envelope } from '../envelope.js';
import type { Log } from '../logger.js';
import { isPermanentError, type PermanentError } from './errors.js';
import { buildEvent, readEventBody } from './event.js';
import { withLogKeys } from './log.js';
import { validatePayload } from './schema.js';
import { type HandlerContext, type HandlerDefinition, type HooklineEvent, IGNORED } from './types.js';

/** How the handler's run ended. */
export type HandlerResult =
  | { readonly kind: 'delivered' | 'ignored' }
  | { readonly kind: 'permanent'; readonly error: PermanentError }
  | { readonly kind: 'failed'; readonly error: unknown };

/** What running a handler needs of the runtime's batch. */
export interface HandlerRunScope<TPayload> {
  readonly definition: HandlerDefinition<TPayload>;
  readonly deps: {
    readonly route: Pick<ResolvedRoute, 'expectJson'>;
    readonly bodyStore?: Pick<BodyStore, 'get'>;
  };
  readonly now: () => Date;
  readonly deadlineMs: number;
  readonly lambdaContext: Context | undefined;
}

/**
 * The handler's outcome; never throws (a thrown error is the `failed` or `permanent` result).
 * `onEventType` is told the event's type once the event is built (the runtime's metrics).
 */
export async function runHandler<TPayload>(
  envelope: Envelope,
  attempt: number,
  scope: HandlerRunScope<TPayload>,
  log: Log,
  onEventType?: (type: string | undefined) => void,
): Promise<HandlerResult> {
  const { definition, deps, lambdaContext } = scope;
  try {
    const rawBody = await readEventBody(envelope, deps.bodyStore);
    const event = buildEvent({ envelope, attempt, expectJson: deps.route.expectJson, rawBody });
    onEventType?.(event.type);
    const { schema } = definition.options;
    const payload = schema === undefined ? event.payload : await validatePayload(schema, event.payload);
    const context: HandlerContext = {
      log: withLogKeys(log, { attempt }),
      remainingTimeMs: () =>
        lambdaContext?.getRemainingTimeInMillis() ?? Math.max(0, scope.deadlineMs - scope.now().getTime()),
      ...(lambdaContext !== undefined && { lambdaContext }),
    };
    // Without a schema the payload type is the handler author's assertion.
    const returned = await definition.fn({ ...event, payload } as HooklineEvent<TPayload>, context);
    return { kind: returned === IGNORED ? 'ignored' : 'delivered' };
  } catch (error: unknown) {
    return isPermanentError(error) ? { kind: 'permanent', error } : { kind: 'failed', error };
  }
}
