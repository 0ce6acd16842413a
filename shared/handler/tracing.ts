/**
 * Opt-in AWS X-Ray tracing of the Lambda entry points (docs/architecture.md, "Tracing"): when the
 * function's `HOOKLINE_TRACING` is `true` (a route with `tracing` on), the entry point wraps its
 * handler with Powertools Tracer's `captureLambdaHandler` and captures its AWS SDK clients, so each
 * call is a subsegment and carries the trace header (SQS turns it into the message's
 * `AWSTraceHeader`, which links the handler's trace to the ingress's). The Tracer, and the X-Ray SDK
 * under it, is imported on the first invocation, and only then: with tracing off nothing of X-Ray is
 * loaded, and a function bundled with tracing off does not hold it.
 */
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { MiddlewareObj } from '@middy/core';
import { EnvironmentError } from '../env.js';
import { ENV } from '../env-names.js';

/** What the entry points use of a loaded Tracer. */
export interface LoadedTracer {
  readonly tracer: Pick<Tracer, 'captureAWSv3Client'>;
  /** Powertools' `captureLambdaHandler(tracer)`. */
  readonly middleware: MiddlewareObj;
}

/** Loads Powertools Tracer for `serviceName`: the one place it is imported. */
export type TracerLoader = (serviceName: string) => Promise<LoadedTracer>;

/**
 * Whether the function is bundled with its route's tracing on (esbuild `define`,
 * infra/hookline-function.ts); not defined outside a function's bundle.
 */
declare const HOOKLINE_BUNDLED_TRACING: boolean;

/**
 * Powertools Tracer's loader, or undefined in a bundle built with tracing off: the dynamic imports
 * are then folded away, and the Tracer and the X-Ray SDK under it (about 120 KiB that every cold
 * start would otherwise parse) are left out of the bundle.
 */
const loadPowertoolsTracer: TracerLoader | undefined =
  typeof HOOKLINE_BUNDLED_TRACING === 'undefined' || HOOKLINE_BUNDLED_TRACING
    ? async (serviceName) => {
        const [{ Tracer }, { captureLambdaHandler }] = await Promise.all([
          import('@aws-lambda-powertools/tracer'),
          import('@aws-lambda-powertools/tracer/middleware'),
        ]);
        const tracer = new Tracer({ serviceName });
        return { tracer, middleware: captureLambdaHandler(tracer) as MiddlewareObj };
      }
    : undefined;

function bundledTracerLoader(): TracerLoader {
  if (loadPowertoolsTracer === undefined) {
    throw new EnvironmentError(
      `${ENV.tracing} is true, but this function was bundled without tracing: deploy it with its route's ` +
        '`tracing` on',
    );
  }
  return loadPowertoolsTracer;
}

/** A Tracer loaded on the first invocation, and the clients it captures then. */
export class LambdaTracing {
  private readonly serviceName: string;
  private readonly load: TracerLoader;
  private loading: Promise<LoadedTracer> | undefined;
  private current: LoadedTracer | undefined;
  private readonly waiting: object[] = [];

  /** Throws at cold start when no `load` is given and the function was bundled without tracing. */
  constructor(serviceName: string, load: TracerLoader = bundledTracerLoader()) {
    this.serviceName = serviceName;
    this.load = load;
  }

  /** True once the Tracer is loaded (the first invocation has started). */
  get loaded(): boolean {
    return this.current !== undefined;
  }

  /**
   * An AWS SDK v3 client, captured by the Tracer (a subsegment per call, the trace header sent)
   * once it is loaded: clients made before the first invocation are captured then.
   */
  capture<Client extends object>(client: Client): Client {
    if (this.current === undefined) this.waiting.push(client);
    else this.current.tracer.captureAWSv3Client(client);
    return client;
  }

  /** A middy middleware: loads the Tracer before the first invocation, then runs `captureLambdaHandler`. */
  middleware(): MiddlewareObj {
    return {
      before: async (request) => {
        const loaded = await this.ready();
        await loaded.middleware.before?.(request);
      },
      after: async (request) => {
        await this.current?.middleware.after?.(request);
      },
      onError: async (request) => {
        await this.current?.middleware.onError?.(request);
      },
    };
  }

  private ready(): Promise<LoadedTracer> {
    this.loading ??= this.load(this.serviceName).then(
      (loaded) => {
        for (const client of this.waiting.splice(0)) loaded.tracer.captureAWSv3Client(client);
        this.current = loaded;
        return loaded;
      },
      (error: unknown) => {
        this.loading = undefined; // the next invocation tries again
        throw error;
      },
    );
    return this.loading;
  }
}

/** The function's tracing when `HOOKLINE_TRACING` is `true`, else undefined (nothing is loaded). */
export function tracingFromEnv(
  serviceName: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  load?: TracerLoader,
): LambdaTracing | undefined {
  return env[ENV.tracing] === 'true' ? new LambdaTracing(serviceName, load) : undefined;
}
