/**
 * `hookline/testing`: unit-test a handler with real payloads, no AWS needed. `loadFixture` reads a
 * fixture exported from a delivered event (`hookline events export <id> --fixture FILE`);
 * `invokeHandler` runs a handler on it the way the runtime does (the same event, payload parsing and
 * schema validation), and says how it ended.
 */
import { readFileSync } from 'node:fs';
import type { Envelope } from '../envelope.js';
import { type Fixture, parseFixture } from '../fixtures/fixture.js';
import type { HooklineLambdaHandler } from '../handler/define-handler.js';
import { type HandlerResult, runHandler } from '../handler/run-handler.js';
import type { HandlerDefinition } from '../handler/types.js';
import { type Log, silentLog } from '../logger.js';

export { type Fixture, FixtureError, fixtureBody, parseFixture } from '../fixtures/fixture.js';
export type { HandlerResult } from '../handler/run-handler.js';

/** The fixture in `file`. @throws FixtureError naming every problem when it is not one. */
export function loadFixture(file: string): Fixture {
  return parseFixture(readFileSync(file, 'utf8'), file);
}

export interface InvokeOptions {
  /** The event id the handler sees. @default `evt_fixture` */
  readonly id?: string;
  /** The route path the handler sees. @default the route the fixture was captured on, else `/fixture/` */
  readonly route?: string;
  /** Which attempt this is (1 is the first). @default 1 */
  readonly attempt?: number;
  /** Parse the body as JSON whatever its content type, as a route with `expectJson` does. @default true */
  readonly expectJson?: boolean;
  /** When the event was received. @default now */
  readonly now?: Date;
  /** Milliseconds the handler may run (`context.remainingTimeMs()`). @default 30 000 */
  readonly timeoutMs?: number;
  /** Where the handler's `context.log` goes. @default nowhere */
  readonly log?: Log;
}

/**
 * Runs `handler` (what `defineHandler` returned, or its `definition`) on the fixture's request.
 * Resolves with how it ended (`delivered`, `ignored`, `failed` with the error, `permanent`); never
 * rejects for what the handler throws.
 */
export function invokeHandler<TPayload>(
  handler: HooklineLambdaHandler<TPayload> | HandlerDefinition<TPayload>,
  fixture: Fixture,
  options: InvokeOptions = {},
): Promise<HandlerResult> {
  const definition = 'definition' in handler ? handler.definition : handler;
  const now = options.now ?? new Date();
  const route = options.route ?? fixture.source?.route ?? '/fixture/';
  const envelope: Envelope = {
    v: 2,
    id: options.id ?? 'evt_fixture',
    route,
    receivedAt: now.toISOString(),
    method: fixture.method,
    path: route,
    query: fixture.query,
    headers: fixture.headers,
    ...(fixture.contentType !== undefined && { contentType: fixture.contentType }),
    ...(fixture.body !== undefined && { body: fixture.body }),
    ...(fixture.bodyBase64 !== undefined && { bodyBase64: fixture.bodyBase64 }),
    verification: { scheme: fixture.provider, verifiedAt: now.toISOString() },
  };
  return runHandler(
    envelope,
    options.attempt ?? 1,
    {
      definition,
      deps: { route: { expectJson: options.expectJson ?? true } },
      now: () => new Date(),
      deadlineMs: Date.now() + (options.timeoutMs ?? 30_000),
      lambdaContext: undefined,
    },
    options.log ?? silentLog,
  );
}
