/**
 * The runner of the ingress steps (docs/architecture.md, "Data path"): each step reads what the
 * steps before it put in the context, then answers the request, refuses it (throws an `HttpError`)
 * or adds its findings to the context for the steps after it.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describeError } from '../errors.js';
import { HttpError } from '../http/errors.js';
import { errorResponse } from '../http/response.js';
import type { Log } from '../logger.js';
import type { IngressErrorCode } from './http.js';

/** What the ingress answers, in API Gateway's (HTTP API, payload v2) result shape. */
export type IngressResult = APIGatewayProxyStructuredResultV2;

/** A step's answer: the request ends here with `result`, and no later step runs. */
export class Answer {
  readonly result: IngressResult;

  constructor(result: IngressResult) {
    this.result = result;
  }
}

export function answer(result: IngressResult): Answer {
  return new Answer(result);
}

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

  finish(last: Step<Context, never>, log: Log): (event: APIGatewayProxyEventV2) => Promise<IngressResult> {
    const steps = [...this.steps, { run: last }];
    return async (event) => {
      try {
        return await runSteps(steps, { event });
      } catch (error: unknown) {
        return refusal(error, log);
      }
    };
  }
}

async function runSteps(steps: readonly HeldStep[], arrival: Arrival): Promise<IngressResult> {
  let context: object = arrival;
  for (const step of steps) {
    const outcome = await step.run(context);
    if (outcome instanceof Answer) return outcome.result;
    if (typeof outcome === 'object' && outcome !== null) context = { ...context, ...outcome };
  }
  // The last step's type (`Step<Context, never>`) makes it answer; this guards the runner itself.
  throw new Error('no ingress step answered the request');
}

/** An `HttpError` as its own answer; anything else is logged and answered 500. */
function refusal(error: unknown, log: Log): IngressResult {
  if (error instanceof HttpError) return errorResponse(error);
  log.error('ingress failed', { error: describeError(error) });
  return errorResponse(new HttpError<IngressErrorCode>(500, 'internal_error', 'internal error; retry later'));
}
