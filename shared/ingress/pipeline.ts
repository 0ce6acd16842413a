/**
 * The runner of the ingress steps (docs/architecture.md, "Data path"): each step reads what the
 * steps before it put in the context, then answers the request, refuses it (throws an `HttpError`)
 * or adds its findings to the context for the steps after it.
 */
import { performance } from 'node:perf_hooks';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describeError } from '../errors.js';
import { HttpError } from '../http/errors.js';
import { errorResponse } from '../http/response.js';
import type { Log } from '../logger.js';
import type { IngressErrorCode } from './http.js';

/** What the ingress answers, in API Gateway's (HTTP API, payload v2) result shape. */
export type IngressResult = APIGatewayProxyStructuredResultV2;

/** What an answer was, for the ingress's metrics (`./metrics.ts`); never sent. */
export type AnswerKind = 'queued' | 'duplicate' | 'filtered' | 'handshake';

/** A step's answer: the request ends here with `result`, and no later step runs. */
export class Answer {
  readonly result: IngressResult;
  readonly kind: AnswerKind | undefined;

  constructor(result: IngressResult, kind?: AnswerKind) {
    this.result = result;
    this.kind = kind;
  }
}

export function answer(result: IngressResult, kind?: AnswerKind): Answer {
  return new Answer(result, kind);
}

/** How one request ended, as the pipeline's observer sees it. */
export interface RequestOutcome {
  readonly result: IngressResult;
  /** The answering step's kind; undefined for a refusal. */
  readonly kind: AnswerKind | undefined;
  /** The refusal: its code, or `internal_error` for anything not an `HttpError`; undefined when answered. */
  readonly errorCode: string | undefined;
  /** The context as the last step that ran left it (what earlier steps added). */
  readonly context: object;
  /** Milliseconds from the request's arrival to its answer. */
  readonly durationMs: number;
}

/** Told of every request's outcome once it is answered; what it throws is ignored. */
export type OutcomeObserver = (outcome: RequestOutcome) => void;

/** Told of the context as the request starts and after each step that adds to it (log keys). */
export type ContextObserver = (context: object) => void;

/**
 * One step: an `Answer`, or what it adds to the context (nothing, for a check that lets the request
 * through). A refusal is thrown as an `HttpError` and answered as its status.
 */
export type Step<In, Added extends object | undefined = undefined> = (
  context: In,
) => Added | Answer | Promise<Added | Answer>;

/** The context every request starts with. */
export interface Arrival {
  readonly event: APIGatewayProxyEventV2;
}

type Extended<Context, Added> = [Added] extends [object] ? Context & Added : Context;

/** A step as the runner holds it: method syntax, so a step of any context type fits. */
interface HeldStep {
  run(context: object): unknown;
}

/**
 * The steps in the order they run, typed so that each step can only read what an earlier one
 * added. `finish` takes the step that always answers and gives the request handler.
 */
export class IngressPipeline<Context extends object> {
  private readonly steps: readonly HeldStep[];

  private constructor(steps: readonly HeldStep[]) {
    this.steps = steps;
  }

  static start(): IngressPipeline<Arrival> {
    return new IngressPipeline([]);
  }

  step<Added extends object | undefined>(
    run: Step<Context, Added>,
  ): IngressPipeline<Extended<Context, Added>> {
    return new IngressPipeline<Extended<Context, Added>>([...this.steps, { run }]);
  }

  finish(
    last: Step<Context, never>,
    log: Log,
    observe?: OutcomeObserver,
    onContext?: ContextObserver,
  ): (event: APIGatewayProxyEventV2) => Promise<IngressResult> {
    const steps = [...this.steps, { run: last }];
    return async (event) => {
      const started = performance.now();
      const reached: { context: object } = { context: { event } };
      let outcome: Omit<RequestOutcome, 'durationMs'>;
      try {
        onContext?.(reached.context);
        const answered = await runSteps(steps, reached, onContext);
        outcome = {
          result: answered.result,
          kind: answered.kind,
          errorCode: undefined,
          context: reached.context,
        };
      } catch (error: unknown) {
        const code = error instanceof HttpError ? String(error.code) : 'internal_error';
        outcome = { result: refusal(error, log), kind: undefined, errorCode: code, context: reached.context };
      }
      if (observe !== undefined)
        notify(observe, { ...outcome, durationMs: performance.now() - started }, log);
      return outcome.result;
    };
  }
}

/** Runs the steps, keeping in `reached` the context as each step leaves it. */
async function runSteps(
  steps: readonly HeldStep[],
  reached: { context: object },
  onContext: ContextObserver | undefined,
): Promise<Answer> {
  for (const step of steps) {
    const outcome = await step.run(reached.context);
    if (outcome instanceof Answer) return outcome;
    if (typeof outcome === 'object' && outcome !== null) {
      reached.context = { ...reached.context, ...outcome };
      onContext?.(reached.context);
    }
  }
  // The last step's type (`Step<Context, never>`) makes it answer; this guards the runner itself.
  throw new Error('no ingress step answered the request');
}

function notify(observe: OutcomeObserver, outcome: RequestOutcome, log: Log): void {
  try {
    observe(outcome);
  } catch (error: unknown) {
    log.warn('request outcome not observed', { error: describeError(error) });
  }
}

/** An `HttpError` as its own answer; anything else is logged and answered 500. */
function refusal(error: unknown, log: Log): IngressResult {
  if (error instanceof HttpError) return errorResponse(error);
  log.error('ingress failed', { error: describeError(error) });
  return errorResponse(new HttpError<IngressErrorCode>(500, 'internal_error', 'internal error; retry later'));
}
