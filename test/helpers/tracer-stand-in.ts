/**
 * A stand-in for Powertools Tracer (`@aws-lambda-powertools/tracer` and its middleware): X-Ray
 * cannot run here, so tests replace the modules with these and read what they saw.
 *
 * vi.mock('@aws-lambda-powertools/tracer', async () => (await import('…/tracer-stand-in.js')).tracerModule());
 */

/** What the stand-in saw since the last `resetTracerSeen()`. */
export const tracerSeen = {
  /** How many times the tracer module was loaded. */
  imports: 0,
  /** The service name of each Tracer made. */
  services: [] as string[],
  /** Each AWS SDK client captured. */
  captured: [] as object[],
  /** The middleware hooks that ran, in order. */
  hooks: [] as string[],
};

export function resetTracerSeen(): void {
  tracerSeen.imports = 0;
  tracerSeen.services.length = 0;
  tracerSeen.captured.length = 0;
  tracerSeen.hooks.length = 0;
}

export function tracerModule() {
  tracerSeen.imports += 1;
  return {
    Tracer: class {
      constructor(options: { serviceName: string }) {
        tracerSeen.services.push(options.serviceName);
      }
      captureAWSv3Client<T extends object>(client: T): T {
        tracerSeen.captured.push(client);
        return client;
      }
    },
  };
}

export function tracerMiddlewareModule() {
  return {
    captureLambdaHandler: () => ({
      before: () => void tracerSeen.hooks.push('before'),
      after: () => void tracerSeen.hooks.push('after'),
      onError: () => void tracerSeen.hooks.push('onError'),
    }),
  };
}
