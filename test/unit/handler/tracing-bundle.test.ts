/**
 * A function bundled with its route's tracing off (esbuild `define: { HOOKLINE_BUNDLED_TRACING: 'false' }`,
 * as infra/hookline-function.ts bundles it) holds nothing of Powertools Tracer or the X-Ray SDK, and
 * refuses at cold start to run with HOOKLINE_TRACING on; bundled with tracing on, or without the
 * define (tests, the local stack), it holds them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ENV } from '../../../shared/env-names.js';
import type { tracingFromEnv } from '../../../shared/handler/tracing.js';
import { bundleSource, importBundle } from '../../helpers/function-bundle.js';
import { packagesIn } from '../../helpers/scheme-modules.js';

const OUT_DIR = mkdtempSync(join(tmpdir(), 'hookline-tracing-bundle-'));
const ENTRY = "export { tracingFromEnv } from './shared/handler/tracing.js';";
const TRACER_PACKAGES = ['@aws-lambda-powertools/tracer', 'aws-xray-sdk-core'];

afterAll(() => rmSync(OUT_DIR, { recursive: true, force: true }));

function bundleTracing(tracing?: boolean) {
  return bundleSource(
    OUT_DIR,
    `tracing-${String(tracing)}`,
    ENTRY,
    tracing === undefined ? {} : { HOOKLINE_BUNDLED_TRACING: JSON.stringify(tracing) },
  );
}

describe('tracing in a function bundle', () => {
  it('leaves Powertools Tracer and the X-Ray SDK out of a bundle built with tracing off', async () => {
    const bundle = await bundleTracing(false);

    for (const name of TRACER_PACKAGES) expect(packagesIn(bundle.inputs)).not.toContain(name);
  });

  it('refuses at cold start to trace in a bundle built with tracing off', async () => {
    const { tracingFromEnv: fromEnv } = await importBundle<{ tracingFromEnv: typeof tracingFromEnv }>(
      await bundleTracing(false),
    );

    expect(fromEnv('svc', {})).toBeUndefined();
    expect(() => fromEnv('svc', { [ENV.tracing]: 'true' })).toThrow(
      /HOOKLINE_TRACING is true, but this function was bundled without tracing/,
    );
  });

  it.each([
    ['built with tracing on', true],
    ['built without the define (tests, the local stack)', undefined],
  ])('holds the Tracer in a bundle %s', async (_label, tracing) => {
    const bundle = await bundleTracing(tracing);

    for (const name of TRACER_PACKAGES) expect(packagesIn(bundle.inputs)).toContain(name);
  });
});
